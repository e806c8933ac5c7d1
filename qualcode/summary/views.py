"""Small lookups and number formats shared by the Markdown, HTML and terminal views."""
from __future__ import annotations

from collections import defaultdict

from qualcode.summary.compute import MISSING, PATTERNS, Agreement, RoleRow, Summary

PATTERN_LABELS = {"shared": "shared", "client-only": "client only", "therapist-only": "therapist only",
                  "interpreter-only": "interpreter only", "absent": "absent", MISSING: "missing perspective"}
PATTERN_HELP = {
    "shared": "raised by two or more of client, therapist and interpreter",
    "client-only": "raised by the client alone",
    "therapist-only": "raised by the therapist alone",
    "interpreter-only": "raised by the interpreter alone",
    "absent": "raised by nobody",
    MISSING: "the dyad lacks the client's or the therapist's perspective, so 'not raised' cannot be told",
}
KIND_TITLES = {"interview": "Interviews", "session": "Sessions"}
#: Colours of the patterns (colour-blind safe: Okabe–Ito), for HTML.
PATTERN_COLORS = {"shared": "#009e73", "client-only": "#e69f00", "therapist-only": "#0072b2",
                  "interpreter-only": "#cc79a7", "absent": "#eeeeee", MISSING: "#ffffff"}
ROLE_COLORS = {"client": "#e69f00", "therapist": "#0072b2", "interpreter": "#cc79a7"}


def pct(value: float | None, digits: int = 0) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}%"


def kappa_text(value: float | None) -> str:
    return "n/a" if value is None else f"{round(value, 2) + 0.0:.2f}"


def role_cell(row: RoleRow | None) -> str:
    """'3 turns (12%)', '–' when not raised, 'no interview'/'not present' when the role is missing."""
    if row is None or not row.available:
        return "not present" if row is not None and row.kind == "session" else "no interview"
    if not row.turns_coded:
        return "–"
    return f"{row.turns_coded} turn{'s' if row.turns_coded != 1 else ''} ({pct(100 * row.share_of_turns)})"


class Index:
    """Fast lookups into a summary's rows."""

    def __init__(self, summary: Summary):
        self.summary = summary
        self.roles: dict[tuple, RoleRow] = {(r.kind, r.dyad, r.theme, r.role): r for r in summary.roles}
        self.patterns = {(p.kind, p.dyad, p.theme): p for p in summary.patterns}
        self.agreement: dict[tuple, Agreement] = {(a.kind, a.facet, a.value, a.theme): a for a in summary.agreement}
        self.counts = {(c.kind, c.facet, c.value, c.theme, c.pattern): c.dyads for c in summary.pattern_counts}
        self.quotes = defaultdict(list)
        for q in summary.quotes:
            self.quotes[(q.kind, q.dyad, q.theme, q.role)].append(q)
        self.study_roles = {}
        for kind in summary.kinds:
            seen = dict.fromkeys(r.role for r in summary.roles if r.kind == kind)
            self.study_roles[kind] = [r for r in seen if r != "interviewer" or kind == "session"] or ["client", "therapist"]

    def facets(self, kind: str, facet: str) -> list[str]:
        return sorted({a.value for a in self.summary.agreement if a.kind == kind and a.facet == facet})

    def raised_anywhere(self, kind: str, theme: str) -> bool:
        return any(self.counts.get((kind, "all", "", theme, p), 0) for p in PATTERNS[:4]) or any(
            r.turns_coded for r in self.summary.roles if r.kind == kind and r.theme == theme)

    def dialogue_roles(self, kind: str) -> list[str]:
        """Roles shown side by side in the dyadic dialogue: client and therapist, then any other with quotes."""
        present = {q.role for q in self.summary.quotes if q.kind == kind}
        return ["client", "therapist"] + [r for r in self.study_roles[kind] if r not in ("client", "therapist")
                                          and r in present]


def agreement_sentence(a: Agreement | None) -> str:
    if a is None or not a.dyads:
        return "no dyad has both the client's and the therapist's perspective"
    agree = a.both + a.neither
    return (f"{agree} of {a.dyads} dyads agree ({pct(a.percent_agreement)}), κ = {kappa_text(a.kappa)}")
