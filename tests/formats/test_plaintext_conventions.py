"""Plain-text conventions of transcription services, added next to the foundation's."""
from __future__ import annotations

from qualcode.transcripts import read_transcript
from qualcode.transcripts.formats.convert import convert_transcripts


def read(tmp_path, text: str):
    path = tmp_path / "t.txt"
    path.write_text(text, "utf-8")
    return read_transcript(path)


def test_time_span_before_the_speaker(tmp_path):
    t = read(tmp_path, "[00:00:01.000 - 00:00:04.500] Client: I was angry.\n(00:05 --> 00:07) Therapist: Why?\n")
    assert [(x.speaker, x.text, x.timestamp, x.end_timestamp) for x in t.turns] == [
        ("Client", "I was angry.", "00:00:01.000", "00:00:04.500"), ("Therapist", "Why?", "00:05", "00:07")]


def test_rev_and_otter_headings(tmp_path):
    t = read(tmp_path, "Speaker 1 (00:01:02):\nHello.\n\nAnna Weber  1:05\nHi.\n")
    assert [(x.speaker, x.text, x.timestamp) for x in t.turns] == [
        ("Speaker 1", "Hello.", "00:01:02"), ("Anna Weber", "Hi.", "1:05")]


def test_diarisation_labels(tmp_path):
    t = read(tmp_path, "SPEAKER_00: Hello.\n[SPEAKER_01]: Hi.\n[speaker-2] Hey.\n")
    assert [(x.speaker, x.text) for x in t.turns] == [("SPEAKER_00", "Hello."), ("SPEAKER_01", "Hi."),
                                                      ("speaker-2", "Hey.")]


def test_declared_labels_match_as_written(tmp_path):
    t = read(tmp_path, "---\nspeakers: {'Weber, Anna': therapist}\n---\nWeber, Anna: Hello.\n"
                       "[00:01] weber,  anna: Again.\nPerhaps, maybe: not a speaker.\n")
    assert [(x.speaker, x.role, x.text) for x in t.turns] == [
        ("Weber, Anna", "therapist", "Hello."), ("weber,  anna", "therapist", "Again.\nPerhaps, maybe: not a speaker.")]


def test_guards_still_hold(tmp_path):
    t = read(tmp_path, "Client: We met at\n17:30: after work.\nNote: she laughed.\n\nHow are you?\nFine.\n"
                       "COVID-19: that was the year.\n")
    assert [(x.speaker, x.text) for x in t.turns] == [
        ("Client", "We met at\n17:30: after work.\nNote: she laughed.\n\nHow are you?\nFine.\n"
                   "COVID-19: that was the year.")]


def test_timestamp_lines_qualcoder_accepts(tmp_path):
    t = read(tmp_path, "[01.23.45]\nClient: One.\n{00:34:20}\nTherapist: Two.\n#00:12:34.567#\nClient: Three.\n"
                       "[02.34]\nTherapist: Four.\n")
    assert [(x.speaker, x.timestamp) for x in t.turns] == [
        ("Client", "01:23:45"), ("Therapist", "00:34:20"), ("Client", "00:12:34.567"), ("Therapist", "02:34")]
    converted = tmp_path / "out" / "t.txt"
    convert_transcripts([tmp_path / "t.txt"], tmp_path / "out")
    assert [(x.speaker, x.timestamp, x.text) for x in read_transcript(converted).turns] == \
        [(x.speaker, x.timestamp, x.text) for x in t.turns]
