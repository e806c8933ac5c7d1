"""A batch's worker processes: how many, the fork server they come from (it imports spaCy once for all
of them), starting it early and ending it with the command.

Imports nothing but the standard library, so that the command's entry point (`qualcode.launch`) can
start the server before typer, rich and qualcode's commands are imported."""
from __future__ import annotations

import os
from pathlib import Path

#: Inside an output folder: the cache of coded transcripts.
CACHE_DIR = ".qualcode-cache"
#: With the default --jobs, one more worker per this many bytes still to code (about 40,000 words).
MIN_BYTES_PER_WORKER = 250_000
#: Modules the workers' fork server imports once, before it forks them.
WORKER_PRELOAD = ("qualcode.engine.preload",)


def default_jobs() -> int:
    """All the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def worker_count(jobs: int | None, files: int, size: int) -> int:
    """Processes for coding `files` files of `size` bytes in all: `jobs`, or by default all cores but no
    more than one per MIN_BYTES_PER_WORKER (a worker costs about a second to start: not worth it for a
    few small files)."""
    if jobs is None:
        return min(default_jobs(), files, max(1, size // MIN_BYTES_PER_WORKER))
    return min(jobs, files)


def has_entries(folder: Path | None) -> bool:
    """Whether a cache folder holds anything at all (no folder, or none given: False)."""
    if folder is None:
        return False
    try:
        with os.scandir(folder) as entries:
            return next(entries, None) is not None
    except OSError:
        return False


def worker_context():
    """Where workers come from: a fork server that has imported spaCy once (so each worker need not),
    or, where there is no fork server (Windows), fresh processes."""
    import multiprocessing

    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(WORKER_PRELOAD))
    return context


def start_worker_server(workers: int) -> None:
    """For a run that will use `workers` processes (more than one), start their fork server now: it
    imports spaCy (about half a second) while this process goes on. Best effort: where there is no fork
    server, or it cannot start here, the pool starts its workers (or fails) itself. Starting it again
    does nothing."""
    if workers < 2:
        return
    import multiprocessing

    if "forkserver" not in multiprocessing.get_all_start_methods():
        return
    from multiprocessing import forkserver

    try:
        worker_context()
        forkserver.ensure_running()
    except (OSError, ValueError):  # e.g. a temporary folder whose path is too long for a socket
        pass


def end_workers() -> None:
    """For a process about to end by `os._exit` (the command line): end the workers' fork server now and
    run multiprocessing's clean-up at exit, which `os._exit` skips. The server holds nothing but imported
    modules, so it is killed rather than asked to stop: tearing spaCy down would take it a fifth of a
    second with the command's stdout and stderr still open (a caller reading them waits). The clean-up
    removes the temporary folder (`pymp-*`) holding the server's socket, which would otherwise stay."""
    import signal
    import sys

    server = getattr(sys.modules.get("multiprocessing.forkserver"), "_forkserver", None)
    if getattr(server, "_forkserver_pid", None):
        try:
            os.kill(server._forkserver_pid, signal.SIGKILL)
            server._stop()  # reaps it and forgets it
        except (OSError, AttributeError):  # already gone, or a Python whose fork server differs
            pass
    util = sys.modules.get("multiprocessing.util")
    if util is not None:
        util._exit_function()
