"""Code a whole study: find the transcripts, code them in worker processes, keep results by content hash.

`code_corpus(paths, codebook=...)` returns a `Corpus` whose tables (`segments`, `matrix`,
`cooccurrence`, `frequencies`) come as pandas DataFrames; `run_batch(paths, out=DIR, ...)`
does the same under a lock on DIR, with a cache in `DIR/.qualcode-cache/`, and writes
the tables there. Each worker compiles the codebook once and sends back small records
(turn facts and suggestions, never spaCy Docs). A file that cannot be read or coded is
reported as a `Failure` and the others go on.
"""
from __future__ import annotations

import gc
import hashlib
import json
import math
import os
import pickle
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields, replace
from functools import cached_property
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator, Sequence

import orjson

from qualcode import __version__
from qualcode.errors import Diagnostic, OutputError, QualcodeError
from qualcode.export.tables import DEFAULT_WINDOW, TABLE_NAMES, Table, build_table
from qualcode.output.write import atomic_write_bytes
from qualcode.models import Codebook, Suggestion, Transcript, fast_constructor, new_suggestion
from qualcode.workers import (CACHE_DIR, has_entries as _has_entries, start_worker_server as _start_workers_early,
                              worker_context as _worker_context, worker_count as _worker_count)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from qualcode.coding import CodingResult

#: Inside an output folder (beside the cache, `CACHE_DIR`): the lock file.
LOCK_NAME = ".qualcode.lock"
#: Bump when the cache entry layout changes: old entries are then simply not found.
CACHE_FORMAT = 3
#: While a pool's workers start, the main process reads transcripts for them (`_read_ahead`): at most
#: this many bytes of them, pickled (about 1.2-3 times the files' bytes), so that memory stays flat
#: however large the study. (Of the benchmark's 1 M-word study, 5.6 MB of files, it read 2.6-5.6 MB
#: of them before the fork server was ready.)
READ_AHEAD_BYTES = 16_000_000
#: Test hook: seconds each file sleeps before it is coded (lets a test kill a run part-way).
SLEEP_ENV = "QUALCODE_TEST_SLEEP_PER_FILE"
#: The coded records only grow during a run and hold no reference cycles, yet every full collection
#: of the garbage collector would scan them all again (about 5 s of a 4 M-word run): after this many
#: records, what exists is moved to the collector's permanent generation (`gc.freeze`) until the end.
FREEZE_EVERY = 16


#: Fields of a Suggestion, in order: a cache entry stores each suggestion as a list of them.
_SUGGESTION_FIELDS = tuple(f.name for f in fields(Suggestion))
_SUGGESTION_VALUES = attrgetter(*_SUGGESTION_FIELDS)  # a Suggestion -> its values, as a tuple
_SCORE = attrgetter("score")


@dataclass(frozen=True, slots=True)
class TurnInfo:
    """What the tables need of a turn (its text stays in the transcript file)."""

    number: int
    speaker: str
    role: str
    words: int
    line: int


_TURN_VALUES = attrgetter(*(f.name for f in fields(TurnInfo)))
_new_turn_info = fast_constructor(TurnInfo)


