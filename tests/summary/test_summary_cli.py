"""`qualcode summarize` as a user runs it: the terminal view, the files, the codings it says it used, errors."""
from __future__ import annotations

import csv

from summary_support import STUDY_DATA

STUDY = STUDY_DATA / "study"
BOOK = STUDY_DATA / "codebook.yaml"
MANIFEST = STUDY_DATA / "manifest.csv"


def test_theme_view_and_the_codings_used(cli):
    r = cli("summarize", STUDY, "--codebook", BOOK, "--manifest", MANIFEST)
    assert r.exit_code == 0, r.stderr
    lines = r.stdout.splitlines()
    assert "Interviews: 4 dyads, counted by pattern" in lines[0]
    assert "│ trust          │      1 │ 1 │ 1 │ · │      · │       1 │   33% │ -0.50 │" in lines
    assert "│   repair       │      1 │ · │ · │ · │      2 │       1 │  100% │  1.00 │" in lines
    assert "Sequences within 3 turns (z ≥ 1.96): none above chance" in r.stdout
    assert r.stderr.splitlines()[0] == f"Codings used: rule suggestions from codebook 'Summary test codebook' ({BOOK})"
    assert "Add --out DIR" in r.stderr


def test_dyad_view(cli):
    r = cli("summarize", STUDY, "--codebook", BOOK, "--manifest", MANIFEST, "--by", "dyad")
    assert r.exit_code == 0, r.stderr
    rows = [line for line in r.stdout.splitlines() if line.startswith("│ trust")]
    assert [row.split("│")[2:6] for row in rows][0] == ["     S     ", "     C     ", "     T      ", "     ?      "]


def test_out_writes_every_file(cli, tmp_path):
    out = tmp_path / "report"
    r = cli("summarize", STUDY, "--codebook", BOOK, "--manifest", MANIFEST, "--out", out, "--quiet")
    assert r.exit_code == 0, r.stderr
    assert r.stderr == ""
    assert (out / ".qualcode-cache").is_dir()  # coded results, reused by the next run
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
        "agreement.csv", "pattern_counts.csv", "patterns.csv", "quotes.csv", "roles.csv", "sequences.csv",
        "summary.html", "summary.md", "transcripts.csv"]
    with open(out / "roles.csv", encoding="utf-8", newline="") as handle:
        roles = list(csv.DictReader(handle))
    row = next(r for r in roles if (r["kind"], r["dyad"], r["theme"], r["role"]) == ("interview", "A01", "trust", "client"))
    assert row == {"kind": "interview", "dyad": "A01", "group": "favorable", "setting": "face-to-face", "theme": "trust",
                   "role": "client", "available": "true", "transcripts": "1", "role_turns": "3", "role_words": "28",
                   "turns_coded": "1", "share_of_turns": "0.3333", "per_1000_words": "35.71",
                   "first_transcript": "a01-client", "first_turn": "2", "first_line": "12"}


def test_codings_csv_is_used_and_named(cli, tmp_path):
    codings = tmp_path / "codings.csv"
    codings.write_text("transcript,turn,theme,coder\na01-client,4,trust,ana\na01-therapist,2,trust,ana\n"
                       "a01-client,2,repair,ben\nelsewhere,1,trust,ana\n", encoding="utf-8")
    r = cli("summarize", STUDY / "a01-client.txt", STUDY / "a01-therapist.txt", "--codebook", BOOK,
            "--codings", codings)
    assert r.exit_code == 1
    assert r.stderr.strip() == (f"{codings}: QC550 codings file holds 2 coders (ana, ben) — choose one with --coder NAME")
    r = cli("summarize", STUDY / "a01-client.txt", STUDY / "a01-therapist.txt", "--codebook", BOOK,
            "--codings", codings, "--coder", "ana", "--by", "dyad")
    assert r.exit_code == 0, r.stderr
    assert r.stderr.splitlines() == [
        f"{codings}: QC548 warning: 1 coding(s) of transcript 'elsewhere', which is not among the PATHs; left out — "
        "add that transcript to the PATHs, or check its id",
        f"Codings used: codings file {codings} (coder ana, 3 codings)",
        "Add --out DIR to write summary.md, summary.html and the CSV tables."]
    trust = next(line for line in r.stdout.splitlines() if line.startswith("│ trust"))
    assert "S" in trust  # client (turn 4) and therapist (turn 2) by coder ana: shared


def test_coder_reads_the_review_store(cli, tmp_path):
    from qualcode.codings import Coding
    from qualcode.review.store import import_codings

    import_codings(tmp_path, [Coding("a01-client", 2, "repair", "ana"), Coding("a01-therapist", 4, "repair", "ana")])
    r = cli("summarize", STUDY / "a01-client.txt", STUDY / "a01-therapist.txt", "--codebook", BOOK,
            "--coder", "ana", "--project", tmp_path)
    assert r.exit_code == 0, r.stderr
    assert f"Codings used: reviewed codings of coder ana in project {tmp_path} (2 codings)" in r.stderr
    assert "│   repair       │      1 │" in r.stdout


