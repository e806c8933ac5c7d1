"""WebVTT captions (Zoom, Teams, YouTube, Whisper): speakers from `<v Name>` voice tags or `Name:`.

Parsed here rather than with webvtt-py: that library does not say on which line a cue starts
(needed for `file:line` diagnostics), stops at the first malformed cue instead of reporting
them all, and hands back text with the voice tags either stripped or raw. The format is small:
a `WEBVTT` header, then blocks separated by empty lines, each a NOTE, STYLE, REGION or a cue
(optional identifier, `start --> end [settings]`, text lines).
"""
from __future__ import annotations

import re

from qualcode.errors import Diagnostic, TranscriptError
from qualcode.transcripts.formats import Rendered
from qualcode.transcripts.formats.cues import TIMING, Cue, not_a_cue, parse_timing, read_captions

_HEADER = re.compile(r"^WEBVTT(?:[ \t].*)?$")
_SKIPPED = re.compile(r"^(?:NOTE|STYLE|REGION)(?:[ \t].*)?$")


def blocks(lines: list[str], first: int = 0):
    """Blocks of [(line number, line)] separated by empty lines; a second timing line also starts a block
    (some tools separate cues with lines of spaces, which WebVTT does not count as empty)."""
    block: list[tuple[int, str]] = []
    timed = False
    for i in range(first, len(lines)):
        line = lines[i]
        if line == "" or (timed and TIMING.match(line)):
            if block:
                yield block
            block, timed = [], False
        if line != "":
            block.append((i + 1, line))
            timed = timed or bool(TIMING.match(line))
    if block:
        yield block


def parse_vtt_cues(text: str, path: str, diagnostics: list[Diagnostic]) -> list[Cue]:
    lines = text.split("\n")
    if not _HEADER.match(lines[0].strip()):
        raise TranscriptError(Diagnostic(
            "QC219", "a WebVTT file must start with the line 'WEBVTT'", path, 1, 1,
            hint="if this is a plain-text or SRT transcript, give it a .txt or .srt name or use --input-format"))
    errors: list[Diagnostic] = []
    cues: list[Cue] = []
    skipped = 0
    for block in blocks(lines, 1):
        first_line, first = block[0]
        if first_line == 2 and not any("-->" in t for _, t in block):
            continue  # header metadata (Kind:, Language:) right below WEBVTT
        if _SKIPPED.match(first):
            continue
        timing = next((k for k, (_, t) in enumerate(block[:2]) if "-->" in t), None)
        if timing is None:
            skipped += 1
            not_a_cue(path, first_line, skipped, diagnostics, "block")
            continue
        line_no, timing_line = block[timing]
        times = parse_timing(timing_line, line_no, path, errors)
        if times is None:
            continue
        start, end = timing_line.split("-->")[0].strip(), timing_line.split("-->")[1].split()[0]
        cues.append(Cue(line_no, start, end, times[0], times[1], block[timing + 1:]))
    if errors and not cues:
        raise TranscriptError(errors)
    diagnostics.extend(errors)  # raised with any other errors once the cue order is checked
    if not cues:
        raise TranscriptError(Diagnostic("QC212", "no cues found in the caption file", path,
                                         hint="a cue is a '00:00:01.000 --> 00:00:04.000' line followed by its text"))
    return cues


def read_vtt(data: bytes, path: str, *, speakers: dict[str, str] | None = None, merge_cues: bool = True) -> Rendered:
    """Read WebVTT captions into the normalised plain-text form."""
    return read_captions(data, path, fmt="vtt", parse=parse_vtt_cues, speakers=speakers, merge_cues=merge_cues)
