"""Benchmark qualcode on a whole study: throughput, peak memory and start-up, as whole processes.

    python benchmarks/run.py                    # 0.25 M, 1 M and 4 M words (a few minutes)
    python benchmarks/run.py --sizes 0.25,1     # chosen sizes, in millions of words
    python benchmarks/run.py --quick            # a smoke run on 20,000 words (seconds)

Generates (once per size and seed, cached in benchmarks/out/) a corpus of conversational
transcripts and a codebook of 300 keywords and 50 token patterns (see corpus.py), then runs
every measurement as its own process: spaCy's tokenizer alone (the floor), the coding engine
in one process and in a pool of worker processes, 300 separate keyword regexes (the usual
alternative), `qualcode code` with 1 job and with all cores, `qualcode --help`,
`qualcode codebook validate` and `qualcode summarize`. Peak memory is the resident memory of
the process and its children, sampled every 20 ms. Prints a table and writes results.csv and
targets.csv into the output folder. A command this checkout does not have is reported as
"n/a (command not available)".
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import corpus  # noqa: E402

DEFAULT_OUT = HERE / "out"
DEFAULT_CODEBOOK = ROOT / "codebooks" / "interpreter-alliance.yaml"
QUICK_WORDS = 20_000
COLUMNS = ["size", "measure", "words", "wall_s", "cpu_s", "work_s", "words_per_s", "x_tokenizer",
           "x_tokenizer_cpu", "peak_rss_mb", "note"]


# ---------------------------------------------------------------------------------------------
# Workers: each measurement that is not a qualcode command runs as `run.py --worker KIND ...`
# and prints one JSON line {"words", "seconds" (work only, after imports), "hits"}.

def _paths(folder: str) -> list[Path]:
    return sorted(Path(folder).glob("*.txt"))


def _turn_texts(path: Path, speakers: dict):
    from qualcode.transcripts import read_transcript

    transcript = read_transcript(path, speakers=speakers)
    return transcript.words, [t.text.replace("\n", " ") for t in transcript.turns]


def _spacy():
    """spaCy, imported as qualcode imports it (without its command line: `import_spacy`), so that the
    floor and qualcode's measures pay the same import."""
    from qualcode.engine.nlp import import_spacy

    return import_spacy()


def worker_tokenize(folder: str, codebook: str) -> dict:
    from qualcode.codebook import load_codebook

    spacy = _spacy()
    speakers = load_codebook(codebook).speakers
    nlp = spacy.blank("en")
    start = time.perf_counter()
    words = tokens = 0
    for path in _paths(folder):
        n, texts = _turn_texts(path, speakers)
        words += n
        for doc in nlp.tokenizer.pipe(texts):
            tokens += len(doc)
    return {"words": words, "seconds": time.perf_counter() - start, "hits": tokens}


def worker_regex(folder: str, codebook: str) -> dict:
    import re

    from qualcode.codebook import load_codebook

    book = load_codebook(codebook)
    regexes = [re.compile(r"\b" + re.escape(k) + r"\b", re.IGNORECASE) for t in book.themes for k in t.keywords]
    start = time.perf_counter()
    words = hits = 0
    for path in _paths(folder):
        n, texts = _turn_texts(path, book.speakers)
        words += n
        for text in texts:
            for regex in regexes:
                for _ in regex.finditer(text):
                    hits += 1
    return {"words": words, "seconds": time.perf_counter() - start, "hits": hits, "regexes": len(regexes)}


_COMPILED = None
#: why this pool worker's set-up failed (`_set_up`)
_INIT_ERROR: list[BaseException] = []


def _init_engine(codebook: str) -> None:
    global _COMPILED
    from qualcode.codebook import load_codebook
    from qualcode.engine.match import compile_codebook

    _COMPILED = compile_codebook(load_codebook(codebook))


def _code_one(path: str) -> tuple[int, int]:
    """Suggest themes for one transcript; return only (words, suggestions) to the parent."""
    from qualcode.engine.match import suggest
    from qualcode.transcripts import read_transcript

    transcript = read_transcript(path, speakers=_COMPILED.codebook.speakers)
    return transcript.words, len(suggest(transcript, _COMPILED))


