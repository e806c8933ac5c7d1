"""`qualcode transcript show|convert`: how qualcode reads a transcript, and its normalised plain-text form."""
from __future__ import annotations

from collections import Counter
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from qualcode.cli import app
from qualcode.cli._common import Format, err_console, handle_errors, out_console, print_diagnostics, write_stdout

transcript_app = typer.Typer(
    help="Check how qualcode reads a transcript (.txt, .md, .vtt, .srt, .docx), or convert it to plain text.",
    no_args_is_help=True)
app.add_typer(transcript_app, name="transcript")

class InputFormat(str, Enum):
    """The names in `qualcode.transcripts.read.FORMATS` (a test keeps them in step)."""

    txt = "txt"
    md = "md"
    vtt = "vtt"
    srt = "srt"
    docx = "docx"


InputFormatOpt = Annotated[Optional[InputFormat], typer.Option(
    "--input-format", help="Read as this format. Default: from the content, then the extension.")]
MergeOpt = Annotated[bool, typer.Option(
    "--merge/--no-merge", help="Merge consecutive caption cues of one speaker into one turn.")]
CodebookOpt = Annotated[Optional[Path], typer.Option(
    "--codebook", "-c", help="Codebook whose 'speakers' map labels to roles. Default: the study codebook, if present.")]


def _speakers(codebook: Path | None) -> dict[str, str]:
    from qualcode.codebook import load_codebook
    from qualcode.codebook.default import default_codebook_path

    if codebook is None:
        codebook = default_codebook_path()
        if not codebook.is_file():
            return {}
    return load_codebook(codebook).speakers


@transcript_app.command("show")
def show_cli(
    file: Annotated[Path, typer.Argument(help="Transcript file.", show_default=False)],
    fmt: Annotated[Format, typer.Option("--format", "-f", help="table (a view), or csv / jsonl (one row per turn).")] = Format.table,
    input_format: InputFormatOpt = None,
    merge: MergeOpt = True,
    codebook: CodebookOpt = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="With csv/jsonl: no warnings on stderr.")] = False,
) -> None:
    """Show how qualcode reads FILE: turns, speakers, roles, timestamps, and what it could not place or map."""
    with handle_errors():
        from qualcode.transcripts.formats.convert import TURN_COLUMNS, turn_rows
        from qualcode.transcripts.read import load_transcript

        loaded = load_transcript(file, speakers=_speakers(codebook), merge_cues=merge,
                                 input_format=input_format.value if input_format else None)
        if fmt is Format.table:
            render_transcript(loaded, out_console())
            return
        from qualcode.output.write import csv_text, jsonl_text

        if not quiet:
            print_diagnostics(list(loaded.transcript.diagnostics))
        write_stdout((csv_text if fmt is Format.csv else jsonl_text)(turn_rows(loaded), TURN_COLUMNS))


@transcript_app.command("convert")
def convert_cli(
    files: Annotated[list[Path], typer.Argument(help="Transcript files (.vtt, .srt, .docx, .txt, .md).", show_default=False)],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the converted files (<name>.txt); created if missing.", show_default=False)],
    input_format: InputFormatOpt = None,
    merge: MergeOpt = True,
    codebook: CodebookOpt = None,
    force: Annotated[bool, typer.Option("--force", help="Replace converted files that already exist in --out.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No warnings or status on stderr.")] = False,
) -> None:
    """Write each FILE in qualcode's plain-text form: front matter, then one 'Speaker: text' line per turn (with its times)."""
    with handle_errors():
        from qualcode.errors import ERROR
        from qualcode.transcripts.formats.convert import convert_transcripts

        report = convert_transcripts(files, out, speakers=_speakers(codebook), merge_cues=merge, overwrite=force,
                                     input_format=input_format.value if input_format else None)
        shown = report.diagnostics if not quiet else [d for d in report.diagnostics if d.severity == ERROR]
        print_diagnostics(shown)
        if not quiet:
            for c in report.converted:
                err_console().print(f"Wrote {c.target} ({c.turns} turns) from {c.source}", markup=False, soft_wrap=True)
        if report.failed:
            raise typer.Exit(code=1)


#: How much of a turn the table view shows.
TEXT_CHARS = 70
#: Diagnostic codes of text that is in no turn.
UNPLACED = ("QC208", "QC216", "QC218")


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def render_transcript(loaded, console) -> None:
    """Header, speakers, one row per turn, then what was not placed and whom no role was found for."""
    from rich.text import Text

    t = loaded.transcript
    head = Text(t.id, style="bold")
    head.append(f"  {t.path} · {t.format} · {_n(len(t.turns), 'turn')} · {_n(t.words, 'word')}", style="cyan")
    counts = Counter(turn.speaker for turn in t.turns)
    head.append("\nSpeakers: " + " · ".join(f"{s} ({role}, {_n(counts[s], 'turn')})" for s, role in t.speakers.items()))
    console.print(head)
    for turn, src in zip(t.turns, loaded.source_lines):
        text = " ".join(turn.text.split())
        if len(text) > TEXT_CHARS:
            text = text[: TEXT_CHARS - 1] + "…"
        row = Text(f"\n{turn.number:>4}  ", style="bold")
        row.append(f"{'paragraph' if t.format == 'docx' else 'line'} {src}  ", style="dim")
        if turn.timestamp:
            row.append(turn.timestamp + (f"–{turn.end_timestamp}" if turn.end_timestamp else "") + "  ", style="cyan")
        row.append(turn.speaker, style="bold")
        row.append(f" ({turn.role})", style="yellow" if turn.role == "unknown" else "dim")
        row.append(f"\n      {text}")
        console.print(row)
    groups = (("Not placed in any turn", [d for d in t.diagnostics if d.code in UNPLACED]),
              ("Speakers without a role", [d for d in t.diagnostics if d.code == "QC207"]),
              ("Other warnings", [d for d in t.diagnostics if d.code not in UNPLACED + ("QC207",)]))
    for title, diags in groups:
        if diags:
            console.print(f"\n{title}:", style="bold")
            print_diagnostics(sorted(diags, key=lambda d: d.sort_key()), console=console)
    if not t.diagnostics:
        console.print("\nEvery line is in a turn and every speaker has a role.")
