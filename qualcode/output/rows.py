"""Suggestions as flat rows with a fixed column order."""
from __future__ import annotations

from typing import Iterator

from qualcode.models import Suggestion, Transcript
from qualcode.output.write import FORMULA_STARTS, csv_cell

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
        "quote": one_line(s.quote),
    }


def one_line(text: str) -> str:
    """A quote on one line: each line break as a space."""
    if "\r" in text:
        text = text.replace("\r\n", " ").replace("\r", " ")
    return text.replace("\n", " ")


def segment_csv_rows(suggestions, transcript: Transcript) -> Iterator[list]:
    """`segment_row`s as lists in SEGMENT_COLUMNS order, ready for a CSV writer: booleans as true/false
    and text cells as `csv_cell` writes them (no spreadsheet runs one as a formula). Text that repeats
    (ids, speakers, roles, themes, rules) is checked once."""
    safe: dict[str, str] = {}

    def text(value: str) -> str:
        out = safe.get(value)
        if out is None:
            out = safe[value] = csv_cell(value, FORMULA_STARTS)
        return out

    facts = [text(transcript.dyad or ""), text(transcript.group or ""), text(transcript.setting or "")]
    for s in suggestions:
        yield [text(s.transcript), *facts, text(s.speaker), text(s.role), s.turn, s.line, s.start, s.end,
               text(s.theme), text(s.theme_path), text(s.source), text(s.rule), round(s.score, 4),
               "true" if s.negated else "false", csv_cell(one_line(s.quote), FORMULA_STARTS)]
