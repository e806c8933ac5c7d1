"""`qualcode review`: the interactive loop driven by keystrokes, the decision CSV round-trip, hand coding."""
import csv
import json
import os
import signal
import subprocess
import sys
import time

from support import CLI_ENV, DATA, ROOT

from qualcode.errors import Report
from qualcode.review import store

TRANSCRIPT = DATA / "review" / "s01.txt"
CODEBOOK = DATA / "codebooks" / "small.yaml"

FIRST_SCREEN = """\

[0/7 decided]
Suggestion 1/7 · turn 3 · line 8 · Amira (client) · trust  «feel safe»  rule keyword:feel safe
  Hassan: Good morning, Amira. How was your week?
  Amira: It was hard. I feel safe here, but at home I do not sleep.
a/r/s/b/c/m/+/u/q (? for help) > """


def review(cli, project, *extra, input=None):
    return cli("review", TRANSCRIPT, "--coder", "ana", "--project", project, "--codebook", CODEBOOK, *extra,
               input=input)


def log_lines(project, coder="ana"):
    return [json.loads(line) for line in store.log_path(project, coder).read_text().splitlines()]


def test_first_screen_shows_turn_context_evidence_and_progress(cli, tmp_path):
    r = review(cli, tmp_path, input="q\n")
    assert r.exit_code == 0
    assert r.stdout.startswith(FIRST_SCREEN)
    assert r.stdout.endswith("Decisions are saved. Run the same command to resume.\n")


def test_quit_and_resume_where_the_coder_stopped(cli, tmp_path):
    r = review(cli, tmp_path, input="a\nr\nq\n")
    assert r.exit_code == 0
    assert [(e["action"], e["turn"], e["theme"]) for e in log_lines(tmp_path)] == [
        ("accept", 3, "trust"), ("reject", 4, "trust")]
    r = review(cli, tmp_path, input="q\n")
    assert "[2/7 decided]  1 accept · 1 reject\nSuggestion 3/7 · turn 5 · line 10 · Dr. Meyer (therapist) · repair" \
        in r.stdout
    assert "Resuming: 2 of 7 suggestions already decided." in r.stdout


def test_undo_takes_back_the_last_decision_even_after_a_restart(cli, tmp_path):
    review(cli, tmp_path, input="a\nc\nrupture\nq\n")
    assert [(c.turn, c.theme) for c in store.load_codings(tmp_path, "ana")] == [(3, "trust"), (4, "rupture")]
    r = review(cli, tmp_path, input="u\nq\n")
    assert "Undid recode of trust on turn 4." in r.stdout
    assert "[1/7 decided]  1 accept\nSuggestion 2/7 · turn 4" in r.stdout  # back on the undone suggestion
    assert [(c.turn, c.theme) for c in store.load_codings(tmp_path, "ana")] == [(3, "trust")]
    assert log_lines(tmp_path)[-1] == {**log_lines(tmp_path)[-1], "action": "undo", "undoes": 2}


def test_memo_skip_back_and_hand_coding(cli, tmp_path):
    r = review(cli, tmp_path, input="m\nclear case\na\ns\nb\n+\n9 trust talk on the phone\n+\n99 trust\n\nq\n")
    assert r.exit_code == 0
    assert "Memo saved." in r.stdout
    assert "Coded turn 9 as trust ('talk on the phone')." in r.stdout
    assert "cannot add the coding: turn 99 does not exist (the transcript has 9 turns)" in r.stdout
    codings = store.load_codings(tmp_path, "ana")
    assert [(c.turn, c.theme, c.memo) for c in codings] == [(3, "trust", "clear case"), (9, "trust", "")]
    text = TRANSCRIPT.read_text()
    hand = codings[1]
    assert text[hand.start:hand.end] == "talk on the phone"


def test_finishing_every_suggestion_marks_the_transcript_reviewed(cli, tmp_path):
    r = review(cli, tmp_path, input="a\n" * 7 + "q\n")
    assert "All 7 suggestions of s01 decided." in r.stdout
    assert store.fully_reviewed(tmp_path, "ana") == {"s01"}


def test_killed_mid_session_keeps_every_earlier_decision(tmp_path):
    env = {**os.environ, **CLI_ENV, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "qualcode", "review", str(TRANSCRIPT), "--coder", "ana",
                             "--project", str(tmp_path), "--codebook", str(CODEBOOK)],
                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    path = store.log_path(tmp_path, "ana")
    try:
        for n, key in enumerate(["a", "r", "a", "c\n1"], start=1):
            proc.stdin.write((key + "\n").encode())
            proc.stdin.flush()
            deadline = time.time() + 60
            while (not path.exists() or len(path.read_bytes().splitlines()) < n) and time.time() < deadline:
                time.sleep(0.05)
        proc.stdin.write(b"m\nhalf a memo")  # the decision being typed when the process dies
        proc.stdin.flush()
        time.sleep(0.2)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    report = Report()
    codings = store.load_codings(tmp_path, "ana", report=report)
    assert report.diagnostics == []
    assert [(c.turn, c.theme) for c in codings] == [(3, "trust"), (5, "repair"), (6, "trust")]
    assert [e["action"] for e in log_lines(tmp_path)] == ["accept", "reject", "accept", "recode"]


