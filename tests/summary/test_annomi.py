"""Sessions: the AnnoMI counselling conversations (therapist and client, one conversation per dyad),
with the expert labels as codings. `turn_index` there is 0-based; qualcode's turns count from 1."""
from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from summary_support import ROOT, find

ANNOMI = ROOT / "tests" / "data" / "annomi"
LABEL_TYPES = ("main_therapist_behaviour", "client_talk_type")


def _labels() -> list[dict]:
    with open(ANNOMI / "labels.csv", encoding="utf-8", newline="") as handle:
        return [row for row in csv.DictReader(handle) if row["label_type"] in LABEL_TYPES]


@pytest.fixture(scope="module")
def annomi(tmp_path_factory):
    """(summary, label rows): the labels converted to a tidy codings CSV and summarised."""
    from qualcode.summary import summarize

    labels = _labels()
    codings = tmp_path_factory.mktemp("annomi") / "codings.csv"
    with open(codings, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["transcript", "turn", "theme", "coder"])
        for row in labels:
            writer.writerow([row["transcript_id"], int(row["turn_index"]) + 1, row["label"], "annomi"])
    return summarize([ANNOMI / "transcripts"], codings=codings), labels


def test_turn_conversion_lands_on_the_labelled_speaker(annomi):
    summary, labels = annomi
    transcripts = {m.id: m.transcript for m in summary.members}
    for row in labels:
        turn = transcripts[row["transcript_id"]].turns[int(row["turn_index"])]
        assert turn.number == int(row["turn_index"]) + 1
        assert turn.role == row["speaker"].lower()


def test_each_conversation_is_a_session_dyad_of_its_own(annomi):
    summary, _ = annomi
    assert summary.kinds == ("session",)
    assert summary.dyads("session") == sorted(p.stem for p in (ANNOMI / "transcripts").glob("*.txt"))
    assert [d.code for d in summary.diagnostics] == ["QC544"] * 10


def test_per_role_counts_match_the_labels(annomi):
    summary, labels = annomi
    expected = Counter((r["transcript_id"], r["label"], r["speaker"].lower()) for r in labels)
    with open(ANNOMI / "transcripts.csv", encoding="utf-8", newline="") as handle:
        index = {row["transcript_id"]: row for row in csv.DictReader(handle)}
    checked = 0
    for row in summary.roles:
        assert row.turns_coded == expected.get((row.dyad, row.theme, row.role), 0), row
        assert row.role_turns == int(index[row.dyad][f"{row.role}_turns"])
        if row.turns_coded:
            assert row.share_of_turns == pytest.approx(row.turns_coded / row.role_turns)
            checked += 1
    assert checked == len(expected)
    # annomi-000: 27 therapist turns, of which 7 are labelled reflections
    reflection = find(summary.roles, dyad="annomi-000", theme="reflection", role="therapist")
    assert (reflection.role_turns, reflection.turns_coded) == (27, expected[("annomi-000", "reflection", "therapist")])


def test_session_patterns_follow_who_carries_each_label(annomi):
    summary, labels = annomi
    by_theme = {}
    for p in summary.patterns:
        by_theme.setdefault(p.theme, Counter())[p.pattern] += 1
    # client talk types are only ever labelled on client turns, therapist behaviours on therapist turns
    assert set(by_theme["change"]) <= {"client-only", "absent"}
    assert set(by_theme["reflection"]) <= {"therapist-only", "absent"}
    assert by_theme["neutral"] == {"client-only": 10}
    agreement = find(summary.agreement, kind="session", facet="all", value="", theme="question")
    asked = {r["transcript_id"] for r in labels if r["label"] == "question"}
    assert len(asked) == 8
    # the client never "raises" a question label: po = 2/10, pe = 0·0.8 + 1·0.2 = 0.2, κ = 0
    assert (agreement.dyads, agreement.both, agreement.therapist_only, agreement.neither) == (10, 0, 8, 2)
    assert agreement.percent_agreement == pytest.approx(20.0)
    assert agreement.kappa == 0.0
