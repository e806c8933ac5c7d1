"""Validate many codebooks at once and write what was found as text, GitHub annotations or JSON.

Exit codes are a contract: 0 valid, 1 problems found (warnings too, with `strict`),
2 a file could not be read at all (missing, a folder, no permission).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from qualcode.codebook.load import CodebookCheck, inspect_codebook
from qualcode.errors import ERROR, Diagnostic

FORMATS = ("text", "github", "json")
#: Version of the JSON report's layout; bumped only when a key changes meaning or goes away.
JSON_VERSION = 1


def unreadable(diagnostic: Diagnostic) -> bool:
    """A file that could not be opened at all (QC0xx), as opposed to a file with problems in it."""
    return diagnostic.code.startswith("QC0")


@dataclass
class ValidationReport:
    """Every codebook checked, with all its diagnostics."""

    checks: list[CodebookCheck]

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return [d for c in self.checks for d in c.diagnostics]

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity != ERROR]

    def exit_code(self, *, strict: bool = False) -> int:
        if any(unreadable(d) for d in self.diagnostics):
            return 2
        if self.errors or (strict and self.warnings):
            return 1
        return 0

    def summary(self, *, strict: bool = False) -> str:
        """One line: how many codebooks, errors and warnings."""
        n = len(self.checks)
        books = f"{n} codebook{'s' if n != 1 else ''}"
        errors, warnings = len(self.errors), len(self.warnings)
        if not errors and not warnings:
            return f"{books} valid"
        failing = sum(1 for c in self.checks if c.errors or (strict and c.warnings))
        counts = f"{errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}"
        if not failing:
            return f"{books} valid ({counts})"
        return f"{counts} in {failing} of {books}"


def validate_codebooks(paths: Iterable[str | Path]) -> ValidationReport:
    """Check every codebook; never raises for problems in the files."""
    return ValidationReport([inspect_codebook(p) for p in paths])


# -- output formats -------------------------------------------------------
def text_lines(diagnostics: Iterable[Diagnostic]) -> str:
    """`file:line:col: CODE message — hint`, one line each."""
    return "".join(d.format() + "\n" for d in diagnostics)


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_lines(diagnostics: Iterable[Diagnostic]) -> str:
    """GitHub Actions workflow commands: each diagnostic becomes an annotation on its line."""
    out = []
    for d in diagnostics:
        level = "error" if d.severity == ERROR else "warning"
        props = [f"file={_escape_property(d.path or '')}"]
        if d.line is not None:
            props.append(f"line={d.line}")
            if d.col is not None:
                props.append(f"col={d.col}")
        props.append(f"title={d.code}")
        message = d.message + (f" — {d.hint}" if d.hint else "")
        out.append(f"::{level} {','.join(props)}::{_escape_data(f'{d.code} {message}')}\n")
    return "".join(out)


def diagnostic_record(d: Diagnostic) -> dict:
    """A diagnostic as a JSON object with fixed keys."""
    return {"path": d.path, "line": d.line, "col": d.col, "code": d.code, "severity": d.severity,
            "message": d.message, "hint": d.hint}


def json_text(report: ValidationReport, *, strict: bool = False) -> str:
    """The whole report as one JSON document (keys fixed, stable for other tools)."""
    data = {
        "version": JSON_VERSION,
        "valid": report.exit_code(strict=strict) == 0,
        "files": [{"path": c.path, "valid": not (c.errors or (strict and c.warnings)),
                   "errors": len(c.errors), "warnings": len(c.warnings)} for c in report.checks],
        "diagnostics": [diagnostic_record(d) for d in report.diagnostics],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


__all__ = ["FORMATS", "ValidationReport", "diagnostic_record", "github_lines", "json_text", "text_lines",
           "unreadable", "validate_codebooks"]
