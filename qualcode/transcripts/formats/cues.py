"""What WebVTT and SRT share: cue timings, speakers in cues, markup, rolling captions, cue order."""
from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass
from typing import Callable

from qualcode.errors import ERROR, WARNING, Diagnostic, TranscriptError
from qualcode.transcripts.formats import Segment, clean_speaker, merge_segments
from qualcode.transcripts.plaintext import NOT_SPEAKERS, match_turn_start
from qualcode.transcripts.roles import RoleMap, normalise_label

#: `00:01.000`, `00:00:01.000`, `0:00:01,000` (SRT writes a comma)
CUE_TIME = r"(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3}"
_TIME = re.compile(r"^(?:(?P<h>\d+):)?(?P<m>\d{1,2}):(?P<s>\d{2})[.,](?P<f>\d{1,3})$")
TIMING = re.compile(r"^\s*(?P<start>\d[\d:.,]*)\s*-->\s*(?P<end>\d[\d:.,]*)(?P<settings>(?:\s.*)?)$")
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?[ \t]+(?P<name>[^>]+)>", re.I)
_TAG = re.compile(r"<[^>]*>|\{\\[^}]*\}")  # HTML-like cue tags, and {\an8} SSA overrides in SRT
_INVISIBLE = re.compile("[\u200b\u200e\u200f\ufeff]")
_CHANGE = re.compile(r"^\s*(?:>>|&gt;&gt;)\s*")
_LOOSE_PREFIX = re.compile(r"^(?P<name>[^\s:][^:]{0,59}?)\s*:\s+(?P<text>\S.*)$")

#: speaker for cues before the first one that names a speaker
NO_SPEAKER = "Unknown"
#: how many non-cue blocks are reported one by one
MAX_BLOCK_WARNINGS = 20


@dataclass
class Cue:
    """One caption cue as written: its timing line and its text lines."""

    line: int  # line of the timing line
    start: str
    end: str
    start_ms: int
    end_ms: int
    lines: list[tuple[int, str]]  # (line number, raw text)


def parse_time(value: str) -> int | None:
    """Milliseconds of a cue timestamp, None if it is not one."""
    m = _TIME.match(value)
    if not m:
        return None
    frac = (m.group("f") + "00")[:3]
    return ((int(m.group("h") or 0) * 60 + int(m.group("m"))) * 60 + int(m.group("s"))) * 1000 + int(frac)


def format_time(ms: int) -> str:
    """`HH:MM:SS.mmm`, the one form cue times are kept in."""
    seconds, milli = divmod(ms, 1000)
    minutes, sec = divmod(seconds, 60)
    hours, minute = divmod(minutes, 60)
    return f"{hours:02d}:{minute:02d}:{sec:02d}.{milli:03d}"


def parse_timing(line: str, line_no: int, path: str, errors: list[Diagnostic]) -> tuple[int, int] | None:
    """(start ms, end ms) of a `start --> end` line; a diagnostic in `errors` if it cannot be read."""
    m = TIMING.match(line)
    start = parse_time(m.group("start")) if m else None
    end = parse_time(m.group("end")) if m else None
    if start is None or end is None:
        errors.append(Diagnostic(
            "QC213", "cannot read the cue timing", path, line_no, 1,
            hint="write it as '00:01:02.500 --> 00:01:05.000' (hours optional)"))
        return None
    return start, end


@dataclass
class Part:
    """Text of one speaker in a cue: a `<v Name>` voice, a line with a `Name:` prefix, or a line with none."""

    speaker: str | None
    line: int
    text: str
    change: bool = False  # starts with `>>`
    unprefixed: str | None = None  # the whole line, when the speaker came from a `Name:` prefix


def split_cue_text(cue: Cue, roles: RoleMap) -> list[Part]:
    """The speakers' parts of a cue, text cleaned of tags and entities."""
    parts: list[Part] = []
    for line_no, raw in cue.lines:
        voices = list(_VOICE.finditer(raw))
        if voices:
            before = _strip(raw[: voices[0].start()])
            if before:
                parts.append(Part(None, line_no, before))
            for i, v in enumerate(voices):
                stop = voices[i + 1].start() if i + 1 < len(voices) else len(raw)
                parts.append(Part(clean_speaker(html.unescape(v.group("name"))), line_no, _strip(raw[v.end():stop])))
            continue
        change = bool(_CHANGE.match(raw))
        text = _strip(_CHANGE.sub("", raw, count=1))
        name, rest = _prefix(text, roles)
        if name:
            parts.append(Part(name, line_no, rest, change, text))
        else:
            parts.append(Part(None, line_no, text, change))
    return parts


