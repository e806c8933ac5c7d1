"""Helpers and fixtures for REFI-QDA tests: schema validation, hand-made archives, the codings used.

Fixtures live here, not in a conftest.py: other test folders import `conftest` by name, and
a second conftest module would shadow it. Test modules import the fixtures they use.
"""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent.parent / "data"
REFI = DATA / "refi"
TRANSCRIPTS = REFI / "transcripts"
SMALL = DATA / "codebooks" / "small.yaml"
SCHEMAS = Path(__file__).resolve().parents[2] / "qualcode" / "refi" / "schemas"

#: (coder, transcript, turn, theme, quote or None for the whole turn, memo)
CODINGS = [
    ("ana", "d09-session", 2, "trust", "I trust her completely", ""),
    ("ana", "d09-session", 3, "translation", "She translated it wrong", "rendering, not meaning"),
    ("ana", "d09-session", 4, "repair", None, ""),
    ("ana", "d09-session", 5, "rupture", "You are not listening to me", ""),
    ("ana", "d09-session", 5, "trust", "I trust you now", ""),
    ("ben", "d09-session", 2, "trust", None, ""),
    ("ben", "d09-session", 3, "translation", "translated it wrong, I think — désolé. 🙏", "with the emoji"),
    ("ben", "d09-client", 2, "trust", "I felt safe", ""),
    ("ben", "d09-client", 4, "rupture", "I walked out of the session", ""),
]


def schema_errors(data: bytes, kind: str) -> list[str]:
    """Validate with xmlschema against the official XSD copies (strict: rejects alpha colours)."""
    import xmlschema

    name = {"codebook": "Codebook-mrt2019.xsd", "project": "Project-mrt2019.xsd"}[kind]
    schema = _SCHEMAS.get(name) or _SCHEMAS.setdefault(name, xmlschema.XMLSchema(str(SCHEMAS / name)))
    return [str(e.reason) for e in schema.iter_errors(io.BytesIO(data))]


_SCHEMAS: dict = {}


def make_zip(path: Path, members: dict[str, bytes | str]) -> Path:
    """A ZIP with `members` (name -> content), written as given (no name checks)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data.encode("utf-8") if isinstance(data, str) else data)
    return path


def key(coding) -> tuple:
    """What a round trip must keep: coder, theme, transcript, turn and span."""
    return (coding.coder, coding.transcript, coding.turn, coding.theme, coding.start, coding.end)


# -- fixtures ---------------------------------------------------------------------------
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
