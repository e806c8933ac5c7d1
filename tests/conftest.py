"""Shared fixtures: a CLI runner with a pinned terminal width, paths to test data."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
EXAMPLES = ROOT / "examples" / "transcripts"
DEFAULT_CODEBOOK = ROOT / "codebooks" / "interpreter-alliance.yaml"

#: Rich wraps at the terminal width: pin it so output assertions are stable.
CLI_ENV = {"COLUMNS": "100", "TERMINAL_WIDTH": "100", "NO_COLOR": "1", "_TYPER_FORCE_DISABLE_TERMINAL": "1"}


@pytest.fixture
def cli():
    """Invoke `qualcode ARGS...` in-process; returns click's Result (exit_code, stdout, stderr)."""
    from qualcode.cli import app

    runner = CliRunner()

    def invoke(*args, input=None):
        return runner.invoke(app, [str(a) for a in args], input=input, env=CLI_ENV, catch_exceptions=False)

    return invoke


def run_qualcode(*args, cwd=None, input=None, timeout=120, env=None):
    """Run `python -m qualcode ARGS...` as a real subprocess (for exit codes, signals, imports)."""
    full_env = {**os.environ, **CLI_ENV, "PYTHONPATH": str(ROOT)}
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "qualcode", *map(str, args)], cwd=cwd, input=input,
                          capture_output=True, text=True, timeout=timeout, env=full_env)


@pytest.fixture(scope="session")
def small_codebook_path() -> Path:
    return DATA / "codebooks" / "small.yaml"
