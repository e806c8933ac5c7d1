"""Paths, helpers and fixtures of the batch tests: the small fixture study and its golden tables.

(Not a conftest.py: other test modules do `from conftest import ...`, and a second conftest
module would shadow the root one.)
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
#: The environment the shared `cli` fixture pins (terminal width, no colour), for real subprocesses.
CLI_ENV = {"COLUMNS": "100", "TERMINAL_WIDTH": "100", "NO_COLOR": "1", "_TYPER_FORCE_DISABLE_TERMINAL": "1"}
DATA = HERE.parent / "data"
STUDY = DATA / "batch" / "study"
FORMULA = DATA / "batch" / "formula"
SMALL_CODEBOOK = DATA / "codebooks" / "small.yaml"
GOLDEN = HERE.parent / "golden" / "batch"
TABLES = ("segments", "matrix", "cooccurrence", "frequencies")


def check_golden(path: Path, golden_name: str) -> None:
    """`path` equals the golden file byte for byte (QUALCODE_UPDATE_GOLDEN=1 rewrites the golden file)."""
    golden = GOLDEN / golden_name
    if os.environ.get("QUALCODE_UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(path.read_bytes())
    assert path.read_bytes().decode("utf-8") == golden.read_text(encoding="utf-8"), f"{path.name} differs from {golden}"


def output_files(folder: Path) -> dict[str, bytes]:
    """The visible files of an output folder, by name."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file() and not p.name.startswith(".")}


@pytest.fixture
def study(tmp_path) -> Path:
    """A writable copy of the fixture study (import it into a test module to use it)."""
    folder = tmp_path / "study"
    folder.mkdir()
    for src in sorted(STUDY.iterdir()):
        (folder / src.name).write_bytes(src.read_bytes())
    return folder
