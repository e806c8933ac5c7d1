"""Export transcripts and codings as a REFI-QDA project (`.qdpx`) for NVivo, ATLAS.ti, MAXQDA, QualCoder.

The archive holds `project.qde` (UTF-8, no BOM) and `sources/<GUID>.txt`: each transcript's
normalised text (`Transcript.text`, UTF-8, LF), exactly what coding offsets index. Each coding
becomes a `PlainTextSelection` with code-point positions and an exclusive end (a coding without
a span covers its whole turn), holding one `Coding` + `CodeRef`; coders are `Users`, dyads
`Cases`, front-matter fields `Variables`, memos `Notes`. GUIDs are derived, so the same input
gives the same file.
"""
from __future__ import annotations

import datetime as dt
import io
import math
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable, Sequence
from xml.etree import ElementTree as ET

from qualcode import __version__
from qualcode.codings import Coding
from qualcode.errors import WARNING, Diagnostic
from qualcode.models import Codebook, Transcript
from qualcode.refi.codebook import code_elements, theme_guid
from qualcode.refi.xmlsafe import PROJECT_NS, RefiError, check_against_schema, derived_guid, xml_bytes, xml_safe

#: The pseudo-coder that rule suggestions are exported as.
RULES_CODER = "qualcode-rules"
#: Front-matter keys that are not variables (structure, not data).
NOT_VARIABLES = ("speakers",)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass
class ProjectExport:
    """What an export wrote."""

    out: str
    sources: int
    selections: int
    users: list[str]
    diagnostics: list[Diagnostic] = field(default_factory=list)


def _tag(name: str) -> str:
    return f"{{{PROJECT_NS}}}{name}"


def _sub(parent: ET.Element, name: str, attrs: dict[str, str] | None = None, text: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, _tag(name), {k: xml_safe(v) for k, v in (attrs or {}).items()})
    if text is not None:
        element.text = xml_safe(text)
    return element


def source_guid(transcript: Transcript) -> str:
    return derived_guid("source", transcript.id)


def user_guid(coder: str) -> str:
    return derived_guid("user", coder)


# -- variables ------------------------------------------------------------------------

def _value(value: Any) -> tuple[str, str] | None:
    """(typeOfVariable, text) of a front-matter value, None when it is not a scalar."""
    if isinstance(value, bool):
        return "Boolean", "true" if value else "false"
    if isinstance(value, int):
        return "Integer", str(value)
    if isinstance(value, float):
        if math.isfinite(value):
            return "Float", format(Decimal(repr(value)), "f")
        return "Text", str(value)
    if isinstance(value, dt.datetime):
        return "DateTime", value.isoformat()
    if isinstance(value, dt.date):
        return "Date", value.isoformat()
    if isinstance(value, str):
        return "Text", value
    if isinstance(value, list) and all(not isinstance(v, (dict, list)) for v in value):
        return "Text", ", ".join(str(v) for v in value)
    return None


_VALUE_ELEMENT = {"Text": "TextValue", "Boolean": "BooleanValue", "Integer": "IntegerValue",
                  "Float": "FloatValue", "Date": "DateValue", "DateTime": "DateTimeValue"}


def variables(transcripts: Sequence[Transcript]) -> dict[str, str]:
    """Variable name -> type over all transcripts (Text where types differ), in first-seen order."""
    types: dict[str, str] = {}
    for transcript in transcripts:
        for key, value in transcript.meta.items():
            typed = _value(value) if key not in NOT_VARIABLES else None
            if typed is None:
                continue
            types[key] = typed[0] if types.get(key, typed[0]) == typed[0] else "Text"
    return types


def _variable_value(parent: ET.Element, name: str, kind: str, value: Any) -> None:
    typed = _value(value)
    if typed is None:
        return
    element = _sub(parent, "VariableValue")
    _sub(element, "VariableRef", {"targetGUID": derived_guid("variable", name)})
    _sub(element, _VALUE_ELEMENT[kind], text=typed[1])  # mixed types were made Text


# -- codings --------------------------------------------------------------------------

