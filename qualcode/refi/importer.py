"""Import a REFI-QDA project (`.qdpx`) made by another tool into qualcode files.

Writes into a folder: `transcripts/<name>.txt` (each text source, UTF-8, LF), `codebook.yaml`
(the project's codes; keywords empty) and `codings.csv` (tidy codings, one coder per REFI
user, each selection mapped to the turn(s) it overlaps). Tolerant of namespace versions,
`Sources/` vs `sources/`, BOMs, bare paths, braced or upper-case GUIDs and vendor position
conventions; everything that cannot be carried over is reported as a warning.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree as ET

from qualcode.codings import Coding
from qualcode.errors import WARNING, Diagnostic, QualcodeError
from qualcode.models import Codebook, Transcript
from qualcode.refi.codebook import ImportedCode, assign_ids, codebook_yaml, read_codes, theme_guid, warn_namespace
from qualcode.refi.export import RULES_CODER
from qualcode.refi.positions import SourceText, convention_for_origin, guess_convention
from qualcode.refi.xmlsafe import RefiError, child, child_text, children, guid_key, local, parse_untrusted_xml
from qualcode.refi.zipsafe import SafeZip

#: Individual warnings of one kind before they are summarised.
MAX_WARNINGS = 20
MEDIA_SOURCES = ("PictureSource", "PDFSource", "AudioSource", "VideoSource")
TRANSCRIPTS_DIR = "transcripts"
CODEBOOK_FILE = "codebook.yaml"
CODINGS_FILE = "codings.csv"


@dataclass
class ProjectImport:
    """What an import wrote and what it could not carry over."""

    out: str
    transcripts: list[str]
    themes: int
    codings: list[Coding]
    convention: str
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def coders(self) -> list[str]:
        return sorted({c.coder for c in self.codings})


@dataclass
class _Selection:
    start: int
    end: int
    name: str
    codings: list[tuple[str, str, str]]  # (code guid key, coder, memo)


@dataclass
class _Source:
    name: str
    text: SourceText
    selections: list[_Selection]


class _Warnings:
    """Warnings of one code, the first few one by one, then a count."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = diagnostics
        self.counts: dict[str, int] = {}

    def add(self, diagnostic: Diagnostic) -> None:
        n = self.counts[diagnostic.code] = self.counts.get(diagnostic.code, 0) + 1
        if n <= MAX_WARNINGS:
            self.diagnostics.append(diagnostic)

    def finish(self, path: str) -> None:
        for code, n in self.counts.items():
            if n > MAX_WARNINGS:
                self.diagnostics.append(Diagnostic(code, f"{n - MAX_WARNINGS} more warning(s) like the above", path,
                                                   severity=WARNING))