@dataclass(frozen=True)
class CodedTranscript:
    """One coded transcript, small enough to send between processes and to cache as JSON."""

    id: str
    path: str
    meta: dict[str, Any]
    turns: tuple[TurnInfo, ...]
    suggestions: tuple[Suggestion, ...]
    #: warnings from reading the transcript (unknown speakers, unplaced lines)
    diagnostics: tuple[Diagnostic, ...] = ()

    @classmethod
    def from_result(cls, result: "CodingResult") -> "CodedTranscript":
        t = result.transcript
        return cls(id=t.id, path=t.path, meta=json.loads(json.dumps(t.meta, default=str)),
                   turns=tuple(_new_turn_info(u.number, u.speaker, u.role, u.words, u.line) for u in t.turns),
                   suggestions=result.suggestions, diagnostics=t.diagnostics)

    @cached_property
    def facts(self) -> Transcript:
        """A text-less `Transcript` with the same metadata, for its dyad, group, setting, kind and role."""
        return Transcript(id=self.id, path=self.path, text="", turns=(), meta=self.meta)

    @property
    def dyad(self) -> str | None:
        return self.facts.dyad

    @property
    def group(self) -> str | None:
        return self.facts.group

    @property
    def setting(self) -> str | None:
        return self.facts.setting

    @property
    def kind(self) -> str:
        return self.facts.kind

    @property
    def role(self) -> str | None:
        """Whose perspective an interview gives (front matter `role`)."""
        return self.facts.role

    @property
    def words(self) -> int:
        return sum(t.words for t in self.turns)

    def __reduce__(self):
        """Pickled as plain tuples (what a worker sends back): about 3x faster to load than field by field."""
        return (CodedTranscript.from_values, (self.id, self.path, self.meta, [_TURN_VALUES(t) for t in self.turns],
                                              [_SUGGESTION_VALUES(s) for s in self.suggestions], self.diagnostics))

    def to_json(self) -> dict:
        return {"id": self.id, "meta": self.meta,
                "turns": [_TURN_VALUES(t) for t in self.turns],
                "suggestions": [_SUGGESTION_VALUES(s) for s in self.suggestions],
                "diagnostics": [{k: v for k, v in asdict(d).items() if k != "path"} for d in self.diagnostics]}

    @classmethod
    def from_json(cls, data: dict, path: str) -> "CodedTranscript":
        return cls.from_values(str(data["id"]), path, dict(data["meta"]), data["turns"], data["suggestions"],
                               tuple(Diagnostic(path=path, **d) for d in data["diagnostics"]))

    @classmethod
    def from_values(cls, id: str, path: str, meta: dict, turns, suggestions, diagnostics) -> "CodedTranscript":
        """A record from its turns and suggestions as sequences of field values (a cache entry, a pickle)."""
        return cls(id, path, meta, tuple(_new_turn_info(*t) for t in turns),
                   tuple(new_suggestion(*s) for s in suggestions),
                   tuple(diagnostics))


@dataclass(frozen=True)
class CodedEntry:
    """What a batch run keeps of a coded transcript: its codings are in the cache, its rows in the tables.
    `pieces` (its part of the tables, from the worker) is dropped once they are spooled."""

    id: str
    path: str
    key: str
    words: int
    #: coded segments, negated hits not counted
    segments: int
    diagnostics: tuple[Diagnostic, ...]
    pieces: Any = field(default=None, repr=False, compare=False)

    @classmethod
    def of(cls, record: CodedTranscript, key: str, maker) -> "CodedEntry":
        return cls(record.id, record.path, key, record.words, sum(1 for s in record.suggestions if not s.negated),
                   record.diagnostics, maker.pieces(record))


@dataclass(frozen=True)
class Failure:
    """An input that was not coded, and why."""

    path: str
    diagnostics: tuple[Diagnostic, ...]


@dataclass(frozen=True)
class Progress:
    """Where a run stands, after each coded (or failed) file; cached files are not counted."""

    files_done: int
    files_total: int
    words_done: int
    bytes_done: int
    bytes_total: int
    path: str


@dataclass(frozen=True)
class Corpus:
    """Coded transcripts (sorted by id) and the inputs that failed (in input order)."""

    codebook: Codebook
    documents: tuple[CodedTranscript, ...]
    failures: tuple[Failure, ...] = ()
    #: transcripts coded in this run, and taken unchanged from the cache
    coded: int = 0
    cached: int = 0
    cache_keys: frozenset[str] = field(default_factory=frozenset, repr=False)

    @property
    def warnings(self) -> list[Diagnostic]:
        """Reading warnings of the coded transcripts, by file."""
        return [d for doc in sorted(self.documents, key=lambda d: d.path) for d in doc.diagnostics]

    @property
    def words(self) -> int:
        return sum(d.words for d in self.documents)

    @property
    def segments_counted(self) -> int:
        return sum(1 for d in self.documents for s in d.suggestions if not s.negated)

    def table(self, name: str, *, window: int = DEFAULT_WINDOW) -> Table:
        """One of `segments`, `matrix`, `cooccurrence`, `frequencies` as plain rows."""
        return build_table(name, self.documents, self.codebook, window=window)

    def frame(self, name: str, *, window: int = DEFAULT_WINDOW) -> "pd.DataFrame":
        from qualcode.export.frames import to_frame

        return to_frame(self.table(name, window=window))

    def segments(self) -> "pd.DataFrame":
        """One row per coded segment (negated hits included, marked `negated`)."""
        return self.frame("segments")

    def matrix(self, *, wide: str | None = None) -> "pd.DataFrame":
        """Theme × transcript counts and presence, one row per pair. `wide="segments"` (or "turns",
        "present") pivots it: one row per theme (codebook order), one column per transcript."""
        frame = self.frame("matrix")
        if wide is None:
            return frame
        order = list(dict.fromkeys(frame["theme"]))
        table = frame.pivot(index="theme", columns="transcript", values=wide)
        return table.reindex(order)

    def cooccurrence(self, *, window: int = DEFAULT_WINDOW) -> "pd.DataFrame":
        """Theme pairs coded in the same turn, and at most `window` turns apart."""
        return self.frame("cooccurrence", window=window)

    def frequencies(self) -> "pd.DataFrame":
        """Theme × speaker role: turns coded, share of the role's turns, segments per 1,000 words."""
        return self.frame("frequencies")