def check_codings(codings: Iterable[Coding], transcripts: Sequence[Transcript], codebook: Codebook,
                  origin: str) -> tuple[list[tuple[Coding, Transcript, int, int]], list[Diagnostic]]:
    """Codings placed on their transcripts as (coding, transcript, start, end); errors for those that do not fit."""
    by_id = {t.id: t for t in transcripts}
    theme_ids = set(codebook.theme_ids)
    placed: list[tuple[Coding, Transcript, int, int]] = []
    errors: list[Diagnostic] = []
    elsewhere = 0
    for coding in codings:
        transcript = by_id.get(coding.transcript)
        if transcript is None:
            elsewhere += 1
            continue
        where = f"coding by '{coding.coder}' on {coding.transcript} turn {coding.turn}"
        if coding.theme not in theme_ids:
            errors.append(Diagnostic("QC415", f"{where}: theme '{coding.theme}' is not in the codebook", origin,
                                     hint="export with the codebook the codings were made with (--codebook)"))
            continue
        if not 1 <= coding.turn <= len(transcript.turns):
            errors.append(Diagnostic("QC415", f"{where}: the transcript has {len(transcript.turns)} turns", origin,
                                     hint="the transcript changed since it was coded; fix the codings"))
            continue
        turn = transcript.turns[coding.turn - 1]
        start = turn.start if coding.start is None else coding.start
        end = turn.end if coding.end is None else coding.end
        if not 0 <= start <= end <= len(transcript.text):
            errors.append(Diagnostic("QC415", f"{where}: span {start}-{end} lies outside the text "
                                              f"({len(transcript.text)} characters)", origin,
                                     hint="the transcript changed since it was coded; fix the codings"))
            continue
        placed.append((coding, transcript, start, end))
    warnings = []
    if elsewhere:
        warnings.append(Diagnostic("QC415", f"{elsewhere} coding(s) are for transcripts not being exported; left out",
                                   origin, hint="name those transcripts too to export their codings",
                                   severity=WARNING))
    return placed, errors + warnings


# -- the project ----------------------------------------------------------------------

def _position(text: str, index: int, positions: str) -> int:
    """A code-point index as the export counts it: code points (the standard) or UTF-16 units (NVivo)."""
    if positions == "utf16":
        return len(text[:index].encode("utf-16-le")) // 2
    return index


