"""Encodings, newlines and bad input files."""
from __future__ import annotations

import codecs

import pytest

from qualcode.errors import TranscriptError
from qualcode.transcripts import read_transcript

TEXT = "Therapist: Wie geht’s? Café — “quoted”.\nClient: Très bien.\n"


def read_bytes(tmp_path, data: bytes):
    path = tmp_path / "t.txt"
    path.write_bytes(data)
    return read_transcript(path)


@pytest.mark.parametrize("data", [
    TEXT.encode("utf-8"),
    codecs.BOM_UTF8 + TEXT.encode("utf-8"),
    TEXT.encode("utf-16"),  # with BOM
    codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"),
    TEXT.encode("cp1252"),
    TEXT.replace("\n", "\r\n").encode("utf-8"),
    TEXT.replace("\n", "\r").encode("cp1252"),
], ids=["utf8", "utf8-bom", "utf16-le-bom", "utf16-be-bom", "cp1252", "crlf", "cr-cp1252"])
def test_encodings_and_newlines_read_the_same(tmp_path, data):
    t = read_bytes(tmp_path, data)
    assert [(x.speaker, x.text) for x in t.turns] == [
        ("Therapist", "Wie geht’s? Café — “quoted”."), ("Client", "Très bien.")]
    assert "\r" not in t.text and not t.text.startswith("\ufeff")
    assert t.turns[1].line == 2


@pytest.mark.parametrize("data, code, message", [
    (b"", "QC202", "file is empty"),
    (b"  \n\t\n", "QC202", "file is empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "QC201", "looks like a binary file"),
    (b"Client: hi\x00there", "QC201", "looks like a binary file"),
    (b"Just some prose with no speakers.\nAnother line.\n", "QC206", "no speaker turns found"),
])
def test_bad_files_give_one_clear_error(tmp_path, data, code, message):
    with pytest.raises(TranscriptError) as exc:
        read_bytes(tmp_path, data)
    [d] = exc.value.diagnostics
    assert d.code == code and message in d.message and d.hint
    assert d.path.endswith("t.txt")


def test_missing_file(tmp_path):
    with pytest.raises(TranscriptError) as exc:
        read_transcript(tmp_path / "nope.txt")
    assert exc.value.diagnostics[0].format() == f"{tmp_path / 'nope.txt'}: QC001 transcript not found — check the path"