@dataclass(frozen=True)
class BatchResult:
    """What `run_batch` did: the transcripts coded (sorted by id), the inputs that failed, the files written.

    The codings themselves are in the tables and the folder's cache, not in memory: `corpus()`
    reads them back from the cache."""

    codebook: Codebook
    out: Path
    transcripts: tuple[CodedEntry, ...]
    failures: tuple[Failure, ...] = ()
    coded: int = 0
    cached: int = 0
    written: tuple[Path, ...] = ()

    @property
    def warnings(self) -> list[Diagnostic]:
        """Reading warnings of the coded transcripts, by file."""
        return [d for entry in sorted(self.transcripts, key=lambda e: e.path) for d in entry.diagnostics]

    @property
    def words(self) -> int:
        return sum(e.words for e in self.transcripts)

    @property
    def segments_counted(self) -> int:
        return sum(e.segments for e in self.transcripts)

    def corpus(self) -> Corpus:
        """The coded transcripts as a `Corpus` (its DataFrames), read back from the output folder's cache."""
        folder = self.out / CACHE_DIR
        return Corpus(codebook=self.codebook, documents=tuple(_load_entry(folder, e) for e in self.transcripts),
                      failures=self.failures, coded=self.coded, cached=self.cached,
                      cache_keys=frozenset(e.key for e in self.transcripts))


# ---------------------------------------------------------------------------------------------
# Finding transcripts


def find_transcripts(paths: Sequence[str | Path], *,
                     exclude: Sequence[str | Path] = ()) -> tuple[list[Path], list[Failure]]:
    """`qualcode.transcripts.find.find_transcripts`, with each problem as a failed file."""
    from qualcode.transcripts.find import find_transcripts as find

    found, problems = find(paths, exclude=exclude)
    return found, [Failure(d.path or "", (d,)) for d in problems]


# ---------------------------------------------------------------------------------------------
# Cache


