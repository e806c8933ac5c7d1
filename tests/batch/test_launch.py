"""The entry point starts a batch's fork server before the command line is imported, when the arguments
ask for a batch of several workers with every file to code, and only then."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from batchdata import ROOT, SMALL_CODEBOOK

from qualcode import launch, workers
from qualcode.launch import batch_workers


@pytest.fixture
def folders(tmp_path, monkeypatch):
    """A folder of four transcripts of 100 kB each (and a hidden one), on a machine of four cores."""
    monkeypatch.setattr(workers, "default_jobs", lambda: 4)
    monkeypatch.setattr(launch, "default_jobs", lambda: 4)
    study = tmp_path / "study"
    (study / "sub").mkdir(parents=True)
    (study / ".hidden").mkdir()
    for name in ("a.txt", "b.txt", "sub/c.txt", "sub/d.txt", ".hidden/e.txt"):
        (study / name).write_bytes(b"A: so\n" * 16_667)
    return study, tmp_path / "out"


def test_a_batch_with_several_workers_and_every_file_to_code_is_guessed(folders):
    study, out = str(folders[0]), str(folders[1])
    for args in (["code", study, "--out", out, "--jobs", "2"], ["code", study, "-o", out, "-j2"],
                 ["code", "--jobs=2", f"--out={out}", study], ["--debug", "code", study, "-q", "-o", out, "-j", "2"],
                 ["code", study, "-c", str(SMALL_CODEBOOK), "--excel", "--window", "2", "-o", out, "-j", "2"],
                 ["code", f"{study}/a.txt", f"{study}/sub/c.txt", "-o", out, "-j", "3"],
                 ["code", f"{study}/*.txt", "-o", out, "-j", "2"], ["code", "-o", out, "-j", "2", "--", study]):
        assert batch_workers(args) == 2, args
    assert batch_workers(["code", study, "-o", out, "-j", "9"]) == 4  # no more workers than files
    # by default: one worker per 250 kB, no more than the cores: 400 kB of transcripts (not the hidden one)
    assert batch_workers(["code", study, "-o", out]) == 1
    assert batch_workers(["code", f"{study}/*.txt", f"{study}/sub", "-o", out]) == 1
    (folders[0] / "f.txt").write_bytes(b"A: so\n" * 20_000)
    assert batch_workers(["code", study, "-o", out]) == 2


def test_the_glance_counts_what_the_batch_would_code(folders):
    """Files of a transcript format, not hidden, not in the output folder: a recording or old tables
    beside the transcripts do not make a small study look large."""
    from qualcode.transcripts.find import transcript_suffixes

    assert launch.TRANSCRIPT_SUFFIXES == transcript_suffixes()
    study, out = folders
    (study / "session1.wav").write_bytes(b"\0" * 3_000_000)
    (study / "results").mkdir()
    (study / "results" / "segments.txt").write_bytes(b"x" * 3_000_000)
    assert batch_workers(["code", str(study), "-o", str(study / "results")]) == 1  # 400 kB of transcripts
    assert batch_workers(["code", str(study), "-o", str(out)]) == 4  # another output folder: its file counts


def test_the_glance_looks_at_no_more_than_its_bound(folders, monkeypatch):
    study, out = folders
    monkeypatch.setattr(launch, "GLANCE_ENTRIES", 3)  # the study folder, a.txt, b.txt
    assert launch._glance([str(study)], out, files=99, size=10**9) == (2, 200_004)


def test_anything_else_is_not_guessed(folders):
    study, out = str(folders[0]), str(folders[1])
    assert batch_workers(["code", study, "-o", out, "-j", "1"]) == 1  # one job: coded in this process
    assert batch_workers(["code", f"{study}/a.txt", "-o", out, "-j", "2"]) == 1  # one transcript
    for args in (["code", study, "-j", "2"],  # no --out: one transcript's view
                 ["code", study, "-o", "-", "-j", "2"], ["summarize", study, "-o", out], ["code", "-j", "2"],
                 ["code", study, "-o", out, "-j", "two"], ["code", study, "-o", out, "--jobs"],
                 ["code", study, "-o", out, "-j", "2", "--help"], ["--version", "code", study, "-o", out, "-j", "2"],
                 ["code", study, "-o", out, "-j", "2", "--no-such-option"], ["code", study, "-o", out, "-qj2"], []):
        assert batch_workers(args) == 0, args


def test_an_output_folder_with_a_cache_is_left_to_the_batch_unless_forced(folders):
    study, out = folders
    (out / workers.CACHE_DIR).mkdir(parents=True)
    assert batch_workers(["code", str(study), "-o", str(out), "-j", "2"]) == 2  # an empty cache
    (out / workers.CACHE_DIR / "entry.json").write_text("{}")
    assert batch_workers(["code", str(study), "-o", str(out), "-j", "2"]) == 0  # it finds out file by file
    assert batch_workers(["code", str(study), "-o", str(out), "-j", "2", "--force"]) == 2


def test_the_glance_knows_every_option_of_the_code_command():
    """An option of `qualcode code` this glance did not know would make it give up on every command
    line using it; one it took for a flag would make it read the option's value as a path."""
    import typer

    from qualcode.cli import app

    command = typer.main.get_command(app).commands["code"]
    options = [p for p in command.params if p.param_type_name == "option"]
    names = lambda p: (sorted(n for n in p.opts if n.startswith("--"))[0],  # noqa: E731
                       next((n for n in p.opts if not n.startswith("--")), None))
    assert dict(names(p) for p in options if not p.is_flag) == launch.VALUE_OPTIONS
    assert dict(names(p) for p in options if p.is_flag) == launch.FLAGS
    root = typer.main.get_command(app)
    assert {n for p in root.params if p.is_flag and not p.is_eager for n in p.opts} == set(launch.ROOT_FLAGS)