def worker_engine(folder: str, codebook: str) -> dict:
    _init_engine(codebook)
    start = time.perf_counter()
    words = hits = 0
    for path in _paths(folder):
        n, k = _code_one(str(path))
        words, hits = words + n, hits + k
    return {"words": words, "seconds": time.perf_counter() - start, "hits": hits}


def _set_up(initializer, codebook: str) -> None:
    """A pool worker's set-up, its error kept for its tasks (a multiprocessing.Pool whose initializer
    raises starts new workers for ever)."""
    try:
        initializer(codebook)
    except Exception as exc:
        _INIT_ERROR.append(exc)


def _checked(work, path: str):
    """`work(path)`, or the worker's set-up error, which the pool hands to the parent at once."""
    if _INIT_ERROR:
        raise RuntimeError(f"the worker's set-up failed: {_INIT_ERROR[0]!r}")
    return work(path)


def _in_pool(folder: str, codebook: str, jobs: int, initializer, work) -> dict:
    """`work(path) -> (words, count)` over every transcript in a pool of `jobs` processes."""
    import multiprocessing

    start = time.perf_counter()
    words = hits = 0
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    with multiprocessing.get_context(method).Pool(jobs, initializer=_set_up, initargs=(initializer, codebook)) as pool:
        for n, k in pool.imap_unordered(partial(_checked, work), [str(p) for p in _paths(folder)], chunksize=1):
            words, hits = words + n, hits + k
    return {"words": words, "seconds": time.perf_counter() - start, "hits": hits}


def worker_pool(folder: str, codebook: str, jobs: int) -> dict:
    return _in_pool(folder, codebook, jobs, _init_engine, _code_one)


_TOKENIZER: dict = {}


def _init_tokenizer(codebook: str) -> None:
    from qualcode.codebook import load_codebook

    _TOKENIZER.update(nlp=_spacy().blank("en"), speakers=load_codebook(codebook).speakers)


def _tokenize_one(path: str) -> tuple[int, int]:
    words, texts = _turn_texts(Path(path), _TOKENIZER["speakers"])
    return words, sum(len(doc) for doc in _TOKENIZER["nlp"].tokenizer.pipe(texts))


def worker_tokenize_pool(folder: str, codebook: str, jobs: int) -> dict:
    """The tokenizer alone in a pool of processes: how far this machine's cores scale spaCy's work."""
    return _in_pool(folder, codebook, jobs, _init_tokenizer, _tokenize_one)


WORKERS = {"tokenize": worker_tokenize, "regex": worker_regex, "engine": worker_engine, "pool": worker_pool,
           "tokenize_pool": worker_tokenize_pool}


# ---------------------------------------------------------------------------------------------
# Running a process and sampling its memory.

