"""Word documents (.docx) from a transcriptionist: speaker paragraphs and speaker tables (NVivo style).

python-docx gives paragraphs and tables in document order. Paragraphs are read with the
plain-text conventions (`Name: text`, `Name` alone with the text below, `[00:01:02] Name:`,
`Name  0:03` as Otter writes it); a table whose columns are speaker and text (and optionally a
time or time span) gives one turn per row. Line numbers in diagnostics count paragraphs, each
table row counting as one.
"""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import replace

from qualcode.errors import Diagnostic, TranscriptError
from qualcode.transcripts.decode import MAX_TRANSCRIPT_BYTES
from qualcode.transcripts.formats import Rendered, Segment, clean_speaker, render
from qualcode.transcripts.frontmatter import split_front_matter
from qualcode.transcripts.plaintext import TS, match_name_alone, match_turn_start
from qualcode.transcripts.roles import RoleMap, normalise_label

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_SPAN = re.compile(rf"^\[?(?P<start>{TS})\]?(?:\s*(?:-->|-|–)\s*\[?(?P<end>{TS})\]?)?$")

#: Column headings of a speaker table (lower case), in the languages of our studies.
SPEAKER_HEADINGS = {"speaker", "speakers", "name", "person", "who", "sprecher", "sprecher*in", "sprecherin",
                    "role", "rolle", "interlocutor"}
TEXT_HEADINGS = {"text", "content", "transcript", "transcription", "utterance", "statement", "speech", "turn",
                 "inhalt", "äußerung", "aussage", "transkript"}
TIME_HEADINGS = {"time", "timestamp", "timespan", "time span", "start", "timecode", "zeit", "zeitmarke",
                 "zeitstempel", "zeitspanne"}


def _not_word(path: str, message: str) -> TranscriptError:
    return TranscriptError(Diagnostic(
        "QC220", message, path,
        hint="open it in Word or LibreOffice and save it as a Word document (.docx), or export plain text (.txt)"))


def open_document(data: bytes, path: str):
    """The python-docx Document, or a clear error for files that are not Word documents."""
    if data.startswith(_OLE):
        raise _not_word(path, "is an old Word 97-2003 (.doc) file or a password-protected document, not a .docx")
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise _not_word(path, "is not a Word document (.docx files are ZIP packages; this file is not one)") from None
    names = set(package.namelist())
    if "word/document.xml" not in names:
        raise _not_word(path, "is a ZIP file but not a Word document (it has no word/document.xml)")
    size = package.getinfo("word/document.xml").file_size
    if size > 4 * MAX_TRANSCRIPT_BYTES:
        raise TranscriptError(Diagnostic(
            "QC209", f"the document's text is {size:,} bytes, more than a transcript may have", path,
            hint="split the transcript into several documents"))
    import docx  # python-docx, imported only when a .docx is read

    try:
        return docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many kinds of errors for damaged packages
        raise _not_word(path, f"cannot be read as a Word document ({type(exc).__name__})") from None


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_BREAKS = {f"{_W}br", f"{_W}cr"}