def _version_of(package: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return ""


def run_fingerprint(codebook: Codebook, *, pipeline: str | None, input_format: str | None) -> bytes:
    """What every cache key of a run shares: versions, the codebook's content, pipeline, input format."""
    parts = [f"qualcode-cache {CACHE_FORMAT}", __version__, _version_of("spacy"), _version_of("spacy-lookups-data"),
             pipeline or "", _version_of(pipeline) if pipeline else "", input_format or "",
             hashlib.sha256(repr(replace(codebook, path="")).encode("utf-8")).hexdigest()]
    return "\0".join(parts).encode("utf-8")


def cache_key(data: bytes, name: str, fingerprint: bytes) -> str:
    """sha256 of the run fingerprint, the file name (it gives the default id) and the transcript's bytes."""
    digest = hashlib.sha256(fingerprint)
    digest.update(b"\0" + name.encode("utf-8") + b"\0")
    digest.update(hashlib.sha256(data).digest())
    return digest.hexdigest()


def load_cached(folder: Path, key: str, path: str) -> CodedTranscript | None:
    """The cached record, or None when there is none or it cannot be used."""
    try:
        data = (folder / f"{key}.json").read_bytes()
        try:
            entry = orjson.loads(data)
        except orjson.JSONDecodeError:  # an entry the json module wrote (see `store_cached`)
            entry = json.loads(data)
        if entry.get("format") != CACHE_FORMAT or entry.get("key") != key:
            return None
        record = entry["record"]
        if not isinstance(record["meta"], str):
            return None
        return CodedTranscript.from_json({**record, "meta": json.loads(record["meta"])}, path)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def store_cached(folder: Path, key: str, record: CodedTranscript) -> None:
    """Write one entry atomically: JSON, by orjson (a sixth of the json module's time). The front matter
    (`meta`) is held as a string of JSON by the json module, which keeps any value YAML gives exactly
    (orjson writes NaN and infinity as null, and refuses integers beyond 64 bits); an entry with a
    score orjson would not keep as it is (not finite) is written by the json module whole. Unlike the
    tables it is not fsynced: an entry lost or emptied by a power cut fails to load and the transcript
    is simply coded again."""
    values = record.to_json()
    values["meta"] = json.dumps(values["meta"], ensure_ascii=False, sort_keys=True)
    entry = {"format": CACHE_FORMAT, "key": key, "file": Path(record.path).name, "record": values}
    data = None
    if all(map(math.isfinite, map(_SCORE, record.suggestions))):
        try:
            data = orjson.dumps(entry, option=orjson.OPT_SORT_KEYS)
        except orjson.JSONEncodeError:  # what orjson refuses (a lone surrogate) the json module reports
            pass
    if data is None:
        data = json.dumps(entry, ensure_ascii=False, sort_keys=True).encode("utf-8")
    atomic_write_bytes(folder / f"{key}.json", data, durable=False)


def prune_cache(folder: Path, keep: frozenset[str]) -> None:
    """Drop entries the last run did not use (changed or removed transcripts, an edited codebook)."""
    if not folder.is_dir():
        return
    for entry in folder.glob("*.json"):
        if entry.stem not in keep:
            try:
                entry.unlink()
            except OSError:
                pass


# ---------------------------------------------------------------------------------------------
# Coding, in this process or in workers

_WORKER: dict[str, Any] = {}


def _code_one(path: str, compiled, input_format: str | None, cache: Path | None = None,
              key: str = "", maker=None, transcript: Transcript | None = None) -> tuple[str, Any]:
    """("ok", record), ("error", diagnostics) for this file, or ("fatal", diagnostics) for the whole run.
    With `cache`, the record is stored there under `key` (by the worker, so the parent need not).
    With `maker` (a `TableMaker`), the record is a `CodedEntry` carrying its part of the tables.
    `transcript`: the file, read already (`_read_ahead`)."""
    from qualcode.coding import code_transcript
    from qualcode.errors import CodebookError, PipelineError

    delay = os.environ.get(SLEEP_ENV)
    if delay:
        time.sleep(float(delay))
    try:
        result = code_transcript(path, codebook=compiled.codebook, input_format=input_format, compiled=compiled,
                                 transcript=transcript)
        record = CodedTranscript.from_result(result)
        coded = record if maker is None else CodedEntry.of(record, key, maker)
    except (CodebookError, PipelineError) as exc:
        return "fatal", tuple(exc.diagnostics)
    except QualcodeError as exc:
        return "error", tuple(exc.diagnostics)
    except Exception as exc:  # a bug: report it for this file, code the others
        return "error", _internal_error(path, exc)
    if cache is not None:
        try:
            store_cached(cache, key, record)
        except OutputError as exc:  # a full disk or a folder not writable: the run stops, old tables stay
            return "fatal", tuple(exc.diagnostics)
    return "ok", coded


def _internal_error(path: str, exc: Exception) -> tuple[Diagnostic, ...]:
    return (Diagnostic("QC504", f"internal error while coding this file ({type(exc).__name__})", path,
                       hint="this is a bug, please report it; the other transcripts were coded"),)


def _read_ahead(path: str, codebook: Codebook, input_format: str | None) -> tuple[str, Any]:
    """("ok", pickled transcript) or ("error", diagnostics): a file read in the main process for a
    worker (its words counted and the whole pickled here, while the main process has time), reported
    as `_code_one` reports a file it cannot read."""
    from qualcode.coding import read_for_coding

    try:
        transcript = read_for_coding(path, codebook, input_format)
        transcript.words  # each turn's count is kept with it (`Turn.words`), and sent with it
        return "ok", pickle.dumps(transcript, protocol=pickle.HIGHEST_PROTOCOL)
    except QualcodeError as exc:
        return "error", tuple(exc.diagnostics)
    except Exception as exc:
        return "error", _internal_error(path, exc)


def _init_worker(codebook: Codebook, pipeline: str | None, maker) -> None:
    """Build the pipeline and matchers once per worker process."""
    import signal

    from qualcode.engine.match import compile_codebook

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is handled by the main process
    _WORKER["maker"] = maker
    try:
        _WORKER["compiled"] = compile_codebook(codebook, pipeline=pipeline)
    except QualcodeError as exc:
        _WORKER["fatal"] = tuple(exc.diagnostics)
    # What exists now lives as long as the worker: the collector need not look at it again
    # (2 % of a worker's instructions).
    gc.freeze()


def _work(path: str, input_format: str | None, cache: Path | None, key: str,
          transcript: bytes | None = None) -> tuple[str, Any]:
    """Code one file in a worker; `transcript`: the file as `_read_ahead` read it."""
    if "fatal" in _WORKER:
        return "fatal", _WORKER["fatal"]
    if transcript is not None:
        transcript = pickle.loads(transcript)
    return _code_one(path, _WORKER["compiled"], input_format, cache, key, _WORKER["maker"], transcript)


@dataclass(frozen=True)
class _Task:
    index: int
    path: Path
    size: int
    key: str


def _file_size(path: Path) -> int:
    """Bytes of a file, 0 for one that cannot be read (it is reported when it is read)."""
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _code_here(tasks: list[_Task], codebook: Codebook, pipeline, input_format, cache, maker, on_done) -> None:
    from qualcode.engine.match import compile_codebook

    compiled = compile_codebook(codebook, pipeline=pipeline) if tasks else None
    for task in tasks:
        on_done(task, _code_one(str(task.path), compiled, input_format, cache, task.key, maker))


def _code_in_pool(tasks: list[_Task], codebook: Codebook, pipeline, input_format, cache, maker, workers: int,
                  on_done) -> None:
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool

    context = _worker_context()
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_init_worker,
                               initargs=(codebook, pipeline, maker))
    try:
        # largest files first, so no worker is left alone with a long one at the end
        ordered = sorted(tasks, key=lambda t: (-t.size, t.index))
        futures: dict = {}

        def submit(task: _Task, transcript: bytes | None = None) -> None:
            futures[pool.submit(_work, str(task.path), input_format, cache, task.key, transcript)] = task

        # The first submits start the workers, which waits for their fork server to be ready (it may
        # still be importing spaCy): meanwhile this thread reads the next files for them.
        first, rest = ordered[:workers], ordered[workers:]
        starting = _Starting(submit, first)
        read: dict[int, tuple[str, Any]] = {}
        budget = READ_AHEAD_BYTES
        for task in rest:
            if starting.done.is_set() or budget <= 0:
                break
            read[task.index] = status, value = _read_ahead(str(task.path), codebook, input_format)
            budget -= len(value) if status == "ok" else task.size
        try:
            starting.finish()
            for task in rest:
                status, value = read.pop(task.index, ("ok", None))
                if status == "ok":
                    submit(task, value)
                else:
                    on_done(task, (status, value))
        except BrokenProcessPool:  # a worker died before any file came back: as below
            raise _workers_could_not_start() from None
        started = False
        for future in as_completed(futures):
            task = futures[future]
            try:
                outcome = future.result()
                started = True
            except BrokenProcessPool:
                if not started:
                    raise _workers_could_not_start() from None
                outcome = "error", (Diagnostic("QC504", "the worker process coding this file stopped unexpectedly",
                                               str(task.path), hint="run again (perhaps with --jobs 1); "
                                               "if it happens again, the machine may be short of memory"),)
            on_done(task, outcome)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _workers_could_not_start() -> QualcodeError:
    return QualcodeError(Diagnostic(
        "QC508", "the worker processes could not start", None,
        hint="from a Python script, call code_corpus() under 'if __name__ == \"__main__\":' "
             "(as for any multiprocessing code), or pass jobs=1"))