def test_decision_csv_round_trip(cli, tmp_path):
    out = tmp_path / "ana.csv"
    r = review(cli, tmp_path, "--export", out)
    assert r.exit_code == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert list(rows[0]) == ["transcript", "turn", "line", "speaker", "role", "theme", "start", "end", "rule",
                             "quote", "decision", "recode_to", "memo"]
    assert rows[0] == {"transcript": "s01", "turn": "3", "line": "8", "speaker": "Amira", "role": "client",
                       "theme": "trust", "start": "161", "end": "170", "rule": "keyword:feel safe",
                       "quote": "feel safe", "decision": "", "recode_to": "", "memo": ""}
    rows[0]["decision"] = "accept"
    rows[1].update(decision="no", memo="the interpreter's echo")
    rows[2].update(decision="recode", recode_to="trust")
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    r = review(cli, tmp_path, "--import", out)
    assert r.exit_code == 0, r.stderr
    assert r.stderr == f"Recorded 1 accept, 1 memo, 1 recode, 1 reject for ana in {tmp_path}/decisions/ana.jsonl.\n"
    r = review(cli, tmp_path, "--import", out)
    assert r.stderr == f"Recorded nothing new for ana in {tmp_path}/decisions/ana.jsonl.\n"
    r = review(cli, tmp_path, "--export", out)
    again = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [(x["decision"], x["recode_to"], x["memo"]) for x in again[:4]] == [
        ("accept", "", ""), ("reject", "", "the interpreter's echo"), ("recode", "trust", ""), ("", "", "")]


def test_decision_csv_errors_name_file_and_line_and_write_nothing(cli, tmp_path):
    out = tmp_path / "bad.csv"
    review(cli, tmp_path, "--export", out)
    lines = out.read_text().splitlines()
    lines[1] = lines[1].replace(",,,", ",maybe,,")
    lines[2] = lines[2].replace(",,,", ",recode,nonsense,")
    out.write_text("\n".join(lines) + "\n")
    r = review(cli, tmp_path, "--import", out)
    assert r.exit_code == 1
    assert r.stderr.splitlines() == [
        f"{out}:2: QC343 decision 'maybe' is not accept, reject or recode — write accept, reject or recode"
        " (or leave it empty)",
        f"{out}:3: QC343 recode needs a known theme in recode_to, got 'nonsense' — put a theme id of the"
        " codebook in recode_to"]
    assert not store.log_path(tmp_path, "ana").exists() or store.load_codings(tmp_path, "ana") == []


def test_add_by_hand_without_the_loop(cli, tmp_path):
    r = review(cli, tmp_path, "--add", "9:trust", "--quote", "talk on the phone", "--memo", "family contact")
    assert r.exit_code == 0
    assert r.stderr == "Coded turn 9 of s01 as trust (585-602) for ana.\n"
    assert [(c.turn, c.start, c.end, c.memo) for c in store.load_codings(tmp_path, "ana")] == [
        (9, 585, 602, "family contact")]
    r = review(cli, tmp_path, "--add", "9:trust", "--quote", "not there")
    assert r.exit_code == 1
    assert r.stderr == (f"{TRANSCRIPT}:14: QC330 cannot add the coding: 'not there' does not occur in turn 9"
                        " — check the turn number, theme id and quoted words\n")


def test_import_tidy_codings_into_each_coders_log(cli, tmp_path):
    r = cli("review", "--import-codings", DATA / "review" / "two-coders.csv", "--project", tmp_path)
    assert r.exit_code == 0
    assert r.stderr == (f"ana: 7 new codings recorded in {tmp_path}/decisions/ana.jsonl\n"
                        f"ben: 7 new codings recorded in {tmp_path}/decisions/ben.jsonl\n")
    assert len(store.load_codings(tmp_path, "ben")) == 7


def test_usage_errors(cli, tmp_path):
    r = cli("review", TRANSCRIPT, "--project", tmp_path)
    assert (r.exit_code, r.stderr) == (2, "Usage error: say who is coding with --coder NAME\n")
    r = review(cli, tmp_path, "--export", "a.csv", "--import", "b.csv")
    assert r.exit_code == 2
    r = cli("review", TRANSCRIPT, "--coder", "a/b", "--project", tmp_path, "--codebook", CODEBOOK)
    assert r.exit_code == 1
    assert "QC320 coder name 'a/b' cannot name a decision file" in r.stderr


def test_decision_csv_saved_by_a_european_spreadsheet(cli, tmp_path):
    """Semicolons and the Windows encoding, as Excel saves CSV in a German locale."""
    out = tmp_path / "ana.csv"
    review(cli, tmp_path, "--export", out)
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    rows[0].update(decision="accept", memo="Vertrauen – schön")
    with out.open("w", newline="", encoding="cp1252") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), delimiter=";")
        writer.writeheader()
        writer.writerows(rows)
    r = review(cli, tmp_path, "--import", out)
    assert r.exit_code == 0, r.stderr
    assert [c.memo for c in store.load_codings(tmp_path, "ana")] == ["Vertrauen – schön"]


def test_truncated_log_is_reported_and_the_review_goes_on(cli, tmp_path):
    review(cli, tmp_path, input="a\nr\nq\n")
    path = store.log_path(tmp_path, "ana")
    path.write_bytes(path.read_bytes()[:-10])  # the reject was being written when the machine died
    r = review(cli, tmp_path, input="q\n")
    assert r.exit_code == 0
    assert r.stderr == (f"{path}:2: QC310 warning: last line is incomplete (a decision interrupted by a crash?); it"
                        " is ignored — every decision before it was read; redo the last decision if it is missing\n")
    assert "Resuming: 1 of 7 suggestions already decided." in r.stdout
    assert "Suggestion 2/7 · turn 4" in r.stdout
