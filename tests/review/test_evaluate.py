"""Precision, recall, F1 and kappa of predicted codings against gold, on turn × theme units."""
import pytest

from qualcode.codings import Coding
from qualcode.evaluate import MACRO, MICRO, evaluate


def test_scores_per_theme_macro_and_micro():
    gold = [Coding("t", 1, "trust", "g"), Coding("t", 2, "trust", "g"), Coding("t", 3, "goals", "g")]
    predicted = [Coding("t", 1, "trust", "rules", 0, 5), Coding("t", 1, "trust", "rules", 9, 12),  # one unit
                 Coding("t", 4, "trust", "rules"), Coding("t", 3, "goals", "rules"),
                 Coding("other", 1, "trust", "rules")]  # gold did not code 'other': not a false positive
    result = evaluate(predicted=predicted, gold=gold, units=[("t", n) for n in range(1, 11)])
    rows = {r.theme: r for r in result.rows}
    assert [r.theme for r in result.rows] == ["goals", "trust", MACRO, MICRO]
    trust = rows["trust"]
    assert (trust.tp, trust.fp, trust.fn, trust.support) == (1, 1, 1, 2)
    assert (trust.precision, trust.recall, trust.f1) == (0.5, 0.5, 0.5)
    # 10 turns: both yes 1, pred only 1, gold only 1, both no 7 → p_o .8, p_e .8*.8+.2*.2=.68 → κ = .375
    assert trust.cohen_kappa == pytest.approx(0.375)
    assert rows["goals"].f1 == 1.0 and rows["goals"].cohen_kappa == pytest.approx(1.0)
    assert rows[MACRO].f1 == pytest.approx(0.75)
    assert (rows[MICRO].precision, rows[MICRO].recall) == (pytest.approx(2 / 3), pytest.approx(2 / 3))
    assert result.units == 10 and result.transcripts == ("t",)


def test_no_predictions_for_a_theme_gives_undefined_precision():
    result = evaluate(predicted=[], gold=[Coding("t", 1, "trust", "g")])
    trust = result.rows[0]
    assert (trust.precision, trust.recall, trust.f1) == (None, 0.0, 0.0)
    assert trust.as_dict() == {"theme": "trust", "precision": None, "recall": 0.0, "f1": 0.0, "cohen_kappa": 0.0,
                               "tp": 0, "fp": 0, "fn": 1, "support": 1}