def decode_source(data: bytes, name: str, warnings: _Warnings, path: str) -> str:
    """Source bytes as text, BOM removed (UTF-8, UTF-16 with BOM; Windows-1252 as a last resort)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        warnings.add(Diagnostic("QC418", f"source '{name}' is not UTF-8; read as Windows-1252", path, severity=WARNING,
                                hint="check accented letters in the imported transcript"))
        return data.decode("cp1252", errors="replace")


def _note_texts(root: ET.Element, archive: SafeZip, warnings: _Warnings) -> dict[str, str]:
    notes: dict[str, str] = {}
    for note in children(child(root, "Notes"), "Note"):
        text = child_text(note, "PlainTextContent")
        if not text and note.get("plainTextPath"):
            info = archive.find_in_sources(_internal_name(note.get("plainTextPath", "")))
            if info is not None:
                text = decode_source(archive.read(info), note.get("name") or "note", warnings, archive.path).strip()
        notes[guid_key(note.get("guid"))] = text
    return notes


def _internal_name(path: str) -> str:
    """`internal://X.txt` (also `internal:/X`, bare `X.txt` or `sources/X.txt`) -> `X.txt`-like member name."""
    return re.sub(r"^internal:/*", "", path.strip(), flags=re.I)


def _users(root: ET.Element) -> dict[str, str]:
    users: dict[str, str] = {}
    for user in children(child(root, "Users"), "User"):
        key = guid_key(user.get("guid"))
        users[key] = (user.get("name") or user.get("id") or "").strip() or f"user-{key[:8]}"
    return users


def _read_source(element: ET.Element, archive: SafeZip, warnings: _Warnings, path: str) -> SourceText | None:
    name = element.get("name") or element.get("guid") or "source"
    content = child(element, "PlainTextContent")
    if content is not None and (content.text or ""):
        return SourceText(content.text or "")
    plain = (element.get("plainTextPath") or "").strip()
    if not plain:
        what = "only a rich-text (.docx) file" if element.get("richTextPath") else "no text"
        warnings.add(Diagnostic("QC408", f"source '{name}' has {what}; not carried over", path, severity=WARNING,
                                hint="export the source as plain text from your QDA software"))
        return None
    if re.match(r"^(relative|absolute):", plain, re.I):
        warnings.add(Diagnostic("QC408", f"source '{name}' is stored outside the project ({plain[:80]}); not carried over",
                                path, severity=WARNING, hint="export the project with its sources embedded"))
        return None
    info = archive.find_in_sources(_internal_name(plain))
    if info is None:
        warnings.add(Diagnostic("QC408", f"source '{name}': {plain[:80]} is not in the archive; not carried over", path,
                                severity=WARNING, hint="the project is incomplete; export it again"))
        return None
    return SourceText(decode_source(archive.read(info), name, warnings, path))


def _selections(element: ET.Element, users: dict[str, str], notes: dict[str, str], default_user: str,
                warnings: _Warnings, path: str) -> list[_Selection]:
    out: list[_Selection] = []
    for sel in children(element, "PlainTextSelection"):
        try:
            start, end = int((sel.get("startPosition") or "").strip()), int((sel.get("endPosition") or "").strip())
        except ValueError:
            warnings.add(Diagnostic("QC409", f"selection {sel.get('guid')!r} has no valid positions; skipped", path,
                                    severity=WARNING))
            continue
        sel_user = users.get(guid_key(sel.get("creatingUser")), default_user)
        sel_memo = [child_text(sel, "Description")] + [notes.get(guid_key(r.get("targetGUID")), "")
                                                       for r in children(sel, "NoteRef")]
        codings = []
        for coding in children(sel, "Coding"):
            ref = child(coding, "CodeRef")
            if ref is None:
                continue
            user = users.get(guid_key(coding.get("creatingUser")), sel_user)
            memo = sel_memo + [notes.get(guid_key(r.get("targetGUID")), "") for r in children(coding, "NoteRef")]
            codings.append((guid_key(ref.get("targetGUID")), user, "\n".join(m for m in memo if m)))
        if codings:
            out.append(_Selection(start, end, sel.get("name") or "", codings))
    return out


def transcript_from_text(text: str, name: str, speakers: dict[str, str] | None) -> Transcript:
    """Parse normalised text as the transcript file `name` would be read (same turns, same offsets)."""
    from qualcode.transcripts.read import parse_plaintext

    return parse_plaintext(text, name, speakers=speakers)


def _file_name(name: str, used: set[str]) -> str:
    """A safe, unique transcript file name from a source name."""
    base = Path(name.replace("\\", "/")).name
    stem, suffix = (base.rsplit(".", 1) + [""])[:2] if "." in base else (base, "")
    if suffix.lower() not in ("txt", "md"):
        stem, suffix = (base if suffix.lower() not in ("docx", "doc", "rtf", "pdf", "odt") else stem), "txt"
    stem = re.sub(r"[^\w.\- ]+", "_", stem).strip(" .") or "source"
    candidate, n = f"{stem}.{suffix}", 1
    while candidate.lower() in used:
        n += 1
        candidate = f"{stem}-{n}.{suffix}"
    used.add(candidate.lower())
    return candidate


def map_to_turns(transcript: Transcript, start: int, end: int, theme: str, coder: str, memo: str,
                 ends: list[int] | None = None) -> list[Coding]:
    """Codings for each turn a selection [start, end) overlaps; a whole turn gives no span.

    `ends` (the turns' end offsets, ascending) lets callers skip the turns before `start`.
    """
    out = []
    first = bisect_left(ends, start) if ends is not None else 0
    for turn in transcript.turns[first:]:
        if turn.start > end:
            break
        overlaps = (start < turn.end and end > turn.start) if end > start else turn.start <= start <= turn.end
        if not overlaps:
            continue
        s, e = max(start, turn.start), min(end, turn.end)
        whole = (s, e) == (turn.start, turn.end)
        out.append(Coding(transcript.id, turn.number, theme, coder, None if whole else s, None if whole else e, memo,
                          "rule" if coder == RULES_CODER else "human"))
    return out


def _read_sources(root: ET.Element, archive: SafeZip, users: dict[str, str], notes: dict[str, str],
                  default_user: str, warnings: _Warnings, where: str) -> list[_Source]:
    """The text sources with their selections; media sources and whole-source codings reported."""
    sources: list[_Source] = []
    skipped = {kind: 0 for kind in MEDIA_SOURCES}
    whole_source = 0
    for element in children(child(root, "Sources")):
        kind = local(element.tag)
        if kind in MEDIA_SOURCES:
            skipped[kind] += 1
            continue
        if kind != "TextSource":
            continue
        whole_source += len(children(element, "Coding"))
        text = _read_source(element, archive, warnings, where)
        if text is None:
            continue
        sources.append(_Source(element.get("name") or element.get("guid") or "source", text,
                               _selections(element, users, notes, default_user, warnings, where)))
    for kind, n in skipped.items():
        if n:
            warnings.add(Diagnostic("QC408", f"{n} {kind.removesuffix('Source').lower()} source(s) not carried over "
                                             "(qualcode reads text only)", where, severity=WARNING))
    if whole_source:
        warnings.add(Diagnostic("QC411", f"{whole_source} coding(s) of whole sources not carried over "
                                         "(qualcode codes turns)", where, severity=WARNING,
                                hint="code the relevant turns instead"))
    return sources


def _place(sources: list[_Source], out: Path, convention: str, speakers: dict[str, str] | None,
           code_ids: dict[str, str], warnings: _Warnings, where: str) -> tuple[dict[str, str], list[Coding]]:
    """Transcript files to write and the codings of every selection, mapped to turns."""
    used: set[str] = set()
    files: dict[str, str] = {}
    codings: list[Coding] = []
    ids_seen: dict[str, str] = {}
    for source in sources:
        file_name = _file_name(source.name, used)
        target = out / TRANSCRIPTS_DIR / file_name
        text = source.text.text
        if not text.strip():
            warnings.add(Diagnostic("QC408", f"source '{source.name}' is empty; not carried over", where, severity=WARNING))
            continue
        files[f"{TRANSCRIPTS_DIR}/{file_name}"] = text
        try:
            transcript = transcript_from_text(text, str(target), speakers)
        except QualcodeError as exc:
            n = sum(len(sel.codings) for sel in source.selections)
            reason = exc.diagnostics[0].message if exc.diagnostics else "unreadable"
            warnings.add(Diagnostic("QC416", f"source '{source.name}': {reason}; its {n} coding(s) could not be "
                                             "mapped to turns", where, severity=WARNING,
                                    hint=f"label the speaker turns in {target} and import again"))
            continue
        if transcript.id in ids_seen:
            warnings.add(Diagnostic("QC416", f"sources '{ids_seen[transcript.id]}' and '{source.name}' both have "
                                             f"transcript id '{transcript.id}'", where, severity=WARNING,
                                    hint="give each transcript its own 'id:' in the front matter"))
        ids_seen[transcript.id] = source.name
        ends = [turn.end for turn in transcript.turns]
        for sel in source.selections:
            start, end = source.text.to_text(sel.start, convention), source.text.to_text(sel.end, convention)
            if not 0 <= start <= end <= len(text):
                warnings.add(Diagnostic("QC409", f"source '{source.name}': selection {sel.start}-{sel.end} lies "
                                                 f"outside the text ({len(text)} characters); clipped",
                                        where, severity=WARNING,
                                        hint="check this coding by hand; the project may be damaged"))
                start, end = max(0, min(start, len(text))), max(0, min(end, len(text)))
                if end <= start:
                    continue
            for key, coder, memo in sel.codings:
                theme = code_ids.get(key)
                if theme is None:
                    warnings.add(Diagnostic("QC410", f"source '{source.name}': a coding refers to code {key!r}, "
                                                     "which is not in the codebook; skipped", where, severity=WARNING))
                    continue
                mapped = map_to_turns(transcript, start, end, theme, coder, memo, ends)
                if not mapped:
                    warnings.add(Diagnostic("QC416", f"source '{source.name}': selection {sel.start}-{sel.end} "
                                                     "covers no speaker turn; skipped", where, severity=WARNING))
                codings.extend(mapped)
    return files, codings


def import_project(path: str | Path, *, out: str | Path, codebook: Codebook | str | Path | None = None,
                   positions: str = "auto", force: bool = False) -> ProjectImport:
    """Read a `.qdpx` and write transcripts, `codebook.yaml` and `codings.csv` into `out`."""
    name = str(path)
    archive = SafeZip.open(path)
    try:
        return _import(archive, name, Path(out), codebook, positions, force)
    finally:
        archive.close()


def _import(archive: SafeZip, name: str, out: Path, codebook, positions: str, force: bool) -> ProjectImport:
    from qualcode.codebook import load_codebook

    if codebook is not None and not isinstance(codebook, Codebook):
        codebook = load_codebook(codebook)
    qde = archive.find("project.qde") or next(iter(archive.top_level(".qde")), None)
    if qde is None:
        raise RefiError(Diagnostic("QC402", "no project.qde inside; this is not a REFI-QDA project", name,
                                   hint="export the project from your QDA software as REFI-QDA (.qdpx)"))
    where = f"{name}:{qde.filename}"
    root = parse_untrusted_xml(archive.read(qde), where)
    if local(root.tag) != "Project":
        raise RefiError(Diagnostic("QC407", f"root element is <{local(root.tag)}>, not a REFI-QDA <Project>", where,
                                   hint="export the project from your QDA software as REFI-QDA (.qdpx)"))
    diagnostics: list[Diagnostic] = []
    warn_namespace(root, where, diagnostics)
    warnings = _Warnings(diagnostics)
    origin = root.get("origin") or ""
    users = _users(root)
    default_user = users.get(guid_key(root.get("creatingUserGUID")), "unknown")
    notes = _note_texts(root, archive, warnings)
    book = child(root, "CodeBook")
    codes = read_codes(child(book, "Codes") if book is not None else None, where, diagnostics)
    taken = {}
    if codebook is not None:
        taken = {guid_key(theme_guid(t)): t.id for t in codebook.themes}
        by_name = {t.name.strip().lower(): t.id for t in codebook.themes} | {t.id.lower(): t.id for t in codebook.themes}
        _match_names(codes, taken, by_name)
    code_ids = assign_ids(codes, taken=taken)

    sources = _read_sources(root, archive, users, notes, default_user, warnings, where)
    _report_dropped(root, origin, where, warnings)

    convention = positions if positions != "auto" else (convention_for_origin(origin) or guess_convention(
        [(s.text, sel.start, sel.end, sel.name) for s in sources if s.text.ambiguous for sel in s.selections]))

    speakers = codebook.speakers if codebook is not None else None
    files, codings = _place(sources, out, convention, speakers, code_ids, warnings, where)
    warnings.finish(where)

    if not codes:
        diagnostics.append(Diagnostic("QC411", "the project has no codes; the codebook is empty", where,
                                      severity=WARNING))
    else:
        speakers_yaml = None
        if codebook is not None and codebook.speakers:
            speakers_yaml = {}
            for label, role in codebook.speakers.items():
                speakers_yaml.setdefault(role, []).append(label)
        files[CODEBOOK_FILE] = codebook_yaml(codes, name=root.get("name") or Path(name).stem, source=name,
                                             speakers=speakers_yaml)
    from qualcode.codings import codings_csv_text

    files[CODINGS_FILE] = codings_csv_text(codings)
    _write(out, files, force)
    return ProjectImport(str(out), [Path(f).name for f in files if f.startswith(TRANSCRIPTS_DIR)],
                         _count(codes), codings, convention, diagnostics)


def _count(codes: list[ImportedCode]) -> int:
    return sum(1 + _count(c.children) for c in codes)


def _match_names(codes: list[ImportedCode], taken: dict[str, str], by_name: dict[str, str]) -> None:
    """Codes whose GUID is not in the codebook, matched to its themes by name or id."""
    used = set(taken.values())
    for code in codes:
        key = guid_key(code.guid)
        if key not in taken:
            theme = by_name.get(code.name.strip().lower())
            if theme and theme not in used:
                taken[key] = theme
                used.add(theme)
        _match_names(code.children, taken, by_name)


def _report_dropped(root: ET.Element, origin: str, where: str, warnings: _Warnings) -> None:
    for element, what in (("Sets", "set(s)"), ("Graphs", "graph(s)"), ("Links", "link(s)")):
        node = child(root, element)
        if node is not None and len(node):
            warnings.add(Diagnostic("QC411", f"{len(node)} {what} not carried over", where, severity=WARNING))
    if origin.lower().startswith("qualcode"):
        return  # cases and variables came from the transcripts' front matter, which travels with the text
    for element, what in (("Cases", "case(s)"), ("Variables", "variable(s)")):
        node = child(root, element)
        if node is not None and len(node):
            warnings.add(Diagnostic("QC411", f"{len(node)} {what} not carried over", where, severity=WARNING,
                                    hint="add them as front matter ('dyad: D01', …) at the top of the transcripts"))


def _write(out: Path, files: dict[str, str], force: bool) -> None:
    from qualcode.output.write import atomic_write_text

    existing = [rel for rel in files if (out / rel).exists()]
    if existing and not force:
        raise RefiError([Diagnostic("QC417", "would overwrite an existing file", str(out / rel),
                                    hint="import into an empty folder, or add --force to replace the files")
                         for rel in existing])
    for rel, text in files.items():
        atomic_write_text(out / rel, text)
