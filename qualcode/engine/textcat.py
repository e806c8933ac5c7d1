"""spaCy text classifiers over turns: build, train, score, save, load. spaCy is imported lazily.

The default is `textcat_multilabel` with a hashed bag of words (TextCatBOW.v3, 65,536
rows; unigrams: on the AnnoMI dialogue benchmark they beat bigrams, see
benchmarks/train_annomi.py): it trains in seconds on a laptop CPU and scores about
250k words/s (docs/spacy-performance-notes §3). `accurate=True` uses spaCy's
TextCatEnsemble.v2 (a small CNN beside the same bag of words): about 4x slower to
train and 5x slower to score. No pretrained vectors are needed; when the user names an
installed trained pipeline that has vectors, the ensemble uses them.
"""
from __future__ import annotations

import random
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language

#: Name of the classifier component inside a saved pipeline.
COMPONENT = "qualcode_textcat"

#: Rows of the hashed feature table and n-gram size of the bag of words.
BOW_LENGTH = 65_536
BOW_NGRAMS = 1


def _bow(exclusive: bool, ngrams: int, length: int) -> dict:
    return {"@architectures": "spacy.TextCatBOW.v3", "exclusive_classes": exclusive, "ngram_size": ngrams,
            "length": length, "no_output_layer": False}


def new_classifier(labels: Sequence[str], *, accurate: bool = False, exclusive: bool = False,
                   ngrams: int = BOW_NGRAMS, length: int = BOW_LENGTH, pipeline: str | None = None) -> "Language":
    """A blank English pipeline (or an installed pipeline's vocabulary and vectors) with one classifier.

    `exclusive=True` makes one softmax over the labels (exactly one per text); otherwise
    every label gets its own probability (multi-label)."""
    from qualcode.engine.nlp import import_spacy, load_pipeline

    spacy = import_spacy()

    if pipeline:
        base = load_pipeline(pipeline)
        nlp = spacy.blank(base.lang, vocab=base.vocab)
    else:
        nlp = spacy.blank("en")
    bow = _bow(exclusive, ngrams, length)
    if accurate:
        has_vectors = nlp.vocab.vectors.shape[0] > 0 and nlp.vocab.vectors.shape[1] > 0
        model = {
            "@architectures": "spacy.TextCatEnsemble.v2",
            "linear_model": bow,
            "tok2vec": {
                "@architectures": "spacy.Tok2Vec.v2",
                "embed": {"@architectures": "spacy.MultiHashEmbed.v2", "width": 64,
                          "rows": [2000, 2000, 500, 1000, 500],
                          "attrs": ["NORM", "LOWER", "PREFIX", "SUFFIX", "SHAPE"],
                          "include_static_vectors": has_vectors},
                "encode": {"@architectures": "spacy.MaxoutWindowEncoder.v2", "width": 64, "window_size": 1,
                           "maxout_pieces": 3, "depth": 2},
            },
        }
    else:
        model = bow
    factory = "textcat" if exclusive else "textcat_multilabel"
    textcat = nlp.add_pipe(factory, name=COMPONENT, config={"model": model})
    for label in labels:
        textcat.add_label(label)
    return nlp


def fit(nlp: "Language", texts: Sequence[str], cats: Sequence[dict[str, float]], *, epochs: int, seed: int,
        dropout: float = 0.2, on_epoch: Callable[[int, float], None] | None = None) -> None:
    """Train the classifier from scratch: same data and seed give the same weights.

    `cats[i]` holds the known labels of `texts[i]` (1.0 or 0.0); a label left out is
    unknown for that text and contributes no loss. Batches grow from 4 to 32 texts."""
    from spacy.training import Example
    from spacy.util import compounding, fix_random_seed, minibatch

    fix_random_seed(seed)
    examples = [Example.from_dict(nlp.make_doc(_clean(t)), {"cats": c}) for t, c in zip(texts, cats)]
    optimizer = nlp.initialize(lambda: examples)
    rng = random.Random(seed)
    order = list(range(len(examples)))
    sizes = compounding(4.0, 32.0, 1.001)
    for epoch in range(1, epochs + 1):
        rng.shuffle(order)
        losses: dict[str, float] = {}
        for batch in minibatch([examples[i] for i in order], size=sizes):
            nlp.update(batch, drop=dropout, sgd=optimizer, losses=losses)
        if on_epoch is not None:
            on_epoch(epoch, losses.get(COMPONENT, 0.0))


def score(nlp: "Language", texts: Sequence[str], *, batch_size: int = 256) -> list[dict[str, float]]:
    """Probability of every label for each text."""
    return [dict(doc.cats) for doc in nlp.pipe((_clean(t) for t in texts), batch_size=batch_size)]


def save(nlp: "Language", path: str | Path) -> None:
    nlp.to_disk(path)


def load(path: str | Path) -> "Language":
    """A pipeline saved by `save` (only spaCy's built-in components: no code is run from the folder)."""
    from qualcode.engine.nlp import import_spacy

    spacy = import_spacy()

    return spacy.load(path)


def spacy_version() -> str:
    from qualcode.engine.nlp import import_spacy

    spacy = import_spacy()

    return spacy.__version__


def labels_of(nlp: "Language") -> tuple[str, ...]:
    return tuple(nlp.get_pipe(COMPONENT).labels)


def _clean(text: str) -> str:
    return text.replace("\n", " ")
