"""`qualcode code`: suggest themes for one transcript (a view or rows), or code a whole study into tables."""
from __future__ import annotations

import glob
import time
from pathlib import Path
from typing import Annotated, List, Optional

import typer

from qualcode.cli import app
from qualcode.cli._common import (Format, err_console, handle_errors, is_stdout, out_console,
                                  print_diagnostics, usage_error, write_stdout)

TABLES_HELP = "Tables to write, comma-separated: segments, matrix, cooccurrence, frequencies, or all. Default: all."
#: --out with one of these extensions names a file, never a folder of tables.
FILE_SUFFIXES = ("csv", "tsv", "jsonl", "json", "xlsx", "xls", "parquet", "txt", "md")
FORMATS_HELP = "File formats of the tables, comma-separated: csv, xlsx, jsonl, parquet (needs pyarrow). Default: csv."


@app.command("code")
def code_cli(
    paths: Annotated[List[Path], typer.Argument(help="Transcript files, folders of transcripts, or glob patterns such as 'study/*.txt'.", show_default=False)],
    codebook: Annotated[Optional[Path], typer.Option("--codebook", "-c", help="Codebook YAML. Default: the study codebook (codebooks/interpreter-alliance.yaml).")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="One transcript: write its rows to this file (atomically) instead of stdout. Several transcripts, a folder or a glob: the folder for the tables (created if missing).")] = None,
    fmt: Annotated[Optional[Format], typer.Option("--format", "-f", help="One transcript: table (a view by turn), csv or jsonl (one row per suggestion). Default: table, or from --out's extension.")] = None,
    export: Annotated[Optional[str], typer.Option("--export", "-e", help=TABLES_HELP)] = None,
    export_format: Annotated[Optional[str], typer.Option("--export-format", "-F", help=FORMATS_HELP)] = None,
    excel: Annotated[bool, typer.Option("--excel", help="Start CSV tables with a byte-order mark so Excel reads accents right.")] = False,
    window: Annotated[Optional[int], typer.Option("--window", "-w", min=0, help="cooccurrence: themes at most this many turns apart co-occur. Default: 1.")] = None,
    jobs: Annotated[Optional[int], typer.Option("--jobs", "-j", min=1, help="Worker processes for a batch. Default: all cores.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Code every transcript again, even when it and the codebook are unchanged.")] = False,
    input_format: Annotated[Optional[str], typer.Option("--input-format", help="Read every transcript as this format (e.g. txt, md) instead of detecting it.")] = None,
    pipeline: Annotated[Optional[str], typer.Option("--pipeline", help="An installed trained spaCy pipeline to use (e.g. en_core_web_sm). Default: built-in blank English with lookup lemmas.")] = None,
    hide_negated: Annotated[bool, typer.Option("--hide-negated", help="Do not show negated hits in the table view.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress, warnings or summary on stderr (errors are still shown).")] = False,
    model: Annotated[Optional[Path], typer.Option("--model", help="One transcript: also suggest themes with a model folder from 'qualcode train' (source model, score = probability).")] = None,
    min_score: Annotated[Optional[List[str]], typer.Option("--min-score", help="With --model: lowest probability suggested, for all themes (0.4) or one theme (THEME=0.4, repeatable). Default: the model's thresholds.")] = None,
) -> None:
    """Suggest codebook themes for the turns of transcripts.

    One transcript: a view by turn, or its rows as CSV/JSONL (--format, --out FILE).

    Several transcripts, a folder or a glob: code them all in parallel into --out DIR and write the tables segments, matrix, cooccurrence and frequencies (--export, --export-format). Unchanged transcripts come from DIR's cache; the run exits 1 if any file failed.
    """
    if input_format is not None:
        from qualcode.transcripts.read import FORMATS

        if input_format not in FORMATS:
            raise usage_error(f"--input-format must be one of {', '.join(FORMATS)}; got '{input_format}'")
    if _is_batch(paths, out):
        if model is not None or min_score:
            raise usage_error("--model suggests for one transcript at a time; name one transcript")
        _batch(paths, codebook=codebook, out=out, fmt=fmt, export=export, export_format=export_format, excel=excel,
               window=window, jobs=jobs, force=force, input_format=input_format, pipeline=pipeline, quiet=quiet)
        return
    batch_only = {"--export": export, "--export-format": export_format, "--excel": excel or None,
                  "--window": window, "--jobs": jobs, "--force": force or None}
    given = [name for name, value in batch_only.items() if value is not None]
    if given:
        raise usage_error(f"{', '.join(given)} apply when coding into a folder: add --out DIR")
    _single(paths[0], codebook=codebook, out=out, fmt=fmt, input_format=input_format, pipeline=pipeline,
            hide_negated=hide_negated, quiet=quiet, model=model, min_score=min_score)


def _is_batch(paths: list[Path], out: Optional[Path]) -> bool:
    """Several inputs, a folder, a glob, or --out naming a folder (an existing one, or a name without extension)."""
    if len(paths) != 1:
        return True
    path = paths[0]
    if path.is_dir() or (not path.exists() and glob.has_magic(str(path))):
        return True
    return not is_stdout(out) and (out.is_dir() or not out.suffix)