class _Starting:
    """The first tasks of a pool, submitted from a thread of their own: starting the workers waits for
    their fork server, and the caller has other work meanwhile."""

    def __init__(self, submit: Callable[[_Task], None], tasks: list[_Task]):
        import threading

        self.done = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(submit, tasks), name="qualcode-start", daemon=True)
        self._thread.start()

    def _run(self, submit, tasks) -> None:
        try:
            for task in tasks:
                submit(task)
        except BaseException as exc:  # raised again by `finish`, in the caller's thread
            self._error = exc
        finally:
            self.done.set()

    def finish(self) -> None:
        """Wait for the first tasks to be submitted; raise what stopped that, if anything did."""
        self._thread.join()
        if self._error is not None:
            raise self._error


@dataclass
class _Run:
    """What `_code_all` found: kept records by input index, failures by index, duplicates dropped."""

    records: dict[int, Any]
    failed: dict[int, Failure]
    failures: list[Failure]  # found before any file was read (a pattern matching nothing, a missing path)
    fresh: set[int]  # coded in this run, not taken from the cache
    keys: set[str]
    dropped: dict[int, Any]

    @property
    def all_failures(self) -> tuple[Failure, ...]:
        return tuple(self.failures) + tuple(self.failed[i] for i in sorted(self.failed))

    @property
    def coded(self) -> int:
        return len(self.fresh & self.records.keys())

    @property
    def cached(self) -> int:
        return len(self.records.keys() - self.fresh)


