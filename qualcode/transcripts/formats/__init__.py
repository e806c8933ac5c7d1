"""Caption, subtitle and Word transcripts, read into the normalised plain-text form.

A format module turns its file into `Segment`s (speaker, text, times, where in the source).
Consecutive cues of one speaker are merged into one turn, and the turns are rendered as the
plain text `qualcode transcript convert` writes:

    ---
    id: interview-03
    source: interview-03.vtt
    speakers: [Dr. Weber, Mahnaz]
    ---
    [00:00:01.000 - 00:00:04.000] Dr. Weber: Good morning.

`Transcript.text` is that rendering, so the offsets of turns and coded spans are the same
whether a tool reads the .vtt or the converted .txt (REFI-QDA export relies on this).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from qualcode.errors import WARNING, Diagnostic, TranscriptError
from qualcode.models import Transcript, Turn
from qualcode.transcripts.frontmatter import split_front_matter
from qualcode.transcripts.plaintext import match_turn_start, timestamp_only
from qualcode.transcripts.roles import UNKNOWN, RoleMap, normalise_label


@dataclass
class Segment:
    """Some speech of one speaker: a cue, a table row or a plain-text turn."""

    speaker: str
    text: str
    source_line: int  # line (paragraph for .docx) of the source file where it starts
    timestamp: str | None = None
    end_timestamp: str | None = None
    start_ms: int | None = None
    end_ms: int | None = None
    #: a speaker change marked without a name (`>>` in captions): never merge into the turn before
    new_turn: bool = False


@dataclass(frozen=True)
class Rendered:
    """A transcript in its normalised plain-text form, with the source line of each turn."""

    transcript: Transcript
    source_lines: tuple[int, ...]


def clean_speaker(label: str) -> str:
    """One line, single spaces, no brackets or trailing colon around the name."""
    label = re.sub(r"\s+", " ", label).strip().rstrip(":").strip()
    while len(label) > 2 and (label[0], label[-1]) in (("[", "]"), ("(", ")"), ("{", "}")):
        label = label[1:-1].strip()
    return label


def merge_segments(segments: list[Segment]) -> list[Segment]:
    """Consecutive segments of one speaker become one (text joined with a space, times spanned)."""
    out: list[Segment] = []
    for seg in segments:
        prev = out[-1] if out else None
        if prev is not None and not seg.new_turn and normalise_label(prev.speaker) == normalise_label(seg.speaker):
            prev.text = f"{prev.text} {seg.text}".strip()
            if seg.end_ms is not None and (prev.end_ms is None or seg.end_ms > prev.end_ms):
                prev.end_ms, prev.end_timestamp = seg.end_ms, seg.end_timestamp
            continue
        out.append(Segment(**vars(seg)))
    return out


def normalised_meta(meta: dict[str, Any], path: str, speakers: list[str]) -> dict[str, Any]:
    """The front matter of the normalised form: `id` first, the source's own keys, `source`, every speaker."""
    out: dict[str, Any] = {"id": str(meta.get("id") or Path(path).stem)}
    out.update(meta)
    out.setdefault("source", Path(path).name)
    declared = out.get("speakers")
    if isinstance(declared, dict):
        known = {normalise_label(str(k)) for k in declared}
        out["speakers"] = {**declared, **{s: None for s in speakers if normalise_label(s) not in known}}
    elif isinstance(declared, list):
        known = {normalise_label(str(k)) for k in declared}
        out["speakers"] = list(declared) + [s for s in speakers if normalise_label(s) not in known]
    else:
        out["speakers"] = list(speakers)
    return out


def front_matter_text(meta: dict[str, Any]) -> str:
    body = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, default_flow_style=None, width=10_000)
    return f"---\n{body}---\n"


def _head(seg: Segment) -> str:
    if seg.timestamp and seg.end_timestamp:
        return f"[{seg.timestamp} - {seg.end_timestamp}] {seg.speaker}:"
    if seg.timestamp:
        return f"[{seg.timestamp}] {seg.speaker}:"
    return f"{seg.speaker}:"


