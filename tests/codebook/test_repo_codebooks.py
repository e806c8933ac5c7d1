"""Every codebook shipped in `codebooks/` is valid under --strict and passes its own examples."""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CODEBOOKS = sorted((ROOT / "codebooks").glob("*.yaml"))


@pytest.mark.parametrize("path", CODEBOOKS, ids=lambda p: p.name)
def test_repo_codebook_is_valid_and_its_examples_pass(cli, path: Path):
    r = cli("codebook", "validate", "--strict", path)
    assert r.exit_code == 0, r.stdout
    r = cli("codebook", "test", path)
    assert r.exit_code == 0, r.stdout
