"""Lag-sequential analysis of session transcripts (Bakeman & Quera, time-window form).

The units are turns. For a given code A (theme A in a turn of role X) and a target code B
(theme B in a turn of role Y), every turn t of a session is tallied in a 2×2 table:

    rows:    turn t carries A          / it does not
    columns: B occurs in turns t+1..t+k / it does not   (k = the window; the window stops at the
                                                          end of the transcript)

With x the count of turns carrying A and followed by B, r the turns carrying A, c the turns
followed by B and N all turns, the expected count is e = r·c/N and the adjusted residual

    z = (x − e) / sqrt(e · (1 − r/N) · (1 − c/N))

(Allison & Liker 1982; Bakeman & Quera 2011, ch. 9). |z| > 1.96 marks a transition that occurs
more (or less) often than chance at p < .05. Yule's Q = (ad − bc)/(ad + bc) gives its strength.
Sessions are pooled: windows never cross from one transcript into the next.
"""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from qualcode.summary.study import Member, natural_key


@dataclass(frozen=True)
class Transition:
    given_role: str
    given_theme: str
    target_role: str
    target_theme: str
    window: int
    turns: int  # N
    given_turns: int  # r
    target_turns: int  # c: turns followed by the target within the window
    observed: int  # x
    expected: float
    z: float | None
    yules_q: float | None

    @property
    def given(self) -> str:
        return f"{self.given_role}:{self.given_theme}"

    @property
    def target(self) -> str:
        return f"{self.target_role}:{self.target_theme}"


def adjusted_residual(x: int, r: int, c: int, n: int) -> tuple[float, float | None]:
    """(expected, adjusted residual z) of cell x of a 2×2 table with row total r, column total c, N = n."""
    expected = r * c / n if n else 0.0
    variance = expected * (1 - r / n) * (1 - c / n) if n else 0.0
    if variance <= 0:
        return expected, None
    return expected, (x - expected) / math.sqrt(variance)


def yules_q(a: int, b: int, c: int, d: int) -> float | None:
    denominator = a * d + b * c
    return None if denominator == 0 else (a * d - b * c) / denominator


def code_sequences(members: list[Member], coded: dict[tuple[str, int], set[str]]) -> list[list[set[tuple[str, str]]]]:
    """For each session, the (role, theme) codes of each turn in order."""
    out = []
    for m in sorted(members, key=lambda m: (natural_key(m.dyad), m.id)):
        if m.kind != "session":
            continue
        out.append([{(turn.role, theme) for theme in coded.get((m.id, turn.number), ())} for turn in m.transcript.turns])
    return out


def transitions(sequences: list[list[set[tuple[str, str]]]], *, window: int) -> list[Transition]:
    """Every given → target pair of codes that occur, with observed, expected and z."""
    n = sum(len(seq) for seq in sequences)
    given_turns: dict[tuple[str, str], set[tuple[int, int]]] = defaultdict(set)
    followed: dict[tuple[str, str], set[tuple[int, int]]] = defaultdict(set)
    for s, seq in enumerate(sequences):
        for t, codes in enumerate(seq):
            for code in codes:
                given_turns[code].add((s, t))
            ahead = set().union(*seq[t + 1: t + 1 + window]) if t + 1 < len(seq) else set()
            for code in ahead:
                followed[code].add((s, t))
    out = []
    for given in sorted(given_turns):
        rows = given_turns[given]
        for target in sorted(followed):
            cols = followed[target]
            x = len(rows & cols)
            r, c = len(rows), len(cols)
            expected, z = adjusted_residual(x, r, c, n)
            q = yules_q(x, r - x, c - x, n - r - c + x)
            out.append(Transition(given[0], given[1], target[0], target[1], window, n, r, c, x, expected, z, q))
    return out
