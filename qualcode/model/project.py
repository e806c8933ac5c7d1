"""From files to a saved model: read transcripts and codings, optionally cross-validate, train, save.

Codings come from a tidy codings CSV (`--codings FILE`: every transcript present in the
file counts as fully coded) or from a coder's decisions in the project (`--coder NAME`:
the transcripts the coder fully reviewed count as fully coded, rejected suggestions are
negatives).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Sequence

from qualcode.codings import Coding, read_codings_csv
from qualcode.errors import Diagnostic
from qualcode.model.data import TrainingDataError, check_codings
from qualcode.model.train import CVResult, Progress, TrainOptions, TrainResult, cross_validate, train
from qualcode.models import Codebook, Transcript


@dataclass(frozen=True)
class TrainingData:
    transcripts: tuple[Transcript, ...]
    codings: tuple[Coding, ...]
    fully_coded: frozenset[str]
    rejected: tuple[Coding, ...]
    source: str  # the codings file, or "coder NAME"
    diagnostics: tuple[Diagnostic, ...] = ()


@dataclass(frozen=True)
class TrainRun:
    result: TrainResult
    cv: CVResult | None
    path: Path
    data: TrainingData


def read_transcripts(paths: Sequence[str | Path], codebook: Codebook) -> list[Transcript]:
    """Every transcript, or one error listing every file that cannot be read."""
    from qualcode.transcripts import read_transcripts as read_all

    return read_all(paths, speakers=codebook.speakers)


def load_training_data(paths: Sequence[str | Path], *, codebook: Codebook, coder: str | None = None,
                       codings_path: str | Path | None = None, project: str | Path = ".") -> TrainingData:
    """Transcripts and the human decisions made on them, checked against each other and the codebook."""
    transcripts = read_transcripts(paths, codebook)
    if codings_path:
        paths_of = [codings_path] if isinstance(codings_path, (str, Path)) else list(codings_path)
        source = ", ".join(map(str, paths_of))
        codings = [c for path in paths_of for c in read_codings_csv(path)]
        coders = sorted({c.coder for c in codings})
        if coder is not None:
            codings = [c for c in codings if c.coder == coder]
            if not codings:
                raise TrainingDataError(Diagnostic(
                    "QC604", f"no codings by coder '{coder}'", source,
                    hint=f"coders in this file: {', '.join(coders) or 'none'}"))
        elif len(coders) > 1:
            raise TrainingDataError(Diagnostic(
                "QC604", f"the codings file holds {len(coders)} coders ({', '.join(coders)})", source,
                hint="choose whose codings to learn from with --coder NAME"))
        fully = frozenset(c.transcript for c in codings)
        rejected: list[Coding] = []
    else:
        from qualcode.review import store

        source = str(store.decisions_dir(project))
        codings = store.coder_codings(project, coder)
        fully = frozenset(store.fully_reviewed(project, coder))
        rejected = store.load_rejected(project, coder)
    diags = check_codings(transcripts, codings, source=source, codebook=codebook)
    errors = [d for d in diags if d.severity == "error"]
    if errors:
        raise TrainingDataError(errors)
    known = set(fully) | {c.transcript for c in codings} | {c.transcript for c in rejected}
    unknown = [t for t in transcripts if t.id not in known]
    if unknown and len(unknown) < len(transcripts):
        diags.append(Diagnostic(
            "QC616", f"{len(unknown)} of the {len(transcripts)} transcripts have no codings or decisions "
                     f"({', '.join(t.id for t in unknown[:5])}{', …' if len(unknown) > 5 else ''}); "
                     "they are left out of training and of the held-out split", source, severity="warning",
            hint="name only the transcripts that were coded"))
        transcripts = [t for t in transcripts if t.id in known]
    return TrainingData(tuple(transcripts), tuple(codings), fully, tuple(rejected), source,
                        tuple(d for d in diags if d.severity != "error"))


def train_from_files(paths: Sequence[str | Path], *, out: str | Path, codebook: Codebook, coder: str | None = None,
                     codings_path: str | Path | None = None, project: str | Path = ".",
                     options: TrainOptions = TrainOptions(), cv: int | None = None,
                     progress: Progress | None = None) -> TrainRun:
    """`qualcode train`: read, (cross-validate,) train and save the model folder `out`."""
    from qualcode.model.modeldir import save_model

    data = load_training_data(paths, codebook=codebook, coder=coder, codings_path=codings_path, project=project)
    common = dict(fully_coded=data.fully_coded, rejected=data.rejected, codebook=codebook, options=options,
                  progress=progress)
    try:
        cv_result = cross_validate(data.transcripts, data.codings, k=cv, **common) if cv else None
        result = train(data.transcripts, data.codings, **common)
    except TrainingDataError as exc:
        raise TrainingDataError([_located(d, data.source) for d in exc.diagnostics]) from None
    result = replace(result, diagnostics=tuple(_located(d, data.source) for d in result.diagnostics))
    path = save_model(result.model, out)
    return TrainRun(result, cv_result, path, data)


def _located(diagnostic: Diagnostic, source: str) -> Diagnostic:
    """A diagnostic about the training data, placed at the codings it came from."""
    return diagnostic if diagnostic.path else replace(diagnostic, path=source)
