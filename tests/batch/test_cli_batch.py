"""`qualcode code PATH... --out DIR`: tables, goldens, cache, failures, spreadsheet safety, the lock."""
from __future__ import annotations

import csv
import io
import re
import zipfile

import pytest
from batchdata import study  # noqa: F401 (a fixture)
from batchdata import FORMULA, GOLDEN, SMALL_CODEBOOK, STUDY, TABLES, check_golden, output_files

from qualcode.batch import CACHE_DIR, output_lock


def summary(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.startswith("Transcripts: ")]
    assert len(lines) == 1, stderr
    return re.sub(r" · [0-9.]+ s$", "", lines[0])


def test_every_table_matches_its_golden_file(cli, tmp_path):
    out = tmp_path / "out"
    r = cli("code", STUDY, "-c", SMALL_CODEBOOK, "--out", out, "--jobs", "1", "--export-format", "csv,jsonl")
    assert r.exit_code == 0, r.stderr
    assert summary(r.stderr) == (f"Transcripts: 4 coded, 0 unchanged (cache), 0 failed · 296 words · 25 segments · "
                                 f"wrote 8 files to {out}")
    assert sorted(output_files(out)) == sorted(f"{t}.{ext}" for t in TABLES for ext in ("csv", "jsonl"))
    for table in TABLES:
        check_golden(out / f"{table}.csv", f"{table}.csv")
        check_golden(out / f"{table}.jsonl", f"{table}.jsonl")


def test_window_changes_cooccurrence(cli, tmp_path):
    r = cli("code", STUDY, "-c", SMALL_CODEBOOK, "--out", tmp_path, "-j", "1", "--export", "cooccurrence",
            "--window", "0")
    assert r.exit_code == 0, r.stderr
    assert sorted(output_files(tmp_path)) == ["cooccurrence.csv"]
    rows = list(csv.DictReader(io.StringIO((tmp_path / "cooccurrence.csv").read_text())))
    assert all(row["window"] == "0" and row["within_window"] == row["same_turn"] for row in rows)
    translation_rupture = [r for r in rows if (r["theme_a"], r["theme_b"]) == ("translation", "rupture")]
    assert translation_rupture == [{"theme_a": "translation", "theme_b": "rupture", "same_turn": "3", "window": "0",
                                    "within_window": "3", "transcripts": "2"}]


def test_rerun_is_byte_identical_and_served_from_the_cache(cli, tmp_path, study):
    pytest.importorskip("pyarrow")
    first, second = tmp_path / "a", tmp_path / "b"
    args = ("-c", SMALL_CODEBOOK, "-j", "1", "-F", "csv,xlsx,jsonl,parquet", "--excel")
    assert cli("code", study, "--out", first, *args).exit_code == 0
    assert cli("code", study, "--out", second, *args).exit_code == 0
    assert output_files(first) == output_files(second)
    assert len(output_files(first)) == 13
    again = cli("code", study, "--out", first, *args)
    assert summary(again.stderr).startswith("Transcripts: 0 coded, 4 unchanged (cache), 0 failed")
    assert output_files(first) == output_files(second)


def test_only_changed_transcripts_are_coded_again(cli, tmp_path, study):
    out = tmp_path / "out"
    args = ("-c", SMALL_CODEBOOK, "--out", out, "-j", "1")
    assert cli("code", study, *args).exit_code == 0
    assert len(list((out / CACHE_DIR).glob("*.json"))) == 4
    path = study / "d02-therapist.txt"
    path.write_text(path.read_text() + "\nInterviewer: Anything else?\n\nParticipant: I trust the team now.\n")
    r = cli("code", study, *args)
    assert summary(r.stderr).startswith("Transcripts: 1 coded, 3 unchanged (cache), 0 failed · 303 words · 26 segments")
    assert "d02-therapist,D02,strained,video,Participant,therapist,6," in (out / "segments.csv").read_text()
    assert len(list((out / CACHE_DIR).glob("*.json"))) == 4  # the stale entry is gone
    forced = cli("code", study, *args, "--force")
    assert summary(forced.stderr).startswith("Transcripts: 4 coded, 0 unchanged (cache), 0 failed")


def test_an_edited_codebook_codes_everything_again(cli, tmp_path, study):
    book = tmp_path / "book.yaml"
    book.write_text(SMALL_CODEBOOK.read_text())
    out = tmp_path / "out"
    assert cli("code", study, "-c", book, "--out", out, "-j", "1").exit_code == 0
    book.write_text(SMALL_CODEBOOK.read_text().replace("keywords: [trust, feel safe, feel judged]",
                                                       "keywords: [trust, feel safe]"))
    r = cli("code", study, "-c", book, "--out", out, "-j", "1")
    assert summary(r.stderr).startswith("Transcripts: 4 coded, 0 unchanged (cache), 0 failed")
    assert "feel judged" not in (out / "segments.csv").read_text()


