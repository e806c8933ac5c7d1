"""Agreement between coders: which units each coder coded, and how far they agree beyond chance.

The unit is a turn × theme (was the theme applied to the turn: yes/no), or with `overlap` a segment:
spans of one theme in one turn that overlap enough (Jaccard ≥ overlap) form one unit. With `exclusive`
the unit is a turn and its value the child of PARENT the coder chose (nominal data, as in
Krippendorff's examples); a coder who gave a turn no child of PARENT is missing on it (counted in
`no_child`), so give "none of these" its own child code if it is a real answer.

Missing data is explicit: a coder's value is missing on a transcript they did not code (no coding and
no decision there). Turns that no coder coded with any theme under comparison are "uncoded" and are
left out unless `uncoded="include"` — so stretches nobody coded do not inflate agreement.

Statistics per theme and overall: percent agreement (mean pairwise), Cohen's kappa (two coders; with
more, the mean of the pairwise kappas, Light's kappa), Brennan–Prediger kappa (free-marginal, with q
categories) and Krippendorff's alpha (nominal; any number of coders, missing data; `krippendorff` package).
"""
from __future__ import annotations

import itertools
import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from qualcode.codings import Coding
from qualcode.errors import WARNING, Diagnostic

OVERALL = "(overall)"
STATISTICS = ("percent_agreement", "cohen_kappa", "brennan_prediger", "krippendorff_alpha")
WHOLE_TURN = (0, 10**12)


# ----------------------------------------------------------------------------------------- statistics

