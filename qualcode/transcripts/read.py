"""Read a transcript file into a `Transcript`: decode, front matter, speaker turns, roles."""
from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

from qualcode.errors import WARNING, Diagnostic, TranscriptError
from qualcode.models import Transcript, Turn
from qualcode.transcripts.decode import MAX_TRANSCRIPT_BYTES, decode_transcript
from qualcode.transcripts.formats import unknown_speaker
from qualcode.transcripts.frontmatter import split_front_matter
from qualcode.transcripts.plaintext import match_name_alone, match_turn_start, timestamp_only
from qualcode.transcripts.roles import UNKNOWN, RoleMap

#: How many unplaced lines are reported one by one before they are summarised.
MAX_LINE_WARNINGS = 20


@dataclass
class TurnDraft:
    """A turn being collected from one or more lines."""

    speaker: str
    line: int
    label_end: int  # offset just after the label, for turns with no text
    timestamp: str | None = None
    end_timestamp: str | None = None
    start: int | None = None
    end: int | None = None
    end_line: int | None = None


@dataclass
class ParsedBody:
    """What a format reader returns: turn drafts and what it could not place."""

    drafts: list[TurnDraft] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def _lines(text: str, start: int):
    """(1-based line number, offset, line) for each line from `start`."""
    line_no = text.count("\n", 0, start) + 1
    offset = start
    for line in text[start:].split("\n"):
        yield line_no, offset, line
        line_no += 1
        offset += len(line) + 1


def parse_plaintext_body(text: str, body_start: int, roles: RoleMap, path: str) -> ParsedBody:
    """Find speaker turns in the body of a plain-text transcript."""
    lines = list(_lines(text, body_start))
    starts = [match_turn_start(line, roles) for _, _, line in lines]
    alone = _names_alone(lines, starts, roles)
    out = ParsedBody()
    current: TurnDraft | None = None
    pending_ts: str | None = None
    unplaced = 0
    for i, (line_no, offset, line) in enumerate(lines):
        if not line.strip():
            continue
        start = starts[i] or alone.get(i)
        if start is not None:
            current = TurnDraft(start.speaker, line_no, offset + len(line.rstrip()),
                                start.timestamp or pending_ts, start.end_timestamp if start.timestamp else None)
            pending_ts = None
            if start.text_col is not None:
                current.start = offset + start.text_col
                current.end = offset + len(line.rstrip())
                current.end_line = line_no
            out.drafts.append(current)
            continue
        ts = timestamp_only(line)
        if ts is not None:
            pending_ts = ts
            continue
        if current is None:
            unplaced += 1
            if unplaced <= MAX_LINE_WARNINGS:
                out.diagnostics.append(Diagnostic(
                    "QC208", "line before the first speaker turn is not part of any turn", path, line_no, 1,
                    hint="start each turn with a speaker label such as 'Client:'", severity=WARNING))
            continue
        if current.start is None:
            current.start = offset + len(line) - len(line.lstrip())
        current.end = offset + len(line.rstrip())
        current.end_line = line_no
    if unplaced > MAX_LINE_WARNINGS:
        out.diagnostics.append(Diagnostic(
            "QC208", f"{unplaced - MAX_LINE_WARNINGS} more lines before the first speaker turn", path,
            severity=WARNING))
    return out


def _names_alone(lines, starts, roles: RoleMap) -> dict[int, Any]:
    """Lines holding only a speaker name, with the turn's text below.

    Accepted when the name is a known speaker, carries a timestamp (`Name  0:03`), or the
    file uses this convention (some name stands alone like this at least twice); a blank
    line (or the start of the body) must come before it and text must follow.
    """
    candidates: dict[int, Any] = {}
    for i, (_, _, line) in enumerate(lines):
        if starts[i] is not None or not line.strip():
            continue
        before_ok = i == 0 or not lines[i - 1][2].strip()
        after_ok = i + 1 < len(lines) and lines[i + 1][2].strip() and starts[i + 1] is None
        if not (before_ok and after_ok):
            continue
        start = match_name_alone(line, roles)
        if start is not None:
            candidates[i] = start
    counts: dict[str, int] = {}
    for start in candidates.values():
        counts[start.speaker.lower()] = counts.get(start.speaker.lower(), 0) + 1
    uses_convention = any(n >= 2 for n in counts.values())
    return {i: s for i, s in candidates.items()
            if roles.known(s.speaker) or roles.is_listed(s.speaker) or s.timestamp or uses_convention}


