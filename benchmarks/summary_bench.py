"""Time `summarize` on a synthetic study: the fixture study of tests/data/summary copied N times
under new dyad ids (prints numbers; not a test).

    python benchmarks/summary_bench.py [N_COPIES]
"""
from __future__ import annotations

import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA = ROOT / "tests" / "data" / "summary"


def build(folder: Path, copies: int) -> int:
    files = 0
    for k in range(copies):
        for src in sorted((DATA / "study").glob("*.txt")):
            text = src.read_text(encoding="utf-8")
            if not text.startswith("---"):
                continue
            text = re.sub(r"^id: (\S+)", lambda m: f"id: {m.group(1)}-{k}", text, flags=re.M)
            text = re.sub(r"^dyad: (\S+)", lambda m: f"dyad: {m.group(1)}-{k}", text, flags=re.M)
            (folder / f"{src.stem}-{k}.txt").write_text(text, encoding="utf-8")
            files += 1
    return files


def main() -> None:
    from qualcode.codebook import load_codebook
    from qualcode.summary import write_summary
    from qualcode.summary.run import build_summary, study_codings
    from qualcode.summary.study import expand_paths

    copies = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    book = load_codebook(DATA / "codebook.yaml")
    with tempfile.TemporaryDirectory() as tmp:
        study = Path(tmp) / "study"
        study.mkdir()
        files = build(study, copies)
        t0 = time.perf_counter()
        data = study_codings(expand_paths([study]), codebook=book)
        tc = time.perf_counter()
        summary = build_summary(data, codebook=book)
        t1 = time.perf_counter()
        write_summary(summary, Path(tmp) / "out")
        t2 = time.perf_counter()
    turns = sum(len(m.transcript.turns) for m in summary.members)
    print(f"{files} transcripts, {len(set(m.dyad for m in summary.members))} dyads, {turns} turns")
    print(f"read and rule-code: {tc - t0:.2f} s")
    print(f"compute the summary (patterns, agreement, quotes, sequences): {t1 - tc:.2f} s")
    print(f"write summary.md, summary.html, CSV tables: {t2 - t1:.2f} s")


if __name__ == "__main__":
    main()
