"""Converting to plain text: reading the converted file gives the same turns, offsets and metadata."""
from __future__ import annotations

import pytest
from formats_helpers import FORMATS

from qualcode.transcripts import read_transcript
from qualcode.transcripts.formats import normalised_text
from qualcode.transcripts.formats.convert import convert_transcripts

FIXTURES = ["session.vtt", "teams.vtt", "youtube.vtt", "session.srt", "whisperx.srt", "session-rev.txt",
            "session-otter.txt"]


def test_converted_files_read_back_identically(tmp_path, roles, session_docx):
    paths = [FORMATS / name for name in FIXTURES if name != "session.srt"]
    report = convert_transcripts(paths, tmp_path / "out", speakers=roles)
    word = convert_transcripts([session_docx], tmp_path / "word", speakers=roles)
    assert not report.failed and not word.failed and len(report.converted) == len(paths)
    for c in report.converted + word.converted:
        source = read_transcript(c.source, speakers=roles)
        back = read_transcript(c.target, speakers=roles)
        assert back.turns == source.turns if source.format != "txt" else \
            [(x.speaker, x.role, x.text, x.timestamp) for x in back.turns] == \
            [(x.speaker, x.role, x.text, x.timestamp) for x in source.turns], c.source.name
        assert back.meta == {**source.meta, "id": source.id, "source": c.source.name,
                             "speakers": back.meta["speakers"]}
        assert back.format == "txt" and back.id == source.id
        assert not [d for d in back.diagnostics if d.code != "QC207"], c.source.name
        if source.format != "txt":
            assert c.target.read_text(encoding="utf-8") == source.text


@pytest.mark.parametrize("name", FIXTURES)
def test_normalised_text_is_stable(name):
    t = read_transcript(FORMATS / name)
    once = normalised_text(t)
    if t.format != "txt":
        assert once == t.text
    path_meta = {**t.meta, "id": t.id}
    assert normalised_text(t.__class__(**{**t.__dict__, "meta": path_meta})) == once


def test_speaker_names_that_plain_text_would_not_recognise_survive(tmp_path):
    vtt = tmp_path / "odd.vtt"
    vtt.write_text("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v +49 30 1234>Hello?</v>\n\n"
                   "00:00:02.000 --> 00:00:03.000\n<v Note>Note: this is a name.</v>\n\n"
                   "00:00:03.000 --> 00:00:04.000\n<v Dr. med. A. Weber-Schmidt (Klinik Nord)>Yes.</v>\n", "utf-8")
    report = convert_transcripts([vtt], tmp_path / "out")
    assert [(x.speaker, x.text) for x in read_transcript(report.converted[0].target).turns] == \
        [(x.speaker, x.text) for x in read_transcript(vtt).turns] == [
            ("+49 30 1234", "Hello?"), ("Note", "Note: this is a name."),
            ("Dr. med. A. Weber-Schmidt (Klinik Nord)", "Yes.")]


def test_convert_never_overwrites_inputs_or_existing_files(tmp_path):
    src = tmp_path / "a.txt"
    src.write_text("Client: hi\n", "utf-8")
    report = convert_transcripts([src], tmp_path)
    assert [d.code for d in report.diagnostics] == ["QC223"] and src.read_text() == "Client: hi\n"
    out = tmp_path / "out"
    out.mkdir()
    (out / "session.txt").write_text("mine", "utf-8")
    report = convert_transcripts([FORMATS / "session.vtt", FORMATS / "session.srt"], out)
    assert [(d.code, d.message) for d in report.diagnostics] == [
        ("QC222", f"{out / 'session.txt'} already exists"),
        ("QC223", f"{FORMATS / 'session.vtt'} already converts to {out / 'session.txt'}")]
    assert (out / "session.txt").read_text() == "mine"
    report = convert_transcripts([FORMATS / "session.vtt"], out, overwrite=True)
    assert not report.failed and (out / "session.txt").read_text().startswith("---\nid: session\n")


def test_convert_refuses_text_that_would_not_read_back(tmp_path, monkeypatch):
    import qualcode.transcripts.formats.convert as convert

    monkeypatch.setattr(convert, "normalised_text", lambda t, speakers=None: "Somebody: else\n")
    report = convert_transcripts([FORMATS / "session.vtt"], tmp_path)
    assert [d.format() for d in report.diagnostics] == [
        f"{FORMATS / 'session.vtt'}: QC224 the converted text would not read back the same from turn 1 on; "
        "not written — this is a bug in qualcode: please report it (the input is unchanged)"]
    assert list(tmp_path.iterdir()) == []