@dataclass(frozen=True)
class _Inputs:
    """The transcripts found for a run, and whether the workers' fork server was asked to start for them."""

    files: list[Path]
    failures: list[Failure]
    server_asked: bool


def _find_inputs(paths, *, exclude, jobs: int | None, cache_dir: Path | None, force: bool) -> _Inputs:
    """Find the transcripts. When every one of them is to be coded (`force`, or a cache with no entries
    yet), start the workers' fork server at once, so that its spaCy import overlaps loading the codebook
    and hashing the files; otherwise it starts at the first file not found in the cache. A problem found
    after this (a codebook with errors, an output folder another run holds) leaves a server with nothing
    to do: the command line ends it (`end_workers`), a script's ends with the script."""
    files, failures = find_transcripts(paths, exclude=exclude)
    asked = bool(files) and (force or not _has_entries(cache_dir))
    if asked:
        _start_workers_early(_worker_count(jobs, len(files), sum(_file_size(p) for p in files)))
    return _Inputs(files, failures, asked)


def _code_all(inputs: _Inputs, *, book: Codebook, jobs: int | None, cache_dir: Path | None, force: bool,
              input_format: str | None, pipeline: str | None, progress, maker=None,
              keep: Callable[[int, Any], Any] = lambda index, record: record) -> _Run:
    """Read, look up in the cache, code the rest; `keep(index, record)` gives what is kept of each record
    (with `maker`, records are `CodedEntry`s). A transcript whose id an earlier input has is dropped."""
    files, failures = inputs.files, list(inputs.failures)
    fingerprint = run_fingerprint(book, pipeline=pipeline, input_format=input_format)
    records: dict[int, Any] = {}
    failed: dict[int, Failure] = {}
    keys: set[str] = set()
    tasks: list[_Task] = []
    freeze = gc.get_freeze_count() == 0  # a caller that froze objects itself keeps them frozen
    for index, path in enumerate(files):
        try:
            data = path.read_bytes()
        except OSError as exc:
            failed[index] = Failure(str(path), (Diagnostic("QC001", f"cannot read transcript: {exc.strerror}",
                                                           str(path), hint="check the file's permissions"),))
            continue
        key = cache_key(data, path.name, fingerprint)
        hit = None if force or cache_dir is None else load_cached(cache_dir, key, str(path))
        if hit is not None:
            if maker is not None:
                hit = CodedEntry.of(hit, key, maker)
            records[index] = keep(index, hit)
            keys.add(key)
        else:
            tasks.append(_Task(index, path, len(data), key))
            if len(tasks) == 1 and not inputs.server_asked:
                # the first file to code: at most this one and all after it are to code
                rest = len(data) + sum(_file_size(p) for p in files[index + 1:])
                _start_workers_early(_worker_count(jobs, len(files) - index, rest))
    fresh: set[int] = set()
    state = {"files": 0, "words": 0, "bytes": 0}
    total_bytes = sum(t.size for t in tasks)

    def on_done(task: _Task, outcome: tuple[str, Any]) -> None:
        status, value = outcome
        if status == "fatal":
            raise QualcodeError(list(value))
        if status == "ok":
            records[task.index] = keep(task.index, value)
            fresh.add(task.index)
            if freeze and len(fresh) % FREEZE_EVERY == 0:
                gc.freeze()
            state["words"] += value.words
            if cache_dir is not None:  # stored by the worker
                keys.add(task.key)
        else:
            failed[task.index] = Failure(str(task.path), tuple(value))
        state["files"] += 1
        state["bytes"] += task.size
        if progress is not None:
            progress(Progress(state["files"], len(tasks), state["words"], state["bytes"], total_bytes, str(task.path)))

    if progress is not None and tasks:
        progress(Progress(0, len(tasks), 0, 0, total_bytes, ""))
    workers = _worker_count(jobs, len(tasks), total_bytes)
    try:
        if workers > 1:
            _code_in_pool(tasks, book, pipeline, input_format, cache_dir, maker, workers, on_done)
        else:
            _code_here(tasks, book, pipeline, input_format, cache_dir, maker, on_done)
    finally:
        if freeze:
            gc.unfreeze()

    seen: dict[str, str] = {}
    dropped: dict[int, Any] = {}
    for index in sorted(records):
        record = records[index]
        if record.id in seen:
            failed[index] = Failure(record.path, (Diagnostic(
                "QC503", f"transcript id '{record.id}' is already used by {seen[record.id]}", record.path,
                hint="give each transcript a unique 'id:' in its front matter, or rename the file"),))
            dropped[index] = records.pop(index)
        else:
            seen[record.id] = record.path
    return _Run(records, failed, failures, fresh, keys, dropped)