def paragraph_text(paragraph) -> str:
    """The paragraph's text as Word shows it with all changes accepted.

    python-docx's `Paragraph.text` skips runs inside tracked insertions (`w:ins`), content
    controls and fields; here every `w:t` counts (deleted text is `w:delText`, so it does not),
    except text in text boxes.
    """
    out: list[str] = []
    for el in paragraph._p.iter(f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr"):
        if next(el.iterancestors(f"{_W}txbxContent"), None) is not None:
            continue
        if el.tag == f"{_W}t":
            out.append(el.text or "")
        else:
            out.append("\n" if el.tag in _BREAKS else "\t")
    return "".join(out)


def _cells(row) -> list[str]:
    """Text of a row's cells, merged cells once, paragraphs of a cell joined with a space."""
    seen: set[int] = set()
    out: list[str] = []
    for cell in row.cells:
        if id(cell._tc) in seen:
            continue
        seen.add(id(cell._tc))
        out.append(" ".join(" ".join(paragraph_text(p).split()) for p in cell.paragraphs).strip())
    return out


def _columns(rows: list[list[str]]) -> tuple[dict[str, int] | None, int]:
    """Which column holds speaker, text and time, and how many heading rows to skip; None if not a speaker table."""
    if not rows:
        return None, 0
    heading = [c.strip().lower().rstrip(":") for c in rows[0]]
    found: dict[str, int] = {}
    for i, cell in enumerate(heading):
        for key, names in (("speaker", SPEAKER_HEADINGS), ("text", TEXT_HEADINGS), ("time", TIME_HEADINGS)):
            if cell in names and key not in found:
                found[key] = i
    if "speaker" in found and "text" in found:
        return found, 1
    widths = {len(r) for r in rows}
    if widths == {2}:
        cols = {"speaker": 0, "text": 1}
    elif widths == {3} and all(_SPAN.match(r[0]) or not r[0] for r in rows) and any(r[0] for r in rows):
        cols = {"time": 0, "speaker": 1, "text": 2}
    else:
        return None, 0
    # without headings, speakers must come back: a table of unique keys ('Date | 12 May') is metadata
    names = [normalise_label(r[cols["speaker"]]) for r in rows if r[cols["speaker"]].strip()]
    return (cols, 0) if len(set(names)) < len(names) else (None, 0)


def _row_line(cells: list[str], cols: dict[str, int]) -> tuple[str, str | None]:
    """The row as a plain-text turn line, and its speaker."""
    speaker = clean_speaker(cells[cols["speaker"]]) if cols["speaker"] < len(cells) else ""
    text = cells[cols["text"]] if cols["text"] < len(cells) else ""
    span = ""
    if "time" in cols and cols["time"] < len(cells):
        m = _SPAN.match(cells[cols["time"]].strip())
        if m:
            span = f"[{m.group('start')} - {m.group('end')}] " if m.group("end") else f"[{m.group('start')}] "
    if not speaker:
        return text, None
    return f"{span}{speaker}: {text}".rstrip(), speaker


def document_lines(document, roles: RoleMap) -> tuple[list[str], list[int], set[str]]:
    """(text lines, paragraph number of each line, speakers named in speaker tables).

    Paragraphs are separated by a blank line, except after a speaker name alone in its
    paragraph (`Sam Rivera  0:03`), whose text follows directly as in a plain-text transcript.
    """
    from docx.table import Table

    lines: list[str] = []
    where: list[int] = []
    table_speakers: set[str] = set()
    block = 0
    glue = False

    def add(text: str) -> None:
        nonlocal block, glue
        block += 1
        if lines and not glue:
            lines.append("")
            where.append(block)
        parts = [part.replace("\t", " ") for part in text.split("\n")]
        lines.extend(parts)
        where.extend([block] * len(parts))
        glue = len(parts) == 1 and match_turn_start(parts[0], roles) is None \
            and match_name_alone(parts[0], roles) is not None

    for item in document.iter_inner_content():
        if isinstance(item, Table):
            rows = [_cells(row) for row in item.rows]
            cols, skip = _columns(rows)
            for k, cells in enumerate(rows):
                if cols is None:
                    add(" ".join(c for c in cells if c))
                elif k < skip:
                    block += 1
                else:
                    line, speaker = _row_line(cells, cols)
                    if speaker:
                        table_speakers.add(speaker)
                    add(line)
        else:
            add(paragraph_text(item))
    return lines, where, table_speakers


def read_docx(data: bytes, path: str, *, speakers: dict[str, str] | None = None, merge_cues: bool = True) -> Rendered:
    """Read a Word transcript into the normalised plain-text form (`merge_cues` does not apply)."""
    from qualcode.transcripts.read import parse_plaintext_body

    document = open_document(data, path)
    lines, where, table_speakers = document_lines(document, RoleMap.build({}, speakers))
    text = "\n".join(lines)
    if not text.strip():
        raise TranscriptError(Diagnostic("QC202", "the document is empty", path,
                                         hint="add the transcript's turns, one 'Speaker: text' per paragraph"))
    meta, body_start = split_front_matter(text, path)
    roles = RoleMap.build(meta, speakers)
    roles.listed |= {normalise_label(s) for s in table_speakers}
    body = parse_plaintext_body(text, body_start, roles, path)

    def paragraph(line: int | None) -> int | None:
        return where[line - 1] if line else line

    diagnostics = [replace(d, line=paragraph(d.line)) for d in body.diagnostics]
    segments = [Segment(d.speaker, text[d.start:d.end] if d.start is not None else "", paragraph(d.line),
                        d.timestamp, d.end_timestamp) for d in body.drafts]
    return render(segments, meta, path=path, fmt="docx", speakers=speakers, diagnostics=diagnostics)
