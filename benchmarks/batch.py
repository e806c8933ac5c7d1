"""Time `qualcode code DIR --out OUT` on a generated study: one worker vs several, cold vs cached.

    python benchmarks/batch.py [--copies 50] [--codebook PATH] [--source FOLDER]

Copies every transcript of FOLDER (default: tests/data/batch/study and tests/data/annomi/transcripts)
COPIES times under new ids into a temporary folder, then runs the real command line in a fresh
process for each configuration (so spaCy start-up is included, as for a user) and prints wall time
and words per second. Nothing is downloaded.
"""
from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [ROOT / "tests" / "data" / "batch" / "study", ROOT / "tests" / "data" / "annomi" / "transcripts"]


def make_study(folder: Path, sources: list[Path], copies: int) -> int:
    files = [p for src in sources for p in sorted(src.glob("*.txt"))]
    for i in range(copies):
        for path in files:
            text = path.read_text(encoding="utf-8")
            text = re.sub(r"^id: .*$", f"id: {path.stem}-{i:03d}", text, count=1, flags=re.M)
            (folder / f"{path.stem}-{i:03d}.txt").write_text(text, encoding="utf-8")
    return len(files) * copies


def run(args: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "qualcode", "code", *args], cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"qualcode failed:\n{done.stderr}")
    return wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=50)
    parser.add_argument("--codebook", default=str(ROOT / "tests" / "data" / "codebooks" / "small.yaml"))
    parser.add_argument("--source", action="append", type=Path)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        study, out = Path(tmp) / "study", Path(tmp) / "out"
        study.mkdir()
        files = make_study(study, options.source or SOURCES, options.copies)
        size = sum(p.stat().st_size for p in study.iterdir())
        print(f"study: {files} transcripts, {size / 1e6:.1f} MB; codebook {options.codebook}")
        base = [str(study), "-c", options.codebook, "--out", str(out), "--quiet"]
        for label, extra in [("jobs 1, cold", ["--jobs", "1", "--force"]), ("jobs 2, cold", ["--jobs", "2", "--force"]),
                             ("cached (nothing to code)", []), ("cached, csv+xlsx+jsonl", ["-F", "csv,xlsx,jsonl"])]:
            wall = run(base + extra)
            print(f"{label:28s} {wall:6.2f} s  {_words(out) / wall:9,.0f} words/s")


def _words(out: Path) -> int:
    import csv

    with open(out / "frequencies.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    first = rows[0]["theme"]
    return sum(int(r["role_words"]) for r in rows if r["theme"] == first)


if __name__ == "__main__":
    main()
