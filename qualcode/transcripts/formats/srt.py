"""SubRip subtitles (.srt), with or without speaker prefixes (`Name:`, `[SPEAKER_00]:`, `<v Name>`).

Blocks are an index line, a `00:00:01,000 --> 00:00:04,000` line and text lines. Parsed here
(not with webvtt-py) for the same reasons as WebVTT: line numbers and every problem at once.
Tolerated: a missing index, blank lines made of spaces, and a missing blank line between cues.
"""
from __future__ import annotations

import re

from qualcode.errors import Diagnostic, TranscriptError
from qualcode.transcripts.formats import Rendered
from qualcode.transcripts.formats.cues import Cue, not_a_cue, parse_timing, read_captions

_INDEX = re.compile(r"^\s*\d+\s*$")
#: a line that means to be a cue timing (read strictly by `parse_timing`)
_TIMING_LINE = re.compile(r"^\s*\d[^>]*-->")


def parse_srt_cues(text: str, path: str, diagnostics: list[Diagnostic]) -> list[Cue]:
    lines = text.split("\n")
    timing_at = [i for i, line in enumerate(lines) if _TIMING_LINE.match(line)]
    errors: list[Diagnostic] = []
    cues: list[Cue] = []
    skipped = 0
    # text before the first cue that is not an index
    first = timing_at[0] if timing_at else len(lines)
    for i in range(first):
        if lines[i].strip() and not (i == first - 1 and _INDEX.match(lines[i])):
            skipped += 1
            not_a_cue(path, i + 1, skipped, diagnostics, "line")
    for k, i in enumerate(timing_at):
        stop = timing_at[k + 1] if k + 1 < len(timing_at) else len(lines)
        if stop < len(lines) and stop - 1 > i and _INDEX.match(lines[stop - 1]):
            stop -= 1  # the next cue's index
        body: list[tuple[int, str]] = []
        for j in range(i + 1, stop):
            if not lines[j].strip():
                rest = [n for n in range(j + 1, stop) if lines[n].strip()]
                if rest:  # text after the blank line that ends this cue, before the next cue
                    for n in rest:
                        skipped += 1
                        not_a_cue(path, n + 1, skipped, diagnostics, "line")
                break
            body.append((j + 1, lines[j]))
        times = parse_timing(lines[i], i + 1, path, errors)
        if times is None:
            continue
        start, end = lines[i].split("-->")[0].strip(), lines[i].split("-->")[1].split()[0]
        cues.append(Cue(i + 1, start, end, times[0], times[1], body))
    if errors and not cues:
        raise TranscriptError(errors)
    diagnostics.extend(errors)  # raised with any other errors once the cue order is checked
    if not cues:
        raise TranscriptError(Diagnostic("QC212", "no cues found in the subtitle file", path,
                                         hint="a cue is an index line, a '00:00:01,000 --> 00:00:04,000' line "
                                              "and its text"))
    return cues


def read_srt(data: bytes, path: str, *, speakers: dict[str, str] | None = None, merge_cues: bool = True) -> Rendered:
    """Read SRT subtitles into the normalised plain-text form."""
    return read_captions(data, path, fmt="srt", parse=parse_srt_cues, speakers=speakers, merge_cues=merge_cues)
