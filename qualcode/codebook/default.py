"""Where the default study codebook lives, installed or in a source checkout."""
from __future__ import annotations

from pathlib import Path

DEFAULT_CODEBOOK = "interpreter-alliance.yaml"


def default_codebook_path() -> Path:
    """The study codebook: bundled in the wheel, or `codebooks/` of a source checkout."""
    here = Path(__file__).resolve().parent.parent
    for folder in (here / "_codebooks", here.parent / "codebooks"):
        candidate = folder / DEFAULT_CODEBOOK
        if candidate.is_file():
            return candidate
    return here.parent / "codebooks" / DEFAULT_CODEBOOK
