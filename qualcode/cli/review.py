"""`qualcode review`: decide on suggestions interactively, by spreadsheet, or code turns by hand."""
from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, List, Optional

import typer
from rich.console import Console
from rich.text import Text

from qualcode.cli import app
from qualcode.cli._common import err_console, handle_errors, out_console, print_diagnostics, usage_error

class ReviewOrder(str, Enum):
    text = "text"
    uncertain = "uncertain"


ACTION_STYLE = {"accept": "green", "reject": "red", "recode": "magenta", "add": "cyan"}


@app.command("review")
def review_cli(
    transcript: Annotated[Optional[Path], typer.Argument(help="Transcript to review.", show_default=False)] = None,
    coder: Annotated[Optional[str], typer.Option("--coder", help="Your name as coder: decisions go to PROJECT/decisions/NAME.jsonl.")] = None,
    project: Annotated[Path, typer.Option("--project", "-p", help="Project folder holding decisions/.")] = Path("."),
    codebook: Annotated[Optional[Path], typer.Option("--codebook", "-c", help="Codebook YAML. Default: the study codebook.")] = None,
    export: Annotated[Optional[Path], typer.Option("--export", help="Write the suggestions as a CSV with a 'decision' column (for a spreadsheet) and stop.")] = None,
    import_: Annotated[Optional[Path], typer.Option("--import", help="Record the decisions of an edited decision CSV and stop.")] = None,
    import_codings: Annotated[Optional[Path], typer.Option("--import-codings", help="Record codings made elsewhere (tidy CSV: transcript,turn,theme,coder[,start,end,memo]) in each row's coder log.")] = None,
    add: Annotated[Optional[str], typer.Option("--add", help="Code a turn by hand: TURN:THEME (with --quote for part of the turn) and stop.")] = None,
    quote: Annotated[Optional[str], typer.Option("--quote", help="With --add: the words of the turn to code (default: the whole turn).")] = None,
    memo: Annotated[str, typer.Option("--memo", help="With --add: a memo for the coding.")] = "",
    pipeline: Annotated[Optional[str], typer.Option("--pipeline", help="An installed spaCy pipeline (as for `code`).")] = None,
    model: Annotated[Optional[Path], typer.Option("--model", help="Also review the suggestions of a model from 'qualcode train'.")] = None,
    min_score: Annotated[Optional[List[str]], typer.Option("--min-score", help="With --model: lowest probability offered (0.4, or THEME=0.4; repeatable).")] = None,
    order: Annotated[ReviewOrder, typer.Option("--order", help="text: in reading order. uncertain: the model's suggestions first, most uncertain first (each decision teaches the model most).")] = ReviewOrder.text,
) -> None:
    """Accept, reject or recode the suggestions for a TRANSCRIPT, one at a time, resuming where you stopped.

    Type a command and Enter: a accept · r reject · s skip · b back · c recode · m memo · + code by hand · u undo · q quit. Every decision is saved at once.

    Without a terminal: --export / --import a decision CSV, --add TURN:THEME, --import-codings FILE.
    """
    modes = [m for m in (export, import_, import_codings, add) if m is not None]
    if len(modes) > 1:
        raise usage_error("use only one of --export, --import, --import-codings and --add")
    with handle_errors():
        from qualcode.errors import Report

        report = Report()
        if import_codings is not None:
            from qualcode.codings import read_codings_csv
            from qualcode.review.store import import_codings as record

            added = record(project, read_codings_csv(import_codings), report=report)
            print_diagnostics(report.diagnostics)
            for name, n in added.items():
                err_console().print(f"{name}: {n} new codings recorded in {project / 'decisions' / (name + '.jsonl')}",
                                    markup=False, soft_wrap=True)
            return
        if transcript is None:
            raise usage_error("name the TRANSCRIPT to review")
        if not coder:
            raise usage_error("say who is coding with --coder NAME")
        from qualcode.codebook import load_codebook
        from qualcode.review.session import prepare_review
        from qualcode.review.store import DecisionLog, check_coder

        check_coder(coder)
        book = load_codebook(codebook)
        if (min_score or order == ReviewOrder.uncertain) and model is None:
            raise usage_error("--min-score and --order uncertain work on model suggestions: add --model MODEL_DIR")
        from qualcode.model.predict import parse_min_score

        try:
            cutoffs = parse_min_score(min_score)
        except ValueError as exc:
            raise usage_error(str(exc)) from None
        review = prepare_review(transcript, codebook=book, pipeline=pipeline, model=model, min_score=cutoffs,
                                order=ReviewOrder(order).value)
        with DecisionLog(project, coder, report=report) as log:
            print_diagnostics(report.diagnostics)
            if export is not None:
                _export(review, log, export)
            elif import_ is not None:
                _import(review, log, import_, report)
            elif add is not None:
                _add(review, log, add, quote, memo)
            else:
                _interactive(review, log, book)


