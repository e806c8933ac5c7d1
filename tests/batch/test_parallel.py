"""Worker processes: --jobs 2 gives the same files as --jobs 1, and a run killed part-way loses nothing."""
from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from batchdata import study  # noqa: F401 (a fixture)
from batchdata import CLI_ENV, ROOT, SMALL_CODEBOOK, STUDY, TABLES, check_golden, output_files

from qualcode.batch import CACHE_DIR, CACHE_FORMAT, SLEEP_ENV, code_corpus, run_batch


def test_two_workers_write_the_same_bytes_as_one(tmp_path, study):
    one = run_batch([study], out=tmp_path / "one", codebook=SMALL_CODEBOOK, jobs=1, formats=("csv", "xlsx", "jsonl"))
    two = run_batch([study], out=tmp_path / "two", codebook=SMALL_CODEBOOK, jobs=2, formats=("csv", "xlsx", "jsonl"))
    assert (one.coded, two.coded, two.failures) == (4, 4, ())
    assert output_files(tmp_path / "one") == output_files(tmp_path / "two")
    assert len(output_files(tmp_path / "two")) == 9
    cached = lambda folder: {p.name: p.read_bytes() for p in (folder / CACHE_DIR).iterdir()}  # noqa: E731
    assert cached(tmp_path / "one") == cached(tmp_path / "two")


def test_files_read_while_the_workers_start_are_coded_and_reported_as_the_workers_would(tmp_path, study,
                                                                                        monkeypatch):
    """While the workers' fork server starts, the main process reads the next files for them: the
    same tables, cache and failures as a run that reads every file where it codes it."""
    import threading

    import qualcode.batch as batch

    (study / "binary.txt").write_bytes(b"\x00\x01\x02" * 50)  # small files: read ahead, as the largest are not
    (study / "notes.md").write_text("just some notes, nobody speaks here\n")

    class NeverReady(batch._Starting):  # the main process never sees the workers ready: it reads every file
        @property
        def done(self):
            return threading.Event()

        @done.setter
        def done(self, value):
            pass

    read = []
    real = batch._read_ahead
    monkeypatch.setattr(batch, "_read_ahead", lambda path, *args: read.append(os.path.basename(path)) or real(path, *args))
    monkeypatch.setattr(batch, "_Starting", NeverReady)
    two = run_batch([study], out=tmp_path / "two", codebook=SMALL_CODEBOOK, jobs=2)
    monkeypatch.undo()
    one = run_batch([study], out=tmp_path / "one", codebook=SMALL_CODEBOOK, jobs=1)
    assert sorted(read) == ["binary.txt", "d01-client.txt", "d02-therapist.txt", "notes.md"]  # all but the 2 largest
    assert (two.coded, [f.path for f in two.failures]) == (4, [str(study / "binary.txt"), str(study / "notes.md")])
    assert two.failures == one.failures
    assert output_files(tmp_path / "one") == output_files(tmp_path / "two")
    cached = lambda folder: {p.name: p.read_bytes() for p in (folder / CACHE_DIR).iterdir()}  # noqa: E731
    assert cached(tmp_path / "one") == cached(tmp_path / "two")


def _submits_fail(monkeypatch, error: BaseException, *, in_main_thread: bool) -> None:
    """The pool's submits raise `error` in the main thread only, or in the starting thread only."""
    import threading
    from concurrent.futures import ProcessPoolExecutor

    submit = ProcessPoolExecutor.submit

    def failing(self, *args, **kwargs):
        if (threading.current_thread() is threading.main_thread()) == in_main_thread:
            raise error
        return submit(self, *args, **kwargs)

    monkeypatch.setattr(ProcessPoolExecutor, "submit", failing)


def test_a_failure_to_start_the_workers_is_raised_in_the_calling_thread(tmp_path, study, monkeypatch):
    """The first tasks are submitted from a thread (`_Starting`): what stops them is raised where the
    run was called, as when the run submitted them itself (the run's own submits work)."""
    _submits_fail(monkeypatch, OSError("no more processes"), in_main_thread=False)
    with pytest.raises(OSError, match="no more processes"):
        run_batch([study], out=tmp_path / "out", codebook=SMALL_CODEBOOK, jobs=2)


def test_a_worker_dying_before_the_rest_is_submitted_is_the_workers_not_starting(tmp_path, study, monkeypatch):
    """The files read ahead are submitted once the workers have started; if the pool is broken by then
    (a worker died at start), the run stops with QC508, as when no file comes back."""
    from concurrent.futures.process import BrokenProcessPool

    from qualcode.errors import QualcodeError

    _submits_fail(monkeypatch, BrokenProcessPool("A child process terminated abruptly"), in_main_thread=True)
    with pytest.raises(QualcodeError, match="QC508 the worker processes could not start"):
        run_batch([study], out=tmp_path / "out", codebook=SMALL_CODEBOOK, jobs=2)


def test_the_fork_server_starts_before_the_codebook_loads_when_every_file_is_to_code(tmp_path, study, monkeypatch):
    import qualcode.batch as batch
    import qualcode.codebook as codebook_mod

    events = []
    monkeypatch.setattr(batch, "_start_workers_early", lambda n: events.append(("server", n)))
    load = codebook_mod.load_codebook
    monkeypatch.setattr(codebook_mod, "load_codebook", lambda *a, **k: events.append("codebook") or load(*a, **k))

    def run(**options):
        events.clear()
        return run_batch([study], out=tmp_path / "out", jobs=2, **options)

    run(codebook=SMALL_CODEBOOK)  # a new folder: every file is to code, so the server starts first
    assert events == [("server", 2), "codebook"]
    assert run(codebook=SMALL_CODEBOOK).cached == 4 and events == ["codebook"]  # all from the cache: no server
    run(codebook=SMALL_CODEBOOK, force=True)
    assert events == [("server", 2), "codebook"]
    # another codebook: the cache has entries but none for it, found out file by file: at the first miss
    run(codebook=None)  # the study codebook
    assert events == ["codebook", ("server", 2)]
    events.clear()
    run_batch([study], out=tmp_path / "small", codebook=SMALL_CODEBOOK)  # default jobs: 4 small files
    assert events == [("server", 1), "codebook"]  # one worker will do: nothing is started (see below)
    events.clear()
    code_corpus([study], codebook=SMALL_CODEBOOK, jobs=2)  # no cache: every file is to code
    assert events == [("server", 2), "codebook"]


