"""Per dyad × theme × role counts, dyadic patterns and client–therapist agreement.

Pure computation over `Member`s (transcripts with their dyad and perspective) and `Evidence`
(a theme on a turn, with a span and a score where known). No I/O, no printing.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from qualcode.errors import Diagnostic
from qualcode.models import Codebook, Turn
from qualcode.summary.study import PERSPECTIVES, Member, natural_key

SHARED = "shared"
ABSENT = "absent"
MISSING = "missing-perspective"
#: Every pattern, in the order tables show them.
PATTERNS = (SHARED, "client-only", "therapist-only", "interpreter-only", ABSENT, MISSING)
#: The perspectives a dyad needs before "not raised" means anything.
REQUIRED = ("client", "therapist")
NOT_GIVEN = "(not given)"


@dataclass(frozen=True)
class Evidence:
    """A theme applied to one turn; `start`/`end` index the transcript text when known."""

    transcript: str
    turn: int
    theme: str
    start: int | None = None
    end: int | None = None
    score: float = 1.0


@dataclass(frozen=True)
class ThemeInfo:
    id: str
    name: str
    definition: str = ""
    parent: str | None = None
    depth: int = 0
    color: str | None = None
    in_codebook: bool = True


@dataclass(frozen=True)
class RoleRow:
    """One role's contribution to one theme in one dyad (interviews or sessions)."""

    kind: str
    dyad: str
    group: str | None
    setting: str | None
    theme: str
    role: str
    available: bool
    transcripts: int
    role_turns: int
    role_words: int
    turns_coded: int
    share_of_turns: float | None
    per_1000_words: float | None
    first_transcript: str | None = None
    first_turn: int | None = None
    first_line: int | None = None


@dataclass(frozen=True)
class DyadTheme:
    """The pattern of one theme in one dyad: who raised it."""

    kind: str
    dyad: str
    group: str | None
    setting: str | None
    theme: str
    pattern: str
    raised_by: tuple[str, ...]
    missing: tuple[str, ...]


@dataclass(frozen=True)
class PatternCount:
    kind: str
    facet: str  # all | group | setting
    value: str
    theme: str
    pattern: str
    dyads: int


@dataclass(frozen=True)
class Agreement:
    """Client vs therapist presence of a theme across the dyads that have both perspectives."""

    kind: str
    facet: str
    value: str
    theme: str
    dyads: int
    both: int
    client_only: int
    therapist_only: int
    neither: int

    @property
    def percent_agreement(self) -> float | None:
        return None if not self.dyads else 100.0 * (self.both + self.neither) / self.dyads

    @property
    def kappa(self) -> float | None:
        return cohen_kappa(self.both, self.client_only, self.therapist_only, self.neither)


@dataclass
class Summary:
    """Everything `qualcode summarize` reports."""

    themes: tuple[ThemeInfo, ...]
    members: tuple[Member, ...]
    roles: list[RoleRow]
    patterns: list[DyadTheme]
    pattern_counts: list[PatternCount]
    agreement: list[Agreement]
    quotes: list = field(default_factory=list)
    sequences: list = field(default_factory=list)
    window: int = 3
    include_interviewer: bool = False
    source: str = ""
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(k for k in ("interview", "session") if any(m.kind == k for m in self.members))

    def dyads(self, kind: str) -> list[str]:
        return sorted({m.dyad for m in self.members if m.kind == kind}, key=natural_key)

    def theme(self, theme_id: str) -> ThemeInfo:
        return next(t for t in self.themes if t.id == theme_id)


def cohen_kappa(both: int, first_only: int, second_only: int, neither: int) -> float | None:
    """Cohen's kappa of a 2×2 table, (po − pe)/(1 − pe), in exact integer arithmetic;
    None when chance agreement pe is 1 (both raters constant and equal) or the table is empty."""
    n = both + first_only + second_only + neither
    chance = (both + first_only) * (both + second_only) + (second_only + neither) * (first_only + neither)  # pe·n²
    if n == 0 or chance == n * n:
        return None
    return (n * (both + neither) - chance) / (n * n - chance) + 0.0  # no '-0.0'


def pattern_of(raised: set[str], available: set[str]) -> tuple[str, tuple[str, ...]]:
    """(pattern, missing perspectives) of a theme raised by `raised` among `available` roles."""
    missing = tuple(r for r in REQUIRED if r not in available)
    if missing:
        return MISSING, missing
    who = [r for r in PERSPECTIVES if r in raised]
    if len(who) >= 2:
        return SHARED, ()
    if who:
        return f"{who[0]}-only", ()
    return ABSENT, ()


def theme_infos(codebook: Codebook | None, used: list[str]) -> tuple[ThemeInfo, ...]:
    """The codebook's themes in file order, then themes only the codings name (sorted)."""
    out: list[ThemeInfo] = []
    if codebook is not None:
        for t in codebook.themes:
            out.append(ThemeInfo(t.id, t.name, " ".join(t.definition.split()), t.parent, t.path.count("/"), t.color))
    known = {t.id for t in out}
    for theme in sorted(set(used) - known):
        out.append(ThemeInfo(theme, theme, in_codebook=False))
    return tuple(out)


def expand_to_ancestors(evidence: list[Evidence], themes: tuple[ThemeInfo, ...]) -> list[Evidence]:
    """A child theme's evidence also counts for its parent (and the parent's parent)."""
    parent = {t.id: t.parent for t in themes}
    out = list(evidence)
    for e in evidence:
        up = parent.get(e.theme)
        seen = {e.theme}
        while up and up not in seen:
            seen.add(up)
            out.append(Evidence(e.transcript, e.turn, up, e.start, e.end, e.score))
            up = parent.get(up)
    return out


