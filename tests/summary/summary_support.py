"""Constants and helpers of the summary tests: `from summary_support import find`."""
from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
STUDY_DATA = ROOT / "tests" / "data" / "summary"
OUTPUT = ROOT / "test-output" / "summary"



def find(rows, **where):
    """The one row whose attributes match `where`."""
    hits = [r for r in rows if all(getattr(r, k) == v for k, v in where.items())]
    assert len(hits) == 1, f"{len(hits)} rows match {where}"
    return hits[0]
