"""The analysis tables of a coded corpus, as plain rows with a fixed column order.

Every table is complete and sorted the same way on every run, so the same input gives
byte-identical files. Negated hits appear in `segments` (with `negated` true) but are
never counted in the other tables.

Parent themes: in `matrix` and `frequencies` a theme's row counts its own codings *and*
those of all its descendants (a turn coded with two children of one parent counts once
for the parent's `turns`). `cooccurrence` uses each theme's own codings only, so a child
never trivially co-occurs with its parent.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Sequence

from qualcode.models import KNOWN_ROLES, Codebook
from qualcode.output.rows import SEGMENT_COLUMNS, segment_csv_text, segment_row

if TYPE_CHECKING:  # pragma: no cover
    from qualcode.batch import CodedTranscript

#: The tables, in the order they are written.
TABLE_NAMES = ("segments", "matrix", "cooccurrence", "frequencies")

#: Default `--window`: theme pairs at most this many turns apart co-occur.
DEFAULT_WINDOW = 1

_INT = {"turn", "line", "start", "end", "segments", "turns", "present", "same_turn", "window",
        "within_window", "transcripts", "turns_coded", "role_turns", "role_words"}
_FLOAT = {"score", "share_of_role_turns", "segments_per_1000_words"}
_BOOL = {"negated"}

MATRIX_COLUMNS = ("transcript", "dyad", "group", "setting", "kind", "perspective", "theme", "theme_path",
                  "segments", "turns", "present")
COOCCURRENCE_COLUMNS = ("theme_a", "theme_b", "same_turn", "window", "within_window", "transcripts")
FREQUENCY_COLUMNS = ("theme", "theme_path", "role", "turns_coded", "role_turns", "share_of_role_turns",
                     "segments", "role_words", "segments_per_1000_words")
COLUMNS = {"segments": SEGMENT_COLUMNS, "matrix": MATRIX_COLUMNS, "cooccurrence": COOCCURRENCE_COLUMNS,
           "frequencies": FREQUENCY_COLUMNS}


def column_type(column: str) -> str:
    """'int', 'float', 'bool' or 'str': how a column is typed in XLSX, Parquet and DataFrames."""
    if column in _INT:
        return "int"
    if column in _FLOAT:
        return "float"
    if column in _BOOL:
        return "bool"
    return "str"


@dataclass(frozen=True)
class Table:
    """One analysis table: a name, its columns in order, and its rows (dicts keyed by column)."""

    name: str
    columns: tuple[str, ...]
    rows: Sequence[dict]  # iterable more than once, with a length


class SegmentRows:
    """The segments table's rows, made one at a time as they are read (a row per segment would
    otherwise hold a dict for every coded quote of the corpus in memory at once)."""

    def __init__(self, documents: tuple):
        self._documents = documents
        self._count = sum(len(d.suggestions) for d in documents)

    def __iter__(self):
        return (segment_row(s, d) for d in self._documents for s in d.suggestions)

    def __len__(self) -> int:
        return self._count

    def csv_texts(self):
        """Each transcript's rows as CSV text (`segment_csv_text`): no dict and no list per row."""
        for doc in self._documents:
            yield segment_csv_text(doc.suggestions, doc.facts)

    def __eq__(self, other) -> bool:
        return tuple(self) == tuple(other)


def build_table(name: str, documents: Sequence["CodedTranscript"], codebook: Codebook, *,
                window: int = DEFAULT_WINDOW) -> Table:
    """The table called `name` (one of TABLE_NAMES) for `documents`, sorted by transcript id."""
    documents = sorted(documents, key=lambda d: d.id)
    if name == "segments":
        rows = SegmentRows(tuple(documents))
        return Table(name, tuple(COLUMNS[name]), rows)
    elif name == "matrix":
        rows = matrix_rows(documents, codebook)
    elif name == "cooccurrence":
        rows = cooccurrence_rows(documents, codebook, window=window)
    elif name == "frequencies":
        rows = frequency_rows(documents, codebook)
    else:
        raise ValueError(f"unknown table {name!r}; expected one of {', '.join(TABLE_NAMES)}")
    return Table(name, tuple(COLUMNS[name]), tuple(rows))


def rolled_up(codebook: Codebook) -> dict[str, frozenset[str]]:
    """Theme id -> the ids whose codings count for it: itself and all its descendants."""
    parent = {t.id: t.parent for t in codebook.themes}
    members: dict[str, set[str]] = {t.id: {t.id} for t in codebook.themes}
    for theme in codebook.themes:
        seen = {theme.id}
        up = parent.get(theme.id)
        while up is not None and up not in seen and up in members:  # `seen` guards a cycle
            members[up].add(theme.id)
            seen.add(up)
            up = parent.get(up)
    return {k: frozenset(v) for k, v in members.items()}


