"""Codebook tests run the same inside and outside GitHub Actions (where the default format changes)."""
import pytest


@pytest.fixture(autouse=True)
def _no_github_actions(monkeypatch):
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