def parse_plaintext(text: str, path: str, *, speakers: dict[str, str] | None = None, fmt: str = "txt") -> Transcript:
    """A transcript from normalised plain text (LF, no BOM), read exactly as the file `path` would be."""
    meta, body_start = split_front_matter(text, path)
    roles = RoleMap.build(meta, speakers)
    body = parse_plaintext_body(text, body_start, roles, path)
    return build_transcript(text, path, meta=meta, body=body, roles=roles, fmt=fmt)


def _load_plaintext(data: bytes, path: str, options: "ReadOptions") -> "LoadedTranscript":
    text, _encoding = decode_transcript(data, path)
    transcript = parse_plaintext(text, path, speakers=options.speakers, fmt=options.format)
    return LoadedTranscript(transcript, tuple(t.line for t in transcript.turns))


def _load_rendered(module: str, function: str) -> Callable[[bytes, str, "ReadOptions"], "LoadedTranscript"]:
    """A reader from `qualcode.transcripts.formats`, imported when first used."""
    def load(data: bytes, path: str, options: ReadOptions) -> LoadedTranscript:
        from importlib import import_module

        reader = getattr(import_module(f"qualcode.transcripts.formats.{module}"), function)
        rendered = reader(data, path, speakers=options.speakers, merge_cues=options.merge_cues)
        return LoadedTranscript(rendered.transcript, rendered.source_lines)

    return load


@dataclass(frozen=True)
class ReadOptions:
    format: str
    speakers: dict[str, str] | None = None
    #: merge consecutive caption cues of one speaker into one turn
    merge_cues: bool = True


@dataclass(frozen=True)
class LoadedTranscript:
    """A transcript and, for each turn, the line of the source file where it starts (paragraph for .docx)."""

    transcript: Transcript
    source_lines: tuple[int, ...]


@dataclass(frozen=True)
class InputFormat:
    """A transcript format: its names, how to recognise its content, how to read it."""

    name: str
    description: str
    extensions: tuple[str, ...]
    load: Callable[[bytes, str, ReadOptions], LoadedTranscript]
    #: does this content look like the format, whatever the file is called?
    sniff: Callable[[bytes], bool] | None = None


