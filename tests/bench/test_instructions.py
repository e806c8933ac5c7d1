"""The instruction-count benchmark's arithmetic and its message without valgrind (no counts are asserted)."""
from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import instructions

ROOT = Path(__file__).resolve().parents[2]  # (not from conftest: the same on every branch)

CACHEGRIND_STDERR = """==20086== Cachegrind, a high-precision tracing profiler
==20086== Command: python benchmarks/run.py --worker tokenize sub codebook.yaml --jobs 1
==20086==
==20086== I   refs:      5,221,847,593
"""


def test_the_count_is_read_from_cachegrinds_summary():
    assert instructions.instructions_of(CACHEGRIND_STDERR) == 5_221_847_593
    with pytest.raises(RuntimeError, match="no instruction count"):
        instructions.instructions_of("==1== error: no such tool\n")


def test_work_per_word_leaves_the_start_up_out():
    # 1,000 instructions of start-up in both runs, 50 per word
    assert instructions.per_word(1_000 + 50 * 1_100, 1_000 + 50 * 100, 1_100, 100) == 50
    with pytest.raises(ValueError):
        instructions.per_word(10, 5, 100, 100)


def test_without_valgrind_it_says_what_to_install(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(instructions.shutil, "which", lambda name: None)
    assert instructions.main(["--out", str(tmp_path)]) == 1
    assert "apt install valgrind" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())  # nothing generated before the check


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind is not installed")
def test_a_small_count_writes_its_csv(tmp_path):
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "instructions.py"), "--words", "0.02",
                             "--files", "2", "--out", str(tmp_path)], capture_output=True, text=True, timeout=900,
                            cwd=ROOT)
    assert result.returncode == 0, result.stderr
    with open(tmp_path / "instructions.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["measure"] for r in rows] == ["spaCy tokenizer only (floor)", "qualcode code --jobs 1"]
    assert list(rows[0]) == instructions.COLUMNS and rows[0]["x_floor"] == "1.0"
    assert all(int(r["instructions_per_word"]) > 0 and int(r["words"]) > int(r["words_one_file"]) for r in rows)
