"""The review loop as a state machine: lines in, views out, every decision in the log at once."""
from qualcode.models import Suggestion, Transcript, Turn
from qualcode.review import store
from qualcode.review.loop import ReviewLoop
from qualcode.review.session import Review, review_items
from qualcode.review.store import DecisionLog

TEXT = "A: I trust you.\nB: Thank you.\nA: You did not listen.\n"
TURNS = (Turn(1, "A", "client", "I trust you.", 3, 15, 1, 1),
         Turn(2, "B", "therapist", "Thank you.", 19, 29, 2, 2),
         Turn(3, "A", "client", "You did not listen.", 33, 52, 3, 3))


def suggestion(turn, theme, start, end, negated=False):
    return Suggestion("t1", turn, "A", "client", theme, theme, start, end, turn, TEXT[start:end], f"kw:{theme}",
                      1.0, negated)


def make_review():
    items = review_items([suggestion(3, "rupture", 37, 51), suggestion(1, "trust", 5, 10),
                          suggestion(1, "trust", 5, 10),  # the same suggestion from a second rule: shown once
                          suggestion(3, "trust", 33, 36, negated=True)])  # negated hits are not suggestions
    return Review(Transcript("t1", "t1.txt", TEXT, TURNS), items, ("trust", "rupture", "repair"))


def run(project, *lines):
    with DecisionLog(project, "ana", clock=lambda: "2026-01-01T00:00:00Z") as log:
        loop = ReviewLoop(make_review(), log)
        views = [loop.view()] + [loop.press(line) for line in lines]
    return views


def test_items_are_deduplicated_in_reading_order():
    assert [(s.turn, s.theme) for s in make_review().items] == [(1, "trust"), (3, "rupture")]


def test_accept_then_recode_completes_the_transcript(tmp_path):
    views = run(tmp_path, "a", "c", "9", "repair")
    assert [(v.mode, v.position, v.decided) for v in views] == [
        ("decide", 0, 0), ("decide", 1, 1), ("recode", 1, 1), ("recode", 1, 1), ("decide", 2, 2)]
    assert views[3].message == "Unknown theme '9'."
    assert views[-1].message == "All 2 suggestions decided."
    assert [(c.turn, c.theme) for c in store.load_codings(tmp_path, "ana")] == [(1, "trust"), (3, "repair")]
    assert store.fully_reviewed(tmp_path, "ana") == {"t1"}


def test_undo_reopens_and_returns_to_the_suggestion(tmp_path):
    run(tmp_path, "a", "r")
    views = run(tmp_path, "u")
    assert views[0].message == "Every suggestion is already decided; b goes back, u undoes, q quits."
    assert (views[1].position, views[1].decided, views[1].message) == (1, 1, "Undid reject of rupture on turn 3.")
    assert store.fully_reviewed(tmp_path, "ana") == set()
    views = run(tmp_path, "q")
    assert (views[0].position, views[0].message) == (1, "Resuming: 1 of 2 suggestions already decided.")
    assert views[1].finished


def test_skip_back_memo_and_hand_coding(tmp_path):
    views = run(tmp_path, "s", "b", "m", "", "m", "warm", "+", "2 repair Thank", "+", "trust")
    assert [v.position for v in views[:3]] == [0, 1, 0]
    assert views[4].message == "Memo cancelled."
    assert views[8].message == "Coded turn 2 as repair ('Thank')."
    assert views[10].message == "Coded turn 1 as trust (whole turn)."
    codings = store.load_codings(tmp_path, "ana")
    assert [(c.turn, c.theme, c.start, c.end) for c in codings] == [(1, "trust", None, None), (2, "repair", 19, 24)]
    assert store.load_state(tmp_path, "ana").memos  # the memo waits for the decision on its suggestion
    run(tmp_path, "a")
    assert [(c.start, c.memo) for c in store.load_codings(tmp_path, "ana") if c.turn == 1] == [(None, ""), (5, "warm")]
