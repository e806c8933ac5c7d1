"""Code transcripts against a codebook: read, match, return suggestions."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from qualcode.codebook import load_codebook
from qualcode.models import Codebook, Suggestion, Transcript
from qualcode.transcripts import read_transcript


@dataclass(frozen=True)
class CodingResult:
    """One transcript and the suggestions made for it."""

    transcript: Transcript
    suggestions: tuple[Suggestion, ...]

    @property
    def counted(self) -> tuple[Suggestion, ...]:
        """Suggestions that count: negated hits are shown but not counted."""
        return tuple(s for s in self.suggestions if not s.negated)


def code_transcript(path: str | Path, *, codebook: Codebook | str | Path | None = None,
                    pipeline: str | None = None, input_format: str | None = None,
                    compiled=None) -> CodingResult:
    """Read the transcript at `path` and suggest themes from `codebook` (default: the study codebook)."""
    from qualcode.engine.match import compile_codebook, suggest

    if not isinstance(codebook, Codebook):
        codebook = load_codebook(codebook)
    transcript = read_transcript(path, speakers=codebook.speakers, input_format=input_format)
    if compiled is None:
        compiled = compile_codebook(codebook, pipeline=pipeline)
    return CodingResult(transcript, tuple(suggest(transcript, compiled)))
