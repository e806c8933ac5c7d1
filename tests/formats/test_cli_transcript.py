"""`qualcode transcript show` and `qualcode transcript convert` as a researcher runs them."""
from __future__ import annotations

import json
import subprocess
import sys

from formats_helpers import FORMATS

SPEAKERS = FORMATS / "speakers.yaml"


def test_show_table_lists_turns_and_what_has_no_role(cli):
    path = FORMATS / "whisperx.srt"
    r = cli("transcript", "show", path, "-c", SPEAKERS)
    assert r.exit_code == 0 and r.stderr == ""
    assert r.stdout == f"""\
whisperx  {path} · srt · 3 turns · 18 words
Speakers: SPEAKER_00 (unknown, 2 turns) · SPEAKER_01 (unknown, 1 turn)

   1  line 2  00:00:00.500–00:00:05.000  SPEAKER_00 (unknown)
      Thank you for coming today. How are you feeling?

   2  line 10  00:00:05.400–00:00:08.900  SPEAKER_01 (unknown)
      Tired, honestly. I did not sleep much.

   3  line 15  00:00:09.000–00:00:10.100  SPEAKER_00 (unknown)
      I see.

Speakers without a role:
{path}:2:1: QC207 warning: speaker 'SPEAKER_00' has no role (kept as role 'unknown') — map it in the front \
matter ('speakers: {{SPEAKER_00: client}}') or in the codebook's 'speakers'
{path}:10:1: QC207 warning: speaker 'SPEAKER_01' has no role (kept as role 'unknown') — map it in the front \
matter ('speakers: {{SPEAKER_01: client}}') or in the codebook's 'speakers'
"""


def test_show_reports_lines_it_could_not_place(cli):
    r = cli("transcript", "show", FORMATS / "session-otter.txt", "-c", SPEAKERS)
    assert r.exit_code == 0
    assert "Speakers: Dr. Weber (therapist, 2 turns) · Parwin (interpreter, 2 turns) · Mahnaz (client, 1 turn)" in r.stdout
    assert r.stdout.split("Not placed in any turn:\n")[1] == (
        f"{FORMATS / 'session-otter.txt'}:1:1: QC208 warning: line before the first speaker turn is not part of any "
        "turn — start each turn with a speaker label such as 'Client:'\n"
        f"{FORMATS / 'session-otter.txt'}:2:1: QC208 warning: line before the first speaker turn is not part of any "
        "turn — start each turn with a speaker label such as 'Client:'\n")


def test_show_csv_and_jsonl_rows(cli):
    r = cli("transcript", "show", FORMATS / "session.vtt", "-c", SPEAKERS, "--format", "csv")
    assert r.exit_code == 0 and r.stderr == ""
    lines = r.stdout.splitlines()
    assert lines[0] == ("transcript,format,turn,speaker,role,timestamp,end_timestamp,source_line,line,end_line,"
                        "start,end,words,text")
    assert lines[1] == ('session,vtt,1,Dr. Weber,therapist,00:00:01.000,00:00:06.500,7,6,6,119,184,12,'
                        '"Good morning, Mahnaz. How have the nights been since we last met?"')
    r = cli("transcript", "show", FORMATS / "session.vtt", "-c", SPEAKERS, "--format", "jsonl", "--no-merge")
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert [(row["turn"], row["speaker"], row["source_line"]) for row in rows[:3]] == [
        (1, "Dr. Weber", 7), (2, "Dr. Weber", 11), (3, "Parwin", 15)]


def test_show_bad_file_is_one_line_and_exit_1(cli, tmp_path):
    path = tmp_path / "empty.vtt"
    path.write_text("WEBVTT\n\nNOTE only a note\n", "utf-8")
    r = cli("transcript", "show", path)
    assert r.exit_code == 1 and r.stdout == ""
    assert r.stderr == (f"{path}: QC212 no cues found in the caption file — a cue is a "
                        "'00:00:01.000 --> 00:00:04.000' line followed by its text\n")


def test_convert_writes_plain_text_that_reads_back(cli, tmp_path):
    out = tmp_path / "plain"
    r = cli("transcript", "convert", FORMATS / "session.vtt", FORMATS / "whisperx.srt", "--out", out,
            "-c", SPEAKERS, "--quiet")
    assert r.exit_code == 0 and r.stderr == ""
    assert (out / "session.txt").read_text("utf-8") == """\
---
id: session
source: session.vtt
speakers: [Dr. Weber, Parwin, Mahnaz]
---
[00:00:01.000 - 00:00:06.500] Dr. Weber: Good morning, Mahnaz. How have the nights been since we last met?
[00:00:07.000 - 00:00:11.000] Parwin: Good morning. She asks how your nights have been since the last session.
[00:00:11.500 - 00:00:18.000] Mahnaz: Better. I sleep four or five hours now. But the dreams still come.
[00:00:18.500 - 00:00:23.000] Parwin: She says it is better, four or five hours, but the dreams still come.
[00:00:23.500 - 00:00:27.000] Dr. Weber: Thank you. Can you tell me about the dreams?
"""
    r = cli("transcript", "show", out / "session.txt", "-c", SPEAKERS, "-f", "csv")
    r2 = cli("transcript", "show", FORMATS / "session.vtt", "-c", SPEAKERS, "-f", "csv")
    strip = lambda text: [line.split(",", 7)[2:7] + line.rsplit(",", 6)[-6:] for line in text.splitlines()[1:]]
    assert strip(r.stdout) == strip(r2.stdout)


def test_convert_reports_every_failure_and_converts_the_rest(cli, tmp_path):
    bad = tmp_path / "notes.docx"
    bad.write_text("Client: hi\n", "utf-8")
    out = tmp_path / "out"
    r = cli("transcript", "convert", bad, FORMATS / "session.srt", "--out", out, "-c", SPEAKERS)
    assert r.exit_code == 1
    assert r.stderr == (
        f"{bad}: QC220 is not a Word document (.docx files are ZIP packages; this file is not one) — open it in "
        "Word or LibreOffice and save it as a Word document (.docx), or export plain text (.txt)\n"
        f"Wrote {out / 'session.txt'} (5 turns) from {FORMATS / 'session.srt'}\n")
    assert sorted(p.name for p in out.iterdir()) == ["session.txt"]


def test_cli_import_leaves_word_and_nlp_libraries_out():
    root = FORMATS.parent.parent.parent
    p = subprocess.run([sys.executable, "-c", "import sys, qualcode.cli; "
                        "print(sorted(m for m in ('docx', 'spacy', 'pandas', 'lxml') if m in sys.modules))"],
                       cwd=root, capture_output=True, text=True, timeout=60)
    assert p.stdout.strip() == "[]", p.stderr


def test_input_format_overrides_and_is_checked(cli):
    r = cli("transcript", "show", FORMATS / "session.srt", "--input-format", "txt", "-f", "csv", "-q")
    assert r.exit_code == 0 and r.stdout.splitlines()[1].startswith("session,txt,1,Dr. Weber,")
    r = cli("transcript", "show", FORMATS / "session.srt", "--input-format", "pdf")
    assert r.exit_code == 2 and "'pdf' is not one of" in r.stderr
