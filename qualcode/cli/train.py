"""`qualcode train`: learn to suggest themes from a coder's decisions."""
from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, List, Optional

import typer

from qualcode.cli import app
from qualcode.cli._common import err_console, handle_errors, out_console, print_diagnostics, usage_error


class Context(str, Enum):
    text = "text"
    role = "role"
    context = "context"


@app.command("train")
def train_cli(
    transcripts: Annotated[List[Path], typer.Argument(help="The transcripts that were coded.", show_default=False)],
    out: Annotated[Path, typer.Option("--out", "-o", help="Model folder to write (replaced if it holds a qualcode model).")],
    coder: Annotated[Optional[str], typer.Option("--coder", help="Learn from this coder's review decisions (or pick one coder of --codings).")] = None,
    codings: Annotated[Optional[List[Path]], typer.Option("--codings", help="Learn from tidy codings CSVs (repeatable); every transcript in them counts as fully coded.")] = None,
    codebook: Annotated[Optional[Path], typer.Option("--codebook", "-c", help="Codebook YAML. Default: the study codebook.")] = None,
    project: Annotated[Path, typer.Option("--project", help="Project folder holding the coders' decisions (for --coder).")] = Path("."),
    seed: Annotated[int, typer.Option("--seed", help="Random seed: same data and seed give the same model.")] = 0,
    epochs: Annotated[int, typer.Option("--epochs", min=1, help="Passes over the training turns.")] = 10,
    accurate: Annotated[bool, typer.Option("--accurate", help="spaCy's ensemble classifier (CNN + bag of words): ~4x slower to train, 5x slower to use.")] = False,
    context: Annotated[Context, typer.Option("--features", help="text: the turn alone; role: plus the speaker's role; context: plus the previous turn's words.")] = Context.role,
    ngrams: Annotated[int, typer.Option("--ngrams", min=1, max=3, help="Longest word sequence the bag of words counts (1 = single words).")] = 1,
    cv: Annotated[Optional[int], typer.Option("--cv", min=2, help="Also report K-fold cross-validation, split by transcript.")] = None,
    pipeline: Annotated[Optional[str], typer.Option("--pipeline", help="An installed trained spaCy pipeline whose vectors --accurate uses.")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress or warnings on stderr.")] = False,
) -> None:
    """Train a classifier of turns from human codings of TRANSCRIPTS and save it in a model folder."""
    if coder is None and not codings:
        raise usage_error("say whose codings to learn from: --coder NAME or --codings FILE")
    with handle_errors():
        from qualcode.codebook import load_codebook
        from qualcode.model.project import train_from_files
        from qualcode.model.train import TrainOptions

        book = load_codebook(codebook)
        options = TrainOptions(seed=seed, epochs=epochs, accurate=accurate, context=context.value, pipeline=pipeline,
                               ngrams=ngrams)
        run = train_from_files(transcripts, out=out, codebook=book, coder=coder, codings_path=codings or None,
                               project=project, options=options, cv=cv, progress=None if quiet else _progress)
        if not quiet:
            print_diagnostics(list(run.data.diagnostics) + list(run.result.diagnostics))
        render_training(run, out_console())
        if not quiet:
            err_console().print(f"Saved the model to {run.path}", markup=False)


def _progress(event) -> None:
    where = {"holdout": "held-out run", "final": "final run"}.get(event.stage, f"fold {event.fold}/{event.folds}")
    line = f"{where}: epoch {event.epoch}/{event.epochs}  loss {event.loss:.3f}"
    if event.heldout_macro_f1 is not None:
        line += f"  held-out macro-F1 {event.heldout_macro_f1:.3f}"
    err_console().print(line, markup=False, highlight=False)


def render_training(run, console) -> None:
    """What was learnt: per theme, positives, held-out scores and threshold; cross-validation if asked."""
    from rich.table import Table

    result = run.result
    held = {s.label: s for s in result.heldout}
    title = (f"{result.examples} turns from {len(run.data.transcripts)} transcripts; held out: "
             f"{', '.join(result.heldout_transcripts) or 'none (needs 2 or more transcripts)'}")
    table = Table(title=title, title_justify="left")
    for name in ("theme", "positives", "precision", "recall", "F1", "kappa", "threshold"):
        table.add_column(name, justify="left" if name == "theme" else "right")
    for label in result.model.labels:
        s = held.get(label)
        ratios = [f"{v:.2f}" for v in (s.precision, s.recall, s.f1, s.kappa)] if s and s.tp + s.fp + s.fn else ["·"] * 4
        table.add_row(label, str(result.positives[label]), *ratios, f"{result.model.thresholds[label]:.2f}")
    console.print(table)
    if run.cv is not None:
        cv = Table(title=f"{len(run.cv.folds)}-fold cross-validation by transcript (cut-off 0.5)", title_justify="left")
        for name in ("theme", "support", "precision", "recall", "F1", "kappa"):
            cv.add_column(name, justify="left" if name == "theme" else "right")
        for s in run.cv.scores:
            cv.add_row(s.label, str(s.support), *(f"{v:.2f}" for v in (s.precision, s.recall, s.f1, s.kappa)))
        cv.add_row("macro", "", "", "", f"{run.cv.macro_f1:.2f}", "", style="bold")
        console.print(cv)
