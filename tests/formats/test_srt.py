"""SRT: with and without speaker prefixes, markup, diarisation labels, sloppy blocks, bad files."""
from __future__ import annotations

import pytest
from formats_helpers import FORMATS, SESSION

from qualcode.errors import TranscriptError
from qualcode.transcripts import read_transcript


def read_text(tmp_path, text: str, name="subtitles.srt", **kw):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return read_transcript(path, **kw)


def test_speaker_prefixes_continuation_cues_and_line_wraps(roles):
    t = read_transcript(FORMATS / "session.srt", speakers=roles)
    assert [(x.speaker, x.text, x.timestamp, x.end_timestamp) for x in t.turns] == SESSION
    assert t.format == "srt" and t.diagnostics == ()


def test_whisperx_labels_italics_and_position_overrides():
    t = read_transcript(FORMATS / "whisperx.srt")
    assert [(x.speaker, x.text) for x in t.turns] == [
        ("SPEAKER_00", "Thank you for coming today. How are you feeling?"),
        ("SPEAKER_01", "Tired, honestly. I did not sleep much."),
        ("SPEAKER_00", "I see.")]
    assert [(d.code, d.line) for d in t.diagnostics] == [("QC207", 2), ("QC207", 10)]


def test_missing_index_and_missing_blank_line_between_cues(tmp_path):
    srt = ("00:00:01,000 --> 00:00:02,000\nClient: One.\n2\n00:00:02,500 --> 00:00:03,000\nTherapist: Two.\n\n\n"
           "3\n00:00:04,000 --> 00:00:05,000\nThree.\n")
    t = read_text(tmp_path, srt)
    assert [(x.speaker, x.text) for x in t.turns] == [("Client", "One."), ("Therapist", "Two. Three.")]
    assert t.diagnostics == ()


def test_subtitles_without_speakers_are_kept_under_unknown(tmp_path):
    t = read_text(tmp_path, "1\n00:00:01,000 --> 00:00:02,000\nHello.\n\n2\n00:00:02,000 --> 00:00:03,000\nHi.\n")
    assert [(x.speaker, x.role, x.text) for x in t.turns] == [("Unknown", "unknown", "Hello. Hi.")]
    assert [d.message for d in t.diagnostics][0] == "2 caption lines name no speaker: kept under speaker 'Unknown'"


def test_text_outside_cues_is_reported(tmp_path):
    srt = "Title of the file\n\n1\n00:00:01,000 --> 00:00:02,000\nClient: Yes.\n\nstray\n"
    t = read_text(tmp_path, srt)
    assert [(d.code, d.line) for d in t.diagnostics] == [("QC218", 1), ("QC218", 7)]


@pytest.mark.parametrize("text, expected", [
    ("just some text\n", "QC212 no cues found in the subtitle file"),
    ("1\n00:00:01,000 --> 00:00:0x,000\nClient: hi\n", "2:1: QC213 cannot read the cue timing"),
    ("1\n00:00:02,000 --> 00:00:01,000\nClient: hi\n", "2:1: QC214 cue ends (00:00:01,000) before it starts (00:00:02,000)"),
])
def test_bad_subtitle_files(tmp_path, text, expected):
    with pytest.raises(TranscriptError) as err:
        read_text(tmp_path, text, input_format="srt")
    prefix = f"{tmp_path / 'subtitles.srt'}:"
    assert [d.format().split(" — ")[0].replace(prefix, "").lstrip() for d in err.value.diagnostics] == [expected]


def test_a_colon_in_unlabelled_subtitles_is_not_a_speaker(tmp_path):
    srt = "".join(f"{i}\n00:00:0{i},000 --> 00:00:0{i},900\n{line}\n\n" for i, line in enumerate(
        ["So how was it?", "Look: I do not know.", "It was long.", "Anyway: we went home.", "Then?", "We slept."],
        start=1))
    t = read_text(tmp_path, srt)
    assert [(x.speaker, x.text) for x in t.turns] == [
        ("Unknown", "So how was it? Look: I do not know. It was long. Anyway: we went home. Then? We slept.")]


def test_display_names_as_prefixes(tmp_path, roles):
    """Meeting tools write display names: commas, brackets, pronouns."""
    srt = "".join(f"{i}\n00:00:0{i},000 --> 00:00:0{i},900\n{line}\n\n" for i, line in enumerate(
        ["Weber, Anna: Shall we start?", "Anna (she/her): Yes: the letter.", "Weber, Anna: Good."], start=1))
    t = read_text(tmp_path, srt, speakers=roles)
    assert [(x.speaker, x.role, x.text) for x in t.turns] == [
        ("Weber, Anna", "therapist", "Shall we start?"), ("Anna (she/her)", "unknown", "Yes: the letter."),
        ("Weber, Anna", "therapist", "Good.")]
