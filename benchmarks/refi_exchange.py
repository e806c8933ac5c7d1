"""Time a REFI-QDA round trip on a synthetic study: export .qdpx, then import it back.

Usage: python benchmarks/refi_exchange.py [TRANSCRIPTS] [TURNS]   (default 100 transcripts x 80 turns)
Prints sizes and seconds; nothing is written outside a temporary folder.
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from qualcode.codebook import load_codebook  # noqa: E402
from qualcode.codings import Coding, codings_csv_text  # noqa: E402
from qualcode.refi import export_project, import_project  # noqa: E402
from qualcode.transcripts import read_transcript  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
THEMES = ("trust", "translation", "rupture", "repair")


def main(n_transcripts: int = 100, n_turns: int = 80) -> None:
    book = load_codebook(ROOT / "tests" / "data" / "codebooks" / "small.yaml")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        folder = tmp / "transcripts"
        folder.mkdir()
        codings = []
        for i in range(n_transcripts):
            lines = [f"---\nid: t{i:03d}\ndyad: D{i // 4:02d}\n---"]
            for j in range(n_turns):
                speaker = ("Dr. Meyer", "Amira", "Hassan")[j % 3]
                lines.append(f"{speaker}: Turn {j} — I trust her, café 😊, we talked about the week and the plan.")
            path = folder / f"t{i:03d}.txt"
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
            transcript = read_transcript(path, speakers=book.speakers)
            for turn in transcript.turns[::2]:
                for coder in ("ana", "ben"):
                    start = turn.start + 8
                    codings.append(Coding(transcript.id, turn.number, THEMES[turn.number % 4], coder, start, start + 12))
        csv_path = tmp / "codings.csv"
        csv_path.write_text(codings_csv_text(codings), encoding="utf-8")
        t0 = time.perf_counter()
        export_project([folder], out=tmp / "study.qdpx", codebook=book, codings_file=csv_path)
        t1 = time.perf_counter()
        result = import_project(tmp / "study.qdpx", out=tmp / "back", codebook=book)
        t2 = time.perf_counter()
        size = (tmp / "study.qdpx").stat().st_size
        print(f"{n_transcripts} transcripts x {n_turns} turns, {len(codings)} codings, .qdpx {size / 1e6:.2f} MB")
        print(f"export: {t1 - t0:.2f} s   import: {t2 - t1:.2f} s   codings back: {len(result.codings)}")


if __name__ == "__main__":
    main(*map(int, sys.argv[1:3]))