def _head(data: bytes) -> str:
    """The first kilobytes as text, for sniffing (UTF-16 captions included)."""
    head = data[:4096]
    for bom, encoding in ((codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if head.startswith(bom):
            return head.decode(encoding, errors="ignore")
    return head.decode("utf-8", errors="ignore").lstrip("\ufeff")


def _looks_vtt(data: bytes) -> bool:
    return re.match(r"WEBVTT(?:[ \t\r\n]|$)", _head(data)) is not None


_SRT_START = re.compile(r"\s*(?:\d+[ \t]*\r?\n)?[ \t]*\d[\d:.,]*[ \t]*-->[ \t]*\d[\d:.,]*")


def _looks_srt(data: bytes) -> bool:
    return _SRT_START.match(_head(data)) is not None


def _looks_docx(data: bytes) -> bool:
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return True  # an old .doc or a protected document: the Word reader says so
    if not data.startswith(b"PK\x03\x04"):
        return False
    import io
    import zipfile

    try:
        return "word/document.xml" in zipfile.ZipFile(io.BytesIO(data)).namelist()
    except zipfile.BadZipFile:
        return False


#: Input formats by name. Detection: content first (sniff), then the file's extension, else plain text.
FORMATS: dict[str, InputFormat] = {f.name: f for f in (
    InputFormat("txt", "plain text: 'Speaker: text' turns and the other conventions in the README", ("txt", "text", ""),
                _load_plaintext),
    InputFormat("md", "Markdown, read as plain text", ("md", "markdown"), _load_plaintext),
    InputFormat("vtt", "WebVTT captions (Zoom, Teams, YouTube, Whisper)", ("vtt", "webvtt"),
                _load_rendered("vtt", "read_vtt"), _looks_vtt),
    InputFormat("srt", "SubRip subtitles", ("srt",), _load_rendered("srt", "read_srt"), _looks_srt),
    InputFormat("docx", "Word document: speaker paragraphs or a speaker table", ("docx", "doc"),
                _load_rendered("docx", "read_docx"), _looks_docx),
)}


def _by_extension(path: Path) -> str | None:
    suffix = path.suffix.lower().lstrip(".")
    for fmt in FORMATS.values():
        if suffix and suffix in fmt.extensions:
            return fmt.name
    return None


def detect_format(path: Path, data: bytes | None = None) -> str:
    """The format of a file: what its content looks like, else what its extension says, else plain text."""
    if data is not None:
        for fmt in FORMATS.values():
            if fmt.sniff is not None and fmt.sniff(data):
                return fmt.name
    return _by_extension(Path(path)) or "txt"


def build_transcript(text: str, path: str, *, meta: dict[str, Any], body: ParsedBody, roles: RoleMap,
                     fmt: str) -> Transcript:
    """Number the turns, resolve roles and report unknown speakers."""
    diags = list(body.diagnostics)
    turns: list[Turn] = []
    unknown_seen: set[str] = set()
    for number, draft in enumerate(body.drafts, start=1):
        role = roles.resolve(draft.speaker)
        if role == UNKNOWN and draft.speaker.lower() not in unknown_seen:
            unknown_seen.add(draft.speaker.lower())
            diags.append(unknown_speaker(draft.speaker, path, draft.line))
        if draft.start is None:
            start = end = draft.label_end
            end_line = draft.line
            diags.append(Diagnostic("QC210", f"turn {number} ('{draft.speaker}') has no text", path, draft.line, 1,
                                    hint="add the turn's text or remove the speaker line", severity=WARNING))
        else:
            start, end, end_line = draft.start, draft.end, draft.end_line
        turns.append(Turn(number=number, speaker=draft.speaker, role=role, text=text[start:end], start=start,
                          end=end, line=draft.line, end_line=end_line or draft.line, timestamp=draft.timestamp,
                          end_timestamp=draft.end_timestamp))
    if not turns:
        raise TranscriptError(Diagnostic(
            "QC206", "no speaker turns found", path,
            hint="label each turn with its speaker at the start of a line, e.g. 'Client: I felt…' "
                 "(see the README's transcript conventions)"))
    transcript_id = str(meta.get("id") or Path(path).stem)
    return Transcript(id=transcript_id, path=path, text=text, turns=tuple(turns), meta=meta, format=fmt,
                      diagnostics=tuple(diags))


def load_transcript(path: str | Path, *, speakers: dict[str, str] | None = None, input_format: str | None = None,
                    merge_cues: bool = True) -> LoadedTranscript:
    """Read the transcript at `path` in any known format; `input_format` overrides detection."""
    path = Path(path)
    name = str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise TranscriptError(Diagnostic("QC001", "transcript not found", name, hint="check the path")) from None
    except IsADirectoryError:
        raise TranscriptError(Diagnostic("QC001", "is a folder, not a transcript file", name,
                                         hint="name a transcript file")) from None
    except OSError as exc:
        raise TranscriptError(Diagnostic("QC001", f"cannot read transcript: {exc.strerror}", name)) from None
    notes: list[Diagnostic] = []
    if input_format:
        fmt = input_format.lower().lstrip(".")
        if fmt not in FORMATS:
            raise TranscriptError(Diagnostic("QC211", f"unknown input format '{input_format}'", name,
                                             hint=f"use one of: {', '.join(FORMATS)}"))
    else:
        fmt = detect_format(path, data)
        named = _by_extension(path)
        if named is not None and named != fmt and {named, fmt} != {"txt", "md"}:
            notes.append(Diagnostic(
                "QC221", f"the file is named .{path.suffix.lower().lstrip('.')} but holds {fmt} content; read as {fmt}",
                name, hint=f"rename the file, or use --input-format {named} to read it as {named}", severity=WARNING))
    if fmt == "docx" and len(data) > MAX_TRANSCRIPT_BYTES:  # text formats check this while decoding
        raise TranscriptError(Diagnostic(
            "QC209", f"file is {len(data):,} bytes, more than the {MAX_TRANSCRIPT_BYTES:,} a transcript may have",
            name, hint="split the transcript into several files"))
    loaded = FORMATS[fmt].load(data, name, ReadOptions(fmt, speakers, merge_cues))
    if notes:
        t = loaded.transcript
        loaded = LoadedTranscript(replace(t, diagnostics=tuple(notes) + t.diagnostics), loaded.source_lines)
    return loaded


def read_transcript(path: str | Path, *, speakers: dict[str, str] | None = None,
                    input_format: str | None = None, merge_cues: bool = True) -> Transcript:
    """Parse the transcript at `path`; `speakers` maps labels to roles (usually the codebook's)."""
    return load_transcript(path, speakers=speakers, input_format=input_format, merge_cues=merge_cues).transcript


def read_transcripts(paths, *, speakers: dict[str, str] | None = None) -> list[Transcript]:
    """Every transcript at `paths`, or one `TranscriptError` listing every file's problems."""
    out: list[Transcript] = []
    problems: list[Diagnostic] = []
    for path in paths:
        try:
            out.append(read_transcript(path, speakers=speakers))
        except TranscriptError as exc:
            problems.extend(exc.diagnostics)
    if problems:
        raise TranscriptError(problems)
    return out
