"""Coder decisions as plain files in the project: one append-only JSONL log per coder.

Interface used by other commands (summarize, train, export, agree):
    decisions_dir(project) -> Path
    load_codings(project, coder=None) -> list[Coding]   # effective human codings
    fully_reviewed(project, coder) -> set[str]          # transcript ids the coder finished
"""
from __future__ import annotations

from pathlib import Path

from qualcode.codings import Coding

DECISIONS_DIR = "decisions"


def decisions_dir(project: str | Path) -> Path:
    return Path(project) / DECISIONS_DIR


def load_codings(project: str | Path, coder: str | None = None) -> list[Coding]:
    """The codings in force for one coder (or all coders): accepted, recoded and hand-added."""
    raise NotImplementedError("review store: implemented by the review issue")


def fully_reviewed(project: str | Path, coder: str) -> set[str]:
    """Ids of transcripts whose suggestions the coder has all decided."""
    raise NotImplementedError("review store: implemented by the review issue")
