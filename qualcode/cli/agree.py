"""`qualcode agree` (agreement between coders) and `qualcode evaluate` (predictions against a gold coder)."""
from __future__ import annotations

import json
from collections import Counter
from enum import Enum
from pathlib import Path
from typing import Annotated, List, Optional

import typer
from rich.table import Table

from qualcode.cli import app
from qualcode.cli._common import (err_console, handle_errors, out_console, print_diagnostics, usage_error,
                                  write_stdout)


class ReportFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


FormatOpt = Annotated[ReportFormat, typer.Option("--format", "-f", help="table (default), json (one object per theme) or csv.")]
ProjectOpt = Annotated[Path, typer.Option("--project", "-p", help="Project folder holding decisions/.")]
CodebookOpt = Annotated[Optional[Path], typer.Option("--codebook", "-c", help="Codebook YAML: theme order, speakers, children for --exclusive.")]
SHOWN_DISAGREEMENTS = 30
#: Short column headers of the terminal tables (json and csv use the full names).
HEADERS = {"percent_agreement": "% agree", "cohen_kappa": "Cohen κ", "brennan_prediger": "B-P κ",
           "krippendorff_alpha": "K. α", "precision": "prec.", "recall": "recall", "f1": "F1"}


@app.command("agree")
def agree_cli(
    transcripts: Annotated[Optional[List[Path]], typer.Argument(help="Transcripts coded (optional): to know every turn, and to show turn text.", show_default=False)] = None,
    coder: Annotated[Optional[List[str]], typer.Option("--coder", help="A coder to compare (repeat). Default: every coder with a log, or with --codings the coders in the files.")] = None,
    codings: Annotated[Optional[List[Path]], typer.Option("--codings", help="Tidy codings CSV (transcript,turn,theme,coder[,start,end,memo]); repeatable.")] = None,
    project: ProjectOpt = Path("."),
    codebook: CodebookOpt = None,
    exclusive: Annotated[Optional[str], typer.Option("--exclusive", help="Compare which child of PARENT each turn got (nominal), for codes that exclude each other.", metavar="PARENT")] = None,
    overlap: Annotated[Optional[float], typer.Option("--overlap", help="Compare segments instead of turns: spans match when they overlap by at least this percent (Jaccard).", min=1, max=100)] = None,
    uncoded: Annotated[str, typer.Option("--uncoded", help="exclude: leave out turns no coder coded (default); include: count them (needs TRANSCRIPTS).")] = "exclude",
    disagreements: Annotated[Optional[Path], typer.Option("--disagreements", help="Write every disagreement to this CSV (turn text, who coded what).")] = None,
    fmt: FormatOpt = ReportFormat.table,
) -> None:
    """Agreement between two or more coders, per theme and overall, with the disagreements to discuss."""
    if uncoded not in ("exclude", "include"):
        raise usage_error("--uncoded takes exclude or include")
    if uncoded == "include" and not transcripts:
        raise usage_error("--uncoded include needs the TRANSCRIPTS, to know the turns nobody coded")
    if exclusive and overlap:
        raise usage_error("use --exclusive or --overlap, not both")
    with handle_errors():
        from qualcode.agreement import OVERALL, STATISTICS, disagreement_rows
        from qualcode.review.reports import agreement_report

        book = _codebook(codebook)
        report, turn_info = agreement_report(project=project, coders=coder or (), codings_files=codings or (),
                                             transcripts=transcripts or (), codebook=book, exclusive=exclusive,
                                             overlap=None if overlap is None else overlap / 100, uncoded=uncoded)
        print_diagnostics(report.diagnostics)
        rows, columns = disagreement_rows(report, turn_info)
        if disagreements is not None:
            from qualcode.output.write import atomic_write_text, csv_text

            atomic_write_text(disagreements, csv_text(rows, columns))
            err_console().print(f"Wrote {len(rows)} disagreements to {disagreements}", markup=False, soft_wrap=True)
        data = [r.as_dict() for r in report.rows]
        if fmt is not ReportFormat.table:
            _emit(data, fmt, ("theme",) + STATISTICS + ("units", "support"))
            return
        console = out_console()
        unit = {"presence": "turn × theme", "overlap": f"segment (overlap ≥ {overlap or 0:g}%)",
                "exclusive": f"turn, nominal: which child of '{exclusive}'"}[report.mode]
        caption = (f"Coders: {', '.join(report.coders)} · unit: {unit} · {report.units} turns compared")
        if report.no_child:
            caption += (f" · {report.no_child} times a coder gave a turn no child of '{exclusive}': missing, "
                        "not a disagreement")
        if report.uncoded_excluded:
            caption += f" · {report.uncoded_excluded} turns no coder coded left out (--uncoded include counts them)"
        table = _table("Agreement", data, ("theme",) + STATISTICS + ("units", "support"), overall=OVERALL)
        console.print(table)
        console.print(caption, markup=False, style="dim", soft_wrap=True)
        _show_disagreements(console, rows, columns, report.coders, disagreements)


