"""Instructions per word, counted by valgrind: a measure for changes too small to see in wall time.

    python benchmarks/instructions.py              # 20 transcripts of the 1 M-word study (about a minute)
    python benchmarks/instructions.py --files 40   # more transcripts, steadier, slower

On a shared machine the same command takes up to half as long again from minute to minute, while
its instruction count moves by 1-2 %. This counts the instructions (valgrind's cachegrind, without
its cache simulation) of the floor (spaCy's tokenizer over every turn, as `run.py` measures it) and
of `qualcode code --jobs 1 --force`, each on the first --files transcripts of the benchmark study
and on its first transcript alone. The difference between the two, divided by the difference in
words, is the work per word with start-up left out. Instructions are not time (Python code runs
fewer of them per cycle than spaCy's compiled tokenizer), so compare a change with its parent
here, and read `run.py` for the ratios to the floor. Prints a table and writes instructions.csv
into the output folder. Needs valgrind (Debian: `apt install valgrind`).
"""
from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import corpus, run  # noqa: E402

COLUMNS = ["measure", "files", "words", "instructions", "instructions_one_file", "words_one_file",
           "instructions_per_word", "x_floor"]
_REFS = re.compile(r"I\s+refs:\s+([\d,]+)")


@dataclass(frozen=True)
class Count:
    """Instructions of one process (and its children, which `qualcode code --jobs 1` has none of)."""

    instructions: int
    words: int | None = None  # what the floor worker reported


def instructions_of(stderr: str) -> int:
    """The total that cachegrind prints ('I   refs:      5,221,847,593') as a number."""
    found = _REFS.findall(stderr)
    if not found:
        raise RuntimeError("valgrind printed no instruction count: " + stderr.strip()[-300:])
    return int(found[-1].replace(",", ""))


def per_word(many: int, one: int, words_many: int, words_one: int) -> float:
    """Instructions per word of the work alone: what the larger run adds, over the words it adds."""
    if words_many <= words_one:
        raise ValueError("the larger run needs more words than the one-file run")
    return (many - one) / (words_many - words_one)


def count(cmd: list[str]) -> Count:
    result = subprocess.run(["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
                             *cmd], capture_output=True, text=True, cwd=ROOT)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:4])} … failed under valgrind: {result.stderr.strip()[-300:]}")
    words = None
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if lines:
        words = json.loads(lines[-1]).get("words")
    return Count(instructions_of(result.stderr), words)


def subset(study: Path, folder: Path, files: int) -> Path:
    """The first `files` transcripts of the study, copied into `folder` (made afresh)."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for path in sorted(study.glob("*.txt"))[:files]:
        shutil.copyfile(path, folder / path.name)
    return folder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=20, help="transcripts to count on (default 20)")
    parser.add_argument("--words", type=float, default=1.0,
                        help="size of the benchmark study to take them from, in millions of words (default 1)")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    parser.add_argument("--jobs", type=int, default=2, help="valgrind runs at a time (default 2)")
    parser.add_argument("--out", type=Path, default=run.DEFAULT_OUT, help="output folder (default benchmarks/out)")
    opts = parser.parse_args(argv)
    if shutil.which("valgrind") is None:
        print("instructions.py: valgrind is not installed — install it (Debian: apt install valgrind) to count "
              "instructions, or use run.py for times", file=sys.stderr)
        return 1
    if opts.files < 2:
        parser.error("--files must be 2 or more (one file is the start-up the count leaves out)")

    run.compile_bytecode()
    out = opts.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    codebook = corpus.write_codebook(out / "bench-codebook.yaml")
    study, stats = run.prepare_corpus(out, int(opts.words * 1e6), opts.seed)
    if stats.files < opts.files:
        parser.error(f"the study has {stats.files} transcripts: ask for at most that many")
    folders = {n: subset(study, out / f"instructions-{n}-files", n) for n in (opts.files, 1)}

    def floor(n: int) -> list[str]:
        return run.worker_cmd("tokenize", folders[n], codebook)

    def code(n: int) -> list[str]:
        return run.qualcode_cmd("code", folders[n], "--codebook", codebook, "--out", out / f"instructions-coded-{n}",
                                "--jobs", 1, "--quiet", "--force")

    for cmd in (floor(1), code(1)):  # once outside valgrind: output folders made, nothing left to set up
        subprocess.run(cmd, capture_output=True, cwd=ROOT, check=True)
    print(f"counting instructions on {opts.files} transcripts and on 1 (4 runs under valgrind) …", file=sys.stderr)
    with ThreadPoolExecutor(max(1, opts.jobs)) as pool:
        jobs = {(name, n): pool.submit(count, make(n)) for name, make in (("floor", floor), ("code", code))
                for n in (opts.files, 1)}
        counts = {key: job.result() for key, job in jobs.items()}
    words = {n: counts["floor", n].words for n in (opts.files, 1)}
    rows = []
    for name, measure in (("floor", "spaCy tokenizer only (floor)"), ("code", "qualcode code --jobs 1")):
        many, one = counts[name, opts.files].instructions, counts[name, 1].instructions
        rows.append({"measure": measure, "files": opts.files, "words": words[opts.files], "instructions": many,
                     "instructions_one_file": one, "words_one_file": words[1],
                     "instructions_per_word": round(per_word(many, one, words[opts.files], words[1]))})
    for row in rows:
        row["x_floor"] = round(row["instructions_per_word"] / rows[0]["instructions_per_word"], 2)
    run.write_csv(out / "instructions.csv", rows, COLUMNS)
    run.print_table(f"Instructions per word ({opts.files} transcripts of the {run.size_label(int(opts.words * 1e6))} "
                    f"study, seed {opts.seed})", rows, COLUMNS)
    print(f"wrote {out / 'instructions.csv'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