def test_an_early_fork_server_that_cannot_start_raises_nothing(monkeypatch):
    from multiprocessing import forkserver

    import qualcode.batch as batch

    calls = []

    def cannot(*args):
        calls.append(args)
        raise OSError("AF_UNIX path too long")

    monkeypatch.setattr(forkserver, "ensure_running", cannot)
    batch._start_workers_early(1)
    assert calls == []  # one job: no server
    batch._start_workers_early(2)  # does not raise: the pool starts its workers (or reports) itself
    assert calls == [()]


def start_batch(study, out, *extra, env=None):
    """`python -m qualcode code STUDY --out OUT` in its own process group (so its workers can be killed too)."""
    full_env = {**os.environ, **CLI_ENV, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.Popen([sys.executable, "-m", "qualcode", "code", str(study), "-c", str(SMALL_CODEBOOK),
                             "--out", str(out), *extra], env=full_env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def wait_for(condition, process, timeout=60.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert process.poll() is None, f"the run ended before it could be killed: {process.communicate()}"
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def assert_whole(folder):
    """Every visible table parses and no temporary file is visible; every cache entry is valid JSON."""
    for name, data in output_files(folder).items():
        assert not name.endswith(".tmp")
        rows = list(csv.reader(data.decode("utf-8").splitlines()))
        assert rows and all(len(row) == len(rows[0]) for row in rows), name
    for entry in (folder / CACHE_DIR).glob("*.json"):
        assert json.loads(entry.read_text())["format"] == CACHE_FORMAT


def _fork_servers_of(marker: str) -> list[str]:
    """Processes that are multiprocessing fork servers and have `marker` in their environment (Linux)."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as handle:
                cmdline = handle.read()
            with open(f"/proc/{pid}/environ", "rb") as handle:
                environ = handle.read().split(b"\0")
        except OSError:  # ended meanwhile, or not ours to read
            continue
        if b"forkserver" in cmdline and marker.encode() in environ:
            found.append(pid)
    return found


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="reads /proc")
def test_a_parallel_run_leaves_no_fork_server_or_temporary_folder_behind(tmp_path, study):
    temp = tmp_path / "temp"
    temp.mkdir()
    run = start_batch(study, tmp_path / "out", "--jobs", "2", env={"TMPDIR": str(temp)})
    run.wait(timeout=120)
    left = _fork_servers_of(f"TMPDIR={temp}")  # at once: a server left to stop itself lives on a while
    stdout, stderr = run.communicate(timeout=120)
    assert run.returncode == 0, stderr
    assert "Transcripts: 4 coded" in stderr
    assert left == []
    assert list(temp.iterdir()) == []  # multiprocessing's pymp-* folder (the server's socket) is removed


def test_a_run_killed_part_way_leaves_no_partial_file_and_the_next_run_completes(tmp_path, study):
    out = tmp_path / "out"
    cache = out / CACHE_DIR
    # a run killed after its first transcript: no table yet, one whole cache entry (its server's
    # pymp-* folder, which SIGKILL leaves, goes to this test's own temporary folder)
    (tmp_path / "temp").mkdir()
    first = start_batch(study, out, "--jobs", "2", env={SLEEP_ENV: "0.4", "TMPDIR": str(tmp_path / "temp")})
    try:
        wait_for(lambda: any(cache.glob("*.json")), first)
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.communicate()
    assert first.returncode == -signal.SIGKILL
    assert output_files(out) == {}
    assert_whole(out)

    done = start_batch(study, out)
    stdout, stderr = done.communicate(timeout=120)
    assert done.returncode == 0, stderr
    assert "unchanged (cache), 0 failed" in stderr and "Transcripts: 4 coded" not in stderr
    assert not list(out.glob(".*.tmp")) and not list(cache.glob(".*.tmp"))
    for table in TABLES:
        check_golden(out / f"{table}.csv", f"{table}.csv")

    # a forced re-run killed part-way leaves the previous tables exactly as they were
    before = output_files(out)
    started = time.time()
    again = start_batch(study, out, "--force", "--jobs", "1", env={SLEEP_ENV: "0.4"})
    try:
        wait_for(lambda: any(p.stat().st_mtime > started for p in cache.glob("*.json")), again)
    finally:
        os.killpg(again.pid, signal.SIGKILL)
        again.communicate()
    assert output_files(out) == before
    assert_whole(out)


def test_a_script_without_a_main_guard_gets_a_clear_error(tmp_path):
    script = tmp_path / "analysis.py"
    script.write_text(
        "import qualcode\n"
        "try:\n"
        f"    qualcode.code_corpus([{str(STUDY)!r}], codebook={str(SMALL_CODEBOOK)!r}, jobs=2)\n"
        "except qualcode.QualcodeError as exc:\n"
        "    print(exc)\n")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.stdout.splitlines() == [
        "qualcode: QC508 the worker processes could not start — from a Python script, call code_corpus() under "
        "'if __name__ == \"__main__\":' (as for any multiprocessing code), or pass jobs=1"]
