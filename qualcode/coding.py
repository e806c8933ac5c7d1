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
                    compiled=None, transcript: Transcript | None = None) -> CodingResult:
    """Read the transcript at `path` and suggest themes from `codebook` (default: the study codebook).
    `transcript`: the file as `read_for_coding` read it already (it is not read again)."""
    from qualcode.engine.match import compile_codebook, suggest

    if not isinstance(codebook, Codebook):
        codebook = load_codebook(codebook)
    if transcript is None:
        transcript = read_for_coding(path, codebook, input_format)
    if compiled is None:
        compiled = compile_codebook(codebook, pipeline=pipeline)
    return CodingResult(transcript, tuple(suggest(transcript, compiled)))


def read_for_coding(path: str | Path, codebook: Codebook, input_format: str | None = None) -> Transcript:
    """The transcript at `path`, read as coding it against `codebook` reads it (its speakers' roles)."""
    return read_transcript(path, speakers=codebook.speakers, input_format=input_format)
