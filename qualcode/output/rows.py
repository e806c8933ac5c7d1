"""Suggestions as flat rows with a fixed column order."""
from __future__ import annotations

import csv
import io
from functools import lru_cache

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


def segment_csv_text(suggestions, transcript: Transcript) -> str:
    """The `segment_row`s of these suggestions as CSV rows, exactly as `csv_text` writes them (LF line
    ends, booleans as true/false, text cells as `csv_cell` makes them), put together as strings: the
    cells that repeat (ids, speakers, roles, themes, rules) are rendered by the csv module once per
    process (`_text_cell`), and so is each distinct quote, the only free text (`_quote_cell`), and each
    score (`_score_cell`). Cells are what `Suggestion` declares (str, int, float, bool; a missing text
    cell is empty)."""
    cell, quote_cell, score_cell = _text_cell, _quote_cell, _score_cell
    facts = ",".join(map(cell, (transcript.dyad, transcript.group, transcript.setting)))
    heads: dict[tuple, str] = {}  # (transcript, speaker, role) -> the row's first six cells
    rules: dict[tuple, str] = {}  # (theme, theme_path, source, rule) -> those four cells
    lines = []
    for s in suggestions:
        head = heads.get((s.transcript, s.speaker, s.role))
        if head is None:
            head = heads[s.transcript, s.speaker, s.role] = f"{cell(s.transcript)},{facts},{cell(s.speaker)},{cell(s.role)}"
        rule = rules.get((s.theme, s.theme_path, s.source, s.rule))
        if rule is None:
            rule = rules[s.theme, s.theme_path, s.source, s.rule] = ",".join(
                map(cell, (s.theme, s.theme_path, s.source, s.rule)))
        lines.append(f"{head},{s.turn},{s.line},{s.start},{s.end},{rule},{score_cell(s.score)},"
                     f"{'true' if s.negated else 'false'},{quote_cell(s.quote)}\n")
    return "".join(lines)


@lru_cache(maxsize=4096)
def _quote_cell(quote: str) -> str:
    """A quote, on one line, as `segment_csv_text` writes it. Rendered once per distinct quote and
    run: most quotes are a keyword's few words, and they repeat (on the benchmark's study, 1,093
    distinct quotes among 19,983 segments)."""
    return _csv_field(csv_cell(one_line(quote), FORMULA_STARTS))  # one line: no CR or LF is left in it


def _score_cell(score: float) -> str:
    """A score as `segment_row` rounds it and the csv module writes it. Rule scores take three values,
    and rounding and printing a float costs a third of a row, so non-zero floats are rendered once
    (`_float_score_cell`); zeros and other types are not cached, since a cache takes -0.0 for 0.0."""
    if type(score) is float and score:
        return _float_score_cell(score)
    return str(round(score, 4))


@lru_cache(maxsize=1024)
def _float_score_cell(score: float) -> str:
    return str(round(score, 4))


@lru_cache(maxsize=4096)
def _text_cell(value: str | None) -> str:
    """A repeating text cell (an id, a speaker, a theme, a rule; None is empty) as `segment_csv_text`
    writes it, rendered once for the whole run rather than once per transcript."""
    return _csv_field(csv_cell(value or "", FORMULA_STARTS))


def _csv_field(value: str) -> str:
    """One text cell as the csv module writes it within a row."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow([value, ""])
    return buffer.getvalue()[:-2]