def _prefix(text: str, roles: RoleMap) -> tuple[str | None, str]:
    """(speaker, text after it) for a line opening with a speaker label.

    Besides the plain-text conventions, any short label before a colon is a candidate, as
    meeting tools write display names ('Weber, Anna:', 'Anna (she/her):'); `_trusted_prefixes`
    then decides which candidates are speakers.
    """
    start = match_turn_start(text, roles)
    if start is not None and start.text_col is not None:
        return clean_speaker(start.speaker), text[start.text_col:]
    m = _LOOSE_PREFIX.match(text)
    if m:
        name = clean_speaker(m.group("name"))
        if (name and len(name.split()) <= 6 and name.lower() not in NOT_SPEAKERS
                and not re.fullmatch(r"[\d\s:.,\[\]()-]+", name)):
            return name, m.group("text")
    return None, text


def _trusted_prefixes(split: list[list[Part]], roles: RoleMap) -> Callable[[str], bool]:
    """Which `Name:` prefixes are speakers. In Zoom-style files (most cues prefixed) all are; where
    prefixes are rare, only names that come back, or that the codebook or front matter knows, so
    that a caption line like 'Look: I don't know' does not become a speaker."""
    prefixed = [normalise_label(p.speaker) for parts in split for p in parts if p.unprefixed is not None]
    counts = Counter(prefixed)
    cues_prefixed = sum(1 for parts in split if any(p.unprefixed is not None for p in parts))
    if cues_prefixed * 2 > len(split):
        return lambda name: True
    return lambda name: counts[normalise_label(name)] >= 2 or roles.known(name) or roles.is_listed(name)


def _strip(text: str) -> str:
    """Cue text without tags, entities, invisible marks and extra white space."""
    text = html.unescape(_TAG.sub("", text))
    return " ".join(_INVISIBLE.sub("", text).split())


def cue_segments(cues: list[Cue], roles: RoleMap, path: str, *, merge: bool,
                 diagnostics: list[Diagnostic]) -> list[Segment]:
    """Segments of the cues in file order: speakers carried forward, rolling captions de-duplicated, merged."""
    check_order(cues, path, diagnostics)
    note_overlaps(cues, path, diagnostics)
    segments: list[Segment] = []
    speaker: str | None = None
    unnamed: list[int] = []
    previous_lines: list[str] = []
    split = [split_cue_text(cue, roles) for cue in cues]
    trusted = _trusted_prefixes(split, roles)
    for cue, parts in zip(cues, split):
        texts = _rolled_off(cue, previous_lines)
        previous_lines = [_strip(_VOICE.sub("", t)) for _, t in cue.lines if _strip(_VOICE.sub("", t))] or previous_lines
        keep = {n for n, _ in texts}
        for part in parts:
            text = part.text
            if part.unprefixed is not None and not trusted(part.speaker):
                text = part.unprefixed
            elif part.speaker:
                speaker = part.speaker
            if part.line not in keep or not text:
                continue
            if speaker is None:
                unnamed.append(part.line)
            segments.append(Segment(speaker or NO_SPEAKER, text, cue.line, format_time(cue.start_ms),
                                    format_time(cue.end_ms), cue.start_ms, cue.end_ms, new_turn=part.change))
    if unnamed:
        n = len(unnamed)
        if speaker is None:
            where = "names no speaker" if n == 1 else "name no speaker"
        else:
            where = f"come{'s' if n == 1 else ''} before the first cue that names a speaker"
        diagnostics.append(Diagnostic(
            "QC216", f"{n} caption line{'s' if n != 1 else ''} {where}: kept under speaker '{NO_SPEAKER}'",
            path, unnamed[0], 1,
            hint="name the speaker with '<v Name>' or 'Name:' in the cue, or map "
                 f"'{NO_SPEAKER}' to a role in the front matter of the converted file", severity=WARNING))
    if not segments:
        raise TranscriptError(Diagnostic("QC212", "no cue holds any text", path,
                                         hint="check that this is the transcript's caption file"))
    return merge_segments(segments) if merge else segments