def code_corpus(paths: Sequence[str | Path], *, codebook: Codebook | str | Path | None = None,
                jobs: int | None = None, cache: str | Path | None = None, force: bool = False,
                input_format: str | None = None, pipeline: str | None = None,
                progress: Callable[[Progress], None] | None = None,
                exclude: Sequence[str | Path] = ()) -> Corpus:
    """Code every transcript in `paths` (files, folders, globs) against `codebook` (default: the study codebook).

    `jobs` worker processes (default: all cores, but no more than one per 250 kB to code; 1 codes in
    this process). With `cache` (a folder), a transcript whose bytes, file name, codebook and qualcode
    version are unchanged is taken from the cache instead of being coded again, unless `force`.
    `progress` is called once before coding starts and after each coded (or failed) file.
    """
    from qualcode.codebook import load_codebook

    cache_dir = Path(cache) if cache is not None else None
    inputs = _find_inputs(paths, exclude=exclude, jobs=jobs, cache_dir=cache_dir, force=force)
    book = codebook if isinstance(codebook, Codebook) else load_codebook(codebook)
    run = _code_all(inputs, book=book, jobs=jobs, cache_dir=cache_dir, force=force, input_format=input_format,
                    pipeline=pipeline, progress=progress)
    return Corpus(codebook=book, documents=tuple(sorted(run.records.values(), key=lambda r: r.id)),
                  failures=run.all_failures, coded=run.coded, cached=run.cached, cache_keys=frozenset(run.keys))


def _load_entry(folder: Path, entry: CodedEntry) -> CodedTranscript:
    """A batch run's record, back from its cache entry."""
    record = load_cached(folder, entry.key, entry.path)
    if record is None:
        raise OutputError(Diagnostic("QC509", "a coded transcript is missing from the output folder's cache",
                                     str(folder / f"{entry.key}.json"),
                                     hint="run the batch again (another run may have changed the folder)"))
    return record


# ---------------------------------------------------------------------------------------------
# A batch run into an output folder


