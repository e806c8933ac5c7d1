"""How long reading a one-hour interview takes in each format. Prints seconds; no assertions.

    python benchmarks/formats_read.py
"""
from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from qualcode.transcripts.read import load_transcript  # noqa: E402

SPEAKERS = ["Weber, Anna", "Rahimi, Parwin (Dolmetscherin)", "Mahnaz K."]
WORDS = "the letter said I must come on Monday and I could not read all of it so I asked my son".split()


def cues(n: int, seed: int = 1):
    rng = random.Random(seed)
    t = 0
    for i in range(n):
        start, t = t, t + rng.randint(1500, 4000)
        yield i, start, t + rng.choice([0, 0, 0, 400]), rng.choice(SPEAKERS), " ".join(rng.choices(WORDS, k=12))


def ts(ms: int, sep: str = ".") -> str:
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}{sep}{ms % 1000:03d}"


def main(n: int = 1500) -> None:
    folder = Path(tempfile.mkdtemp())
    vtt = folder / "hour.vtt"
    vtt.write_text("WEBVTT\n\n" + "".join(f"{i}\n{ts(a)} --> {ts(b)}\n<v {s}>{w}</v>\n\n" for i, a, b, s, w in cues(n)))
    srt = folder / "hour.srt"
    srt.write_text("".join(f"{i + 1}\n{ts(a, ',')} --> {ts(b, ',')}\n{s}: {w}\n\n" for i, a, b, s, w in cues(n)))
    import docx

    document = docx.Document()
    table = document.add_table(rows=0, cols=3)
    for _, a, b, s, w in cues(n):
        row = table.add_row().cells
        row[0].text, row[1].text, row[2].text = f"{ts(a)} - {ts(b)}", s, w
    word = folder / "hour.docx"
    document.save(word)
    txt = folder / "hour.txt"
    txt.write_text("".join(f"[{ts(a)}] {s}: {w}\n" for _, a, b, s, w in cues(n)))
    for path in (txt, vtt, srt, word):
        best = min(_time(path) for _ in range(3))
        turns = len(load_transcript(path).transcript.turns)
        print(f"{path.suffix:6} {n} cues/rows → {turns:5} turns  {best:.3f} s  ({path.stat().st_size / 1024:.0f} KiB)")


def _time(path: Path) -> float:
    start = time.perf_counter()
    load_transcript(path)
    return time.perf_counter() - start


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1500)
