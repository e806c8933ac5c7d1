"""Fixtures for the format tests: Word documents built with python-docx, the study's speaker roles."""
from __future__ import annotations

from pathlib import Path

import pytest
from formats_helpers import FORMATS, SESSION, make_docx


@pytest.fixture
def docx_file(tmp_path):
    def build(blocks: list, name: str = "interview.docx") -> Path:
        return make_docx(tmp_path / name, blocks)
    return build


@pytest.fixture
def session_docx(tmp_path) -> Path:
    """The session as NVivo-style Word table (time span, speaker, text) below a title."""
    rows = [["Timespan", "Speaker", "Content"]]
    rows += [[f"{start} - {end}", speaker, text] for speaker, text, start, end in SESSION]
    return make_docx(tmp_path / "session.docx", ["Session 19, excerpt (fictional)", rows])


@pytest.fixture(scope="session")
def roles() -> dict[str, str]:
    from qualcode.codebook import load_codebook

    return load_codebook(FORMATS / "speakers.yaml").speakers
