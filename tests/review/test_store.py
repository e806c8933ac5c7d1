"""The decision log: append-only, replayed into codings; damaged lines reported, the rest read."""
import json

import pytest

from qualcode.codings import Coding
from qualcode.errors import Report
from qualcode.review import store
from qualcode.review.store import DecisionLog, DecisionsError


def clock():
    return "2026-01-02T03:04:05Z"


def decide(project, coder="ana"):
    with DecisionLog(project, coder, clock=clock) as log:
        base = {"transcript": "s01", "rule": "keyword:x"}
        log.append("accept", **base, turn=3, theme="trust", start=10, end=19)
        log.append("reject", **base, turn=4, theme="trust", start=30, end=40)
        log.append("recode", **base, turn=5, theme="repair", start=50, end=60, to="rupture")
        log.append("memo", **base, turn=3, theme="trust", start=10, end=19, memo="clear case")
        log.append("add", transcript="s01", turn=9, theme="trust", start=None, end=None, rule="hand")
    return store.log_path(project, coder)


def test_log_lines_are_plain_json_one_per_decision(tmp_path):
    path = decide(tmp_path)
    assert path == tmp_path / "decisions" / "ana.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 5
    assert json.loads(lines[0]) == {"seq": 1, "action": "accept", "coder": "ana", "time": "2026-01-02T03:04:05Z",
                                    "transcript": "s01", "turn": 3, "theme": "trust", "start": 10, "end": 19,
                                    "rule": "keyword:x"}
    assert json.loads(lines[2])["to"] == "rupture"


def test_load_codings_applies_accept_recode_add_and_memo(tmp_path):
    decide(tmp_path)
    assert store.load_codings(tmp_path, "ana") == [
        Coding("s01", 3, "trust", "ana", 10, 19, "clear case", "human"),
        Coding("s01", 5, "rupture", "ana", 50, 60, "", "human"),
        Coding("s01", 9, "trust", "ana", None, None, "", "human"),
    ]


def test_undo_cancels_exactly_the_named_event(tmp_path):
    decide(tmp_path)
    with DecisionLog(tmp_path, "ana", clock=clock) as log:
        last = log.state.effective("s01")[-1]
        assert last["action"] == "add"
        log.append("undo", undoes=last["seq"], transcript="s01")
        log.append("undo", undoes=3, transcript="s01")  # the recode
    themes = [(c.turn, c.theme) for c in store.load_codings(tmp_path, "ana")]
    assert themes == [(3, "trust")]


def test_later_decision_on_the_same_suggestion_wins(tmp_path):
    decide(tmp_path)
    with DecisionLog(tmp_path, "ana", clock=clock) as log:
        log.append("reject", transcript="s01", turn=3, theme="trust", start=10, end=19, rule="keyword:x")
    assert [(c.turn, c.theme) for c in store.load_codings(tmp_path, "ana")] == [(5, "rupture"), (9, "trust")]


def test_all_coders_and_fully_reviewed(tmp_path):
    decide(tmp_path, "ana")
    decide(tmp_path, "ben")
    with DecisionLog(tmp_path, "ben", clock=clock) as log:
        log.append("complete", transcript="s01", suggestions=3)
    assert store.coders(tmp_path) == ["ana", "ben"]
    assert {c.coder for c in store.load_codings(tmp_path)} == {"ana", "ben"}
    assert store.fully_reviewed(tmp_path, "ana") == set()
    assert store.fully_reviewed(tmp_path, "ben") == {"s01"}
    with DecisionLog(tmp_path, "ben", clock=clock) as log:  # undoing a decision reopens the transcript
        log.append("undo", undoes=1, transcript="s01")
    assert store.fully_reviewed(tmp_path, "ben") == set()


def test_truncated_last_line_is_a_warning_and_the_rest_is_read(tmp_path):
    path = decide(tmp_path)
    data = path.read_bytes()
    path.write_bytes(data[:-25])  # a crash in the middle of writing the last decision
    report = Report()
    codings = store.load_codings(tmp_path, "ana", report=report)
    assert [(c.turn, c.theme, c.memo) for c in codings] == [(3, "trust", "clear case"), (5, "rupture", "")]
    assert [d.format() for d in report.diagnostics] == [
        f"{path}:5: QC310 warning: last line is incomplete (a decision interrupted by a crash?); it is ignored"
        " — every decision before it was read; redo the last decision if it is missing"]


def test_appending_after_a_truncated_line_never_glues_onto_it(tmp_path):
    path = decide(tmp_path)
    path.write_bytes(path.read_bytes()[:-25])
    with DecisionLog(tmp_path, "ana", clock=clock) as log:
        log.append("accept", transcript="s01", turn=7, theme="trust", start=1, end=2, rule="r")
    report = Report()
    codings = store.load_codings(tmp_path, "ana", report=report)
    assert (7, "trust") in [(c.turn, c.theme) for c in codings]
    assert [d.code for d in report.diagnostics] == ["QC311"]
    assert report.diagnostics[0].line == 5


def test_bad_line_in_the_middle_is_reported_and_skipped(tmp_path):
    path = decide(tmp_path)
    lines = path.read_text().splitlines(keepends=True)
    lines.insert(1, "<<<<<<< HEAD\n")
    path.write_text("".join(lines))
    report = Report()
    assert len(store.load_codings(tmp_path, "ana", report=report)) == 3
    assert [(d.code, d.line) for d in report.diagnostics] == [("QC311", 2)]


def test_coder_name_must_be_a_safe_file_name(tmp_path):
    with pytest.raises(DecisionsError) as err:
        DecisionLog(tmp_path, "../evil")
    assert err.value.diagnostics[0].format() == (
        "qualcode: QC320 coder name '../evil' cannot name a decision file — use letters, digits, '.', '_' or '-'"
        " (for example --coder ana or --coder coder-2)")


def test_import_codings_is_idempotent_and_marks_transcripts_complete(tmp_path):
    codings = [Coding("s01", 2, "trust", "cy", memo="m"), Coding("s01", 3, "repair", "cy", 5, 9),
               Coding("s02", 1, "trust", "dee")]
    assert store.import_codings(tmp_path, codings, clock=clock) == {"cy": 2, "dee": 1}
    assert store.import_codings(tmp_path, codings, clock=clock) == {"cy": 0, "dee": 0}
    assert store.load_codings(tmp_path, "cy") == [Coding("s01", 2, "trust", "cy", memo="m"),
                                                  Coding("s01", 3, "repair", "cy", 5, 9)]
    assert store.fully_reviewed(tmp_path, "dee") == {"s02"}


def test_two_sessions_of_one_coder_never_reuse_a_number(tmp_path):
    first = DecisionLog(tmp_path, "ana", clock=clock)
    second = DecisionLog(tmp_path, "ana", clock=clock)
    try:
        first.append("accept", transcript="s01", turn=1, theme="trust", start=0, end=3, rule="r")
        second.append("accept", transcript="s01", turn=2, theme="trust", start=5, end=9, rule="r")
        first.append("undo", undoes=2, transcript="s01")
    finally:
        first.close()
        second.close()
    assert [e["seq"] for e in store.read_log(store.log_path(tmp_path, "ana"))] == [1, 2, 3]
    assert [c.turn for c in store.load_codings(tmp_path, "ana")] == [1]