@contextmanager
def output_lock(folder: Path) -> Iterator[None]:
    """Hold the folder's lock file for the whole run; a second run stops at once with QC500.
    The operating system drops the lock when the process ends, even when it is killed."""
    from filelock import FileLock, Timeout

    lock = FileLock(str(folder / LOCK_NAME), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise OutputError(Diagnostic(
            "QC500", "another qualcode run is writing to this output folder", str(folder),
            hint="wait for it to finish, or write to another folder with --out")) from None
    except OSError as exc:
        raise OutputError(Diagnostic("QC002", f"cannot write output: {exc.strerror}", str(folder),
                                     hint="check the folder is writable")) from None
    try:
        yield
    finally:
        lock.release()


def remove_stale_temporaries(folder: Path) -> None:
    """Temporary files an interrupted run left behind (the tables and cache entries themselves are whole)."""
    for pattern in (".*.tmp", f"{CACHE_DIR}/.*.tmp"):
        for stale in folder.glob(pattern):
            try:
                stale.unlink()
            except OSError:
                pass


def run_batch(paths: Sequence[str | Path], *, out: str | Path, codebook: Codebook | str | Path | None = None,
              tables: Sequence[str] = TABLE_NAMES, formats: Sequence[str] = ("csv",),
              window: int = DEFAULT_WINDOW, excel: bool = False, jobs: int | None = None, force: bool = False,
              input_format: str | None = None, pipeline: str | None = None,
              progress: Callable[[Progress], None] | None = None) -> BatchResult:
    """Code `paths` into the folder `out`: lock it, reuse its cache, write the tables in each format.

    CSV and JSONL tables are made transcript by transcript as they are coded, so memory stays flat
    however large the study; XLSX and Parquet read every record back from the cache at the end.
    Tables are written only when at least one transcript was coded, so a run where every file
    fails leaves the previous tables in place.
    """
    from qualcode.codebook import load_codebook
    from qualcode.export.stream import STREAMED_FORMATS, TableMaker, TableSpool
    from qualcode.export.write import check_export_formats, write_tables

    unknown = [t for t in tables if t not in TABLE_NAMES]
    if unknown:
        raise ValueError(f"unknown table(s) {', '.join(unknown)}; expected some of {', '.join(TABLE_NAMES)}")
    if window < 0:
        raise ValueError("window must be 0 or more turns")
    formats = check_export_formats(formats)
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise OutputError(Diagnostic("QC507", "--out names a file, but several transcripts need a folder", str(out),
                                     hint="name a folder (it is created if missing)"))
    cache = out / CACHE_DIR
    inputs = _find_inputs(paths, exclude=[out], jobs=jobs, cache_dir=cache, force=force)
    book = codebook if isinstance(codebook, Codebook) else load_codebook(codebook)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(Diagnostic("QC002", f"cannot create the output folder: {exc.strerror}", str(out),
                                     hint="check the path and permissions")) from None
    maker = TableMaker(book, tables, formats, window)
    with output_lock(out):
        remove_stale_temporaries(out)
        with TableSpool(out, maker) as spool:

            def keep(index: int, entry: CodedEntry) -> CodedEntry:
                spool.add(index, entry.pieces)
                return replace(entry, pieces=None)

            run = _code_all(inputs, book=book, jobs=jobs, cache_dir=cache, force=force, input_format=input_format,
                            pipeline=pipeline, progress=progress, maker=maker, keep=keep)
            for index, entry in run.dropped.items():  # a duplicate id: its counts come out of the sums again
                spool.remove(index, maker.pieces(_load_entry(cache, entry)))
            order = sorted(run.records, key=lambda i: run.records[i].id)
            result = BatchResult(book, out, tuple(run.records[i] for i in order), failures=run.all_failures,
                                 coded=run.coded, cached=run.cached)
            written: list[Path] = []
            whole: list[Table] = []  # XLSX and Parquet need every row at once
            for fmt in formats if order else ():  # in export_names order
                if fmt in STREAMED_FORMATS:
                    written += spool.write(order, fmt, excel=excel)
                    continue
                if not whole:
                    corpus = result.corpus()
                    whole = [corpus.table(name, window=window) for name in tables]
                written += write_tables(whole, out, formats=(fmt,), excel=excel)
        prune_cache(cache, frozenset(run.keys))
    return replace(result, written=tuple(written))
