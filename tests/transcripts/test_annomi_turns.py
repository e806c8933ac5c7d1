"""The real AnnoMI counselling transcripts parse into exactly the turns and speakers they hold."""
from __future__ import annotations

import csv

import pytest

from support import DATA
from qualcode.transcripts import read_transcript

ANNOMI = DATA / "annomi"
INDEX = {row["transcript_id"]: row for row in csv.DictReader(open(ANNOMI / "transcripts.csv", encoding="utf-8"))}


@pytest.mark.parametrize("transcript_id", sorted(INDEX))
def test_annomi_turns_and_speakers(transcript_id):
    path = ANNOMI / "transcripts" / f"{transcript_id}.txt"
    t = read_transcript(path)
    expected = INDEX[transcript_id]
    assert t.id == transcript_id
    assert len(t.turns) == int(expected["turns"])
    assert sum(x.role == "therapist" for x in t.turns) == int(expected["therapist_turns"])
    assert sum(x.role == "client" for x in t.turns) == int(expected["client_turns"])
    assert set(t.speakers) == {"Therapist", "Client"}
    assert not [d for d in t.diagnostics if d.code in ("QC207", "QC208")]
    # each turn is exactly the text after its label on one line
    body_lines = [l for l in path.read_text(encoding="utf-8").split("---\n", 2)[2].splitlines() if l.strip()]
    assert [f"{x.speaker}: {x.text}" for x in t.turns] == body_lines
