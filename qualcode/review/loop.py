"""The interactive review as a state machine: a command (one line of input) in, a new state out.

No terminal here: the CLI shows `view()` and feeds each line the coder types to `press()`. Every decision
is written to the coder's log (fsynced) before `press()` returns, so quitting, Ctrl-C or a crash loses
at most the decision being typed.

Commands (shown by `?`):  a accept · r reject · s skip · b back · c recode · m memo · + add by hand ·
u undo · q quit. `c`, `m` and `+` ask for one more line (a theme; a memo; `[TURN] THEME [words]`);
an empty line cancels.
"""
from __future__ import annotations

from dataclasses import dataclass

from qualcode.models import Suggestion
from qualcode.review.session import Review, add_coding, mark_progress
from qualcode.review.store import DecisionLog, DecisionsError, Entry, event_key, suggestion_fields, suggestion_key

HELP = ("a accept · r reject · s skip · b back · c recode to another theme · m memo · "
        "+ code a turn by hand · u undo · q quit")
PROMPTS = {
    "decide": "a/r/s/b/c/m/+/u/q (? for help)",
    "recode": "recode to which theme? (id or number; empty line cancels)",
    "memo": "memo (empty line cancels)",
    "add": "code by hand: [TURN] THEME [words of the turn] (empty line cancels)",
}


@dataclass(frozen=True)
class View:
    """What to show now."""

    mode: str  # decide | recode | memo | add
    position: int  # 0-based index of the current suggestion; == total at the end
    total: int
    decided: int
    counts: dict
    item: Suggestion | None
    entry: Entry | None  # the decision in force for the current suggestion, if any
    message: str
    prompt: str
    finished: bool


class ReviewLoop:
    """One coder reviewing one transcript's suggestions."""

    def __init__(self, review: Review, log: DecisionLog):
        self.review = review
        self.log = log
        self.items = review.items
        self.mode = "decide"
        self.message = ""
        self.finished = False
        self.index = self._next_undecided(0, wrap=False)
        mark_progress(log, review)
        decided = self.decided
        if decided and self.index < len(self.items):
            self.message = f"Resuming: {decided} of {len(self.items)} suggestions already decided."
        elif decided and decided == len(self.items):
            self.message = "Every suggestion is already decided; b goes back, u undoes, q quits."

    # ------------------------------------------------------------------ state
    def entry(self, i: int) -> Entry | None:
        return self.log.state.entries.get(suggestion_key(self.items[i]))

    @property
    def decided(self) -> int:
        return sum(1 for i in range(len(self.items)) if self.entry(i) is not None)

    @property
    def current(self) -> Suggestion | None:
        return self.items[self.index] if self.index < len(self.items) else None

    def counts(self) -> dict:
        out = {"accept": 0, "reject": 0, "recode": 0, "add": 0}
        for k, e in self.log.state.entries.items():
            if k[0] == self.review.transcript.id and e.action in out:
                out[e.action] += 1
        return out

    def view(self) -> View:
        item = self.current
        return View(self.mode, self.index, len(self.items), self.decided, self.counts(), item,
                    self.entry(self.index) if item else None, self.message, PROMPTS[self.mode], self.finished)

    def _next_undecided(self, start: int, *, wrap: bool = True) -> int:
        order = list(range(start, len(self.items))) + (list(range(0, start)) if wrap else [])
        for i in order:
            if self.entry(i) is None:
                return i
        return len(self.items)

    # ------------------------------------------------------------------ commands
    def press(self, line: str) -> View:
        """Apply one line of input and return the new view."""
        self.message = ""
        text = line.strip()
        handler = {"decide": self._decide, "recode": self._recode, "memo": self._memo, "add": self._add}[self.mode]
        handler(text)
        return self.view()

    def _decide(self, text: str) -> None:
        command = text.lower()
        item = self.current
        if command in ("q", "quit"):
            self.finished = True
            self.message = "Decisions are saved. Run the same command to resume."
        elif command in ("?", "h", "help"):
            self.message = HELP
        elif command in ("u", "undo"):
            self._undo()
        elif command in ("b", "back"):
            self.index = max(0, self.index - 1)
        elif command in ("s", "skip", ""):
            if item is None:
                self.message = "Nothing left to skip."
            else:
                self.index += 1
        elif command in ("+", "add"):
            self.mode = "add"
        elif item is None and command in ("a", "r", "c", "m", "accept", "reject", "recode", "memo"):
            self.message = "No suggestion here: b goes back, + codes by hand, q quits."
        elif command in ("a", "accept", "r", "reject"):
            self._record("accept" if command.startswith("a") else "reject")
        elif command in ("c", "recode"):
            self.mode = "recode"
            self.message = "Themes: " + "  ".join(f"{n}:{t}" for n, t in enumerate(self.review.theme_ids, 1))
        elif command in ("m", "memo"):
            self.mode = "memo"
        else:
            self.message = f"Unknown command {text!r}. {HELP}"

    def _record(self, action: str, **extra) -> None:
        item = self.current
        self.log.append(action, **suggestion_fields(item), **extra)
        mark_progress(self.log, self.review)
        self.index = self._next_undecided(self.index + 1)
        if self.index == len(self.items):
            self.message = f"All {len(self.items)} suggestions decided." if self.decided == len(self.items) else ""

    def _recode(self, text: str) -> None:
        self.mode = "decide"
        if not text:
            self.message = "Recode cancelled."
            return
        themes = self.review.theme_ids
        theme = themes[int(text) - 1] if text.isdigit() and 1 <= int(text) <= len(themes) else text
        if theme not in themes:
            self.mode = "recode"
            self.message = f"Unknown theme {text!r}."
            return
        if theme == self.current.theme:
            self.message = f"It is already {theme}: use a to accept."
            return
        self._record("recode", to=theme)

    def _memo(self, text: str) -> None:
        self.mode = "decide"
        if not text:
            self.message = "Memo cancelled."
            return
        self.log.append("memo", **suggestion_fields(self.current), memo=text)
        self.message = "Memo saved."

    def _add(self, text: str) -> None:
        self.mode = "decide"
        if not text:
            self.message = "Cancelled."
            return
        parts = text.split(maxsplit=1)
        if parts[0].isdigit():
            turn, rest = int(parts[0]), (parts[1] if len(parts) > 1 else "")
        elif self.current is not None:
            turn, rest = self.current.turn, text
        else:
            self.message = "Say which turn: TURN THEME [words]."
            self.mode = "add"
            return
        bits = rest.split(maxsplit=1)
        if not bits:
            self.message = "Say which theme: TURN THEME [words]."
            self.mode = "add"
            return
        theme, quote = bits[0], (bits[1] if len(bits) > 1 else None)
        try:
            add_coding(self.log, self.review, turn=turn, theme=theme, theme_ids=self.review.theme_ids, quote=quote)
        except DecisionsError as exc:
            self.message = exc.diagnostics[0].message
            self.mode = "add"
            return
        self.message = f"Coded turn {turn} as {theme}" + (f" ('{quote}')." if quote else " (whole turn).")

    def _undo(self) -> None:
        live = self.log.state.effective(self.review.transcript.id)
        if not live:
            self.message = "Nothing to undo."
            return
        last = live[-1]
        self.log.append("undo", undoes=last["seq"], transcript=last["transcript"])
        mark_progress(self.log, self.review)
        k = event_key(last)
        where = next((i for i, s in enumerate(self.items) if suggestion_key(s) == k), None)
        if where is not None:
            self.index = where
        self.message = f"Undid {last['action']} of {last['theme']} on turn {last['turn']}."