def test_a_bad_file_is_reported_skipped_and_exits_1(cli, tmp_path, study):
    (study / "binary.txt").write_bytes(b"\x00\x01\x02" * 50)
    (study / "notes.md").write_text("just some notes, nobody speaks here\n")
    out = tmp_path / "out"
    r = cli("code", study, "-c", SMALL_CODEBOOK, "--out", out, "-j", "1")
    assert r.exit_code == 1
    errors = [line for line in r.stderr.splitlines() if " QC2" in line]
    assert errors == [
        f"{study / 'binary.txt'}: QC201 looks like a binary file, not a text transcript (it contains NUL bytes)"
        " — export the transcript as plain text (.txt, UTF-8) and code that file",
        f"{study / 'notes.md'}: QC206 no speaker turns found — label each turn with its speaker at the start of a "
        "line, e.g. 'Client: I felt…' (see the README's transcript conventions)",
    ]
    assert summary(r.stderr).startswith("Transcripts: 4 coded, 0 unchanged (cache), 2 failed · 296 words")
    check_golden(out / "matrix.csv", "matrix.csv")  # the good transcripts are all there


def test_globs_several_paths_and_missing_ones(cli, tmp_path, study):
    out = tmp_path / "out"
    r = cli("code", str(study / "d01-*.txt"), study / "d02-session.txt", str(study / "*.docx"), study / "nope.txt",
            "-c", SMALL_CODEBOOK, "--out", out, "-j", "1")
    assert r.exit_code == 1
    assert [line for line in r.stderr.splitlines() if ": QC" in line] == [
        f"{study / '*.docx'}: QC501 pattern matches no files — check the pattern; quote it so the shell passes it "
        "to qualcode unchanged",
        f"{study / 'nope.txt'}: QC001 transcript not found — check the path",
    ]
    matrix = (out / "matrix.csv").read_text()
    assert sorted({line.split(",")[0] for line in matrix.splitlines()[1:]}) == ["d01-client", "d01-session",
                                                                                  "d02-session"]


def test_duplicate_transcript_ids_fail_the_second_file(cli, tmp_path, study):
    (study / "sub").mkdir()
    (study / "sub" / "copy.txt").write_text((study / "d01-client.txt").read_text())
    r = cli("code", study, "-c", SMALL_CODEBOOK, "--out", tmp_path / "out", "-j", "1")
    assert r.exit_code == 1
    assert summary(r.stderr).startswith("Transcripts: 4 coded, 0 unchanged (cache), 1 failed")
    assert f"{study / 'sub' / 'copy.txt'}: QC503 transcript id 'd01-client' is already used by " \
           f"{study / 'd01-client.txt'} — give each transcript a unique 'id:' in its front matter, " \
           "or rename the file" in r.stderr.splitlines()


def test_output_folder_inside_the_study_is_not_read_as_input(cli, study):
    out = study / "results"
    assert cli("code", study, "-c", SMALL_CODEBOOK, "--out", out, "-j", "1", "-F", "jsonl").exit_code == 0
    (out / "stray.txt").write_text("Amira: I trust you.\n")
    r = cli("code", study, "-c", SMALL_CODEBOOK, "--out", out, "-j", "1", "-F", "jsonl")
    assert summary(r.stderr).startswith("Transcripts: 0 coded, 4 unchanged (cache), 0 failed")


def test_formula_cells_are_neutralised_in_csv_and_text_in_xlsx(cli, tmp_path):
    out = tmp_path / "out"
    r = cli("code", FORMULA, "-c", FORMULA / "codebook.yaml", "--out", out, "-j", "1", "-F", "csv,xlsx",
            "--export", "segments")
    assert r.exit_code == 0, r.stderr
    rows = [row for row in csv.DictReader(io.StringIO((out / "segments.csv").read_text())) if row["transcript"] == "formula"]
    assert [(row["dyad"], row["group"], row["setting"]) for row in rows] == [("'=1+1", "'@group", "'-setting")] * 3
    assert [row["quote"] for row in rows] == ["'=HYPERLINK(\"http://example.invalid\",\"click", "trust", "'@SUM(1"]

    from openpyxl import load_workbook

    sheet = load_workbook(out / "tables.xlsx")["segments"]
    header = [c.value for c in sheet[1]]
    cells = [dict(zip(header, row)) for row in sheet.iter_rows(min_row=2) if row[0].value == "formula"]
    quotes = [row["quote"] for row in cells]
    assert [c.value for c in quotes] == ["=HYPERLINK(\"http://example.invalid\",\"click", "trust", "@SUM(1"]
    assert {c.data_type for c in quotes} == {"s"}
    assert [(row["dyad"].value, row["dyad"].data_type) for row in cells] == [("=1+1", "s")] * 3
    assert [(row["score"].value, row["negated"].value) for row in cells] == [(0.8, False), (1, False), (0.8, False)]
    with zipfile.ZipFile(out / "tables.xlsx") as book:
        sheets = [name for name in book.namelist() if name.startswith("xl/worksheets/")]
        assert sheets and not any(b"<f>" in book.read(name) or b"<f " in book.read(name) for name in sheets)


