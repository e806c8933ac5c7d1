"""Offline (no socket can be opened) and crash safety of writes (a full disk leaves the old output intact)."""
from __future__ import annotations

import errno
import subprocess
import sys

import pytest

from support import CLI_ENV, DATA, DEFAULT_CODEBOOK, EXAMPLES, ROOT

SMALL = DATA / "codebooks" / "small.yaml"

#: Installed as sitecustomize, so every Python process of the run (worker processes too) has no network.
BLOCKER = """
import socket


def _blocked(*args, **kwargs):
    raise OSError("network access attempted")


class _BlockedSocket(socket.socket):
    def __init__(self, family=-1, *args, **kwargs):
        if family != socket.AF_UNIX:  # a local pipe between processes (the workers' fork server) is no network
            _blocked()
        super().__init__(family, *args, **kwargs)


socket.socket = _BlockedSocket
socket.create_connection = _blocked
socket.getaddrinfo = _blocked
"""


def run_offline(*args, tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(BLOCKER, encoding="utf-8")
    env = {**CLI_ENV, "PYTHONPATH": f"{site}:{ROOT}", "PATH": "/usr/bin:/bin"}
    probe = subprocess.run([sys.executable, "-c", "import socket; socket.socket()"], env=env, capture_output=True,
                           text=True)
    assert "network access attempted" in probe.stderr  # the blocker is active in every process
    return subprocess.run([sys.executable, "-m", "qualcode", *map(str, args)], capture_output=True, text=True,
                          env=env, cwd=tmp_path, timeout=180)


@pytest.mark.parametrize("args", [
    ["code", EXAMPLES / "d01-client.txt", "--format", "csv"],
    ["code", EXAMPLES, "--out", "results", "--quiet"],
    ["code", EXAMPLES, "--out", "results", "--quiet", "--jobs", "2"],
    ["summarize", EXAMPLES, "--out", "summary", "--quiet"],
    ["codebook", "validate", DEFAULT_CODEBOOK],
    ["codebook", "test", DEFAULT_CODEBOOK],
    ["agree", "--codings", ROOT / "examples" / "codings" / "ana.csv", "--codings",
     ROOT / "examples" / "codings" / "ben.csv"],
    ["export", "qdpx", EXAMPLES, "--suggestions", "--out", "study.qdpx"],
    ["transcript", "show", EXAMPLES / "d03-session.txt"],
], ids=["code", "code-batch", "code-batch-workers", "summarize", "validate", "codebook-test", "agree", "export-qdpx", "transcript-show"])
def test_commands_work_with_the_network_blocked(tmp_path, args):
    r = run_offline(*args, tmp_path=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "network access attempted" not in r.stderr + r.stdout


def test_full_disk_keeps_the_previous_output_and_a_rerun_completes(cli, tmp_path, monkeypatch):
    src = tmp_path / "t.txt"
    src.write_text("Client: I trust you.\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    assert cli("code", src, "-c", SMALL, "--out", out).exit_code == 0
    before = out.read_bytes()
    src.write_text("Client: I trust you. I walked out.\n", encoding="utf-8")

    import qualcode.output.write as write

    def full_disk(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(write.os, "fsync", full_disk)
    r = cli("code", src, "-c", SMALL, "--out", out)
    assert r.exit_code == 1
    assert r.stderr.strip() == (f"{out}: QC002 cannot write output: No space left on device — check free disk space "
                                "and permissions; the previous file is unchanged")
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv", "t.txt"]  # no temporary file left
    monkeypatch.undo()
    assert cli("code", src, "-c", SMALL, "--out", out).exit_code == 0
    assert "walked out" in out.read_text(encoding="utf-8")


def test_unexpected_errors_show_no_data_and_no_traceback(cli, tmp_path, monkeypatch):
    import qualcode.coding as coding

    def boom(*args, **kwargs):
        raise RuntimeError("SECRET participant text")

    monkeypatch.setattr(coding, "read_transcript", boom)
    src = tmp_path / "t.txt"
    src.write_text("Client: hi\n", encoding="utf-8")
    r = cli("code", src, "-c", SMALL)
    assert r.exit_code == 1
    assert "SECRET" not in r.stderr and "Traceback" not in r.stderr
    assert r.stderr.startswith("qualcode: internal error (RuntimeError at test_offline_and_crash.py:")


def test_outputs_are_readable_as_the_umask_allows(cli, tmp_path):
    import os

    src = tmp_path / "t.txt"
    src.write_text("Client: I trust you.\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    old = os.umask(0o022)
    try:
        assert cli("code", src, "-c", SMALL, "--out", out).exit_code == 0
    finally:
        os.umask(old)
    assert out.stat().st_mode & 0o777 == 0o644


def test_debug_shows_a_traceback_without_local_variables(tmp_path):
    from support import run_qualcode

    secret = tmp_path / "t.txt"
    secret.write_text("Client: SECRET words of a participant\n", encoding="utf-8")
    r = run_qualcode("--debug", "code", secret, "--codebook", tmp_path / "missing.yaml")
    assert r.returncode == 1
    assert "Traceback (most recent call last)" in r.stderr and "CodebookError" in r.stderr
    assert "SECRET" not in r.stderr and "locals" not in r.stderr.lower()
    r = run_qualcode("code", secret, "--codebook", tmp_path / "missing.yaml")
    assert "Traceback" not in r.stderr and r.returncode == 1


def test_full_disk_while_deciding_keeps_earlier_decisions(tmp_path, monkeypatch):
    import qualcode.review.store as store
    from qualcode.errors import QualcodeError

    with store.DecisionLog(tmp_path, "ana") as log:
        log.append("add", transcript="t", turn=1, theme="trust", start=None, end=None)
        log.append("add", transcript="t", turn=2, theme="rupture", start=None, end=None)
    before = store.log_path(tmp_path, "ana").read_bytes()

    def full_disk(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(store.os, "fsync", full_disk)
    with store.DecisionLog(tmp_path, "ana") as log, pytest.raises(QualcodeError) as exc:
        log.append("add", transcript="t", turn=3, theme="repair", start=None, end=None)
    assert exc.value.diagnostics[0].format().startswith(f"{store.log_path(tmp_path, 'ana')}: QC321 cannot write "
                                                        "decision log: No space left on device")
    monkeypatch.undo()
    assert store.log_path(tmp_path, "ana").read_bytes().startswith(before)
    codings = store.load_codings(tmp_path, "ana")
    assert [(c.turn, c.theme) for c in codings][:2] == [(1, "trust"), (2, "rupture")]
