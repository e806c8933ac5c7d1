"""Problems as values: a `Diagnostic` has a location, a stable code and a hint.

Code ranges: QC0xx files and usage, QC1xx codebooks, QC2xx transcripts,
QC3xx coder decisions and codings, QC4xx exchange formats (REFI-QDA), QC5xx batch coding,
exports and summaries, QC6xx trained models. A problem with no file is located at "qualcode".
"""
from __future__ import annotations

from dataclasses import dataclass, field

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Diagnostic:
    """One problem found in one file, at a line and column where known (1-based)."""

    code: str
    message: str
    path: str | None = None
    line: int | None = None
    col: int | None = None
    hint: str | None = None
    severity: str = ERROR

    @property
    def location(self) -> str:
        parts = [self.path or "qualcode"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.col is not None:
                parts.append(str(self.col))
        return ":".join(parts)

    def format(self) -> str:
        """`file:line:col: CODE message — hint` on one line."""
        level = "" if self.severity == ERROR else f"{self.severity}: "
        text = f"{self.location}: {self.code} {level}{self.message}"
        if self.hint:
            text += f" — {self.hint}"
        return text

    def sort_key(self) -> tuple:
        return (self.path or "", self.line or 0, self.col or 0, self.code)


class QualcodeError(Exception):
    """A problem with the user's data or files; carries every diagnostic found."""

    def __init__(self, diagnostics: list[Diagnostic] | Diagnostic):
        if isinstance(diagnostics, Diagnostic):
            diagnostics = [diagnostics]
        self.diagnostics: list[Diagnostic] = list(diagnostics)
        super().__init__("\n".join(d.format() for d in self.diagnostics))


class CodebookError(QualcodeError):
    """The codebook cannot be read or is invalid."""


class TranscriptError(QualcodeError):
    """A transcript cannot be read or holds no speaker turns."""


class PipelineError(QualcodeError):
    """The requested spaCy pipeline is not installed or cannot be loaded."""


class OutputError(QualcodeError):
    """An output file cannot be written."""


@dataclass
class Report:
    """Diagnostics gathered while reading something that could still be used."""

    diagnostics: list[Diagnostic] = field(default_factory=list)

    def add(self, diagnostic: Diagnostic) -> None:
        self.diagnostics.append(diagnostic)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == ERROR]
