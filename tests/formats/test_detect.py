"""Format detection by content and extension, and --input-format overriding it."""
from __future__ import annotations

import shutil

import pytest
from formats_helpers import FORMATS

from qualcode.errors import TranscriptError
from qualcode.transcripts import read_transcript
from qualcode.transcripts.read import FORMATS as REGISTRY
from qualcode.transcripts.read import detect_format


@pytest.mark.parametrize("name, expected", [
    ("session.vtt", "vtt"), ("youtube.vtt", "vtt"), ("session.srt", "srt"), ("whisperx.srt", "srt"),
    ("session-rev.txt", "txt"), ("session-otter.txt", "txt"),
])
def test_detect_by_content(name, expected):
    path = FORMATS / name
    assert detect_format(path, path.read_bytes()) == expected


def test_registry_lists_every_format_and_the_cli_offers_them():
    from qualcode.cli.transcript import InputFormat

    assert list(REGISTRY) == [f.value for f in InputFormat] == ["txt", "md", "vtt", "srt", "docx"]


def test_captions_saved_as_txt_are_read_as_captions_with_a_note(tmp_path):
    path = tmp_path / "zoom.txt"
    shutil.copy(FORMATS / "session.vtt", path)
    t = read_transcript(path)
    assert t.format == "vtt" and len(t.turns) == 5
    assert t.diagnostics[0].format() == (
        f"{path}: QC221 warning: the file is named .txt but holds vtt content; read as vtt — "
        "rename the file, or use --input-format txt to read it as txt")


def test_srt_named_vtt_is_read_as_srt(tmp_path):
    path = tmp_path / "captions.vtt"
    shutil.copy(FORMATS / "session.srt", path)
    t = read_transcript(path)
    assert t.format == "srt" and [d.code for d in t.diagnostics][:1] == ["QC221"]


def test_word_document_with_another_name_is_read_as_word(session_docx, tmp_path):
    path = tmp_path / "transcript.bin"
    shutil.copy(session_docx, path)
    assert read_transcript(path).format == "docx"


def test_input_format_overrides_detection(tmp_path):
    path = tmp_path / "notes.vtt"
    path.write_text("WEBVTT\n\nTherapist: this file only starts like captions\n", "utf-8")
    t = read_transcript(path, input_format="txt")
    assert t.format == "txt" and [(x.speaker, x.text) for x in t.turns] == [
        ("Therapist", "this file only starts like captions")]


def test_unknown_input_format(tmp_path):
    with pytest.raises(TranscriptError) as err:
        read_transcript(FORMATS / "session.vtt", input_format="pdf")
    assert err.value.diagnostics[0].format() == (
        f"{FORMATS / 'session.vtt'}: QC211 unknown input format 'pdf' — use one of: txt, md, vtt, srt, docx")
