"""The fixture study (tests/data/summary): four interview dyads designed so every pattern occurs,
A04 with the client interview only (missing perspective), and two sessions."""
from __future__ import annotations


import pytest

from summary_support import STUDY_DATA  # noqa: E402


@pytest.fixture(scope="session")
def study_codebook():
    from qualcode.codebook import load_codebook

    return load_codebook(STUDY_DATA / "codebook.yaml")


@pytest.fixture(scope="session")
def study_summary(study_codebook):
    from qualcode.summary import summarize

    return summarize([STUDY_DATA / "study"], codebook=study_codebook, manifest=STUDY_DATA / "manifest.csv")
