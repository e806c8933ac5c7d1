"""Precision, recall, F1 and Cohen's kappa of predicted labels against gold labels.

Binary scores treat each (turn, label) as a unit where the gold label is known. The
multi-class form is for labels that exclude each other (one per turn, e.g. the children
of `client_talk_type`): per-label one-vs-rest P/R/F1, macro-F1 and kappa over the classes.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Hashable, Sequence


@dataclass(frozen=True)
class LabelScore:
    """How well one label was predicted: counts and the usual ratios (0.0 when undefined)."""

    label: str
    tp: int
    fp: int
    fn: int
    tn: int
    precision: float
    recall: float
    f1: float
    kappa: float

    @property
    def support(self) -> int:
        """Gold positives."""
        return self.tp + self.fn

    def as_dict(self) -> dict:
        return {"label": self.label, "precision": round(self.precision, 4), "recall": round(self.recall, 4),
                "f1": round(self.f1, 4), "kappa": round(self.kappa, 4), "support": self.support,
                "tp": self.tp, "fp": self.fp, "fn": self.fn, "tn": self.tn}


def _ratio(a: float, b: float) -> float:
    return a / b if b else 0.0


def cohen_kappa(gold: Sequence[Hashable], pred: Sequence[Hashable]) -> float:
    """Cohen's kappa of two nominal codings of the same units (0.0 when chance agreement is total)."""
    n = len(gold)
    if n == 0:
        return 0.0
    observed = sum(g == p for g, p in zip(gold, pred)) / n
    gc, pc = Counter(gold), Counter(pred)
    expected = sum(gc[k] * pc.get(k, 0) for k in gc) / (n * n)
    if expected >= 1.0:
        return 1.0 if observed >= 1.0 else 0.0
    return (observed - expected) / (1.0 - expected)


def binary_score(label: str, gold: Sequence[bool], pred: Sequence[bool]) -> LabelScore:
    tp = sum(1 for g, p in zip(gold, pred) if g and p)
    fp = sum(1 for g, p in zip(gold, pred) if not g and p)
    fn = sum(1 for g, p in zip(gold, pred) if g and not p)
    tn = len(gold) - tp - fp - fn
    precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    f1 = _ratio(2 * precision * recall, precision + recall)
    return LabelScore(label, tp, fp, fn, tn, precision, recall, f1, cohen_kappa(list(gold), list(pred)))


def multilabel_scores(labels: Sequence[str], gold: Sequence[dict[str, float]],
                      probs: Sequence[dict[str, float]], thresholds: dict[str, float] | float = 0.5
                      ) -> list[LabelScore]:
    """Per-label binary scores; a unit counts only where the gold label is known."""
    out = []
    for label in labels:
        cut = thresholds if isinstance(thresholds, float) else thresholds.get(label, 0.5)
        pairs = [(g[label] >= 0.5, p.get(label, 0.0) >= cut) for g, p in zip(gold, probs) if label in g]
        out.append(binary_score(label, [g for g, _ in pairs], [p for _, p in pairs]))
    return out


def macro_f1(scores: Sequence[LabelScore]) -> float:
    return _ratio(sum(s.f1 for s in scores), len(scores))


@dataclass(frozen=True)
class ClassReport:
    """Scores of one exclusive task: per-label one-vs-rest scores, macro-F1, accuracy and kappa."""

    labels: tuple[LabelScore, ...]
    macro_f1: float
    accuracy: float
    kappa: float
    n: int


def multiclass_report(labels: Sequence[str], gold: Sequence[str], pred: Sequence[str]) -> ClassReport:
    per = tuple(binary_score(label, [g == label for g in gold], [p == label for p in pred]) for label in labels)
    accuracy = _ratio(sum(g == p for g, p in zip(gold, pred)), len(gold))
    return ClassReport(per, macro_f1(per), accuracy, cohen_kappa(list(gold), list(pred)), len(gold))


def best_threshold(gold: Sequence[bool], probs: Sequence[float], *, default: float = 0.5,
                   min_positives: int = 3) -> float:
    """The cut-off (0.05 … 0.95) with the best F1 on held-out data; `default` when there are too few
    positives to choose. Ties go to the cut-off closest to `default`."""
    if sum(gold) < min_positives:
        return default
    best = (-1.0, 0.0, default)
    for step in range(1, 20):
        cut = step / 20
        f1 = binary_score("", gold, [p >= cut for p in probs]).f1
        key = (f1, -abs(cut - default), cut)
        if key > best:
            best = key
    return best[2]
