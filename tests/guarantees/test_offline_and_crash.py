"""Offline (no socket can be opened) and crash safety of writes (a full disk leaves the old output intact)."""
from __future__ import annotations

import errno
import subprocess
import sys

from support import CLI_ENV, DATA, EXAMPLES, ROOT

SMALL = DATA / "codebooks" / "small.yaml"

BLOCKER = """
import socket, sys
def _blocked(*args, **kwargs):
    raise OSError("network access attempted")
class _BlockedSocket(socket.socket):
    def __init__(self, *args, **kwargs):
        _blocked()
socket.socket = _BlockedSocket
socket.create_connection = _blocked
socket.getaddrinfo = _blocked
import runpy
sys.argv = ["qualcode"] + sys.argv[1:]
runpy.run_module("qualcode", run_name="__main__")
"""


def run_offline(*args, tmp_path):
    script = tmp_path / "offline.py"
    script.write_text(BLOCKER, encoding="utf-8")
    env = {**CLI_ENV, "PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    return subprocess.run([sys.executable, str(script), *map(str, args)], capture_output=True, text=True,
                          env=env, cwd=tmp_path, timeout=120)


def test_main_command_works_with_the_network_blocked(tmp_path):
    r = run_offline("code", EXAMPLES / "d01-client.txt", "--format", "csv", tmp_path=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "network access attempted" not in r.stderr
    assert r.stdout.startswith("transcript,dyad,")
    assert r.stdout.count("\n") > 10


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