def build_project(transcripts: Sequence[Transcript], codebook: Codebook, codings: Iterable[Coding], *,
                  name: str, origin: str = "<codings>", positions: str = "codepoints") -> tuple[bytes, list[Diagnostic]]:
    """The `.qdpx` bytes (project.qde validated against Project.xsd) and warnings.

    `positions="utf16"` counts UTF-16 units as NVivo does; it differs from the standard only
    on text with characters beyond U+FFFF (emoji).
    """
    diagnostics: list[Diagnostic] = []
    placed, problems = check_codings(codings, transcripts, codebook, origin)
    errors = [d for d in problems if d.severity != WARNING]
    if errors:
        raise RefiError(errors)
    diagnostics.extend(problems)
    ids = [t.id for t in transcripts]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise RefiError([Diagnostic("QC415", f"two transcripts have the id '{d}'", None,
                                    hint="give each transcript its own 'id:' in the front matter") for d in duplicates])

    ET.register_namespace("", PROJECT_NS)
    root = ET.Element(_tag("Project"), {"name": name, "origin": f"qualcode {__version__}"})
    coders = sorted({c.coder for c, *_ in placed})
    if coders:
        users = _sub(root, "Users")
        for coder in coders:
            _sub(users, "User", {"guid": user_guid(coder), "name": coder, "id": coder})
    book = _sub(root, "CodeBook")
    _sub(book, "Codes").extend(code_elements(codebook, _tag, diagnostics))

    types = variables(transcripts)
    if types:
        node = _sub(root, "Variables")
        for key, kind in types.items():
            _sub(node, "Variable", {"guid": derived_guid("variable", key), "name": key, "typeOfVariable": kind})
    dyads: dict[str, list[Transcript]] = {}
    for transcript in transcripts:
        if transcript.dyad:
            dyads.setdefault(transcript.dyad, []).append(transcript)
    if dyads:
        cases = _sub(root, "Cases")
        for dyad, members in dyads.items():
            case = _sub(cases, "Case", {"guid": derived_guid("case", dyad), "name": dyad})
            for member in members:
                _sub(case, "SourceRef", {"targetGUID": source_guid(member)})

    theme_guids = {t.id: theme_guid(t) for t in codebook.themes}
    by_transcript: dict[str, list[tuple[Coding, int, int]]] = {}
    for coding, transcript, start, end in placed:
        by_transcript.setdefault(transcript.id, []).append((coding, start, end))
    notes: list[tuple[str, str, str]] = []
    members: list[tuple[str, bytes]] = []
    sources = _sub(root, "Sources")
    for transcript in transcripts:
        guid = source_guid(transcript)
        file_name = f"{guid}.txt"
        members.append((f"sources/{file_name}", transcript.text.encode("utf-8")))
        source = _sub(sources, "TextSource", {"guid": guid, "name": Path(transcript.path).name,
                                              "plainTextPath": f"internal://{file_name}"})
        rows = sorted(by_transcript.get(transcript.id, []),
                      key=lambda r: (r[1], r[2], r[0].coder, r[0].theme, r[0].turn))
        if rows and positions == "codepoints" and any(ord(ch) > 0xFFFF for ch in transcript.text):
            diagnostics.append(Diagnostic(
                "QC419", "text holds characters beyond U+FFFF (e.g. emoji); NVivo counts them twice and may "
                         "shift codings after them", transcript.path, severity=WARNING,
                hint="ATLAS.ti, MAXQDA and QualCoder place them correctly; for NVivo export with --positions utf16"))
        seen: dict[tuple, int] = {}
        for coding, start, end in rows:
            key = (coding.coder, coding.turn, coding.theme, start, end)
            seen[key] = seen.get(key, 0) + 1
            sel_guid = derived_guid("selection", transcript.id, *map(str, key), str(seen[key]))
            selection = _sub(source, "PlainTextSelection", {
                "guid": sel_guid, "name": transcript.text[start:end],
                "startPosition": str(_position(transcript.text, start, positions)),
                "endPosition": str(_position(transcript.text, end, positions)), "creatingUser": user_guid(coding.coder)})
            code = _sub(selection, "Coding", {"guid": derived_guid("coding", sel_guid),
                                              "creatingUser": user_guid(coding.coder)})
            _sub(code, "CodeRef", {"targetGUID": theme_guids[coding.theme]})
            if coding.memo.strip():
                note_guid = derived_guid("note", sel_guid)
                _sub(code, "NoteRef", {"targetGUID": note_guid})
                notes.append((note_guid, coding.coder, coding.memo))
        for key, kind in types.items():
            if key in transcript.meta:
                _variable_value(source, key, kind, transcript.meta[key])
    if notes:
        node = _sub(root, "Notes")
        for note_guid, coder, memo in notes:
            note = _sub(node, "Note", {"guid": note_guid, "name": "memo", "creatingUser": user_guid(coder)})
            _sub(note, "PlainTextContent", text=memo)
    qde = xml_bytes(root)
    check_against_schema(qde, "project", name)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for member, data in [("project.qde", qde), *members]:
            info = zipfile.ZipInfo(member, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue(), diagnostics


def transcript_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given; folders searched for transcripts; a `RefiError` for names that match nothing."""
    from qualcode.transcripts.find import find_transcripts

    found, problems = find_transcripts(list(paths))
    if problems:
        raise RefiError(problems)
    return found


def read_transcripts(paths: Iterable[str | Path], codebook: Codebook) -> list[Transcript]:
    """Every transcript, or one `QualcodeError` with every file's problems."""
    from qualcode.transcripts import read_transcripts as read_all

    transcripts = read_all(transcript_paths(paths), speakers=codebook.speakers)
    if not transcripts:
        raise RefiError(Diagnostic("QC001", "no transcripts to export", None,
                                   hint="name transcript files or folders holding .txt/.md transcripts"))
    return transcripts


def gather_codings(transcripts: Sequence[Transcript], codebook: Codebook, *, codings_file: str | Path | None,
                   coders: Sequence[str], project: str | Path, suggestions: bool) -> list[Coding]:
    """Codings from a tidy CSV, from the review store per coder, and (if asked) the rules' suggestions."""
    from qualcode.codings import read_codings_csv, suggestions_as_codings

    codings: list[Coding] = []
    files = [] if codings_file is None else [codings_file] if isinstance(codings_file, (str, Path)) else codings_file
    for path in files:
        codings.extend(read_codings_csv(path))
    if coders:
        from qualcode.review import store

        for coder in coders:
            codings.extend(store.coder_codings(project, coder))
    if suggestions:
        from qualcode.engine.match import compile_codebook, suggest

        compiled = compile_codebook(codebook)
        for transcript in transcripts:
            codings.extend(suggestions_as_codings(suggest(transcript, compiled), coder=RULES_CODER))
    return codings


def export_project(paths: Sequence[str | Path], *, out: str | Path, codebook: Codebook | str | Path | None = None,
                   codings_file: str | Path | None = None, coders: Sequence[str] = (), project: str | Path = ".",
                   suggestions: bool = False, name: str | None = None, positions: str = "codepoints") -> ProjectExport:
    """Write transcripts and their codings as a `.qdpx` project at `out` (atomically)."""
    from qualcode.codebook import load_codebook
    from qualcode.output.write import atomic_write_bytes

    if not isinstance(codebook, Codebook):
        codebook = load_codebook(codebook)
    transcripts = read_transcripts(paths, codebook)
    codings = gather_codings(transcripts, codebook, codings_file=codings_file, coders=coders, project=project,
                             suggestions=suggestions)
    origin = (str(codings_file) if isinstance(codings_file, (str, Path))
              else ", ".join(map(str, codings_file)) if codings_file else "<codings>")
    data, diagnostics = build_project(transcripts, codebook, codings, name=name or Path(out).stem, origin=origin,
                                       positions=positions)
    atomic_write_bytes(out, data)
    ids = {t.id for t in transcripts}
    exported = [c for c in codings if c.transcript in ids]
    return ProjectExport(str(out), len(transcripts), len(exported), sorted({c.coder for c in exported}), diagnostics)
