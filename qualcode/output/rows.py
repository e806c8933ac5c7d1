"""Suggestions as flat rows with a fixed column order."""
from __future__ import annotations

from qualcode.models import Suggestion, Transcript

#: Columns of a segment row, in order (the `segments` export uses the same).
SEGMENT_COLUMNS = ("transcript", "dyad", "group", "setting", "speaker", "role", "turn", "line", "start", "end",
                   "theme", "theme_path", "source", "rule", "score", "negated", "quote")


def segment_row(s: Suggestion, transcript: Transcript) -> dict:
    return {
        "transcript": s.transcript,
        "dyad": transcript.dyad or "",
        "group": transcript.group or "",
        "setting": transcript.setting or "",
        "speaker": s.speaker,
        "role": s.role,
        "turn": s.turn,
        "line": s.line,
        "start": s.start,
        "end": s.end,
        "theme": s.theme,
        "theme_path": s.theme_path,
        "source": s.source,
        "rule": s.rule,
        "score": round(s.score, 4),
        "negated": s.negated,
        "quote": s.quote.replace("\n", " "),
    }


def segment_values(s: Suggestion, facts: list[str]) -> list:
    """`segment_row` as a list in SEGMENT_COLUMNS order (no dict: for writing many rows); `facts` are
    the transcript's dyad, group and setting."""
    return [s.transcript, *facts, s.speaker, s.role, s.turn, s.line, s.start, s.end, s.theme, s.theme_path,
            s.source, s.rule, round(s.score, 4), s.negated, s.quote.replace("\n", " ")]
