"""Time `qualcode codebook validate` as a whole process (the issue asks for < 1.5 s on the default codebook).

Usage: python benchmarks/codebook_validate.py [CODEBOOK] [RUNS]
Prints the median and the slowest wall-clock time of RUNS runs, and whether spaCy was imported.
"""
from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    codebook = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "codebooks" / "interpreter-alliance.yaml")
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "qualcode", "codebook", "validate", "--quiet", codebook],
                              cwd=ROOT, capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        if done.returncode not in (0, 1):
            sys.exit(f"validate failed (exit {done.returncode}): {done.stdout}{done.stderr}")
    probe = ("import sys; from typer.testing import CliRunner; from qualcode.cli import app; "
             f"CliRunner().invoke(app, ['codebook', 'validate', {codebook!r}]); print('spacy' in sys.modules)")
    spacy = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    print(f"codebook validate {codebook}: median {statistics.median(times):.3f} s, slowest {max(times):.3f} s "
          f"over {runs} runs; spaCy imported: {spacy}")


if __name__ == "__main__":
    main()