def test_excel_flag_adds_a_bom_to_csv_only(cli, tmp_path):
    r = cli("code", STUDY, "-c", SMALL_CODEBOOK, "--out", tmp_path, "-j", "1", "-e", "matrix", "-F", "csv,jsonl",
            "--excel")
    assert r.exit_code == 0
    assert (tmp_path / "matrix.csv").read_bytes().startswith(b"\xef\xbb\xbftranscript,dyad,")
    assert (tmp_path / "matrix.jsonl").read_bytes().startswith(b'{"transcript": ')


def test_a_second_run_on_the_same_folder_stops_with_a_clear_message(cli, tmp_path):
    with output_lock(tmp_path):
        r = cli("code", STUDY, "-c", SMALL_CODEBOOK, "--out", tmp_path, "-j", "1")
    assert r.exit_code == 1
    assert r.stderr.splitlines() == [f"{tmp_path}: QC500 another qualcode run is writing to this output folder — "
                                     "wait for it to finish, or write to another folder with --out"]
    assert output_files(tmp_path) == {}


def test_quiet_prints_only_errors(cli, tmp_path, study):
    (study / "empty.txt").write_text("")
    r = cli("code", study, "-c", SMALL_CODEBOOK, "--out", tmp_path / "out", "-j", "1", "--quiet")
    assert r.exit_code == 1
    assert r.stderr.splitlines() == [f"{study / 'empty.txt'}: QC202 file is empty — add the transcript's turns, "
                                     "one 'Speaker: text' per turn"]
    assert r.stdout == ""


@pytest.mark.parametrize("args, message", [
    (("STUDY",), "coding several transcripts writes tables into a folder: add --out DIR"),
    (("STUDY", "--out", "OUT", "--format", "csv"),
     "--format is for one transcript; choose the tables' formats with --export-format"),
    (("STUDY", "--out", "OUT", "--export", "segments,codes"),
     "--export takes a comma-separated list of segments, matrix, cooccurrence, frequencies; got 'segments,codes'"),
    (("STUDY", "--out", "OUT", "-F", "csv,sav"),
     "--export-format takes a comma-separated list of csv, xlsx, jsonl, parquet; got 'csv,sav'"),
    (("STUDY", "--out", "OUT.csv"),
     "several transcripts need a folder for their tables, and 'OUT.csv' names a file: give --out a folder name"),
    (("STUDY/d01-client.txt", "--jobs", "2", "--window", "2"),
     "--window, --jobs apply when coding into a folder: add --out DIR"),
])
def test_usage_errors(cli, tmp_path, args, message):
    args = [a.replace("STUDY", str(STUDY)).replace("OUT", str(tmp_path / "out")) for a in args]
    r = cli("code", *args, "-c", SMALL_CODEBOOK)
    assert r.exit_code == 2
    message = message.replace("OUT", str(tmp_path / "out"))
    assert r.stderr.splitlines() == [f"Usage error: {message}"]


def test_one_transcript_still_goes_to_stdout(cli):
    r = cli("code", STUDY / "d02-session.txt", "-c", SMALL_CODEBOOK, "--format", "csv")
    assert r.exit_code == 0
    header, *rows = (GOLDEN / "segments.csv").read_text().splitlines()
    assert r.stdout.splitlines() == [header] + [row for row in rows if row.startswith("d02-session,")]


def test_one_transcript_into_a_folder_writes_tables(cli, tmp_path):
    r = cli("code", STUDY / "d02-session.txt", "-c", SMALL_CODEBOOK, "--out", tmp_path / "tables", "-e", "matrix")
    assert r.exit_code == 0, r.stderr
    assert (tmp_path / "tables" / "matrix.csv").read_text().count("\nd02-session,") == 5


def test_input_format_is_passed_to_the_reader(cli, tmp_path):
    r = cli("code", STUDY, "-c", SMALL_CODEBOOK, "--out", tmp_path, "-j", "1", "--input-format", "nonsense")
    assert r.exit_code == 2  # a usage error, said once, before any file is read
    assert r.stderr.startswith("Usage error: --input-format must be one of txt, md, ")
    assert r.stderr.count("\n") == 1
    ok = cli("code", STUDY, "-c", SMALL_CODEBOOK, "--out", tmp_path, "-j", "1", "--input-format", "md", "-e", "matrix")
    assert ok.exit_code == 0
    check_golden(tmp_path / "matrix.csv", "matrix.csv")
