"""Coder decisions as plain files in the project: one append-only JSONL log per coder.

Interface used by other commands (summarize, train, export, agree):
    decisions_dir(project) -> Path
    load_codings(project, coder=None) -> list[Coding]   # effective human codings
    fully_reviewed(project, coder) -> set[str]          # transcript ids the coder finished

Each line of `<project>/decisions/<coder>.jsonl` is one event, written once and never changed:

    {"seq": 7, "action": "accept", "coder": "ana", "time": "2026-11-25T20:41:03Z",
     "transcript": "d01-session", "turn": 12, "theme": "bond_trust", "start": 812, "end": 829,
     "rule": "bond_trust:keyword:feel safe"}

Actions: `accept`, `reject`, `recode` (with `to`: the new theme), `add` (a hand coding; `start`/`end`
may be null for the whole turn), `memo` (with `memo`), `undo` (with `undoes`: the `seq` it cancels),
and `complete` (every suggestion of a transcript decided; with `suggestions`: how many) and `reopen`.
A decision is about one coding, identified by `key()`: transcript, turn, theme, start, end.
The latest decision on a key wins, so re-importing a spreadsheet changes only what changed.
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable

from qualcode.codings import Coding
from qualcode.errors import WARNING, Diagnostic, QualcodeError, Report

DECISIONS_DIR = "decisions"
LOG_SUFFIX = ".jsonl"

DECIDING = ("accept", "reject", "recode")  # decisions on a suggestion
ACTIONS = DECIDING + ("add", "memo", "undo", "complete", "reopen")
CODER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")

Key = tuple  # (transcript, turn, theme, start, end)


class DecisionsError(QualcodeError):
    """Coder decisions cannot be read or written."""


def decisions_dir(project: str | Path) -> Path:
    return Path(project) / DECISIONS_DIR


def log_path(project: str | Path, coder: str) -> Path:
    check_coder(coder)
    return decisions_dir(project) / f"{coder}{LOG_SUFFIX}"


def check_coder(coder: str) -> str:
    if not CODER_NAME.match(coder or ""):
        raise DecisionsError(Diagnostic(
            "QC320", f"coder name {coder!r} cannot name a decision file", None,
            hint="use letters, digits, '.', '_' or '-' (for example --coder ana or --coder coder-2)"))
    return coder


def key(transcript: str, turn: int, theme: str, start: int | None, end: int | None) -> Key:
    return (transcript, int(turn), theme, start, end)


def event_key(event: dict) -> Key:
    return key(event["transcript"], event["turn"], event["theme"], event.get("start"), event.get("end"))


def utc_now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


# --------------------------------------------------------------------------------------------- reading

def read_log(path: str | Path, report: Report | None = None) -> list[dict]:
    """The events of one coder's log. Lines that cannot be read are reported as warnings and skipped."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise DecisionsError(Diagnostic("QC001", f"cannot read decision log: {exc.strerror}", str(path))) from None
    lines = data.split(b"\n")
    complete_end = data.endswith(b"\n") or not data
    events: list[dict] = []
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        last = number == len(lines) and not complete_end
        event = _parse_event(raw)
        if event is None:
            if report is not None:
                if last:
                    report.add(Diagnostic(
                        "QC310", "last line is incomplete (a decision interrupted by a crash?); it is ignored",
                        str(path), number, None, severity=WARNING,
                        hint="every decision before it was read; redo the last decision if it is missing"))
                else:
                    report.add(Diagnostic(
                        "QC311", "line is not a valid decision; it is ignored", str(path), number, None,
                        severity=WARNING,
                        hint="a decision cut off by a crash, or an edit by hand; delete the line to silence this"))
            continue
        events.append(event)
    return events


def _parse_event(raw: bytes) -> dict | None:
    try:
        event = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(event, dict) or event.get("action") not in ACTIONS or not isinstance(event.get("seq"), int):
        return None
    if event["action"] == "undo":
        return event if isinstance(event.get("undoes"), int) else None
    if not isinstance(event.get("transcript"), str):
        return None
    if event["action"] in ("complete", "reopen"):
        return event
    if not isinstance(event.get("turn"), int) or not isinstance(event.get("theme"), str):
        return None
    for name in ("start", "end"):
        if event.get(name) is not None and not isinstance(event[name], int):
            return None
    if event["action"] == "recode" and not isinstance(event.get("to"), str):
        return None
    return event


def coders(project: str | Path) -> list[str]:
    """Names of the coders with a decision log in the project, sorted."""
    folder = decisions_dir(project)
    if not folder.is_dir():
        return []
    return sorted(p.name[: -len(LOG_SUFFIX)] for p in folder.glob(f"*{LOG_SUFFIX}")
                  if CODER_NAME.match(p.name[: -len(LOG_SUFFIX)]))


@dataclass
class Entry:
    """What is in force for one key: the decision (or hand coding), its event and any memo."""

    action: str  # accept | reject | recode | add
    event: dict
    memo: str = ""
    memo_event: dict | None = None

    @property
    def theme(self) -> str:
        return self.event["to"] if self.action == "recode" else self.event["theme"]


