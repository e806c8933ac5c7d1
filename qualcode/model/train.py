"""Train a turn classifier from human codings; cross-validate it by transcript.

`train(...)` holds out whole transcripts to report a held-out score and choose a
threshold per theme, then trains again on everything with the same seed and epochs.
`cross_validate(...)` splits by transcript, never by turn: turns of one conversation
are never on both sides.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping, Sequence

from qualcode import __version__
from qualcode.codings import Coding
from qualcode.errors import Diagnostic
from qualcode.model.data import (DEFAULT_CONTEXT, TrainingDataError, TurnExample, build_examples,
                                 label_roles_of, labels_from_codings)
from qualcode.model.metrics import LabelScore, best_threshold, macro_f1, multilabel_scores
from qualcode.models import Codebook, Transcript

#: Themes with fewer positive examples than this get a warning: their suggestions are guesses.
FEW_POSITIVES = 10


@dataclass(frozen=True)
class TrainOptions:
    """How to train. The same options, data and seed give the same model."""

    seed: int = 0
    epochs: int = 10
    accurate: bool = False
    context: str = DEFAULT_CONTEXT
    holdout: float = 0.2
    dropout: float = 0.2
    pipeline: str | None = None
    ngrams: int = 1


@dataclass(frozen=True)
class TrainProgress:
    """One finished epoch. `stage` is 'holdout' (training without the held-out transcripts),
    'final' (training on everything) or 'fold' (cross-validation; `fold` counts from 1)."""

    stage: str
    epoch: int
    epochs: int
    loss: float
    heldout_macro_f1: float | None = None
    fold: int | None = None
    folds: int | None = None


Progress = Callable[[TrainProgress], None]


@dataclass
class Model:
    """A trained classifier and what it needs to suggest themes."""

    nlp: object
    labels: tuple[str, ...]
    thresholds: dict[str, float]
    context: str = DEFAULT_CONTEXT
    label_roles: dict[str, tuple[str, ...]] = field(default_factory=dict)
    label_paths: dict[str, str] = field(default_factory=dict)
    manifest: dict = field(default_factory=dict)
    path: str | None = None


@dataclass(frozen=True)
class TrainResult:
    model: Model
    heldout: tuple[LabelScore, ...]  # at the default 0.5 cut-off; empty without held-out transcripts
    heldout_transcripts: tuple[str, ...]
    examples: int
    positives: dict[str, int]
    diagnostics: tuple[Diagnostic, ...] = ()


def _texts_cats(examples: Sequence[TurnExample]) -> tuple[list[str], list[dict[str, float]]]:
    return [e.text for e in examples], [e.cats for e in examples]


def _fit(examples: Sequence[TurnExample], labels: Sequence[str], options: TrainOptions,
         on_epoch: Callable[[int, float], None] | None = None, *, exclusive: bool = False):
    from qualcode.engine import textcat

    nlp = textcat.new_classifier(labels, accurate=options.accurate, exclusive=exclusive, pipeline=options.pipeline,
                                 ngrams=options.ngrams)
    texts, cats = _texts_cats(examples)
    textcat.fit(nlp, texts, cats, epochs=options.epochs, seed=options.seed, dropout=options.dropout,
                on_epoch=on_epoch)
    return nlp


def _score(nlp, examples: Sequence[TurnExample]) -> list[dict[str, float]]:
    from qualcode.engine import textcat

    return textcat.score(nlp, [e.text for e in examples])


def choose_holdout(ids: Sequence[str], fraction: float, seed: int) -> tuple[str, ...]:
    """About `fraction` of the transcripts (at least one, never all), chosen by `seed`."""
    unique = sorted(set(ids))
    if fraction <= 0 or len(unique) < 2:
        return ()
    count = min(len(unique) - 1, max(1, round(len(unique) * fraction)))
    return tuple(sorted(random.Random(seed).sample(unique, count)))


def split_by_transcript(ids: Iterable[str], k: int, *, seed: int = 0) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """K folds of (training ids, test ids); each transcript is in exactly one test set."""
    unique = sorted(set(ids))
    if k < 2 or k > len(unique):
        raise TrainingDataError(Diagnostic(
            "QC607", f"cannot make {k} cross-validation folds from {len(unique)} transcript(s)", None,
            hint=f"use --cv between 2 and {len(unique)} (folds split whole transcripts)" if len(unique) >= 2
            else "cross-validation needs at least 2 transcripts"))
    shuffled = unique[:]
    random.Random(seed).shuffle(shuffled)
    tests = [sorted(shuffled[i::k]) for i in range(k)]
    return [(tuple(t for t in unique if t not in set(test)), tuple(test)) for test in tests]


def _prepare(transcripts: Sequence[Transcript], codings: Sequence[Coding], codebook: Codebook | None,
             labels: Sequence[str] | None, label_roles: Mapping[str, Sequence[str]] | None):
    ids = [t.id for t in transcripts]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise TrainingDataError([Diagnostic(
            "QC608", f"two transcripts have the id '{d}'", next(t.path for t in transcripts if t.id == d),
            hint="give each transcript a unique 'id' in its front matter (codings name transcripts by id)")
            for d in dupes])
    labels = list(labels) if labels is not None else labels_from_codings(codings, transcripts, codebook)
    if not labels:
        raise TrainingDataError(Diagnostic(
            "QC602", "no codings of the given transcripts: nothing to learn from", None,
            hint="name the transcripts that were coded, and check the coder's name or codings file"))
    roles = {k: tuple(v) for k, v in (label_roles if label_roles is not None else label_roles_of(codebook)).items()}
    return labels, roles


def train(transcripts: Sequence[Transcript], codings: Sequence[Coding], *, fully_coded: Iterable[str],
          rejected: Iterable[Coding] = (), codebook: Codebook | None = None, labels: Sequence[str] | None = None,
          label_roles: Mapping[str, Sequence[str]] | None = None, options: TrainOptions = TrainOptions(),
          progress: Progress | None = None) -> TrainResult:
    """Train a classifier of turns from human codings of `transcripts`.

    `codings` are positives; turns of `fully_coded` transcripts are negatives for every
    theme not coded on them; `rejected` suggestions are negatives. `labels` defaults to the
    themes coded at least once (in codebook order)."""
    codings, rejected, fully_coded = list(codings), list(rejected), set(fully_coded)
    labels, roles = _prepare(transcripts, codings, codebook, labels, label_roles)

    def examples_of(ids):
        chosen = [t for t in transcripts if t.id in ids]
        return build_examples(chosen, codings, labels=labels, fully_coded=fully_coded, rejected=rejected,
                              label_roles=roles, context=options.context)

    every = examples_of({t.id for t in transcripts})
    positives = {label: sum(1 for e in every if e.cats.get(label) == 1.0) for label in labels}
    held_ids = choose_holdout([t.id for t in transcripts], options.holdout, options.seed)
    heldout: tuple[LabelScore, ...] = ()
    thresholds = {label: 0.5 for label in labels}
    if held_ids:
        train_ex = examples_of(set(t.id for t in transcripts) - set(held_ids))
        test_ex = examples_of(set(held_ids))
        nlp_box: list = []

        def on_epoch(epoch: int, loss: float) -> None:
            f1 = None
            if test_ex and nlp_box:
                f1 = macro_f1(multilabel_scores(labels, [e.cats for e in test_ex], _score(nlp_box[0], test_ex)))
            if progress:
                progress(TrainProgress("holdout", epoch, options.epochs, loss, f1))

        from qualcode.engine import textcat

        nlp = textcat.new_classifier(labels, accurate=options.accurate, pipeline=options.pipeline,
                                     ngrams=options.ngrams)
        nlp_box.append(nlp)
        texts, cats = _texts_cats(train_ex)
        if train_ex:
            textcat.fit(nlp, texts, cats, epochs=options.epochs, seed=options.seed, dropout=options.dropout,
                        on_epoch=on_epoch)
            probs = _score(nlp, test_ex)
            gold = [e.cats for e in test_ex]
            heldout = tuple(multilabel_scores(labels, gold, probs))
            for label in labels:
                known = [(g[label] >= 0.5, p[label]) for g, p in zip(gold, probs) if label in g]
                thresholds[label] = best_threshold([g for g, _ in known], [p for _, p in known])

    def on_final(epoch: int, loss: float) -> None:
        if progress:
            progress(TrainProgress("final", epoch, options.epochs, loss))

    nlp = _fit(every, labels, options, on_final)
    paths = {}
    if codebook is not None:
        paths = {t.id: t.path for t in codebook.themes if t.id in set(labels)}
    diags = tuple(Diagnostic(
        "QC605", f"theme '{label}' has only {n} positive example(s): its suggestions are guesses", None,
        hint="code more turns with it before relying on the model", severity="warning")
        for label, n in positives.items() if n < FEW_POSITIVES)
    manifest = build_manifest(labels=labels, thresholds=thresholds, options=options, codebook=codebook,
                              label_roles=roles, label_paths=paths, positives=positives, examples=len(every),
                              transcripts=len(transcripts), heldout=heldout, heldout_ids=held_ids)
    model = Model(nlp, tuple(labels), thresholds, options.context, roles, paths, manifest)
    return TrainResult(model, heldout, held_ids, len(every), positives, diags)


def build_manifest(*, labels, thresholds, options: TrainOptions, codebook: Codebook | None, label_roles,
                   label_paths, positives, examples: int, transcripts: int, heldout, heldout_ids) -> dict:
    from qualcode.engine.textcat import spacy_version
    from qualcode.model.modeldir import FORMAT, FORMAT_VERSION, codebook_hash

    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "qualcode_version": __version__,
        "spacy_version": spacy_version(),
        "codebook": None if codebook is None else {"name": codebook.name, "file": codebook.path.rsplit("/", 1)[-1],
                                                   "sha256": codebook_hash(codebook)},
        "labels": list(labels),
        "thresholds": {k: thresholds[k] for k in labels},
        "label_paths": label_paths,
        "label_roles": {k: list(v) for k, v in sorted(label_roles.items()) if k in set(labels)},
        "features": {"context": options.context, "ngrams": options.ngrams},
        "architecture": "ensemble" if options.accurate else "bow",
        "training": {"seed": options.seed, "epochs": options.epochs, "dropout": options.dropout,
                     "holdout": options.holdout, "pipeline": options.pipeline, "transcripts": transcripts,
                     "examples": examples, "positives": positives},
        "heldout": {"transcripts": list(heldout_ids), "scores": [s.as_dict() for s in heldout],
                    "macro_f1": round(macro_f1(heldout), 4) if heldout else None},
    }


@dataclass(frozen=True)
class Prediction:
    """One test turn of a cross-validation fold: known gold labels and predicted probabilities."""

    fold: int
    transcript: str
    turn: int
    role: str
    gold: dict[str, float]
    probs: dict[str, float]


@dataclass(frozen=True)
class CVResult:
    labels: tuple[str, ...]
    folds: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]  # (train ids, test ids)
    predictions: tuple[Prediction, ...]
    scores: tuple[LabelScore, ...]  # pooled over folds, at 0.5
    seconds: float = 0.0

    @property
    def macro_f1(self) -> float:
        return macro_f1(self.scores)


def cross_validate(transcripts: Sequence[Transcript], codings: Sequence[Coding], *, k: int,
                   fully_coded: Iterable[str], rejected: Iterable[Coding] = (), codebook: Codebook | None = None,
                   labels: Sequence[str] | None = None, label_roles: Mapping[str, Sequence[str]] | None = None,
                   options: TrainOptions = TrainOptions(), progress: Progress | None = None) -> CVResult:
    """K-fold cross-validation split by transcript; scores pooled over the test folds."""
    import time

    codings, rejected, fully_coded = list(codings), list(rejected), set(fully_coded)
    labels, roles = _prepare(transcripts, codings, codebook, labels, label_roles)
    folds = split_by_transcript([t.id for t in transcripts], k, seed=options.seed)
    predictions: list[Prediction] = []
    started = time.perf_counter()
    for number, (train_ids, test_ids) in enumerate(folds, start=1):
        def examples_of(ids):
            chosen = [t for t in transcripts if t.id in set(ids)]
            return build_examples(chosen, codings, labels=labels, fully_coded=fully_coded, rejected=rejected,
                                  label_roles=roles, context=options.context)

        train_ex, test_ex = examples_of(train_ids), examples_of(test_ids)

        def on_epoch(epoch: int, loss: float, number=number) -> None:
            if progress:
                progress(TrainProgress("fold", epoch, options.epochs, loss, fold=number, folds=len(folds)))

        nlp = _fit(train_ex, labels, options, on_epoch)
        for example, probs in zip(test_ex, _score(nlp, test_ex)):
            predictions.append(Prediction(number, example.transcript, example.turn, example.role, example.cats,
                                          probs))
    seconds = time.perf_counter() - started
    scores = multilabel_scores(labels, [p.gold for p in predictions], [p.probs for p in predictions])
    return CVResult(tuple(labels), tuple(folds), tuple(predictions), tuple(scores), seconds)