def test_the_entry_point_starts_the_server_before_the_command_line_is_imported(folders):
    """In a fresh process: the server is running once `batch_workers` has been acted on, and neither typer
    nor spaCy has been imported by then; `end_workers` stops it."""
    study, out = folders
    script = f"""
import sys
from multiprocessing import forkserver
from qualcode import launch, workers
launch.default_jobs = lambda: 2
workers.start_worker_server(launch.batch_workers(["code", {str(study)!r}, "-o", {str(out)!r}, "-j", "2"]))
pid = forkserver._forkserver._forkserver_pid
print(pid is not None, "typer" in sys.modules, "spacy" in sys.modules)
workers.end_workers()
print(forkserver._forkserver._forkserver_pid)
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.stdout.split() == ["True", "False", "False", "None"], done.stderr


def test_help_through_the_entry_point_imports_neither_spacy_nor_pandas():
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "qualcode", "--help"], capture_output=True,
                          text=True, cwd=ROOT, timeout=60, env={**os.environ, "COLUMNS": "100"})
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    assert done.returncode == 0 and "Usage" in done.stdout
    assert "qualcode.launch" in imported and not imported & {"spacy", "pandas", "thinc", "multiprocessing"}


def test_the_entry_point_starts_the_one_server_the_batch_then_uses(folders, tmp_path):
    """`python -m qualcode code STUDY -o OUT -j 2`: the fork server is launched once, before typer is
    imported, and the run codes with it (its workers are the server's children)."""
    study, out = folders
    for name in ("a.txt", "b.txt", "sub/c.txt", "sub/d.txt"):
        (study / name).write_text("Client: I trust her.\nTherapist: Good.\n", encoding="utf-8")
    script = f"""
import sys
from multiprocessing import util
launch = util.spawnv_passfds
def spy(path, args, fds):  # multiprocessing launches its resource tracker this way too
    if "forkserver" in " ".join(map(str, args)):
        print("server launched; typer imported:", "typer" in sys.modules, file=sys.stderr, flush=True)
    return launch(path, args, fds)
util.spawnv_passfds = spy
sys.argv = ["qualcode", "code", {str(study)!r}, "-c", {str(SMALL_CODEBOOK)!r}, "-o", {str(out)!r}, "-j", "2", "-q"]
from qualcode.launch import main
main()
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines() == ["server launched; typer imported: False"]
    assert (out / "segments.csv").read_text(encoding="utf-8").count("\n") > 4


def test_the_fork_server_ignores_ctrl_c_from_the_start():
    """Started early, the server may be importing spaCy when Ctrl-C comes: it is the main process's."""
    code = "import signal, qualcode.engine.preload; print(signal.getsignal(signal.SIGINT) is signal.SIG_IGN)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.stdout.strip() == "True", done.stderr