@dataclass
class CoderState:
    """One coder's decisions replayed: what is in force, per key, in order of the log."""

    coder: str
    events: list[dict] = field(default_factory=list)
    entries: dict[Key, Entry] = field(default_factory=dict)
    memos: dict[Key, tuple[str, dict]] = field(default_factory=dict)  # memos on keys not (yet) decided
    done: dict[str, bool] = field(default_factory=dict)
    touched: set[str] = field(default_factory=set)  # transcripts with any event
    undone: set[int] = field(default_factory=set)

    @property
    def next_seq(self) -> int:
        return max((e["seq"] for e in self.events), default=0) + 1

    def effective(self, transcript: str | None = None) -> list[dict]:
        """Decision events still in force (not undone, not superseded), oldest first: what undo can take back."""
        live = []
        for e in self.events:
            if e["seq"] in self.undone or e["action"] in ("undo", "complete", "reopen"):
                continue
            if transcript is not None and e.get("transcript") != transcript:
                continue
            live.append(e)
        return live

    def rejected(self) -> list[Coding]:
        """Suggestions the coder rejected (negatives when a model learns from the coder)."""
        return [Coding(k[0], k[1], entry.theme, self.coder, k[3], k[4], entry.memo, "human")
                for k, entry in self.entries.items() if entry.action == "reject"]

    def codings(self) -> list[Coding]:
        out = []
        for k, entry in self.entries.items():
            if entry.action == "reject":
                continue
            t, turn, _theme, start, end = k
            out.append(Coding(t, turn, entry.theme, self.coder, start, end, entry.memo, "human"))
        return out


def replay(coder: str, events: Iterable[dict]) -> CoderState:
    """Apply a coder's events in order; an `undo` cancels the event it names (and nothing else)."""
    state = CoderState(coder, list(events))
    state.undone = {e["undoes"] for e in state.events if e["action"] == "undo"}
    for e in state.events:
        if e["action"] == "undo":
            target = next((x for x in state.events if x["seq"] == e["undoes"]), None)
            if target is not None and target.get("transcript"):
                state.done[target["transcript"]] = False
            continue
        if e["seq"] in state.undone:
            continue
        t = e["transcript"]
        state.touched.add(t)
        action = e["action"]
        if action == "complete":
            state.done[t] = True
            continue
        if action == "reopen":
            state.done[t] = False
            continue
        k = event_key(e)
        if action == "memo":
            memo = e.get("memo") or ""
            if k in state.entries:
                state.entries[k].memo, state.entries[k].memo_event = memo, e
            else:
                state.memos[k] = (memo, e)
            continue
        entry = Entry(action, e)
        previous = state.entries.get(k)
        if previous is not None and previous.memo:
            entry.memo, entry.memo_event = previous.memo, previous.memo_event
        elif k in state.memos:
            entry.memo, entry.memo_event = state.memos.pop(k)
        if e.get("memo"):
            entry.memo, entry.memo_event = e["memo"], e
        state.entries[k] = entry
    return state


def load_state(project: str | Path, coder: str, *, report: Report | None = None) -> CoderState:
    return replay(coder, read_log(log_path(project, coder), report))


def load_codings(project: str | Path, coder: str | None = None, *, report: Report | None = None) -> list[Coding]:
    """The codings in force for one coder (or all coders): accepted, recoded and hand-added.

    Unreadable log lines go to `report` as warnings when one is given.
    """
    names = [coder] if coder else coders(project)
    out: list[Coding] = []
    for name in names:
        out.extend(load_state(project, name, report=report).codings())
    return sorted(out, key=lambda c: (c.coder, c.transcript, c.turn, c.theme, c.start or -1, c.end or -1))


def coder_codings(project: str | Path, coder: str, *, report: Report | None = None) -> list[Coding]:
    """`load_codings` of one coder who must have a decision log (QC351 otherwise)."""
    if not log_path(project, coder).is_file():
        logged = coders(project)
        raise DecisionsError(Diagnostic("QC351", f"no codings for coder '{coder}'", str(decisions_dir(project)),
                                        hint=f"coders with a log here: {', '.join(logged) or 'none'}; "
                                             "or give --codings FILE"))
    return load_codings(project, coder, report=report)


def load_rejected(project: str | Path, coder: str, *, report: Report | None = None) -> list[Coding]:
    """The suggestions one coder rejected (still rejected: not undone or decided otherwise since)."""
    return load_state(project, coder, report=report).rejected()


def fully_reviewed(project: str | Path, coder: str, *, report: Report | None = None) -> set[str]:
    """Ids of transcripts whose suggestions the coder has all decided."""
    return {t for t, done in load_state(project, coder, report=report).done.items() if done}


def covered(project: str | Path, coder: str, *, report: Report | None = None) -> set[str]:
    """Ids of transcripts the coder made any decision in (a reject counts: the coder looked)."""
    return set(load_state(project, coder, report=report).touched)


