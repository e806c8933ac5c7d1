"""Inspect and convert transcripts: parsed turns as rows, and the normalised plain-text form on disk."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from qualcode.errors import ERROR, Diagnostic, QualcodeError
from qualcode.output.write import atomic_write_text
from qualcode.transcripts.formats import normalised_text
from qualcode.transcripts.read import FORMATS, LoadedTranscript, ReadOptions, load_transcript

#: Columns of a parsed-turn row (`transcript show --format csv|jsonl`), in order.
TURN_COLUMNS = ("transcript", "format", "turn", "speaker", "role", "timestamp", "end_timestamp", "source_line",
                "line", "end_line", "start", "end", "words", "text")


def turn_rows(loaded: LoadedTranscript) -> list[dict]:
    """One row per turn; `source_line` is where the turn starts in the file read, `line` in `Transcript.text`."""
    t = loaded.transcript
    return [{"transcript": t.id, "format": t.format, "turn": turn.number, "speaker": turn.speaker, "role": turn.role,
             "timestamp": turn.timestamp, "end_timestamp": turn.end_timestamp, "source_line": src,
             "line": turn.line, "end_line": turn.end_line, "start": turn.start, "end": turn.end,
             "words": turn.words, "text": turn.text}
            for turn, src in zip(t.turns, loaded.source_lines)]


@dataclass(frozen=True)
class Converted:
    source: Path
    target: Path
    turns: int


@dataclass
class ConvertReport:
    """Files written, and every problem met (errors name the files that were not converted)."""

    converted: list[Converted] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(d.severity == ERROR for d in self.diagnostics)


def convert_transcripts(paths: list[str | Path], out_dir: str | Path, *, speakers: dict[str, str] | None = None,
                        input_format: str | None = None, merge_cues: bool = True,
                        overwrite: bool = False) -> ConvertReport:
    """Write each transcript's normalised plain text to `out_dir/<name>.txt`; never over an input file."""
    out_dir = Path(out_dir)
    report = ConvertReport()
    inputs = {Path(p).resolve() for p in paths}
    claimed: dict[Path, Path] = {}
    for raw in paths:
        source = Path(raw)
        target = out_dir / f"{source.stem}.txt"
        key = target.resolve()
        if key in inputs:
            report.diagnostics.append(Diagnostic(
                "QC223", f"converting would overwrite the input file {target}", str(source),
                hint="choose another --out folder"))
            continue
        if key in claimed:
            report.diagnostics.append(Diagnostic(
                "QC223", f"{claimed[key]} already converts to {target}", str(source),
                hint="convert files with the same name into different --out folders"))
            continue
        claimed[key] = source
        if target.exists() and not overwrite:
            report.diagnostics.append(Diagnostic(
                "QC222", f"{target} already exists", str(source), hint="add --force to replace it"))
            continue
        try:
            loaded = load_transcript(source, speakers=speakers, input_format=input_format, merge_cues=merge_cues)
            text = normalised_text(loaded.transcript, speakers=speakers)
            problem = _reads_back_differently(text, loaded.transcript, str(target), speakers)
            if problem:
                report.diagnostics.append(problem)
                continue
            atomic_write_text(target, text)
        except QualcodeError as exc:
            report.diagnostics.extend(exc.diagnostics)
            continue
        report.diagnostics.extend(loaded.transcript.diagnostics)
        report.converted.append(Converted(source, target, len(loaded.transcript.turns)))
    return report


def _reads_back_differently(text: str, transcript, target: str, speakers) -> Diagnostic | None:
    """A check before writing: the converted text must give the same turns when read again."""
    def key(t):
        return [(x.speaker, " ".join(x.text.split()), x.timestamp, x.end_timestamp) for x in t.turns]

    try:
        back = FORMATS["txt"].load(text.encode("utf-8"), target, ReadOptions("txt", speakers)).transcript
    except QualcodeError:
        back = None
    got, want = (key(back) if back else []), key(transcript)
    if got == want:
        return None
    turn = next((i for i, (a, b) in enumerate(zip(got, want), start=1) if a != b), min(len(got), len(want)) + 1)
    return Diagnostic("QC224", f"the converted text would not read back the same from turn {turn} on; not written",
                      transcript.path, hint="this is a bug in qualcode: please report it (the input is unchanged)")
