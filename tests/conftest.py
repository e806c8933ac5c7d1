"""Shared fixtures: a CLI runner with a pinned terminal width. Constants live in support.py."""
from __future__ import annotations

import pytest
from typer.testing import CliRunner

from support import CLI_ENV, DATA


@pytest.fixture
def cli():
    """Invoke `qualcode ARGS...` in-process; returns click's Result (exit_code, stdout, stderr)."""
    from qualcode.cli import app

    runner = CliRunner()

    def invoke(*args, input=None):
        return runner.invoke(app, [str(a) for a in args], input=input, env=CLI_ENV, catch_exceptions=False)

    return invoke


@pytest.fixture(scope="session")
def small_codebook_path():
    return DATA / "codebooks" / "small.yaml"