def _single(transcript: Path, *, codebook, out, fmt, input_format, pipeline, hide_negated, quiet, model=None,
            min_score=None) -> None:
    fmt = _choose_format(fmt, out)
    cutoffs = _min_score(min_score, model)
    with handle_errors():
        from qualcode.codebook import load_codebook
        from qualcode.coding import code_transcript

        book = load_codebook(codebook)
        result = code_transcript(transcript, codebook=book, pipeline=pipeline, input_format=input_format)
        model_diags = []
        if model is not None:
            from qualcode.model.predict import add_model_suggestions

            result, model_diags = add_model_suggestions(result, model, book, min_score=cutoffs)
        if not quiet:
            print_diagnostics(list(result.transcript.diagnostics) + model_diags)
        if fmt is Format.table:
            from qualcode.cli.views import render_coding

            render_coding(result, book, out_console(), show_negated=not hide_negated)
            return
        from qualcode.output.rows import SEGMENT_COLUMNS, segment_row
        from qualcode.output.write import atomic_write_text, csv_text, jsonl_text

        rows = [segment_row(s, result.transcript) for s in result.suggestions]
        text = (csv_text if fmt is Format.csv else jsonl_text)(rows, SEGMENT_COLUMNS)
        if is_stdout(out):
            write_stdout(text)
        else:
            atomic_write_text(out, text)
            if not quiet:
                err_console().print(f"Wrote {len(rows)} rows to {out}", markup=False)


def _choose_format(fmt: Format | None, out: Path | None) -> Format:
    if fmt is None:
        if is_stdout(out):
            return Format.table
        suffix = out.suffix.lower().lstrip(".")
        if suffix in ("csv", "jsonl"):
            return Format(suffix)
        raise usage_error(f"cannot tell the format of '{out}' from its extension; add --format csv or --format jsonl")
    if fmt is Format.table and not is_stdout(out):
        raise usage_error("the table view goes to the terminal; use --format csv or jsonl with --out")
    return fmt


def _split(value: Optional[str], allowed: tuple[str, ...], default: tuple[str, ...], option: str) -> list[str]:
    """A comma-separated option as a list of known names ('all' means every one)."""
    if value is None:
        return list(default)
    names = [v.strip().lower() for v in value.split(",") if v.strip()]
    if names == ["all"]:
        return list(allowed)
    unknown = [n for n in names if n not in allowed]
    if unknown or not names:
        raise usage_error(f"{option} takes a comma-separated list of {', '.join(allowed)}; got '{value}'")
    return list(dict.fromkeys(names))


def _batch(paths, *, codebook, out, fmt, export, export_format, excel, window, jobs, force, input_format,
           pipeline, quiet) -> None:
    from qualcode.export.tables import DEFAULT_WINDOW, TABLE_NAMES
    from qualcode.export.write import EXPORT_FORMATS

    if is_stdout(out):
        raise usage_error("coding several transcripts writes tables into a folder: add --out DIR")
    if fmt is not None:
        raise usage_error("--format is for one transcript; choose the tables' formats with --export-format")
    if out.exists() and not out.is_dir() or not out.exists() and out.suffix.lower().lstrip(".") in FILE_SUFFIXES:
        raise usage_error(f"several transcripts need a folder for their tables, and '{out}' names a file: "
                          "give --out a folder name")
    tables = _split(export, TABLE_NAMES, TABLE_NAMES, "--export")
    formats = _split(export_format, EXPORT_FORMATS, ("csv",), "--export-format")
    console = err_console()
    started = time.monotonic()
    with handle_errors():
        from qualcode.batch import run_batch

        with _ProgressBar(console, enabled=not quiet) as bar:
            result = run_batch(paths, out=out, codebook=codebook, tables=tables, formats=formats,
                               window=DEFAULT_WINDOW if window is None else window, excel=excel, jobs=jobs,
                               force=force, input_format=input_format, pipeline=pipeline, progress=bar.update)
        if not quiet:
            print_diagnostics(result.warnings, console=console)
        print_diagnostics([d for f in result.failures for d in f.diagnostics], console=console)
        if not quiet:
            console.print(_summary(result, time.monotonic() - started), markup=False, highlight=False, soft_wrap=True)
    if result.failures:
        raise typer.Exit(code=1)


def _summary(result, seconds: float) -> str:
    parts = [f"{result.coded} coded", f"{result.cached} unchanged (cache)", f"{len(result.failures)} failed"]
    tables = (f"wrote {len(result.written)} file{'s' * (len(result.written) != 1)} to {result.out}"
              if result.written else f"no tables written to {result.out}")
    return (f"Transcripts: {', '.join(parts)} · {result.words:,} words · {result.segments_counted:,} segments · "
            f"{tables} · {seconds:.1f} s")


class _ProgressBar:
    """A Rich progress bar on stderr (files, words, words/s, time left); nothing when quiet or not a terminal."""

    def __init__(self, console, *, enabled: bool):
        self.console = console
        self.enabled = enabled and console.is_terminal
        self.progress = None
        self.task = None
        self.started = time.monotonic()

    def __enter__(self) -> "_ProgressBar":
        if self.enabled:
            from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

            self.progress = Progress(TextColumn("Coding"), BarColumn(),
                                     TextColumn("{task.fields[files]} · {task.fields[words]} · {task.fields[rate]} ·"),
                                     TimeRemainingColumn(), TextColumn("left"), console=self.console, transient=True)
            self.progress.start()
        return self

    def __exit__(self, *exc) -> None:
        if self.progress is not None:
            self.progress.stop()

    def update(self, p) -> None:
        if self.progress is None:
            return
        fields = {"files": f"{p.files_done}/{p.files_total} files", "words": f"{p.words_done:,} words",
                  "rate": f"{p.words_done / max(time.monotonic() - self.started, 1e-6):,.0f} words/s"}
        if self.task is None:
            self.task = self.progress.add_task("coding", total=p.bytes_total or 1, **fields)
        self.progress.update(self.task, completed=p.bytes_done, **fields)


def _min_score(values: list[str] | None, model: Path | None):
    from qualcode.model.predict import parse_min_score

    if values and model is None:
        raise usage_error("--min-score applies to model suggestions; add --model MODEL_DIR")
    try:
        return parse_min_score(values)
    except ValueError as exc:
        raise usage_error(str(exc)) from None
