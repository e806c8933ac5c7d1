"""Word documents: speaker tables, speaker paragraphs, Otter-style paragraphs, files that are not Word."""
from __future__ import annotations

import zipfile

import pytest
from formats_helpers import SESSION

from qualcode.errors import TranscriptError
from qualcode.transcripts import read_transcript


def test_speaker_table_with_headings_and_time_spans(session_docx, roles):
    t = read_transcript(session_docx, speakers=roles)
    assert [(x.speaker, x.text, x.timestamp, x.end_timestamp) for x in t.turns] == SESSION
    assert t.format == "docx"
    # the title paragraph is in no turn; paragraph 1, the heading row is paragraph 2
    assert [d.format() for d in t.diagnostics] == [
        f"{session_docx}:1:1: QC208 warning: line before the first speaker turn is not part of any turn — "
        "start each turn with a speaker label such as 'Client:'"]


def test_two_column_table_without_headings(docx_file):
    path = docx_file([[["Interviewer", "What brought you here?"], ["Weber, Anna", "The letter."],
                       ["", "And my son."], ["Interviewer", "Which letter?"]]])
    t = read_transcript(path)
    assert [(x.speaker, x.role, x.text) for x in t.turns] == [
        ("Interviewer", "interviewer", "What brought you here?"), ("Weber, Anna", "unknown", "The letter.\nAnd my son."),
        ("Interviewer", "interviewer", "Which letter?")]


def test_speaker_paragraphs_continuations_and_paragraph_numbers(docx_file):
    path = docx_file(["Interview 4 — 12 March", "Interviewer: How did the first session feel?",
                      "Participant: Strange at first.", "Then it got easier.", "[laughs]",
                      "Interviewer: Why?"])
    t = read_transcript(path)
    assert [(x.speaker, x.text) for x in t.turns] == [
        ("Interviewer", "How did the first session feel?"),
        ("Participant", "Strange at first.\nThen it got easier.\n[laughs]"),
        ("Interviewer", "Why?")]
    assert [(d.code, d.line) for d in t.diagnostics] == [("QC208", 1)]


def test_otter_style_paragraphs_and_front_matter(docx_file):
    path = docx_file(["---", "dyad: D03", "role: client", "speakers: {Sam Rivera: interviewer}", "---",
                      "Sam Rivera  0:03", "How are you?", "Mahnaz  0:09", "Fine."])
    t = read_transcript(path)
    assert [(x.speaker, x.role, x.text, x.timestamp) for x in t.turns] == [
        ("Sam Rivera", "interviewer", "How are you?", "0:03"), ("Mahnaz", "unknown", "Fine.", "0:09")]
    assert t.dyad == "D03" and t.meta["speakers"] == {"Sam Rivera": "interviewer", "Mahnaz": None}


def _error(path) -> str:
    with pytest.raises(TranscriptError) as err:
        read_transcript(path)
    (d,) = err.value.diagnostics
    return d.format()


def test_text_file_named_docx_is_not_a_word_file(tmp_path):
    path = tmp_path / "notes.docx"
    path.write_text("Client: hello\n")
    assert _error(path) == (
        f"{path}: QC220 is not a Word document (.docx files are ZIP packages; this file is not one) — "
        "open it in Word or LibreOffice and save it as a Word document (.docx), or export plain text (.txt)")


def test_zip_that_is_not_a_word_document(tmp_path):
    path = tmp_path / "sheet.docx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
    assert "QC220 is a ZIP file but not a Word document (it has no word/document.xml)" in _error(path)


def test_old_doc_file(tmp_path):
    path = tmp_path / "old.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    assert "QC220 is an old Word 97-2003 (.doc) file or a password-protected document, not a .docx" in _error(path)


def test_damaged_word_document(tmp_path):
    path = tmp_path / "broken.docx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("word/document.xml", "<not-closed")
    assert "QC220 cannot be read as a Word document (" in _error(path)


def test_empty_document(docx_file):
    path = docx_file(["", ""])
    assert _error(path).startswith(f"{path}: QC202 the document is empty")


def test_table_of_unique_keys_is_metadata_not_speakers(docx_file):
    path = docx_file([[["Date", "12 May 2024"], ["Interviewer", "A. Weber"]], "Interviewer: Shall we begin?"])
    t = read_transcript(path)
    assert [(x.speaker, x.text) for x in t.turns] == [("Interviewer", "Shall we begin?")]
    assert [(d.code, d.line) for d in t.diagnostics] == [("QC208", 1), ("QC208", 2)]


def test_tracked_insertions_count_and_deletions_do_not(tmp_path):
    import docx
    from docx.oxml import parse_xml

    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" w:author="T" w:id="{}"'
    document = docx.Document()
    p = document.add_paragraph("Client: I was ")
    p._p.append(parse_xml(f'<w:ins {w.format(1)}><w:r><w:t xml:space="preserve">very </w:t></w:r></w:ins>'))
    p._p.append(parse_xml(f'<w:del {w.format(2)}><w:r><w:delText>quite </w:delText></w:r></w:del>'))
    p.add_run("angry.")
    document.add_paragraph("Therapist: Line one").add_run().add_break()
    document.paragraphs[-1].add_run("line two.")
    path = tmp_path / "tracked.docx"
    document.save(path)
    assert [(x.speaker, x.text) for x in read_transcript(path).turns] == [
        ("Client", "I was very angry."), ("Therapist", "Line one\nline two.")]