def counted_role(member: Member, turn: Turn, *, include_interviewer: bool) -> str | None:
    """Whose contribution a turn is: in an interview the interviewee's perspective
    (the interviewer only if asked for); in a session the speaker's own role."""
    if member.kind == "interview":
        if turn.role == "interviewer":
            return "interviewer" if include_interviewer else None
        return member.role
    return turn.role


def role_order(roles) -> list[str]:
    fixed = [r for r in (*PERSPECTIVES, "interviewer") if r in roles]
    return fixed + sorted(set(roles) - set(fixed))


def dyad_summaries(members: list[Member], evidence: list[Evidence], themes: tuple[ThemeInfo, ...], *,
                   include_interviewer: bool = False) -> tuple[list[RoleRow], list[DyadTheme]]:
    """Role rows and patterns for every kind × dyad × theme."""
    members = sorted(members, key=lambda m: (m.kind, natural_key(m.dyad), m.id))
    coded: dict[tuple[str, int], set[str]] = defaultdict(set)
    for e in evidence:
        coded[(e.transcript, e.turn)].add(e.theme)
    roles_rows: list[RoleRow] = []
    pattern_rows: list[DyadTheme] = []
    for kind in ("interview", "session"):
        of_kind = [m for m in members if m.kind == kind]
        if not of_kind:
            continue
        by_dyad: dict[str, list[Member]] = defaultdict(list)
        for m in of_kind:
            by_dyad[m.dyad].append(m)
        stats = {dyad: _dyad_stats(ms, coded, include_interviewer) for dyad, ms in by_dyad.items()}
        study_roles = role_order({*REQUIRED, *(r for s in stats.values() for r in s["turns"])})
        for dyad in sorted(by_dyad, key=natural_key):
            s = stats[dyad]
            group = _facet(by_dyad[dyad], "group")
            setting = _facet(by_dyad[dyad], "setting")
            available = set(s["turns"])
            for theme in themes:
                raised: set[str] = set()
                for role in study_roles:
                    hits = s["coded"].get((theme.id, role), [])
                    turns = s["turns"].get(role, 0)
                    words = s["words"].get(role, 0)
                    first = hits[0] if hits else None
                    if hits:
                        raised.add(role)
                    roles_rows.append(RoleRow(
                        kind, dyad, group, setting, theme.id, role, role in available,
                        s["transcripts"].get(role, 0), turns, words, len(hits),
                        len(hits) / turns if turns else None,
                        1000.0 * len(hits) / words if words else None,
                        first[1] if first else None, first[2] if first else None, first[3] if first else None))
                pattern, missing = pattern_of(raised, available)
                pattern_rows.append(DyadTheme(kind, dyad, group, setting, theme.id, pattern,
                                              tuple(r for r in study_roles if r in raised), missing))
    return roles_rows, pattern_rows


def _facet(members: list[Member], facet: str) -> str | None:
    for m in members:
        if getattr(m, facet):
            return getattr(m, facet)
    return None


def _dyad_stats(members: list[Member], coded, include_interviewer: bool) -> dict:
    """Turns and words per role, and the coded turns per (theme, role) in transcript and turn order."""
    turns: dict[str, int] = defaultdict(int)
    words: dict[str, int] = defaultdict(int)
    transcripts: dict[str, set[str]] = defaultdict(set)
    hits: dict[tuple[str, str], list] = defaultdict(list)
    for order, m in enumerate(members):
        for turn in m.transcript.turns:
            role = counted_role(m, turn, include_interviewer=include_interviewer)
            if role is None:
                continue
            turns[role] += 1
            words[role] += turn.words
            transcripts[role].add(m.id)
            for theme in sorted(coded.get((m.id, turn.number), ())):
                hits[(theme, role)].append((order, m.id, turn.number, turn.line))
    return {"turns": dict(turns), "words": dict(words), "coded": dict(hits),
            "transcripts": {r: len(ids) for r, ids in transcripts.items()}}


def facet_values(rows: list[DyadTheme], facet: str) -> list[str]:
    return sorted({getattr(r, facet) or NOT_GIVEN for r in rows})


def theme_statistics(patterns: list[DyadTheme], themes: tuple[ThemeInfo, ...]
                     ) -> tuple[list[PatternCount], list[Agreement]]:
    """Dyads per pattern and client–therapist agreement per theme: all dyads, then by group, then by setting."""
    counts: list[PatternCount] = []
    agreement: list[Agreement] = []
    for kind in ("interview", "session"):
        rows = [r for r in patterns if r.kind == kind]
        if not rows:
            continue
        facets = [("all", "", lambda r: True)]
        for facet in ("group", "setting"):
            if any(getattr(r, facet) for r in rows):
                for value in facet_values(rows, facet):
                    facets.append((facet, value, lambda r, f=facet, v=value: (getattr(r, f) or NOT_GIVEN) == v))
        for facet, value, keep in facets:
            for theme in themes:
                subset = [r for r in rows if r.theme == theme.id and keep(r)]
                for pattern in PATTERNS:
                    counts.append(PatternCount(kind, facet, value, theme.id, pattern,
                                               sum(1 for r in subset if r.pattern == pattern)))
                cells = {"both": 0, "client_only": 0, "therapist_only": 0, "neither": 0}
                for r in subset:
                    if r.pattern == MISSING:
                        continue
                    client, therapist = "client" in r.raised_by, "therapist" in r.raised_by
                    key = ("both" if therapist else "client_only") if client else \
                        ("therapist_only" if therapist else "neither")
                    cells[key] += 1
                agreement.append(Agreement(kind, facet, value, theme.id, sum(cells.values()), **cells))
    return counts, agreement
