"""Lag-sequential statistics against a worked example computed by hand.

Eight turns of one session; A = client:rupture, B = therapist:repair:

    turn   1  2  3  4  5  6  7  8
    code   A  B  .  A  B  A  .  B
"""
from __future__ import annotations

import math

import pytest

from qualcode.summary.sequences import adjusted_residual, transitions

A, B = ("client", "rupture"), ("therapist", "repair")
SESSION = [{A}, {B}, set(), {A}, {B}, {A}, set(), {B}]


def pair(rows, given, target):
    return next(t for t in rows if (t.given_role, t.given_theme) == given and (t.target_role, t.target_theme) == target)


def test_lag_one_by_hand():
    # A in turns 1, 4, 6 (r = 3); B in the next turn after turns 1, 4, 7 (c = 3); both: turns 1 and 4 (x = 2); N = 8
    # e = r·c/N = 9/8; z = (x − e) / sqrt(e (1 − r/N)(1 − c/N)) = 0.875 / sqrt(1.125 · 0.625 · 0.625) = 1.3199
    # Yule's Q: a = 2, b = 1, c = 1, d = 4 → (8 − 1)/(8 + 1) = 7/9
    t = pair(transitions([SESSION], window=1), A, B)
    assert (t.turns, t.given_turns, t.target_turns, t.observed) == (8, 3, 3, 2)
    assert t.expected == pytest.approx(1.125)
    assert t.z == pytest.approx(0.875 / math.sqrt(1.125 * 0.625 * 0.625))
    assert t.z == pytest.approx(1.3199, abs=1e-4)
    assert t.yules_q == pytest.approx(7 / 9)


def test_window_of_two_turns_by_hand():
    # B within the next two turns after turns 1, 3, 4, 6, 7 (c = 5); A turns 1, 4, 6 all followed (x = 3)
    # e = 3·5/8 = 1.875; z = 1.125 / sqrt(1.875 · 5/8 · 3/8) = 1.6971; Q: a = 3, b = 0, c = 2, d = 3 → 1
    t = pair(transitions([SESSION], window=2), A, B)
    assert (t.given_turns, t.target_turns, t.observed) == (3, 5, 3)
    assert t.expected == pytest.approx(1.875)
    assert t.z == pytest.approx(1.6971, abs=1e-4)
    assert t.yules_q == 1.0


def test_windows_do_not_cross_sessions():
    rows = transitions([[{A}], [{B}]], window=3)
    assert rows == []  # nothing ever follows the last turn of a session


def test_undefined_residual():
    assert adjusted_residual(2, 2, 2, 2) == (2.0, None)  # every turn is given and target: no variance


def test_fixture_sessions_are_pooled(study_summary):
    # a01-session (7 turns) + a03-session (5 turns); client rupture (a01 turn 3, a03 turn 3), then the
    # interpreter's rupture in the next turn both times
    t = pair(study_summary.sequences, ("client", "rupture"), ("interpreter", "rupture"))
    assert (t.window, t.turns, t.given_turns, t.observed) == (3, 12, 2, 2)
