"""How well predicted codings (rule suggestions, a model, any coder) match a gold coder, per theme.

The unit is a turn × theme. Precision, recall and F1 per theme and macro-averaged over themes, and
Cohen's kappa (predicted vs gold presence over every unit compared). Only transcripts the gold coder
coded are compared: a prediction elsewhere is not a false positive.

The train branch plugs a model in by calling `evaluate(predicted=model_codings, gold=..., units=...)`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Sequence

from qualcode.agreement import cohen_kappa
from qualcode.codings import Coding
from qualcode.errors import Diagnostic

MACRO = "(macro)"
MICRO = "(micro)"
STATISTICS = ("precision", "recall", "f1", "cohen_kappa")


@dataclass(frozen=True)
class ThemeScore:
    theme: str
    tp: int
    fp: int
    fn: int
    precision: float | None
    recall: float | None
    f1: float | None
    cohen_kappa: float | None
    support: int  # gold positives

    def as_dict(self) -> dict:
        return {"theme": self.theme, **{s: _round(getattr(self, s)) for s in STATISTICS},
                "tp": self.tp, "fp": self.fp, "fn": self.fn, "support": self.support}


@dataclass
class Evaluation:
    rows: list[ThemeScore]  # per theme, then macro and micro
    units: int  # turns compared
    transcripts: tuple[str, ...]
    diagnostics: list[Diagnostic] = field(default_factory=list)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _prf(tp: int, fp: int, fn: int) -> tuple[float | None, float | None, float | None]:
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / (tp + fn) if tp + fn else None
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else None  # 0 when nothing matched, as F1 should be
    return precision, recall, f1


def evaluate(*, predicted: Iterable[Coding], gold: Iterable[Coding], units: Iterable[tuple[str, int]] | None = None,
             transcripts: Iterable[str] | None = None, themes: Sequence[str] | None = None) -> Evaluation:
    """Score `predicted` against `gold` codings on turn × theme units.

    units: the (transcript, turn) pairs to compare (e.g. every turn of the transcripts); default: every turn
    either side coded in the compared transcripts. transcripts: the transcripts the gold coder coded
    (default: those with a gold coding). themes: themes to score, in order (default: every theme either side
    used, sorted).
    """
    gold = list(gold)
    compared = set(transcripts) if transcripts is not None else {c.transcript for c in gold}
    predicted = [c for c in predicted if c.transcript in compared]
    gold = [c for c in gold if c.transcript in compared]
    g = {(c.transcript, c.turn, c.theme) for c in gold}
    p = {(c.transcript, c.turn, c.theme) for c in predicted}
    universe = {(t, n) for t, n in units if t in compared} if units is not None else set()
    universe |= {(t, n) for t, n, _ in g | p}
    themes = list(themes) if themes else sorted({th for _, _, th in g | p})
    rows = []
    totals = [0, 0, 0]
    pooled_p: list[int] = []
    pooled_g: list[int] = []
    for theme in themes:
        tp = sum(1 for k in p if k[2] == theme and k in g)
        fp = sum(1 for k in p if k[2] == theme and k not in g)
        fn = sum(1 for k in g if k[2] == theme and k not in p)
        totals = [totals[0] + tp, totals[1] + fp, totals[2] + fn]
        ordered = sorted(universe)
        pv, gv = [int((t, n, theme) in p) for t, n in ordered], [int((t, n, theme) in g) for t, n in ordered]
        pooled_p += pv
        pooled_g += gv
        kappa = cohen_kappa(pv, gv)
        rows.append(ThemeScore(theme, tp, fp, fn, *_prf(tp, fp, fn), kappa, tp + fn))

    def mean(name):
        values = [getattr(r, name) for r in rows if getattr(r, name) is not None]
        return sum(values) / len(values) if values else None
    rows.append(ThemeScore(MACRO, *totals, mean("precision"), mean("recall"), mean("f1"), mean("cohen_kappa"),
                           totals[0] + totals[2]))
    rows.append(ThemeScore(MICRO, *totals, *_prf(*totals), cohen_kappa(pooled_p, pooled_g),
                           totals[0] + totals[2]))
    return Evaluation(rows, len(universe), tuple(sorted(compared)))
