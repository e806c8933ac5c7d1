"""`qualcode code`: suggest themes for a transcript and show the evidence."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, List, Optional

import typer

from qualcode.cli import app
from qualcode.cli._common import (Format, err_console, handle_errors, is_stdout, out_console,
                                  print_diagnostics, usage_error, write_stdout)


@app.command("code")
def code_cli(
    transcript: Annotated[Path, typer.Argument(help="Transcript file (.txt or .md).", show_default=False)],
    codebook: Annotated[Optional[Path], typer.Option("--codebook", "-c", help="Codebook YAML. Default: the study codebook (codebooks/interpreter-alliance.yaml).")] = None,
    fmt: Annotated[Optional[Format], typer.Option("--format", "-f", help="table (a view by turn), csv or jsonl (one row per suggestion). Default: table, or from --out's extension.")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Write the rows to this file (atomically) instead of stdout.")] = None,
    pipeline: Annotated[Optional[str], typer.Option("--pipeline", help="An installed trained spaCy pipeline to use (e.g. en_core_web_sm). Default: built-in blank English with lookup lemmas.")] = None,
    hide_negated: Annotated[bool, typer.Option("--hide-negated", help="Do not show negated hits in the table view.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No warnings or status on stderr.")] = False,
    model: Annotated[Optional[Path], typer.Option("--model", help="Also suggest themes with a model folder from 'qualcode train' (source model, score = probability).")] = None,
    min_score: Annotated[Optional[List[str]], typer.Option("--min-score", help="With --model: lowest probability suggested, for all themes (0.4) or one theme (THEME=0.4, repeatable). Default: the model's thresholds.")] = None,
) -> None:
    """Suggest codebook themes for every turn of a TRANSCRIPT and show the evidence."""
    fmt = _choose_format(fmt, out)
    cutoffs = _min_score(min_score, model)
    with handle_errors():
        from qualcode.codebook import load_codebook
        from qualcode.coding import code_transcript

        book = load_codebook(codebook)
        result = code_transcript(transcript, codebook=book, pipeline=pipeline)
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


def _min_score(values: list[str] | None, model: Path | None):
    from qualcode.model.predict import parse_min_score

    if values and model is None:
        raise usage_error("--min-score applies to model suggestions; add --model MODEL_DIR")
    try:
        return parse_min_score(values)
    except ValueError as exc:
        raise usage_error(str(exc)) from None
