"""Shared test constants and helpers: `from support import DATA, run_qualcode`.

(Test modules import from here, never from `conftest`: several folders have a conftest.py.)
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
EXAMPLES = ROOT / "examples" / "transcripts"
DEFAULT_CODEBOOK = ROOT / "codebooks" / "interpreter-alliance.yaml"

#: Rich wraps at the terminal width: pin it so output assertions are stable.
CLI_ENV = {"COLUMNS": "100", "TERMINAL_WIDTH": "100", "NO_COLOR": "1", "_TYPER_FORCE_DISABLE_TERMINAL": "1"}


def run_qualcode(*args, cwd=None, input=None, timeout=120, env=None):
    """Run `python -m qualcode ARGS...` as a real subprocess (for exit codes, signals, imports)."""
    full_env = {**os.environ, **CLI_ENV, "PYTHONPATH": str(ROOT)}
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "qualcode", *map(str, args)], cwd=cwd, input=input,
                          capture_output=True, text=True, timeout=timeout, env=full_env)