@app.command("evaluate")
def evaluate_cli(
    transcripts: Annotated[List[Path], typer.Argument(help="Transcripts to evaluate on.", show_default=False)],
    gold: Annotated[str, typer.Option("--gold", help="The gold standard: a coder's name (project log) or a tidy codings CSV.", show_default=False)],
    predicted: Annotated[Optional[str], typer.Option("--predicted", help="Evaluate this coder or codings CSV instead of the rule suggestions.")] = None,
    model: Annotated[Optional[Path], typer.Option("--model", help="Evaluate a trained model (folder) instead of the rule suggestions.")] = None,
    project: ProjectOpt = Path("."),
    codebook: CodebookOpt = None,
    pipeline: Annotated[Optional[str], typer.Option("--pipeline", help="An installed spaCy pipeline (as for `code`).")] = None,
    fmt: FormatOpt = ReportFormat.table,
) -> None:
    """Precision, recall, F1 and Cohen's kappa per theme of the rule suggestions (or a model, or a coder) against gold."""
    if predicted and model:
        raise usage_error("use --predicted or --model, not both")
    with handle_errors():
        from qualcode.codebook import load_codebook
        from qualcode.evaluate import MACRO, MICRO, STATISTICS
        from qualcode.review.reports import evaluation_report

        book = load_codebook(codebook)
        result = evaluation_report(transcripts=transcripts, gold=gold, predicted=predicted, model=model,
                                   project=project, codebook=book, pipeline=pipeline)
        print_diagnostics(result.diagnostics)
        data = [r.as_dict() for r in result.rows]
        columns = ("theme",) + STATISTICS + ("tp", "fp", "fn", "support")
        if fmt is not ReportFormat.table:
            _emit(data, fmt, columns)
            return
        what = predicted or (f"model {model}" if model else "rule suggestions")
        console = out_console()
        console.print(_table(f"{what} against {gold}", data, columns, overall=(MACRO, MICRO)))
        console.print(f"{result.units} turns of {len(result.transcripts)} transcript(s) compared; unit: turn × theme",
                      markup=False, style="dim")


def _codebook(path: Path | None):
    if path is None:
        return None
    from qualcode.codebook import load_codebook

    return load_codebook(path)


def _emit(data: list[dict], fmt: ReportFormat, columns) -> None:
    if fmt is ReportFormat.json:
        write_stdout(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    else:
        from qualcode.output.write import csv_text

        write_stdout(csv_text(data, columns))


def _cell(value, column: str) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.1f}" if column == "percent_agreement" else f"{value:.3f}"
    return str(value)


def _table(title: str, data: list[dict], columns, *, overall) -> Table:
    overall = (overall,) if isinstance(overall, str) else overall
    table = Table(title=title, title_justify="left")
    for name in columns:
        table.add_column(HEADERS.get(name, name), justify="left" if name == "theme" else "right")
    for row in data:
        table.add_row(*[_cell(row[c], c) for c in columns], style="bold" if row["theme"] in overall else None,
                      end_section=row["theme"] not in overall and data[data.index(row) + 1]["theme"] in overall
                      if data.index(row) + 1 < len(data) else False)
    return table


def _show_disagreements(console, rows, columns, coders, written) -> None:
    if not rows:
        console.print("No disagreements.")
        return
    wide = len(coders) <= 3  # a column per coder; else one column summing up who coded what
    table = Table(title=f"Disagreements ({len(rows)})", title_justify="left")
    for name in ("transcript", "turn", "speaker", "theme", *(coders if wide else ["codes"]), "text"):
        table.add_column(name, overflow="fold", max_width=60 if name == "text" else None)
    for row in rows[:SHOWN_DISAGREEMENTS]:
        text = row["text"]
        if wide:
            codes = [str(row[c]) or "—" for c in coders]
        else:
            counts = Counter(str(row[c]) for c in coders if row[c] != "")
            codes = [", ".join(f"{value} ×{n}" for value, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))]
        table.add_row(row["transcript"], str(row["turn"]), row["speaker"], row["theme"], *codes,
                      text if len(text) <= 120 else text[:117] + "…")
    console.print(table)
    if len(rows) > SHOWN_DISAGREEMENTS and written is None:
        console.print(f"… {len(rows) - SHOWN_DISAGREEMENTS} more: write them all with --disagreements FILE.csv",
                      markup=False, style="dim")
    elif not wide and written is None:
        console.print("Who coded what: --disagreements FILE.csv has a column per coder.", markup=False, style="dim")