def test_turn_out_of_range_is_an_error(cli, tmp_path):
    codings = tmp_path / "codings.csv"
    codings.write_text("transcript,turn,theme,coder\na01-client,9,trust,ana\n", encoding="utf-8")
    r = cli("summarize", STUDY / "a01-client.txt", "--codebook", BOOK, "--codings", codings)
    assert r.exit_code == 1
    assert r.stderr.strip() == (f"{codings}: QC549 coding of transcript 'a01-client' names turn 9, but it has 6 turns "
                                "— turns count from 1 in file order; check the 'turn' column")


def test_manifest_errors_are_all_reported(cli, tmp_path):
    manifest = tmp_path / "m.csv"
    manifest.write_text("transcript,dyad,role\n,A01,client\na01-client,A01,patient\na01-client.txt,A02,\n",
                        encoding="utf-8")
    r = cli("summarize", STUDY, "--codebook", BOOK, "--manifest", manifest)
    assert r.exit_code == 1
    assert r.stderr.splitlines() == [
        f"{manifest}:2: QC541 column 'transcript' is empty — fill in the 'transcript' cell on this row",
        f"{manifest}:3: QC541 role 'patient' is not one of client, therapist, interpreter — give the interviewee's "
        "role, or leave it empty for a session",
        f"{manifest}:4: QC543 transcript 'a01-client.txt' is listed twice (first on line 3) — keep one row per transcript"]


def test_interview_without_role_and_missing_path(cli, tmp_path):
    bad = tmp_path / "x.txt"
    bad.write_text("---\ndyad: X\nkind: interview\n---\nInterviewer: Hello?\nClient: Hi.\n", encoding="utf-8")
    r = cli("summarize", bad, tmp_path / "nope.txt", "--codebook", BOOK)
    assert r.exit_code == 1
    assert r.stderr.splitlines() == [f"{tmp_path / 'nope.txt'}: QC001 transcript not found — check the path"]
    r = cli("summarize", bad, "--codebook", BOOK)
    assert r.exit_code == 1
    assert r.stderr.splitlines() == [
        f"{bad}:1: QC545 interview has no role: whose perspective it gives is unknown — add 'role: client' (or "
        "therapist, interpreter) to the front matter or the manifest"]


def test_window_must_be_positive(cli):
    r = cli("summarize", STUDY, "--codebook", BOOK, "--window", "0")
    assert r.exit_code == 2
    assert "Usage error: --window must be at least 1 turn" in r.stderr


def test_inputs_are_not_modified(cli, tmp_path):
    before = {p.name: p.read_bytes() for p in STUDY.iterdir()}
    r = cli("summarize", STUDY, "--codebook", BOOK, "--manifest", MANIFEST, "--out", tmp_path / "o", "-q")
    assert r.exit_code == 0
    assert {p.name: p.read_bytes() for p in STUDY.iterdir()} == before


def test_coder_codings_come_from_the_review_store(cli, tmp_path):
    r = cli("summarize", STUDY / "a01-client.txt", "--codebook", BOOK, "--coder", "ana", "--project", tmp_path)
    assert r.exit_code == 1
    assert r.stderr.strip() == (f"{tmp_path / 'decisions'}: QC351 no codings for coder 'ana' — coders with a log "
                                "here: none; or give --codings FILE")
    from qualcode.codings import Coding
    from qualcode.review.store import import_codings
    from qualcode.transcripts import read_transcript

    t = read_transcript(STUDY / "a01-client.txt")
    turn = next(x for x in t.turns if x.role == "client")
    import_codings(tmp_path, [Coding(t.id, turn.number, "trust", "ana")])
    r = cli("summarize", STUDY / "a01-client.txt", "--codebook", BOOK, "--coder", "ana", "--project", tmp_path)
    assert r.exit_code == 0, r.stderr
    assert f"reviewed codings of coder ana in project {tmp_path} (1 codings)" in r.stderr


def test_dyad_facet_conflicts_and_duplicate_ids(cli, tmp_path):
    for name, group in (("x-client", "favorable"), ("x-therapist", "struggling")):
        role = name.split("-")[1]
        (tmp_path / f"{name}.txt").write_text(f"---\ndyad: X\nrole: {role}\ngroup: {group}\n---\nInterviewer: Hi?\n"
                                             f"Participant: I trust you.\n", encoding="utf-8")
    r = cli("summarize", tmp_path, "--codebook", BOOK)
    assert r.exit_code == 0
    assert r.stderr.splitlines()[0] == (
        f"{tmp_path / 'x-therapist.txt'}: QC546 warning: dyad 'X' has group 'struggling' here but 'favorable' in "
        f"{tmp_path / 'x-client.txt'}; using 'favorable' — give every transcript of the dyad the same group")
    (tmp_path / "copy.txt").write_text("---\nid: x-client\ndyad: Y\nkind: session\n---\nClient: Hi.\n", encoding="utf-8")
    r = cli("summarize", tmp_path, "--codebook", BOOK)
    assert r.exit_code == 1
    assert r.stderr.splitlines()[0] == (f"{tmp_path / 'x-client.txt'}: QC503 transcript id 'x-client' is already used "
                                        f"by {tmp_path / 'copy.txt'} — give each transcript a unique 'id:' in its front "
                                        "matter, or rename the file")
