"""Fixtures of the batch tests."""
from __future__ import annotations

from pathlib import Path

import pytest
from batchdata import STUDY


@pytest.fixture
def study(tmp_path) -> Path:
    """A writable copy of the fixture study."""
    folder = tmp_path / "study"
    folder.mkdir()
    for src in sorted(STUDY.iterdir()):
        (folder / src.name).write_bytes(src.read_bytes())
    return folder
