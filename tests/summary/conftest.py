"""The fixture study (tests/data/summary): four interview dyads designed so every pattern occurs,
A04 with the client interview only (missing perspective), and two sessions."""
from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
STUDY_DATA = ROOT / "tests" / "data" / "summary"
OUTPUT = ROOT / "test-output" / "summary"


@pytest.fixture(scope="session")
def study_codebook():
    from qualcode.codebook import load_codebook

    return load_codebook(STUDY_DATA / "codebook.yaml")


@pytest.fixture(scope="session")
def study_summary(study_codebook):
    from qualcode.summary import summarize

    return summarize([STUDY_DATA / "study"], codebook=study_codebook, manifest=STUDY_DATA / "manifest.csv")


def find(rows, **where):
    """The one row whose attributes match `where`."""
    hits = [r for r in rows if all(getattr(r, k) == v for k, v in where.items())]
    assert len(hits) == 1, f"{len(hits)} rows match {where}"
    return hits[0]