def krippendorff_alpha(data: Sequence[Sequence], *, level: str = "nominal") -> float | None:
    """Krippendorff's alpha of reliability data (coders × units, None = missing); None when undefined."""
    import numpy as np
    import krippendorff

    values = sorted({v for row in data for v in row if v is not None}, key=str)
    if len(values) < 2 or not data or not data[0]:
        return None
    numeric = level != "nominal"
    index = {v: i for i, v in enumerate(values)}
    array = np.array([[np.nan if v is None else (float(v) if numeric else index[v]) for v in row] for row in data],
                     dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        try:
            alpha = krippendorff.alpha(reliability_data=array, level_of_measurement=level)
        except ValueError:
            return None
    return None if alpha is None or math.isnan(alpha) else float(alpha)


def cohen_kappa(a: Sequence, b: Sequence) -> float | None:
    """Cohen's kappa of two coders' values on the same units (pairs with a None are left out)."""
    pairs = [(x, y) for x, y in zip(a, b) if x is not None and y is not None]
    if not pairs:
        return None
    n = len(pairs)
    p_o = sum(x == y for x, y in pairs) / n
    ca, cb = Counter(x for x, _ in pairs), Counter(y for _, y in pairs)
    p_e = sum(ca[k] * cb[k] for k in ca) / (n * n)
    if p_e >= 1:
        return None
    return (p_o - p_e) / (1 - p_e)


def pairwise_agreement(units: Sequence[Sequence]) -> float | None:
    """Observed agreement: per unit the share of coder pairs that agree, averaged over units with ≥2 values."""
    shares = []
    for values in units:
        present = [v for v in values if v is not None]
        if len(present) < 2:
            continue
        pairs = list(itertools.combinations(present, 2))
        shares.append(sum(x == y for x, y in pairs) / len(pairs))
    return sum(shares) / len(shares) if shares else None


def statistics(units: Sequence[Sequence], *, categories: int) -> dict:
    """All statistics for units × coders values (None = missing) with `categories` possible values."""
    p_o = pairwise_agreement(units)
    n_coders = len(units[0]) if units else 0
    kappas = [cohen_kappa([u[i] for u in units], [u[j] for u in units])
              for i, j in itertools.combinations(range(n_coders), 2)]
    kappas = [k for k in kappas if k is not None]
    bp = None if p_o is None or categories < 2 else (p_o - 1 / categories) / (1 - 1 / categories)
    alpha = krippendorff_alpha([[u[i] for u in units] for i in range(n_coders)]) if units else None
    return {"percent_agreement": None if p_o is None else 100 * p_o,
            "cohen_kappa": sum(kappas) / len(kappas) if kappas else None,
            "brennan_prediger": bp, "krippendorff_alpha": alpha}


# ------------------------------------------------------------------------------------------ the report

@dataclass(frozen=True)
class ThemeAgreement:
    theme: str
    units: int  # units with values from at least two coders
    support: int  # of those, units at least one coder coded with the theme
    percent_agreement: float | None
    cohen_kappa: float | None
    brennan_prediger: float | None
    krippendorff_alpha: float | None

    def as_dict(self) -> dict:
        return {"theme": self.theme, **{s: _round(getattr(self, s)) for s in STATISTICS},
                "units": self.units, "support": self.support}


@dataclass(frozen=True)
class Disagreement:
    transcript: str
    turn: int
    theme: str
    values: tuple  # one per coder: a category, "yes"/"no", or None (did not code the transcript)
    start: int | None = None
    end: int | None = None


@dataclass
class AgreementReport:
    coders: tuple[str, ...]
    mode: str  # presence | overlap | exclusive
    rows: list[ThemeAgreement]
    disagreements: list[Disagreement]
    units: int  # turns (or segments) compared
    uncoded_excluded: int  # turns no coder coded, left out
    diagnostics: list[Diagnostic] = field(default_factory=list)
    #: with `exclusive`: values left missing because a coder who coded the transcript gave the turn no child
    no_child: int = 0


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def agreement(codings: Iterable[Coding], *, coders: Sequence[str] | None = None,
              coverage: dict[str, set[str]] | None = None, themes: Sequence[str] | None = None,
              turns: dict[str, int] | None = None, turn_spans: dict[tuple[str, int], tuple[int, int]] | None = None,
              uncoded: str = "exclude", exclusive: str | None = None, children: Sequence[tuple[str, str]] = (),
              overlap: float | None = None, skip: set[tuple[str, int]] | frozenset = frozenset()) -> AgreementReport:
    """Agreement of `coders` (default: every coder in `codings`, sorted) on `codings`.

    coverage: transcripts each coder coded (default: those they have codings in); elsewhere they are missing.
    themes: themes to compare, in order (default: every theme coded, sorted).
    turns: number of turns per transcript, to know the turns nobody coded (else only coded turns are known).
    exclusive: a parent theme; children: its (id, path) pairs — a coding's theme may name either.
    overlap: compare segments, matching spans with Jaccard overlap ≥ this (0–1).
    skip: (transcript, turn) units that are not codable (interviewer turns of interviews) unless someone coded them.
    """
    codings = list(codings)
    coders = tuple(coders or sorted({c.coder for c in codings}))
    codings = [c for c in codings if c.coder in coders]
    cover = {name: set((coverage or {}).get(name, set())) | {c.transcript for c in codings if c.coder == name}
             for name in coders}
    if exclusive:
        return _exclusive(codings, coders, cover, turns, uncoded, exclusive, children, skip)
    themes = list(themes) if themes else sorted({c.theme for c in codings})
    codings = [c for c in codings if c.theme in set(themes)]
    if overlap is not None:
        return _overlap(codings, coders, cover, themes, turn_spans or {}, overlap)
    coded_turns = {(c.transcript, c.turn) for c in codings}
    universe, excluded = _universe(coded_turns, turns, cover, uncoded, skip)
    marks = {(c.transcript, c.turn, c.theme, c.coder) for c in codings}
    rows, pooled, disagreements = [], [], []
    for theme in themes:
        units = []
        for t, turn in universe:
            values = tuple(None if t not in cover[name] else int((t, turn, theme, name) in marks) for name in coders)
            units.append(values)
            if _disagree(values):
                disagreements.append(Disagreement(t, turn, theme, tuple(_yes(v) for v in values)))
        pairable = [u for u in units if _pairable(u)]
        pooled.extend(pairable)
        rows.append(ThemeAgreement(theme, len(pairable), sum(1 for u in pairable if 1 in u),
                                   **statistics(pairable, categories=2)))
    rows.append(ThemeAgreement(OVERALL, len(pooled), sum(1 for u in pooled if 1 in u),
                               **statistics(pooled, categories=2)))
    disagreements.sort(key=lambda d: (d.transcript, d.turn, themes.index(d.theme)))
    return AgreementReport(coders, "presence", rows, disagreements,
                           sum(1 for t, _ in universe if _n_covering(t, cover) >= 2), excluded)


def _universe(coded_turns, turns, cover, uncoded, skip=frozenset()):
    transcripts = set().union(*cover.values()) if cover else set()
    if turns:
        all_turns = ({(t, n) for t in transcripts for n in range(1, turns.get(t, 0) + 1)} - set(skip)) | coded_turns
    else:
        all_turns = set(coded_turns)
    if uncoded == "include":
        return sorted(all_turns), 0
    kept = sorted(all_turns & coded_turns)
    return kept, sum(1 for t, _ in all_turns - coded_turns if _n_covering(t, cover) >= 2)


def _n_covering(transcript: str, cover: dict[str, set[str]]) -> int:
    return sum(1 for covered in cover.values() if transcript in covered)


def _pairable(values: Sequence) -> bool:
    return sum(v is not None for v in values) >= 2


def _disagree(values: Sequence) -> bool:
    present = {v for v in values if v is not None}
    return len(present) > 1 and _pairable(values)


def _yes(value) -> str | None:
    return None if value is None else ("yes" if value else "no")


def _overlap(codings, coders, cover, themes, turn_spans, threshold) -> AgreementReport:
    rows, pooled, disagreements = [], [], []
    for theme in themes:
        by_turn: dict[tuple[str, int], list[tuple[int, int, str]]] = {}
        for c in codings:
            if c.theme != theme:
                continue
            span = (c.start, c.end) if c.start is not None else turn_spans.get((c.transcript, c.turn), WHOLE_TURN)
            by_turn.setdefault((c.transcript, c.turn), []).append((span[0], span[1], c.coder))
        units = []
        for (t, turn), spans in sorted(by_turn.items()):
            for cluster in _clusters(spans, threshold):
                who = {coder for _, _, coder in cluster}
                values = tuple(None if t not in cover[name] else int(name in who) for name in coders)
                units.append(values)
                if _disagree(values):
                    lo, hi = min(s for s, _, _ in cluster), max(e for _, e, _ in cluster)
                    disagreements.append(Disagreement(t, turn, theme, tuple(_yes(v) for v in values),
                                                      None if (lo, hi) == WHOLE_TURN else lo,
                                                      None if (lo, hi) == WHOLE_TURN else hi))
        pairable = [u for u in units if _pairable(u)]
        pooled.extend(pairable)
        rows.append(ThemeAgreement(theme, len(pairable), sum(1 for u in pairable if 1 in u),
                                   **statistics(pairable, categories=2)))
    rows.append(ThemeAgreement(OVERALL, len(pooled), sum(1 for u in pooled if 1 in u),
                               **statistics(pooled, categories=2)))
    disagreements.sort(key=lambda d: (d.transcript, d.turn, themes.index(d.theme), d.start or 0))
    return AgreementReport(coders, "overlap", rows, disagreements, len(pooled), 0)


def _clusters(spans: list[tuple[int, int, str]], threshold: float) -> list[list[tuple[int, int, str]]]:
    """Group spans whose Jaccard overlap reaches `threshold` (transitively)."""
    parent = list(range(len(spans)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in itertools.combinations(range(len(spans)), 2):
        (a0, a1, _), (b0, b1, _) = spans[i], spans[j]
        inter = max(0, min(a1, b1) - max(a0, b0))
        union = max(a1, b1) - min(a0, b0)
        if union > 0 and inter / union >= threshold:
            parent[find(i)] = find(j)
    groups: dict[int, list] = {}
    for i, span in enumerate(spans):
        groups.setdefault(find(i), []).append(span)
    return sorted(groups.values(), key=lambda g: min(s for s, _, _ in g))


def _exclusive(codings, coders, cover, turns, uncoded, parent, children, skip=frozenset()) -> AgreementReport:
    names: dict[str, str] = {}
    for child_id, path in children:
        names[child_id] = child_id
        names[path] = child_id
    if not children:  # no codebook: themes written as PARENT/child
        for c in codings:
            if c.theme.startswith(parent + "/"):
                names[c.theme] = c.theme[len(parent) + 1:]
    categories = sorted(set(names.values()), key=lambda x: [cid for cid, _ in children].index(x)
                        if children else x)
    chosen: dict[tuple[str, int, str], set[str]] = {}
    for c in codings:
        if c.theme in names:
            chosen.setdefault((c.transcript, c.turn, c.coder), set()).add(names[c.theme])
    diagnostics = []
    coded_turns = {(t, turn) for t, turn, _ in chosen}
    universe, excluded = _universe(coded_turns, turns, cover, uncoded, skip)
    units, disagreements = [], []
    no_child = 0
    for t, turn in universe:
        values = []
        for name in coders:
            got = chosen.get((t, turn, name), set())
            if len(got) > 1:
                diagnostics.append(Diagnostic(
                    "QC350", f"coder '{name}' gave turn {turn} of {t} {len(got)} codes of exclusive '{parent}' "
                    f"({', '.join(sorted(got))}); left out for this coder", None, severity=WARNING,
                    hint="keep one code per turn, or compare without --exclusive"))
            values.append(next(iter(got)) if len(got) == 1 else None)
            no_child += int(not got and t in cover[name])
        values = tuple(values)
        units.append(values)
        if _disagree(values):
            disagreements.append(Disagreement(t, turn, parent, values))
    pairable = [u for u in units if _pairable(u)]
    rows = []
    for category in categories:
        binary = [tuple(None if v is None else int(v == category) for v in u) for u in pairable]
        rows.append(ThemeAgreement(category, len(binary), sum(1 for u in binary if 1 in u),
                                   **statistics(binary, categories=2)))
    rows.append(ThemeAgreement(OVERALL, len(pairable), len(pairable),
                               **statistics(pairable, categories=max(len(categories), 2))))
    return AgreementReport(coders, "exclusive", rows, disagreements, len(pairable), excluded, diagnostics, no_child)


DISAGREEMENT_COLUMNS = ("transcript", "turn", "speaker", "theme", "start", "end")


def disagreement_rows(report: AgreementReport, turn_info: dict[tuple[str, int], tuple[str, str]] | None = None
                      ) -> tuple[list[dict], tuple[str, ...]]:
    """The disagreements as rows (one column per coder, then the turn text when known) and their columns."""
    turn_info = turn_info or {}
    columns = DISAGREEMENT_COLUMNS + tuple(report.coders) + ("text",)
    rows = []
    for d in report.disagreements:
        speaker, text = turn_info.get((d.transcript, d.turn), ("", ""))
        row = {"transcript": d.transcript, "turn": d.turn, "speaker": speaker, "theme": d.theme,
               "start": d.start, "end": d.end, "text": text}
        row.update({name: ("" if v is None else v) for name, v in zip(report.coders, d.values)})
        rows.append(row)
    return rows, columns