def _tree_sample(pid: int) -> tuple[int, dict[int, int]]:
    """Resident memory (kB) of a process and all its descendants, and the CPU clock ticks (user +
    system) each has used so far, read from /proc."""
    total, ticks, todo = 0, {}, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status") as handle:
                for line in handle:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
            with open(f"/proc/{p}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            ticks[p] = int(fields[11]) + int(fields[12])
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as handle:
                    todo.extend(int(c) for c in handle.read().split())
        except (OSError, ValueError, IndexError):
            continue
    return total, ticks


@dataclass
class Run:
    returncode: int
    wall: float
    cpu: float  # user + system seconds of the process and all its descendants
    peak_mb: float
    stdout: str
    stderr: str


def run_process(cmd: list[str], *, timeout: float = 3600) -> Run:
    """Run a command (cwd: the repository root), timing it and sampling its tree's peak RSS."""
    import resource

    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "100", "NO_COLOR": "1"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = [0]
    ticks: dict[int, int] = {}  # the latest CPU ticks seen of each process in the tree
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            rss, seen = _tree_sample(proc.pid)
            peak[0] = max(peak[0], rss)
            ticks.update(seen)
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        out, err = proc.communicate(timeout=timeout)
    finally:
        done.set()
        sampler.join()
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    waited = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    # The operating system adds a child's CPU time to its parent only when the parent waits for it,
    # and nobody waits for a forkserver's workers here: so the sum over the sampled tree as well
    # (up to 20 ms of each process's end is missed), whichever is larger.
    sampled = sum(ticks.values()) / os.sysconf("SC_CLK_TCK")
    return Run(proc.returncode, wall, max(waited, sampled), peak[0] / 1024, out, err)


def unavailable(run: Run) -> str | None:
    """'n/a (…)' when qualcode rejected the command line as not known (exit 2), else None."""
    if run.returncode != 2:
        return None
    if "No such command" in run.stderr:
        return "n/a (command not available)"
    if "No such option" in run.stderr or "Got unexpected extra argument" in run.stderr:
        return "n/a (option not available)"
    return None


def qualcode_cmd(*args: object) -> list[str]:
    return [sys.executable, "-m", "qualcode", *map(str, args)]


def worker_cmd(kind: str, folder: Path, codebook: Path, jobs: int = 1) -> list[str]:
    return [sys.executable, str(HERE / "run.py"), "--worker", kind, str(folder), str(codebook), "--jobs", str(jobs)]


# ---------------------------------------------------------------------------------------------
# The benchmark.

@dataclass
class Row:
    size: str
    measure: str
    words: int | None = None
    wall_s: float | None = None
    cpu_s: float | None = None
    work_s: float | None = None
    peak_rss_mb: float | None = None
    note: str = ""
    extra: dict = field(default_factory=dict)
    #: the row of each round, when the measurement ran in several
    rounds: list["Row"] = field(default_factory=list, repr=False)

    @property
    def words_per_s(self) -> float | None:
        return self.words / self.wall_s if self.words and self.wall_s else None


def size_label(words: int) -> str:
    return f"{words / 1e6:g}M" if words >= 100_000 else f"{words / 1e3:g}k"


def prepare_corpus(out: Path, words: int, seed: int) -> tuple[Path, corpus.CorpusStats]:
    """The corpus for a size and seed, generated once and reused while the generator is unchanged."""
    folder = out / f"corpus-{size_label(words)}-seed{seed}"
    stamp = folder / "stamp.json"
    source = hashlib.sha256(Path(corpus.__file__).read_bytes()).hexdigest()[:16]
    want = {"generator": source, "words": words, "seed": seed}
    if stamp.exists():
        data = json.loads(stamp.read_text())
        if data.get("key") == want:
            return folder, corpus.CorpusStats(**data["stats"])
    if folder.exists():
        for path in folder.glob("*.txt"):
            path.unlink()
    stats = corpus.generate(folder, words, seed=seed)
    stamp.write_text(json.dumps({"key": want, "stats": stats.__dict__}))
    return folder, stats


def median_row(rows: list[Row]) -> Row:
    """The round with the median wall time (the lower of two for an even count; a failed round, if any),
    keeping every round for the ratios."""
    failed = [r for r in rows if r.wall_s is None]
    if failed or len(rows) == 1:
        return failed[0] if failed else rows[0]
    middle = sorted(rows, key=lambda r: r.wall_s)[(len(rows) - 1) // 2]
    return Row(middle.size, middle.measure, middle.words, middle.wall_s, middle.cpu_s, middle.work_s,
               middle.peak_rss_mb, middle.note, middle.extra, rounds=list(rows))


def median_run(cmd: list[str], repeat: int) -> Run:
    runs = [run_process(cmd) for _ in range(repeat)]
    runs.sort(key=lambda r: r.wall)
    return runs[len(runs) // 2]


def worker_row(label: str, measure: str, cmd: list[str], repeat: int) -> Row:
    run = median_run(cmd, repeat)
    if run.returncode != 0:
        return Row(label, measure, note=f"failed (exit {run.returncode}): {_last_line(run.stderr)}")
    data = json.loads(run.stdout.strip().splitlines()[-1])
    return Row(label, measure, data["words"], run.wall, run.cpu, data["seconds"], run.peak_mb,
               note=f"{data['hits']:,} {'tokens' if measure.startswith('spaCy') else 'hits'}", extra=data)


def command_row(label: str, measure: str, cmd: list[str], words: int | None, repeat: int = 1) -> Row:
    run = median_run(cmd, repeat)
    missing = unavailable(run)
    if missing:
        return Row(label, measure, note=missing)
    if run.returncode != 0:
        return Row(label, measure, note=f"failed (exit {run.returncode}): {_last_line(run.stderr)}")
    return Row(label, measure, words, run.wall, run.cpu, None, run.peak_mb)


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:160] if lines else ""


def bench_size(out: Path, words: int, *, seed: int, jobs: int, repeat: int, codebook: Path,
               regex: bool, log) -> list[Row]:
    folder, stats = prepare_corpus(out, words, seed)
    label = size_label(words)
    log(f"{label}: {stats.files} transcripts, {stats.turns:,} turns, {stats.words:,} words")
    steps = [
        ("spaCy tokenizer only (floor)", lambda: worker_row(label, "spaCy tokenizer only (floor)",
                                                            worker_cmd("tokenize", folder, codebook), 1)),
        ("engine, 1 process", lambda: worker_row(label, "engine, 1 process",
                                                 worker_cmd("engine", folder, codebook), 1)),
        (f"spaCy tokenizer only, pool of {jobs}", lambda: worker_row(
            label, f"spaCy tokenizer only, pool of {jobs}", worker_cmd("tokenize_pool", folder, codebook, jobs),
            1)),
        (f"engine, pool of {jobs}", lambda: worker_row(label, f"engine, pool of {jobs}",
                                                       worker_cmd("pool", folder, codebook, jobs), 1)),
    ]
    if regex:
        steps.append(("300 separate regexes", lambda: worker_row(label, "300 separate regexes",
                                                                 worker_cmd("regex", folder, codebook), 1)))
    code_out = {n: out / f"coded-{label}-jobs{n}" for n in sorted({1, jobs})}
    for n, target in code_out.items():
        steps.append((f"qualcode code --jobs {n}", lambda n=n, target=target: command_row(
            label, f"qualcode code --jobs {n}",
            qualcode_cmd("code", folder, "--codebook", codebook, "--out", target, "--jobs", n, "--quiet", "--force"),
            stats.words)))
    summary = out / f"summary-{label}"

    def summarize() -> Row:
        shutil.rmtree(summary, ignore_errors=True)  # no cache from an earlier run: code the study afresh
        return command_row(label, "qualcode summarize",
                           qualcode_cmd("summarize", folder, "--codebook", codebook, "--out", summary, "--quiet"),
                           stats.words)

    steps.append(("qualcode summarize", summarize))
    # In rounds: each round runs every measurement once, so that a ratio compares runs made minutes
    # apart, not a quarter of an hour (this machine's speed drifts); each ratio is the rounds' median.
    rounds: list[list[Row]] = []
    for number in range(repeat):
        if repeat > 1:
            log(f"  round {number + 1} of {repeat}")
        this = []
        for name, step in steps:
            log(f"  {name} …")
            this.append(step())
        rounds.append(this)
    rows = [median_row([r[i] for r in rounds]) for i in range(len(steps))]
    if not regex:
        rows.append(Row(label, "300 separate regexes", note="skipped (above --regex-max-words)"))
    return rows


def bench_startup(out: Path, repeat: int, log) -> list[Row]:
    log("start-up …")
    rows = [command_row("-", "qualcode --help", qualcode_cmd("--help"), None, max(repeat, 5))]
    rows.append(command_row("-", "qualcode codebook validate (default codebook)",
                            qualcode_cmd("codebook", "validate", DEFAULT_CODEBOOK), None, max(repeat, 3)))
    return rows


def add_ratios(rows: list[Row]) -> list[dict]:
    """Table rows as dicts, with throughput as a multiple of the tokenizer's (same size)."""
    floor = {r.size: r for r in rows if r.measure == "spaCy tokenizer only (floor)" and r.words_per_s}
    out = []
    for r in rows:
        base = floor.get(r.size)
        # the same on CPU seconds: steadier on a busy machine; only for one-process runs (several
        # processes share the work: their CPU seconds add up to more than the work needs alone)
        one_process = not ("pool" in r.measure or "summarize" in r.measure
                           or ("--jobs" in r.measure and not r.measure.endswith("--jobs 1")))
        pairs = (list(zip(base.rounds, r.rounds)) if base and len(base.rounds) == len(r.rounds) > 1
                 else [(base, r)] if base else [])
        ratio = _median([m.words_per_s / b.words_per_s for b, m in pairs if m.words_per_s and b.words_per_s])
        cpu_ratio = _median([b.cpu_s / m.cpu_s for b, m in pairs if one_process and b.cpu_s and m.cpu_s and m.words])
        out.append({"size": r.size, "measure": r.measure, "words": r.words, "wall_s": _round(r.wall_s, 3),
                    "cpu_s": _round(r.cpu_s, 3),
                    "work_s": _round(r.work_s, 3), "words_per_s": _round(r.words_per_s, 0),
                    "x_tokenizer": _round(ratio, 2), "x_tokenizer_cpu": _round(cpu_ratio, 2), "peak_rss_mb": _round(r.peak_rss_mb, 0), "note": r.note})
    return out


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def _round(value, digits):
    if value is None:
        return None
    return int(round(value)) if digits == 0 else round(value, digits)


def targets(table: list[dict], sizes: list[str]) -> list[dict]:
    """The issue's targets, checked on the 1M size (or the largest below it) and the size range."""
    def get(size, measure):
        return next((r for r in table if r["size"] == size and r["measure"] == measure), None)

    def value(row, key):
        return None if row is None else row[key]

    main = "1M" if "1M" in sizes else sizes[-1]
    out = []

    def check(what, measured, goal, ok):
        out.append({"target": what, "size": main if "→" not in what else "", "goal": goal,
                    "measured": "n/a" if measured is None else measured,
                    "met": "n/a" if measured is None else ("yes" if ok(measured) else "NO")})

    regex = value(get(main, "300 separate regexes"), "words_per_s")
    for measure, goal in (("qualcode code --jobs 1", 0.5), ("engine, 1 process", 0.5)):
        check(f"{measure}: x tokenizer", value(get(main, measure), "x_tokenizer"), f">= {goal}", lambda v, g=goal: v >= g)
        check(f"{measure}: x tokenizer (CPU seconds)", value(get(main, measure), "x_tokenizer_cpu"), f">= {goal}",
              lambda v, g=goal: v >= g)
    for r in table:
        if r["size"] == main and (r["measure"].startswith("engine, pool") or
                                  (r["measure"].startswith("qualcode code --jobs") and r["measure"] != "qualcode code --jobs 1")):
            check(f"{r['measure']}: x tokenizer", r["x_tokenizer"], ">= 0.9", lambda v: v >= 0.9)
    for measure in ("qualcode code --jobs 1", "engine, 1 process"):
        wps = value(get(main, measure), "words_per_s")
        check(f"{measure}: x 300-regex baseline", None if wps is None or not regex else round(wps / regex, 1),
              ">= 5", lambda v: v >= 5)
    for measure in ("qualcode code --jobs 1", "engine, 1 process"):
        check(f"{measure}: peak RSS MB", value(get(main, measure), "peak_rss_mb"), "< 500", lambda v: v < 500)
        first, last = value(get(sizes[0], measure), "peak_rss_mb"), value(get(sizes[-1], measure), "peak_rss_mb")
        growth = None if first is None or last is None or len(sizes) < 2 else round(100 * (last / first - 1), 1)
        check(f"{measure}: peak RSS growth % {sizes[0]} → {sizes[-1]}", growth, "< 20", lambda v: v < 20)
    check("qualcode --help s", value(get("-", "qualcode --help"), "wall_s"), "< 0.3", lambda v: v < 0.3)
    check("qualcode codebook validate s", value(get("-", "qualcode codebook validate (default codebook)"), "wall_s"),
          "< 1.5", lambda v: v < 1.5)
    check("qualcode summarize s", value(get(main, "qualcode summarize"), "wall_s"), "< 10", lambda v: v < 10)
    return out


def write_csv(path: Path, rows: list[dict], columns: list[str]) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if row.get(k) is None else row[k] for k in columns})
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(buffer.getvalue(), encoding="utf-8")
    os.replace(tmp, path)


