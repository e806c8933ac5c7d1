"""Interviewer turns of interviews are not units of agreement or evaluation (as in summarize)."""
from __future__ import annotations

from support import DATA


def test_interviewer_turns_are_not_units(cli, tmp_path):
    transcript = tmp_path / "iv.txt"
    transcript.write_text("---\nid: iv\nrole: client\n---\nInterviewer: How was it?\nClient: I trust her.\n"
                          "Interviewer: And then?\nClient: I walked out once.\n", encoding="utf-8")
    codings = tmp_path / "c.csv"
    codings.write_text("transcript,turn,theme,coder\niv,2,trust,ana\niv,2,trust,ben\niv,4,rupture,ana\n",
                       encoding="utf-8")
    r = cli("agree", transcript, "--codings", codings, "--uncoded", "include", "-c",
            DATA / "codebooks" / "small.yaml", "--format", "json")
    assert r.exit_code == 0, r.stderr
    import json

    rows = {row["theme"]: row for row in json.loads(r.stdout)}
    assert rows["trust"]["units"] == 2  # the two client turns, not the interviewer's
    ana, ben = tmp_path / "ana.csv", tmp_path / "ben.csv"
    ana.write_text("transcript,turn,theme,coder\niv,2,trust,ana\niv,4,rupture,ana\n", encoding="utf-8")
    ben.write_text("transcript,turn,theme,coder\niv,2,trust,ben\n", encoding="utf-8")
    r = cli("evaluate", transcript, "--gold", ana, "--predicted", ben, "--format", "json")
    assert r.exit_code == 0, r.stderr
    rows = {row["theme"]: row for row in json.loads(r.stdout)}
    assert rows["rupture"]["recall"] == 0.0 and rows["trust"]["precision"] == 1.0
    r = cli("evaluate", transcript, "--gold", ana, "--predicted", ben)
    assert "2 turns of 1 transcript(s) compared" in r.stdout + r.stderr