def counted_for(codebook: Codebook) -> dict[str, tuple[str, ...]]:
    """Theme id -> the ids its codings count for: itself and all its ancestors (`rolled_up` inverted)."""
    out: dict[str, list[str]] = {t.id: [] for t in codebook.themes}
    for theme_id, members in rolled_up(codebook).items():
        for member in members:
            out[member].append(theme_id)
    return {k: tuple(v) for k, v in out.items()}


def matrix_rows(documents: Sequence["CodedTranscript"], codebook: Codebook) -> list[dict]:
    """Theme × transcript: counted segments, distinct turns coded, 0/1 presence (every pair, zeros too)."""
    ancestors = counted_for(codebook)
    return [row for doc in documents for row in transcript_matrix_rows(doc, codebook, ancestors)]


def transcript_matrix_rows(doc: "CodedTranscript", codebook: Codebook,
                           ancestors: dict[str, tuple[str, ...]]) -> list[dict]:
    """The matrix rows of one transcript, in codebook order (`ancestors` from `counted_for`)."""
    segments = {t.id: 0 for t in codebook.themes}
    turns: dict[str, set[int]] = {t.id: set() for t in codebook.themes}
    for s in doc.suggestions:
        if s.negated:
            continue
        for theme_id in ancestors.get(s.theme, ()):
            segments[theme_id] += 1
            turns[theme_id].add(s.turn)
    facts = {"transcript": doc.id, "dyad": doc.dyad or "", "group": doc.group or "",
             "setting": doc.setting or "", "kind": doc.kind, "perspective": doc.role or ""}
    rows = []
    for theme in codebook.themes:
        n = segments[theme.id]
        rows.append({**facts, "theme": theme.id, "theme_path": theme.path, "segments": n,
                     "turns": len(turns[theme.id]), "present": 1 if n else 0})
    return rows


def theme_pairs(codebook: Codebook) -> list[tuple[str, str]]:
    """Every pair of themes, in codebook order: the rows of `cooccurrence`."""
    ids = [t.id for t in codebook.themes]
    return [(a, b) for i, a in enumerate(ids) for b in ids[i + 1:]]


def transcript_cooccurrence(doc: "CodedTranscript", themes: Sequence[str], window: int) -> list[tuple[int, int, int]]:
    """One transcript's share of `cooccurrence`: (index in `theme_pairs`, same turn, within window) for
    each pair that co-occurs in it at all. `themes` are the theme ids in codebook order.

    With A the 0/1 matrix of which theme is coded in which of the transcript's coded turns, and N the
    number of each theme's coded turns at most `window` away from each of those turns, every pair's
    counts come at once: same turn = A·Aᵀ, within window = A·Nᵀ (a turn coded with both is also a
    pair within the window). Its size is themes × coded turns, however far apart the turns are."""
    import numpy as np

    turns_of: dict[str, set[int]] = {}
    for s in doc.suggestions:
        if not s.negated:
            turns_of.setdefault(s.theme, set()).add(s.turn)
    order = {theme: i for i, theme in enumerate(themes)}
    present = sorted((order[theme], sorted(turns)) for theme, turns in turns_of.items() if theme in order)
    if len(present) < 2:
        return []
    # Every row's coded turns as one array (rows in order, each row's turns ascending), and the whole
    # matrix from a few calls: no Python loop over the themes.
    lengths = [len(turns) for _, turns in present]
    places = np.fromiter((t for _, turns in present for t in turns), dtype=np.int64, count=sum(lengths))
    rows = np.repeat(np.arange(len(present), dtype=np.int64), lengths)
    columns = np.unique(places)
    reach = min(window, int(columns[-1] - columns[0]))  # a wider window finds nothing more
    coded = np.zeros((len(present), len(columns)), dtype=np.float64)  # float: the products go to BLAS
    coded[rows, np.searchsorted(columns, places)] = 1
    # N[row, c] = the row's turns in [c - reach, c + reach]: with each turn t keyed row * span + t - first
    # (span above every such t + reach), one sorted array holds every row's turns in turn
    first = int(columns[0])
    span = int(columns[-1]) - first + reach + 1
    keys = rows * span + (places - first)
    base = np.arange(len(present), dtype=np.int64)[:, None] * span
    at = columns - first
    near_counts = (np.searchsorted(keys, base + at + reach, "right")
                   - np.searchsorted(keys, base + np.maximum(at - reach, 0), "left"))
    # counts of turns, exact in float64 (below 2**53): a product of floats runs in BLAS, one of
    # integers in numpy's own loop (15 themes x 130 turns: 8 against 38 us for the two)
    same = (coded @ coded.T).astype(np.int64)
    near = (coded @ near_counts.T).astype(np.int64)
    xs, ys = np.nonzero(np.triu(near, 1))  # the pairs this transcript has (x < y), in row order
    ids = np.array([i for i, _ in present], dtype=np.int64)
    i, j = ids[xs], ids[ys]
    n = len(themes)
    index = i * (n - 1) - i * (i - 1) // 2 - i - 1 + j  # of (themes[i], themes[j]) in `theme_pairs`
    return list(zip(index.tolist(), same[xs, ys].tolist(), near[xs, ys].tolist()))


