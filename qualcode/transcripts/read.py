"""Read a transcript file into a `Transcript`: decode, front matter, speaker turns, roles."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from qualcode.errors import WARNING, Diagnostic, TranscriptError
from qualcode.models import Transcript, Turn
from qualcode.transcripts.decode import decode_transcript
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
                                start.timestamp or pending_ts)
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


#: Readers by format name: (text, body_start, roles, path) -> ParsedBody.
FORMATS: dict[str, Callable[[str, int, RoleMap, str], ParsedBody]] = {
    "txt": parse_plaintext_body,
    "md": parse_plaintext_body,
}


def detect_format(path: Path) -> str:
    suffix = path.suffix.lower().lstrip(".")
    return suffix if suffix in FORMATS else "txt"


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
            diags.append(Diagnostic(
                "QC207", f"speaker '{draft.speaker}' has no role (kept as role 'unknown')", path, draft.line, 1,
                hint=f"map it in the front matter ('speakers: {{{draft.speaker}: client}}') or in the codebook's 'speakers'",
                severity=WARNING))
        if draft.start is None:
            start = end = draft.label_end
            end_line = draft.line
            diags.append(Diagnostic("QC210", f"turn {number} ('{draft.speaker}') has no text", path, draft.line, 1,
                                    hint="add the turn's text or remove the speaker line", severity=WARNING))
        else:
            start, end, end_line = draft.start, draft.end, draft.end_line
        turns.append(Turn(number=number, speaker=draft.speaker, role=role, text=text[start:end], start=start,
                          end=end, line=draft.line, end_line=end_line or draft.line, timestamp=draft.timestamp))
    if not turns:
        raise TranscriptError(Diagnostic(
            "QC206", "no speaker turns found", path,
            hint="label each turn with its speaker at the start of a line, e.g. 'Client: I felt…' "
                 "(see the README's transcript conventions)"))
    transcript_id = str(meta.get("id") or Path(path).stem)
    return Transcript(id=transcript_id, path=path, text=text, turns=tuple(turns), meta=meta, format=fmt,
                      diagnostics=tuple(diags))


def read_transcript(path: str | Path, *, speakers: dict[str, str] | None = None,
                    input_format: str | None = None) -> Transcript:
    """Parse the transcript at `path`; `speakers` maps labels to roles (usually the codebook's)."""
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
    fmt = input_format or detect_format(path)
    if fmt not in FORMATS:
        raise TranscriptError(Diagnostic("QC211", f"unknown input format '{fmt}'", name,
                                         hint=f"use one of: {', '.join(sorted(FORMATS))}"))
    text, _encoding = decode_transcript(data, name)
    meta, body_start = split_front_matter(text, name)
    roles = RoleMap.build(meta, speakers)
    body = FORMATS[fmt](text, body_start, roles, name)
    return build_transcript(text, name, meta=meta, body=body, roles=roles, fmt=fmt)
