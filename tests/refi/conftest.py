"""Fixtures for REFI-QDA exchange: the small codebook, two transcripts with accents and emoji, codings."""
from __future__ import annotations

from pathlib import Path

import pytest
from refi_helpers import CODINGS, SMALL, TRANSCRIPTS


@pytest.fixture(scope="session")
def small_book():
    from qualcode.codebook import load_codebook

    return load_codebook(SMALL)


@pytest.fixture(scope="session")
def transcripts(small_book):
    from qualcode.transcripts import read_transcript

    return {p.stem: read_transcript(p, speakers=small_book.speakers) for p in sorted(TRANSCRIPTS.glob("*.txt"))}


@pytest.fixture(scope="session")
def codings(transcripts):
    """The CODINGS as `Coding`s with offsets found from their quotes."""
    from qualcode.codings import Coding

    out = []
    for coder, tid, number, theme, quote, memo in CODINGS:
        turn = transcripts[tid].turns[number - 1]
        if quote is None:
            out.append(Coding(tid, number, theme, coder, memo=memo))
            continue
        start = transcripts[tid].text.index(quote, turn.start)
        out.append(Coding(tid, number, theme, coder, start, start + len(quote), memo))
    return out


@pytest.fixture
def codings_csv(tmp_path, codings) -> Path:
    from qualcode.codings import codings_csv_text

    path = tmp_path / "codings.csv"
    path.write_text(codings_csv_text(codings), encoding="utf-8")
    return path
