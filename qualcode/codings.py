"""Codings: a theme applied to a turn by a coder (a person, the rules or a model), and the tidy CSV form.

The tidy CSV has the columns `transcript, turn, theme, coder` and optionally
`start, end, memo` (and `source`). `transcript` is the transcript's id (front-matter `id`,
else the file name without extension); `turn` its 1-based turn number; `start`/`end`
character offsets in the transcript's normalised text, end exclusive. Every command that
takes codings (`--codings FILE`) reads this form.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from qualcode.errors import Diagnostic, QualcodeError

REQUIRED_COLUMNS = ("transcript", "turn", "theme", "coder")
OPTIONAL_COLUMNS = ("start", "end", "memo", "source")
CODING_COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS


@dataclass(frozen=True)
class Coding:
    """One theme on one turn (optionally a span of it), by one coder."""

    transcript: str
    turn: int
    theme: str
    coder: str
    start: int | None = None
    end: int | None = None
    memo: str = ""
    source: str = "human"

    def row(self) -> dict:
        return {"transcript": self.transcript, "turn": self.turn, "theme": self.theme, "coder": self.coder,
                "start": "" if self.start is None else self.start, "end": "" if self.end is None else self.end,
                "memo": self.memo, "source": self.source}


class CodingsError(QualcodeError):
    """A codings file cannot be read."""


def _int(value: str, column: str, path: str, line: int, diags: list[Diagnostic], *, minimum: int,
         optional: bool = False) -> int | None:
    value = (value or "").strip()
    if not value and optional:
        return None
    try:
        number = int(value)
    except ValueError:
        number = None
    if number is None or number < minimum:
        diags.append(Diagnostic("QC301", f"column '{column}' must be a whole number ≥ {minimum}, got {value!r}",
                                path, line, None, hint=f"fix the '{column}' cell on this row"))
        return None
    return number


def read_codings_csv(path: str | Path) -> list[Coding]:
    """Codings from a tidy CSV; a `CodingsError` listing every bad row."""
    from qualcode.csvfile import read_csv_text

    return parse_codings_csv(read_csv_text(path, what="codings file", error=CodingsError), str(path))


def parse_codings_csv(text: str, name: str = "<codings>") -> list[Coding]:
    from qualcode.csvfile import dict_reader

    reader, columns = dict_reader(text.replace("\r\n", "\n").replace("\r", "\n"))
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise CodingsError(Diagnostic(
            "QC300", f"codings file lacks column(s) {', '.join(missing)}", name, 1, 1,
            hint="a codings CSV needs the header 'transcript,turn,theme,coder' (optional: start,end,memo)"))
    diags: list[Diagnostic] = []
    out: list[Coding] = []
    for line, row in enumerate(reader, start=2):
        row = {k: (v or "") for k, v in row.items() if k}
        if not any(v.strip() for v in row.values()):
            continue
        turn = _int(row["turn"], "turn", name, line, diags, minimum=1)
        start = _int(row.get("start", ""), "start", name, line, diags, minimum=0, optional=True)
        end = _int(row.get("end", ""), "end", name, line, diags, minimum=0, optional=True)
        for column in ("transcript", "theme", "coder"):
            if not row[column].strip():
                diags.append(Diagnostic("QC302", f"column '{column}' is empty", name, line, None,
                                        hint=f"fill in the '{column}' cell on this row"))
        if start is not None and end is not None and end < start:
            diags.append(Diagnostic("QC303", f"end {end} is before start {start}", name, line, None,
                                    hint="swap or fix the offsets"))
        if turn is None or not all(row[c].strip() for c in ("transcript", "theme", "coder")):
            continue
        out.append(Coding(row["transcript"].strip(), turn, row["theme"].strip(), row["coder"].strip(), start, end,
                          row.get("memo", ""), row.get("source", "").strip() or "human"))
    if diags:
        raise CodingsError(diags)
    return out


def codings_csv_text(codings: Iterable[Coding]) -> str:
    """The tidy CSV of codings, sorted for stable diffs."""
    from qualcode.output.write import csv_text

    rows = sorted((c.row() for c in codings),
                  key=lambda r: (r["coder"], r["transcript"], r["turn"], r["theme"],
                                 -1 if r["start"] == "" else r["start"]))
    return csv_text(rows, CODING_COLUMNS)


def suggestions_as_codings(suggestions: Iterable, *, coder: str = "qualcode-rules") -> list[Coding]:
    """Counted (non-negated) suggestions as codings of one pseudo-coder."""
    return [Coding(s.transcript, s.turn, s.theme, coder, s.start, s.end, "", s.source)
            for s in suggestions if not s.negated]