def _rolled_off(cue: Cue, previous: list[str]) -> list[tuple[int, str]]:
    """The cue's lines less those repeated from the cue before, as rolling (YouTube-style) captions do.

    A cue's leading lines that equal the previous cue's trailing lines are dropped when the cue
    adds a new line after them, or when the cue is a flash under 50 ms that only repeats them.
    """
    lines = [(n, t) for n, t in cue.lines if _strip(_VOICE.sub("", t))]
    texts = [_strip(_VOICE.sub("", t)) for _, t in lines]
    if not previous or not texts:
        return lines
    for k in range(min(len(texts), len(previous)), 0, -1):
        if texts[:k] == previous[-k:]:
            if k < len(texts) or cue.end_ms - cue.start_ms <= 50:
                return lines[k:]
            break
    return lines


def check_order(cues: list[Cue], path: str, diagnostics: list[Diagnostic]) -> None:
    """Backwards timestamps are errors: a cue ending before it starts, or starting before the cue above it.
    Raises them with the errors already in `diagnostics` (unreadable timings)."""
    errors: list[Diagnostic] = []
    for i, cue in enumerate(cues):
        if cue.end_ms < cue.start_ms:
            errors.append(Diagnostic(
                "QC214", f"cue ends ({cue.end}) before it starts ({cue.start})", path, cue.line, 1,
                hint="correct the cue's timestamps"))
        if i and cue.start_ms < cues[i - 1].start_ms:
            errors.append(Diagnostic(
                "QC215", f"cue starts ({cue.start}) before the cue above it ({cues[i - 1].start}): timestamps go backwards",
                path, cue.line, 1, hint="put the cues in time order, or correct the timestamps"))
    errors = [d for d in diagnostics if d.severity == ERROR] + errors
    if errors:
        raise TranscriptError(sorted(errors, key=lambda d: d.sort_key()))


def note_overlaps(cues: list[Cue], path: str, diagnostics: list[Diagnostic]) -> None:
    """Overlapping cues are normal (people talk over each other): one warning, no failure."""
    overlaps = [cue for prev, cue in zip(cues, cues[1:]) if cue.start_ms < prev.end_ms]
    if overlaps:
        n = len(overlaps)
        diagnostics.append(Diagnostic(
            "QC217", f"{n} cue{'s' if n != 1 else ''} start{'s' if n == 1 else ''} before the cue above ends "
                     "(overlapping speech); kept in file order", path, overlaps[0].line, 1,
            hint="nothing to do if speakers talk over each other; otherwise check the timestamps", severity=WARNING))


def not_a_cue(path: str, line: int, count: int, diagnostics: list[Diagnostic], what: str) -> None:
    """Report a block that is not a cue (up to MAX_BLOCK_WARNINGS, then a summary)."""
    if count <= MAX_BLOCK_WARNINGS:
        diagnostics.append(Diagnostic(
            "QC218", f"{what} is not a cue (no 'start --> end' line) and was skipped", path, line, 1,
            hint="give it a timing line, or remove it", severity=WARNING))
    elif count == MAX_BLOCK_WARNINGS + 1:
        diagnostics.append(Diagnostic(
            "QC218", "more blocks that are not cues were skipped", path, line, 1, severity=WARNING))


def read_captions(data: bytes, path: str, *, fmt: str, parse: Callable[[str, str, list[Diagnostic]], list[Cue]],
                  speakers: dict[str, str] | None = None, merge_cues: bool = True):
    """Decode a caption file, parse its cues with `parse`, and render them as normalised plain text."""
    from qualcode.transcripts.decode import decode_transcript
    from qualcode.transcripts.formats import render

    text, _ = decode_transcript(data, path)
    diagnostics: list[Diagnostic] = []
    cues = parse(text, path, diagnostics)
    segments = cue_segments(cues, RoleMap.build({}, speakers), path, merge=merge_cues, diagnostics=diagnostics)
    return render(segments, {}, path=path, fmt=fmt, speakers=speakers, diagnostics=diagnostics)
