"""The benchmark's corpus generator, codebook and script (correctness only: no timings are asserted)."""
from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import corpus, run
from qualcode.codebook import load_codebook
from qualcode.transcripts import read_transcript

ROOT = Path(__file__).resolve().parents[2]  # (not from conftest: the same on every branch)


def test_generator_is_deterministic_for_a_seed(tmp_path):
    a = corpus.generate(tmp_path / "a", 6_000, seed=3)
    b = corpus.generate(tmp_path / "b", 6_000, seed=3)
    c = corpus.generate(tmp_path / "c", 6_000, seed=4)
    assert a == b and a.words >= 6_000
    assert corpus.corpus_fingerprint(tmp_path / "a") == corpus.corpus_fingerprint(tmp_path / "b")
    assert corpus.corpus_fingerprint(tmp_path / "a") != corpus.corpus_fingerprint(tmp_path / "c")


def test_generated_transcripts_read_as_a_study(tmp_path):
    stats = corpus.generate(tmp_path, 25_000, seed=1)
    book = load_codebook(corpus.write_codebook(tmp_path / "out" / "codebook.yaml"))
    transcripts = [read_transcript(p, speakers=book.speakers) for p in sorted(tmp_path.glob("*.txt"))]
    assert len(transcripts) == stats.files >= 2
    assert sum(t.words for t in transcripts) == stats.words
    assert sum(len(t.turns) for t in transcripts) == stats.turns
    for t in transcripts:
        assert t.dyad and t.group and t.setting and not t.diagnostics, t.path
        assert "unknown" not in {turn.role for turn in t.turns}, t.path
    assert {t.kind for t in transcripts} == {"interview", "session"}
    text = " ".join(turn.text for t in transcripts for turn in t.turns)
    assert "[laughs]" in text or "[pause]" in text
    assert "um, " in text.lower() and "- " in text


def test_benchmark_codebook_has_300_keywords_and_50_patterns(tmp_path):
    book = load_codebook(corpus.write_codebook(tmp_path / "codebook.yaml"))
    keywords = [k for t in book.themes for k in t.keywords]
    assert len(book.themes) == 15
    assert len(keywords) == len(set(keywords)) == 300
    assert sum(len(t.patterns) for t in book.themes) == 50


def test_unavailable_commands_are_reported_not_failed():
    missing = run.Run(2, 0.1, 0.1, 10, "", "Usage: qualcode ...\nError: No such command 'summarize'.")
    option = run.Run(2, 0.1, 0.1, 10, "", "Error: No such option: --jobs")
    assert run.unavailable(missing) == "n/a (command not available)"
    assert run.unavailable(option) == "n/a (option not available)"
    assert run.unavailable(run.Run(1, 0.1, 0.1, 10, "", "file.txt:1: QC201 …")) is None


BUSY_IN_A_FORKSERVER_WORKER = """
import multiprocessing, time
def busy(seconds):
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass
if __name__ == "__main__":
    with multiprocessing.get_context("forkserver").Pool(1) as pool:
        pool.map(busy, [0.6])
"""


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_cpu_seconds_count_workers_nobody_waits_for(tmp_path):
    # the forkserver's worker is not a waited-for child of the command, yet its CPU time is the work
    script = tmp_path / "busy.py"
    script.write_text(BUSY_IN_A_FORKSERVER_WORKER)
    result = run.run_process([sys.executable, str(script)], timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.cpu >= 0.5


def test_ratios_are_the_median_of_each_rounds_ratio():
    # the machine slowed down in round 2: per round the engine runs at half the floor's speed each time
    floor = [run.Row("1M", "spaCy tokenizer only (floor)", 1_000_000, wall, cpu_s=wall) for wall in (2.0, 6.0, 3.0)]
    engine = [run.Row("1M", "engine, 1 process", 1_000_000, wall, cpu_s=wall) for wall in (4.0, 12.0, 9.0)]
    table = run.add_ratios([run.median_row(floor), run.median_row(engine)])
    assert [(r["wall_s"], r["x_tokenizer"], r["x_tokenizer_cpu"]) for r in table] == [(3.0, 1.0, 1.0), (9.0, 0.5, 0.5)]
    # (the medians alone, 3.0 s against 9.0 s, would say 0.33)


def test_targets_compare_against_the_tokenizer_and_regex_rows():
    rows = [run.Row("1M", "spaCy tokenizer only (floor)", 1_000_000, 2.0, cpu_s=1.5),
            run.Row("1M", "engine, 1 process", 1_000_000, 5.0, cpu_s=3.0, peak_rss_mb=150),
            run.Row("1M", "300 separate regexes", 1_000_000, 30.0),
            run.Row("1M", "qualcode code --jobs 1", note="n/a (option not available)")]
    table = run.add_ratios(rows)
    assert [r["x_tokenizer"] for r in table] == [1.0, 0.4, 0.07, None]
    assert [r["x_tokenizer_cpu"] for r in table] == [1.0, 0.5, None, None]
    checks = {c["target"]: (c["measured"], c["met"]) for c in run.targets(table, ["1M"])}
    assert checks["engine, 1 process: x tokenizer"] == (0.4, "NO")
    assert checks["engine, 1 process: x tokenizer (CPU seconds)"] == (0.5, "yes")
    assert checks["engine, 1 process: x 300-regex baseline"] == (6.0, "yes")
    assert checks["qualcode code --jobs 1: x tokenizer"] == ("n/a", "n/a")


@pytest.mark.slow
def test_quick_run_writes_its_csv(tmp_path):
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--out", str(tmp_path)],
                            capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    with open(tmp_path / "results.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    measures = {r["measure"]: r for r in rows}
    assert list(rows[0]) == run.COLUMNS
    for name in ("spaCy tokenizer only (floor)", "engine, 1 process", "300 separate regexes"):
        assert int(measures[name]["words"]) >= run.QUICK_WORDS and float(measures[name]["words_per_s"]) > 0
    assert measures["spaCy tokenizer only (floor)"]["x_tokenizer"] == "1.0"
    assert int(measures["qualcode --help"]["peak_rss_mb"]) > 0
    assert (tmp_path / "targets.csv").exists() and "Targets" in result.stdout


@pytest.mark.parametrize("kind", ["pool", "tokenize_pool"])
def test_a_pool_whose_workers_cannot_set_up_fails_at_once(tmp_path, kind):
    corpus.generate(tmp_path / "corpus", 3_000, seed=2)
    broken = tmp_path / "broken.yaml"
    broken.write_text("version: 1\nname: [not, a, name]\n", encoding="utf-8")
    result = subprocess.run(run.worker_cmd(kind, tmp_path / "corpus", broken, jobs=2),
                            capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode != 0 and "the worker's set-up failed" in result.stderr