def print_table(title: str, rows: list[dict], columns: list[str]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    for c in columns:
        table.add_column(c, justify="left" if c in ("size", "measure", "note", "target", "goal") else "right")
    for r in rows:
        table.add_row(*["" if r.get(c) is None else (f"{r[c]:,}" if isinstance(r[c], int) else str(r[c]))
                        for c in columns])
    Console(width=None if sys.stdout.isatty() else 180).print(table)


def parse_sizes(text: str) -> list[int]:
    try:
        sizes = [int(round(float(s) * 1_000_000)) for s in text.split(",") if s.strip()]
    except ValueError:
        raise SystemExit(f"--sizes: expected millions of words separated by commas, e.g. 0.25,1,4; got '{text}'")
    if not sizes or min(sizes) < 1000:
        raise SystemExit("--sizes: give at least one size of 0.001 (1,000 words) or more")
    return sorted(set(sizes))


def compile_bytecode() -> None:
    """Write the bytecode of qualcode (the copy `python -m qualcode` imports) and of these scripts, so no
    measured process compiles them first: where PYTHONDONTWRITEBYTECODE is set, or after an edit, each
    process would otherwise compile the changed modules anew (about 0.1-0.2 s for all of qualcode)."""
    import compileall
    import importlib.util

    spec = importlib.util.find_spec("qualcode")
    for folder in [*(spec.submodule_search_locations or []), HERE] if spec else [HERE]:
        compileall.compile_dir(str(folder), quiet=1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="0.25,1,4", help="corpus sizes in millions of words (default 0.25,1,4)")
    parser.add_argument("--quick", action="store_true", help=f"smoke run: one corpus of {QUICK_WORDS:,} words")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="processes for the parallel runs (default: all cores)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="rounds of every measurement; the median wall time is kept, and each ratio to the "
                             "tokenizer is the median of the rounds' ratios")
    parser.add_argument("--regex-max-words", type=float, default=1.0,
                        help="run the slow regex baseline only up to this size, in millions of words (default 1)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default benchmarks/out)")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("args", nargs="*", help=argparse.SUPPRESS)
    opts = parser.parse_args(argv)

    if opts.worker:
        fn = WORKERS[opts.worker]
        result = fn(*opts.args, opts.jobs) if opts.worker.endswith("pool") else fn(*opts.args)
        print(json.dumps(result))
        return 0

    sizes = [QUICK_WORDS] if opts.quick else parse_sizes(opts.sizes)
    compile_bytecode()
    out = opts.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    codebook = corpus.write_codebook(out / "bench-codebook.yaml")

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    started = time.perf_counter()
    rows: list[Row] = []
    for words in sizes:
        rows += bench_size(out, words, seed=opts.seed, jobs=max(1, opts.jobs), repeat=max(1, opts.repeat),
                           codebook=codebook, regex=words <= opts.regex_max_words * 1e6, log=log)
    rows += bench_startup(out, 1 if opts.quick else opts.repeat, log)
    table = add_ratios(rows)
    checks = targets(table, [size_label(w) for w in sizes])
    write_csv(out / "results.csv", table, COLUMNS)
    write_csv(out / "targets.csv", checks, ["target", "size", "goal", "measured", "met"])
    print_table(f"qualcode benchmark (seed {opts.seed}, {opts.jobs} jobs, {os.cpu_count()} cores)", table, COLUMNS)
    print_table("Targets", checks, ["target", "size", "goal", "measured", "met"])
    log(f"wrote {out / 'results.csv'} and {out / 'targets.csv'} in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
