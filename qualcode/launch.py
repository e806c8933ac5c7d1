"""The `qualcode` command's entry point (and `python -m qualcode`'s).

Importing the command line (typer, rich and every command) takes about 0.15 s, and a batch's worker
processes wait half a second more for their fork server to import spaCy. So before that import, the
arguments are glanced at: when they ask `qualcode code` to code a batch into a folder with more than
one worker and every file to code (`--force`, or a folder with no cache yet), the fork server starts at
once and imports spaCy beside the command line's start-up. The command then runs as usual and finds
the server running. This is a guess from the arguments alone, never a decision: a wrong one costs a
process on another core, ended with the command (`qualcode.workers.end_workers`)."""
from __future__ import annotations

import glob
import os
import sys
from pathlib import Path
from stat import S_ISREG
from typing import Iterator, Sequence

from qualcode.workers import CACHE_DIR, MIN_BYTES_PER_WORKER, default_jobs, end_workers, has_entries, \
    start_worker_server, worker_count

#: `qualcode code`'s options that take a value, and its flags (a test checks them against the command).
VALUE_OPTIONS = {"--codebook": "-c", "--out": "-o", "--format": "-f", "--export": "-e", "--export-format": "-F",
                 "--window": "-w", "--jobs": "-j", "--input-format": None, "--pipeline": None, "--model": None,
                 "--min-score": None}
FLAGS = {"--excel": None, "--force": None, "--hide-negated": None, "--quiet": "-q"}
#: Options of `qualcode` itself that may come before the command.
ROOT_FLAGS = ("--debug",)
#: A glance at the inputs looks at no more files and folders than this.
GLANCE_ENTRIES = 10_000
#: The file endings a folder's transcripts have (`qualcode.transcripts.find.transcript_suffixes`, which
#: imports every format's reader; a test checks that the two agree).
TRANSCRIPT_SUFFIXES = (".doc", ".docx", ".markdown", ".md", ".srt", ".text", ".txt", ".vtt", ".webvtt")

_LONG = {short: long for table in (VALUE_OPTIONS, FLAGS) for long, short in table.items() if short}


def main() -> None:
    """Run `qualcode` with this process's arguments, a batch's fork server started first if they ask for one."""
    try:
        start_worker_server(batch_workers(sys.argv[1:]))
    except Exception:  # noqa: BLE001 - only a guess: never in the way of the command itself
        pass
    try:
        from qualcode.cli import main as run
    except KeyboardInterrupt:  # Ctrl-C while the command line is still being imported: as during a command
        end_workers()
        print("Interrupted.", file=sys.stderr)
        os._exit(130)
    run()


def batch_workers(args: Sequence[str]) -> int:
    """The worker processes `qualcode ARGS` will start at once, as far as the arguments tell: for
    `qualcode code PATHS --out DIR` with every file to code (`--force`, or no cache in DIR yet), what
    `worker_count` gives for the inputs glanced at; 0 for any other command line, or one this glance
    does not follow (typer then reports it as usual)."""
    parsed = _code_arguments(args)
    if parsed is None:
        return 0
    paths, options = parsed
    out = options.get("--out")
    if not paths or out in (None, "-"):
        return 0
    if "--force" not in options and has_entries(Path(out) / CACHE_DIR):
        return 0  # the batch tells, file by file, whether any is not in the cache
    jobs = options.get("--jobs")
    try:
        jobs = None if jobs is None else int(jobs)
    except ValueError:
        return 0
    if jobs is not None:  # as many workers as it says, if there are files enough
        files, size = _glance(paths, Path(out), files=jobs, size=0)
    else:
        cores = default_jobs()
        files, size = _glance(paths, Path(out), files=cores, size=cores * MIN_BYTES_PER_WORKER)
    return worker_count(jobs, files, size)


def _code_arguments(args: Sequence[str]) -> tuple[list[str], dict[str, str | bool]] | None:
    """(paths, {long option: value or True}) of a `qualcode code` command line; None for another command,
    --help, --version, or an option this glance does not know."""
    args = list(args)
    while args and args[0] in ROOT_FLAGS:
        args.pop(0)
    if not args or args[0] != "code":
        return None
    paths: list[str] = []
    options: dict[str, str | bool] = {}
    rest = iter(args[1:])
    for arg in rest:
        if arg == "--":
            paths.extend(rest)
        elif not arg.startswith("-") or arg == "-":
            paths.append(arg)
        elif arg.startswith("--"):
            name, equals, value = arg.partition("=")
            if name in FLAGS and not equals:
                options[name] = True
            elif name in VALUE_OPTIONS:
                value = value if equals else next(rest, None)
                if value is None:
                    return None
                options[name] = value
            else:
                return None
        else:  # a short option: -q, -j 2, -j2
            name = _LONG.get(arg[:2])
            if name in FLAGS and len(arg) == 2:
                options[name] = True
            elif name in VALUE_OPTIONS:
                value = arg[2:] or next(rest, None)
                if value is None:
                    return None
                options[name] = value
            else:
                return None
    return paths, options


def _glance(paths: Sequence[str], out: Path, *, files: int, size: int) -> tuple[int, int]:
    """(files, bytes) among the inputs, counted until there are at least `files` files and `size` bytes,
    or GLANCE_ENTRIES files and folders were looked at. In folders, as the batch searches them: files
    with a transcript's ending, not hidden, not in the output folder. A guess, not that search
    (`qualcode.transcripts.find`), which imports the transcript formats."""
    count = total = seen = 0
    for name in paths:
        path = Path(name)
        if path.is_dir():
            found: Iterator[str | None] = _walk(path, out)
        elif glob.has_magic(name) and not path.exists():
            found = glob.iglob(name, recursive=True)
        else:
            found = iter((name,))
        for file in found:
            seen += 1
            try:
                info = None if file is None else os.stat(file)
            except OSError:
                info = None
            if info is not None and S_ISREG(info.st_mode):
                count, total = count + 1, total + info.st_size
            if (count >= files and total >= size) or seen >= GLANCE_ENTRIES:
                return count, total
    return count, total


def _walk(folder: Path, out: Path) -> Iterator[str | None]:
    """The transcript-like files under `folder` (not hidden, not under `out`), and None for each folder."""
    skip = os.path.abspath(out)
    for root, subfolders, names in os.walk(folder):
        if os.path.abspath(root) == skip:
            subfolders[:] = []
            continue
        yield None
        subfolders[:] = sorted(d for d in subfolders if not d.startswith("."))
        yield from (os.path.join(root, n) for n in sorted(names)
                    if not n.startswith(".") and n.lower().endswith(TRANSCRIPT_SUFFIXES))