def cooccurrence_rows(documents: Sequence["CodedTranscript"], codebook: Codebook, *,
                      window: int = DEFAULT_WINDOW) -> list[dict]:
    """Every pair of themes (codebook order): turns coded with both, and pairs of coded turns at most
    `window` turns apart (a turn with both counts as one such pair), summed over transcripts."""
    if window < 0:
        raise ValueError("window must be 0 or more turns")
    pairs = theme_pairs(codebook)
    themes = [t.id for t in codebook.themes]
    totals = [[0, 0, 0] for _ in pairs]
    for doc in documents:
        add_cooccurrence(totals, transcript_cooccurrence(doc, themes, window))
    return cooccurrence_table(pairs, totals, window)


def add_cooccurrence(totals: list[list[int]], counts: Sequence[tuple[int, int, int]], sign: int = 1) -> None:
    """Add (or with `sign=-1` take away) one transcript's `transcript_cooccurrence` to running totals."""
    for i, same, near in counts:
        total = totals[i]
        total[0] += sign * same
        total[1] += sign * near
        total[2] += sign


def cooccurrence_table(pairs: Sequence[tuple[str, str]], totals: Sequence[Sequence[int]], window: int) -> list[dict]:
    return [{"theme_a": a, "theme_b": b, "same_turn": same, "window": window, "within_window": near,
             "transcripts": docs} for (a, b), (same, near, docs) in zip(pairs, totals)]


def role_order(roles) -> list[str]:
    """Known roles in their usual order, then any others alphabetically."""
    known = {role: i for i, role in enumerate(KNOWN_ROLES)}
    return sorted(set(roles), key=lambda r: (known.get(r, len(known)), r))


@dataclass
class RoleCounts:
    """What `frequencies` sums over transcripts: turns and words per role, and per (theme, role) the
    counted segments and the distinct turns coded (a transcript's turns are its own, so they add up)."""

    role_turns: dict[str, int] = field(default_factory=dict)
    role_words: dict[str, int] = field(default_factory=dict)
    segments: dict[tuple[str, str], int] = field(default_factory=dict)
    turns: dict[tuple[str, str], int] = field(default_factory=dict)

    def add(self, other: "RoleCounts", sign: int = 1) -> None:
        """Add (or with `sign=-1` take away) another transcript's counts."""
        for mine, theirs in ((self.role_turns, other.role_turns), (self.role_words, other.role_words),
                             (self.segments, other.segments), (self.turns, other.turns)):
            for key, n in theirs.items():
                mine[key] = mine.get(key, 0) + sign * n


def transcript_role_counts(doc: "CodedTranscript", ancestors: dict[str, tuple[str, ...]]) -> RoleCounts:
    """One transcript's share of `frequencies` (`ancestors` from `counted_for`)."""
    counts = RoleCounts()
    role_turns, role_words, segments = counts.role_turns, counts.role_words, counts.segments
    for turn in doc.turns:
        role_turns[turn.role] = role_turns.get(turn.role, 0) + 1
        role_words[turn.role] = role_words.get(turn.role, 0) + turn.words
    turns: dict[tuple[str, str], set[int]] = {}
    for s in doc.suggestions:
        if s.negated:
            continue
        for theme_id in ancestors.get(s.theme, ()):
            key = (theme_id, s.role)
            segments[key] = segments.get(key, 0) + 1
            turns.setdefault(key, set()).add(s.turn)
    counts.turns.update((key, len(coded)) for key, coded in turns.items())
    return counts


def frequency_rows(documents: Sequence["CodedTranscript"], codebook: Codebook) -> list[dict]:
    """Theme × speaker role: turns coded, their share of that role's turns, segments per 1,000 words of that role."""
    ancestors = counted_for(codebook)
    totals = RoleCounts()
    for doc in documents:
        totals.add(transcript_role_counts(doc, ancestors))
    return frequency_table(totals, codebook)


def frequency_table(totals: RoleCounts, codebook: Codebook) -> list[dict]:
    rows = []
    role_turns, role_words = totals.role_turns, totals.role_words
    for theme in codebook.themes:
        for role in role_order(r for r, n in role_turns.items() if n):
            coded = totals.turns.get((theme.id, role), 0)
            n = totals.segments.get((theme.id, role), 0)
            words = role_words[role]
            rows.append({
                "theme": theme.id, "theme_path": theme.path, "role": role, "turns_coded": coded,
                "role_turns": role_turns[role],
                "share_of_role_turns": round(coded / role_turns[role], 4) if role_turns[role] else 0.0,
                "segments": n, "role_words": words,
                "segments_per_1000_words": round(n * 1000 / words, 3) if words else 0.0,
            })
    return rows