def _text_lines(text: str, roles: RoleMap) -> list[str]:
    """The turn's non-blank lines; a line that would read as a new turn is joined to the one before."""
    lines: list[str] = []
    for raw in text.split("\n"):
        line = " ".join(raw.split())
        if not line:
            continue
        if lines and (match_turn_start(line, roles) is not None or timestamp_only(line) is not None):
            lines[-1] += " " + line
        else:
            lines.append(line)
    return lines


def render(segments: list[Segment], meta: dict[str, Any], *, path: str, fmt: str,
           speakers: dict[str, str] | None = None, diagnostics: list[Diagnostic] | None = None) -> Rendered:
    """Number the segments as turns in the normalised plain-text form and resolve their roles."""
    first: dict[str, str] = {}
    for seg in segments:
        first.setdefault(normalise_label(seg.speaker), seg.speaker)
    order = list(first.values())
    header = front_matter_text(normalised_meta(meta, path, order))
    final_meta, _ = split_front_matter(header, path)  # exactly what reading the converted file gives
    roles = RoleMap.build(final_meta, speakers)
    diags = list(diagnostics or [])
    parts = [header]
    offset, line_no = len(header), header.count("\n") + 1
    turns: list[Turn] = []
    unknown_seen: set[str] = set()
    for number, seg in enumerate(segments, start=1):
        role = roles.resolve(seg.speaker)
        if role == UNKNOWN and normalise_label(seg.speaker) not in unknown_seen:
            unknown_seen.add(normalise_label(seg.speaker))
            diags.append(unknown_speaker(seg.speaker, path, seg.source_line))
        head = _head(seg)
        lines = _text_lines(seg.text, roles)
        if lines:
            start = offset + len(head) + 1
            block = f"{head} " + "\n".join(lines)
            end = offset + len(block)
        else:
            diags.append(Diagnostic("QC210", f"turn {number} ('{seg.speaker}') has no text", path, seg.source_line, 1,
                                    hint="add the turn's text or remove the speaker line", severity=WARNING))
            block = head
            start = end = offset + len(head)
        end_line = line_no + block.count("\n")
        parts.append(block + "\n")
        turns.append(Turn(number=number, speaker=seg.speaker, role=role, text=block[start - offset:end - offset],
                          start=start, end=end, line=line_no, end_line=end_line, timestamp=seg.timestamp,
                          end_timestamp=seg.end_timestamp if seg.timestamp else None))
        offset += len(block) + 1
        line_no = end_line + 1
    if not turns:
        raise TranscriptError(Diagnostic(
            "QC206", "no speaker turns found", path,
            hint="label each turn with its speaker (see the README's transcript conventions)"))
    text = "".join(parts)
    transcript = Transcript(id=str(final_meta.get("id")), path=path, text=text, turns=tuple(turns), meta=final_meta,
                            format=fmt, diagnostics=tuple(diags))
    return Rendered(transcript, tuple(s.source_line for s in segments))


def unknown_speaker(speaker: str, path: str, line: int | None) -> Diagnostic:
    return Diagnostic(
        "QC207", f"speaker '{speaker}' has no role (kept as role 'unknown')", path, line, 1 if line else None,
        hint=f"map it in the front matter ('speakers: {{{_yaml_key(speaker)}: client}}') or in the codebook's 'speakers'",
        severity=WARNING)


def _yaml_key(label: str) -> str:
    """The label as a YAML flow-mapping key: as written, or in double quotes where YAML needs quotes."""
    plain = yaml.safe_dump({label: 1}, default_flow_style=True, allow_unicode=True, width=10_000)
    return label if plain.startswith("{" + label + ":") else json.dumps(label, ensure_ascii=False)


def segments_of(transcript: Transcript) -> list[Segment]:
    """A transcript's turns as segments, to render any transcript in the normalised form."""
    return [Segment(t.speaker, t.text, t.line, t.timestamp, t.end_timestamp) for t in transcript.turns]


def normalised_text(transcript: Transcript, *, speakers: dict[str, str] | None = None) -> str:
    """The normalised plain-text form of a transcript (what `transcript convert` writes)."""
    meta = {k: v for k, v in transcript.meta.items()}
    return render(segments_of(transcript), meta, path=transcript.path, fmt=transcript.format,
                  speakers=speakers).transcript.text
