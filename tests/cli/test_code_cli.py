"""`qualcode code` on one transcript: views, rows, files, exit codes."""
from __future__ import annotations

import csv
import io
import json
import sys

from support import DATA, run_qualcode

SMALL = DATA / "codebooks" / "small.yaml"
TRANSCRIPT = """---
id: demo
dyad: D09
role: client
group: favorable
setting: online
---
Interviewer: How was the first session?
Client: I trusted her from the start.
I never felt judged.
Interviewer: And the interpreter?
Client: Once he translated it wrong, and I walked out.
"""


def write(tmp_path, text=TRANSCRIPT, name="demo.txt"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_table_view_shows_evidence_and_counts_by_role(cli, tmp_path):
    r = cli("code", write(tmp_path), "--codebook", SMALL)
    assert r.exit_code == 0, r.stderr
    out = r.stdout
    assert "demo  dyad D09 · client interview · favorable · online" in out
    assert "4 turns · 27 words · 3 suggestions (1 negated, not counted)" in out
    assert "Turn 2 · line 9 · Client (client)  trust  trust (negated)" in out
    assert "Turn 4 · line 12 · Client (client)  translation  rupture" in out
    rows = {line.split("│")[1].strip(): [c.strip() for c in line.split("│")[2:-1]]
            for line in out.splitlines() if line.startswith("│")}
    assert "interviewer" in out.splitlines()[[i for i, l in enumerate(out.splitlines()) if l.startswith("┃")][0]]
    assert rows["trust"] == ["·", "1", "1"]
    assert rows["rupture"] == ["·", "1", "1"]
    assert rows["repair"] == ["·", "·", "·"]
    assert rows["rupture_repair"] == ["·", "1", "1"]  # a parent counts its sub-themes' turns
    assert r.stderr == ""


def test_csv_rows(cli, tmp_path):
    r = cli("code", write(tmp_path), "-c", SMALL, "--format", "csv")
    assert r.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert list(rows[0]) == ["transcript", "dyad", "group", "setting", "speaker", "role", "turn", "line", "start",
                             "end", "theme", "theme_path", "source", "rule", "score", "negated", "quote"]
    assert [(x["turn"], x["line"], x["theme"], x["theme_path"], x["quote"], x["negated"]) for x in rows] == [
        ("2", "9", "trust", "trust", "trusted", "false"),
        ("2", "10", "trust", "trust", "felt judged", "true"),
        ("4", "12", "translation", "translation", "translated it wrong", "false"),
        ("4", "12", "rupture", "rupture_repair/rupture", "walked out", "false"),
    ]
    text = (tmp_path / "demo.txt").read_text(encoding="utf-8")
    for row in rows:
        assert text[int(row["start"]):int(row["end"])] == row["quote"]


def test_jsonl_to_file_is_written_and_input_untouched(cli, tmp_path):
    src = write(tmp_path)
    before = src.read_bytes()
    out = tmp_path / "out" / "demo.jsonl"
    r = cli("code", src, "-c", SMALL, "--out", out)
    assert r.exit_code == 0
    assert r.stdout == ""
    assert r.stderr.strip() == f"Wrote 4 rows to {out}"
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [x["theme"] for x in records] == ["trust", "trust", "translation", "rupture"]
    assert records[1]["negated"] is True and records[0]["score"] == 0.9
    assert src.read_bytes() == before
    assert [p.name for p in out.parent.iterdir()] == ["demo.jsonl"]  # no temporary files left


def test_warnings_go_to_stderr(cli, tmp_path):
    r = cli("code", write(tmp_path, "Zoltan: I trust you.\n"), "-c", SMALL, "-f", "csv")
    assert r.exit_code == 0
    assert "QC207 warning: speaker 'Zoltan' has no role" in r.stderr
    assert r.stdout.count("\n") == 2


def test_bad_transcript_exit_1_one_line_no_traceback(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    r = run_qualcode("code", path, "-c", SMALL)
    assert r.returncode == 1
    assert r.stderr == f"{path}: QC202 file is empty — add the transcript's turns, one 'Speaker: text' per turn\n"
    assert r.stdout == ""


def test_broken_codebook_names_file_and_line(cli, tmp_path):
    book = tmp_path / "book.yaml"
    book.write_text("version: 1\nname: x\nthemes:\n  - id: a\n    name: [unclosed\n", encoding="utf-8")
    r = cli("code", write(tmp_path), "-c", book)
    assert r.exit_code == 1
    assert r.stderr.startswith(f"{book}:6:1: QC101 YAML syntax error")


def test_missing_pipeline_is_a_clear_error(cli, tmp_path):
    r = cli("code", write(tmp_path), "-c", SMALL, "--pipeline", "en_core_web_nonexistent")
    assert r.exit_code == 1
    assert "QC021 spaCy pipeline 'en_core_web_nonexistent' is not installed" in r.stderr


def test_usage_errors_exit_2(cli, tmp_path):
    assert cli("code").exit_code == 2
    assert cli("code", write(tmp_path), "--format", "xml").exit_code == 2
    r = cli("code", write(tmp_path), "--out", tmp_path / "x.xml")
    assert r.exit_code == 2 and "cannot tell the format" in r.stderr


def test_version_and_module_entry_point():
    r = run_qualcode("--version")
    assert r.returncode == 0 and r.stdout.startswith("qualcode ")


def test_help_imports_neither_spacy_nor_pandas():
    import subprocess

    code = ("import sys, qualcode.cli; from typer.testing import CliRunner; "
            "CliRunner().invoke(qualcode.cli.app, ['--help']); "
            "print(sorted(m for m in ('spacy', 'pandas', 'thinc') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=str(DATA.parent.parent))
    assert out.stdout.strip() == "[]", out.stderr


def test_the_python_api_is_imported_on_first_use():
    import subprocess

    code = ("import sys, qualcode; before = sorted(m for m in ('qualcode.batch', 'qualcode.codebook', 'yaml') "
            "if m in sys.modules); print(before, qualcode.code_corpus.__module__, qualcode.Diagnostic.__name__, "
            "'load_codebook' in dir(qualcode))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=str(DATA.parent.parent))
    assert out.stdout.split() == ["[]", "qualcode.batch", "Diagnostic", "True"], out.stderr


def test_installed_pipeline_by_path_gives_the_same_suggestions(cli, tmp_path):
    import spacy

    model = tmp_path / "my_pipeline"
    spacy.blank("en").to_disk(model)
    src = write(tmp_path)
    default = cli("code", src, "-c", SMALL, "-f", "csv")
    custom = cli("code", src, "-c", SMALL, "-f", "csv", "--pipeline", model)
    assert custom.exit_code == 0, custom.stderr
    assert custom.stdout == default.stdout
