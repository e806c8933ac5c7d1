"""Exports are deterministic: compare with golden files (regenerate with QUALCODE_UPDATE_GOLDEN=1)."""
from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest
from refi_helpers import SMALL, TRANSCRIPTS, codings, codings_csv, small_book, transcripts  # noqa: F401 (fixtures)

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "refi"


def check_golden(name: str, data: bytes) -> None:
    path = GOLDEN / name
    if os.environ.get("QUALCODE_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    if not path.exists():
        pytest.fail(f"golden file {path} is missing; run with QUALCODE_UPDATE_GOLDEN=1 to create it")
    assert data.decode("utf-8") == path.read_text(encoding="utf-8")


def test_codebook_golden(cli, tmp_path):
    out = tmp_path / "small.qdc"
    assert cli("codebook", "export", SMALL, "--out", out).exit_code == 0
    check_golden("small.qdc", out.read_bytes())


def test_project_golden(cli, tmp_path, codings_csv):
    out = tmp_path / "study.qdpx"
    assert cli("export", "qdpx", TRANSCRIPTS, "--codebook", SMALL, "--codings", codings_csv, "--out", out).exit_code == 0
    check_golden("study-project.qde", zipfile.ZipFile(out).read("project.qde"))