# --------------------------------------------------------------------------------------------- writing

class DecisionLog:
    """Appends events to one coder's log; each line is flushed and fsynced before `append` returns."""

    def __init__(self, project: str | Path, coder: str, *, clock: Callable[[], str] = utc_now,
                 report: Report | None = None):
        self.coder = check_coder(coder)
        self.path = log_path(project, coder)
        self.clock = clock
        self.state = replay(coder, read_log(self.path, report))
        self._handle = None
        # the log's size as we last knew it, to notice another session of the same coder writing
        self._size = self.path.stat().st_size if self.path.exists() else 0

    def _open(self):
        if self._handle is None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                new = not self.path.exists()
                self._handle = open(self.path, "ab")
                if not new and self.path.stat().st_size:
                    with open(self.path, "rb") as check:
                        check.seek(-1, os.SEEK_END)
                        cut = check.read(1) != b"\n"
                    if cut:  # a line cut off by a crash: end it, never glue a decision onto it
                        unchanged = self.path.stat().st_size == self._size
                        self._handle.write(b"\n")
                        self._handle.flush()
                        if unchanged:
                            self._size += 1
                if new:
                    _fsync_dir(self.path.parent)
            except OSError as exc:
                raise DecisionsError(Diagnostic("QC321", f"cannot write decision log: {exc.strerror}",
                                                str(self.path), hint="check the folder is writable")) from None
        return self._handle

    def append(self, action: str, **fields) -> dict:
        """Write one event (with seq, coder and time filled in) durably, and apply it to `state`."""
        assert action in ACTIONS, action
        handle = self._open()
        size = os.fstat(handle.fileno()).st_size
        if size != self._size:  # another session of this coder wrote meanwhile: number after its events
            self.state = replay(self.coder, read_log(self.path))
            self._size = size
        event = {"seq": self.state.next_seq, "action": action, "coder": self.coder, "time": self.clock()}
        event.update(fields)
        line = json.dumps(event, ensure_ascii=False, separators=(", ", ": ")) + "\n"
        try:
            handle.write(line.encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
            self._size = os.fstat(handle.fileno()).st_size
        except OSError as exc:
            raise DecisionsError(Diagnostic("QC321", f"cannot write decision log: {exc.strerror}", str(self.path),
                                            hint="check free disk space; earlier decisions are intact")) from None
        self.state = replay(self.coder, self.state.events + [event])
        return event

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def __enter__(self) -> "DecisionLog":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _fsync_dir(folder: Path) -> None:
    from qualcode.output.write import fsync_dir

    fsync_dir(folder)


def suggestion_fields(s) -> dict:
    """The identifying fields of a suggestion, as stored in an event."""
    return {"transcript": s.transcript, "turn": s.turn, "theme": s.theme, "start": s.start, "end": s.end,
            "rule": s.rule}


def suggestion_key(s) -> Key:
    return key(s.transcript, s.turn, s.theme, s.start, s.end)


def import_codings(project: str | Path, codings: Iterable[Coding], *, clock: Callable[[], str] = utc_now,
                   report: Report | None = None) -> dict[str, int]:
    """Record codings made elsewhere as hand codings (`add`) in each coder's log; returns new events per coder.

    Codings already in force for that coder (same key and theme) are not recorded again. Each transcript
    of the file is marked complete for its coder: codings made elsewhere are taken as the whole coding.
    """
    by_coder: dict[str, list[Coding]] = {}
    for c in codings:
        by_coder.setdefault(c.coder, []).append(c)
    bad = sorted(name for name in by_coder if not CODER_NAME.match(name))
    if bad:
        raise DecisionsError([Diagnostic("QC320", f"coder name {name!r} cannot name a decision file", None,
                                         hint="rename the coder in the 'coder' column (letters, digits, . _ -)")
                              for name in bad])
    added: dict[str, int] = {}
    for name in sorted(by_coder):
        with DecisionLog(project, name, clock=clock, report=report) as log:
            count = 0
            for c in by_coder[name]:
                k = key(c.transcript, c.turn, c.theme, c.start, c.end)
                entry = log.state.entries.get(k)
                if entry is not None and entry.action != "reject" and entry.theme == c.theme:
                    if c.memo and entry.memo != c.memo:
                        log.append("memo", transcript=c.transcript, turn=c.turn, theme=c.theme, start=c.start,
                                   end=c.end, memo=c.memo)
                        count += 1
                    continue
                fields = {"transcript": c.transcript, "turn": c.turn, "theme": c.theme, "start": c.start,
                          "end": c.end, "rule": "import"}
                if c.memo:
                    fields["memo"] = c.memo
                log.append("add", **fields)
                count += 1
            for t in sorted({c.transcript for c in by_coder[name]}):
                if not log.state.done.get(t):  # coded elsewhere: the coder's codings of t are taken as complete
                    log.append("complete", transcript=t, suggestions=0)
            added[name] = count
    return added