def _export(review, log, path: Path) -> None:
    from qualcode.output.write import atomic_write_text
    from qualcode.review.session import decisions_csv_text

    atomic_write_text(path, decisions_csv_text(review, log))
    err_console().print(f"Wrote {len(review.items)} suggestions to {path}; fill in 'decision' (accept, reject or "
                        "recode with recode_to), then --import it.", markup=False,
                        soft_wrap=True)


def _import(review, log, path: Path, report) -> None:
    from qualcode.review.session import import_decisions_csv

    before = len(report.diagnostics)
    counts = import_decisions_csv(path, review, log, report=report)
    print_diagnostics(report.diagnostics[before:])
    done = ", ".join(f"{n} {a}" for a, n in sorted(counts.items())) or "nothing new"
    err_console().print(f"Recorded {done} for {log.coder} in {log.path}.", markup=False, soft_wrap=True)


def _add(review, log, spec: str, quote: str | None, memo: str) -> None:
    from qualcode.review.session import add_coding

    turn, sep, theme = spec.partition(":")
    if not sep or not turn.strip().isdigit() or not theme.strip():
        raise usage_error("--add takes TURN:THEME, for example --add 12:bond_trust")
    event = add_coding(log, review, turn=int(turn), theme=theme.strip(), theme_ids=review.theme_ids, quote=quote,
                       memo=memo)
    where = "whole turn" if event["start"] is None else f"{event['start']}-{event['end']}"
    err_console().print(f"Coded turn {turn} of {review.transcript.id} as {theme.strip()} ({where}) for {log.coder}.",
                        markup=False, soft_wrap=True)


def _interactive(review, log, book) -> None:
    from qualcode.review.loop import ReviewLoop

    loop = ReviewLoop(review, log)
    console = out_console()
    colors = {t.id: (t.color or "#888888") for t in book.themes}
    view = loop.view()
    while True:
        _show(console, review, view, colors)
        if view.finished:
            return
        console.print(Text(f"{view.prompt} > ", style="bold"), end="")
        line = sys.stdin.readline()
        if not line:  # end of input: like q
            line = "q"
            console.print()
        view = loop.press(line)


def _show(console: Console, review, view, colors: dict) -> None:
    from qualcode.cli.views import _excerpt

    if view.mode != "decide" or view.finished:
        if view.message:
            console.print(view.message, markup=False, soft_wrap=True)
        return
    counts = " · ".join(f"{n} {a}" for a, n in view.counts.items() if n)
    head = Text(f"\n[{view.decided}/{view.total} decided]", style="bold")
    if counts:
        head.append(f"  {counts}", style="dim")
    console.print(head)
    s = view.item
    if s is None:
        left = view.total - view.decided
        console.print(f"End of the suggestions; {left} still undecided (skipped)." if left
                      else f"All {view.total} suggestions of {review.transcript.id} decided.",
                      markup=False, soft_wrap=True)
    else:
        turn = review.turn(s.turn)
        label = Text(f"Suggestion {view.position + 1}/{view.total} · turn {s.turn} · line {s.line} · "
                     f"{turn.speaker} ({turn.role}) · ", style="bold")
        label.append(s.theme, style="bold " + colors.get(s.theme, ""))
        label.append(f"  «{' '.join(s.quote.split())}»", style="bold")
        label.append(f"  rule {s.rule}", style="dim")
        console.print(label)
        before = review.turn(s.turn - 1)
        if before is not None:
            console.print(Text(f"  {before.speaker}: " + _clip(before.text), style="dim"))
        body = Text(f"  {turn.speaker}: ")
        body.append_text(_excerpt(turn.text, [(s.start - turn.start, s.end - turn.start,
                                               colors.get(s.theme, "#888888"), False)]))
        console.print(body)
        if view.entry is not None:
            e = view.entry
            what = e.action + (f" → {e.event['to']}" if e.action == "recode" else "")
            note = Text(f"  decided: {what}", style=ACTION_STYLE.get(e.action, ""))
            if e.memo:
                note.append(f"  memo: {e.memo}", style="italic")
            console.print(note)
    if view.message:
        console.print(view.message, markup=False, style="yellow")


def _clip(text: str, width: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else "… " + text[-width:]
