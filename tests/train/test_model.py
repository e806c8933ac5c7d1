"""The turn classifier: training data, determinism, save/load, cross-validation by transcript."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from qualcode.codebook import load_codebook
from qualcode.codings import Coding, read_codings_csv
from qualcode.model import (TrainOptions, build_examples, cross_validate, load_model, predict, save_model,
                            split_by_transcript, train)
from qualcode.model.metrics import best_threshold, binary_score, cohen_kappa, multiclass_report
from qualcode.model.modeldir import MANIFEST, ModelError, check_model_codebook
from qualcode.model.predict import order_by_uncertainty, parse_min_score
from qualcode.transcripts import read_transcript

HERE = Path(__file__).resolve().parent
DATA = HERE.parent / "data"
TRAIN = DATA / "train"
FAST = TrainOptions(seed=1, epochs=3)


@pytest.fixture(scope="module")
def book():
    return load_codebook(DATA / "codebooks" / "small.yaml")


@pytest.fixture(scope="module")
def transcripts(book):
    return [read_transcript(p, speakers=book.speakers) for p in sorted(TRAIN.glob("s*.txt"))]


@pytest.fixture(scope="module")
def codings():
    return read_codings_csv(TRAIN / "codings.csv")


@pytest.fixture(scope="module")
def trained(transcripts, codings, book):
    return train(transcripts, codings, fully_coded={t.id for t in transcripts}, codebook=book, options=FAST)


def test_examples_positives_negatives_and_unknowns(transcripts, book):
    s1 = transcripts[0]
    codings = [Coding("s1", 2, "trust", "ana")]
    rejected = [Coding("s1", 5, "rupture", "ana")]
    # fully coded: every turn is an example; uncoded themes are negatives
    full = build_examples([s1], codings, labels=["trust", "rupture"], fully_coded={"s1"}, context="text")
    assert len(full) == len(s1.turns)
    assert full[1].cats == {"trust": 1.0, "rupture": 0.0}
    assert full[0].cats == {"trust": 0.0, "rupture": 0.0}
    # not fully reviewed: only the coding and the rejected suggestion are known
    part = build_examples([s1], codings, labels=["trust", "rupture"], fully_coded=set(), rejected=rejected,
                          context="text")
    assert [(e.turn, e.cats) for e in part] == [(2, {"trust": 1.0}), (5, {"rupture": 0.0})]
    # a theme limited to clients is unknown on the therapist's turns
    roles = build_examples([s1], codings, labels=["trust"], fully_coded={"s1"}, label_roles={"trust": ("client",)})
    assert {e.role for e in roles} == {"client"}


def test_features_mark_role_and_previous_turn(transcripts):
    from qualcode.model.data import turn_features

    s1 = transcripts[0]
    assert turn_features(s1, 1, context="text") == s1.turns[1].text
    assert turn_features(s1, 1, context="role") == f"__role_client__ {s1.turns[1].text}"
    with_prev = turn_features(s1, 1, context="context")
    assert with_prev.startswith(f"__role_client__ {s1.turns[1].text} __prev_therapist__ __p_")
    assert turn_features(s1, 0, context="context").endswith("__prev_none__")


def test_training_is_deterministic(transcripts, codings, book, trained):
    again = train(transcripts, codings, fully_coded={t.id for t in transcripts}, codebook=book, options=FAST)
    first = [(s.turn, s.theme, s.score) for s in predict(transcripts[0], trained.model, min_score=0.0)]
    second = [(s.turn, s.theme, s.score) for s in predict(transcripts[0], again.model, min_score=0.0)]
    assert first == second
    assert len(first) == 2 * len(transcripts[0].turns)
    other_seed = train(transcripts, codings, fully_coded={t.id for t in transcripts}, codebook=book,
                       options=TrainOptions(seed=2, epochs=3))
    third = [(s.turn, s.theme, s.score) for s in predict(transcripts[0], other_seed.model, min_score=0.0)]
    assert third != first  # the seed matters, so the equality above is not vacuous


def test_model_learns_the_tiny_set(transcripts, trained):
    suggestions = predict(transcripts[0], trained.model, min_score=0.5)
    coded = {(c.transcript, c.turn, c.theme) for c in read_codings_csv(TRAIN / "codings.csv")}
    found = {(s.transcript, s.turn, s.theme) for s in suggestions}
    assert found and found <= coded | found  # something is suggested
    assert all(s.source == "model" and s.rule == "model" and 0.5 <= s.score <= 1.0 for s in suggestions)
    hits = found & {c for c in coded if c[0] == "s1"}
    assert len(hits) >= len(found) // 2


def test_saved_and_loaded_model_gives_the_same_suggestions(tmp_path, transcripts, trained, book):
    out = tmp_path / "model"
    save_model(trained.model, out)
    manifest = json.loads((out / MANIFEST).read_text())
    assert manifest["format"] == "qualcode-model" and manifest["labels"] == ["trust", "rupture"]
    assert manifest["codebook"]["sha256"] and manifest["qualcode_version"]
    assert set(manifest["thresholds"]) == {"trust", "rupture"}
    loaded = load_model(out)
    for t in transcripts:
        assert predict(t, loaded) == predict(t, trained.model)
        assert predict(t, loaded, min_score=0.0) == predict(t, trained.model, min_score=0.0)
    assert check_model_codebook(loaded, book) == ([], ("trust", "rupture"))
    save_model(trained.model, out)  # replacing a model folder is allowed
    assert load_model(out).labels == ("trust", "rupture")


def test_save_refuses_a_folder_that_is_not_a_model(tmp_path, trained):
    (tmp_path / "notes.txt").write_text("precious")
    with pytest.raises(ModelError) as err:
        save_model(trained.model, tmp_path)
    assert err.value.diagnostics[0].code == "QC613"
    assert (tmp_path / "notes.txt").read_text() == "precious"


def test_load_reports_a_missing_or_damaged_model(tmp_path):
    with pytest.raises(ModelError) as err:
        load_model(tmp_path / "nope")
    assert err.value.diagnostics[0].format() == (
        f"{tmp_path / 'nope'}: QC610 model folder not found — give the folder written by 'qualcode train --out'")
    (tmp_path / MANIFEST).write_text("{not json")
    with pytest.raises(ModelError) as err:
        load_model(tmp_path)
    assert err.value.diagnostics[0].code == "QC611"
    (tmp_path / MANIFEST).write_text(json.dumps({"format": "qualcode-model", "format_version": 99}))
    with pytest.raises(ModelError) as err:
        load_model(tmp_path)
    assert "newer than this qualcode reads" in err.value.diagnostics[0].message


def test_split_never_puts_a_transcript_on_both_sides():
    ids = [f"t{i}" for i in range(11)]
    for k in (2, 3, 5, 11):
        folds = split_by_transcript(ids * 3, k, seed=5)
        assert len(folds) == k
        tests = [t for _, test in folds for t in test]
        assert sorted(tests) == sorted(ids)  # every transcript tested exactly once
        for train_ids, test_ids in folds:
            assert not set(train_ids) & set(test_ids)
            assert set(train_ids) | set(test_ids) == set(ids)


def test_cross_validation_never_splits_a_transcript(transcripts, codings, book):
    result = cross_validate(transcripts, codings, k=2, fully_coded={t.id for t in transcripts}, codebook=book,
                            options=TrainOptions(seed=3, epochs=2))
    assert len(result.folds) == 2
    for number, (train_ids, test_ids) in enumerate(result.folds, start=1):
        assert not set(train_ids) & set(test_ids)
        tested = {p.transcript for p in result.predictions if p.fold == number}
        assert tested <= set(test_ids)
    # every turn of every transcript is predicted exactly once, by the fold that held it out
    keys = [(p.transcript, p.turn) for p in result.predictions]
    assert sorted(keys) == sorted((t.id, turn.number) for t in transcripts for turn in t.turns)
    assert [s.label for s in result.scores] == ["trust", "rupture"]


def test_cross_validation_needs_enough_transcripts(transcripts, codings):
    from qualcode.errors import QualcodeError

    with pytest.raises(QualcodeError) as err:
        cross_validate(transcripts, codings, k=9, fully_coded=set(), options=FAST)
    assert err.value.diagnostics[0].format() == (
        "qualcode: QC607 cannot make 9 cross-validation folds from 4 transcript(s) — use --cv between 2 and 4 "
        "(folds split whole transcripts)")


def test_metrics_match_hand_computed_values():
    s = binary_score("x", [True, True, False, False, True], [True, False, False, True, True])
    assert (s.tp, s.fp, s.fn, s.tn) == (2, 1, 1, 1)
    assert s.precision == pytest.approx(2 / 3) and s.recall == pytest.approx(2 / 3)
    # Cohen (1960)-style example: observed 0.7, expected 0.5 → kappa 0.4
    gold = ["a"] * 5 + ["b"] * 5
    pred = ["a"] * 4 + ["b"] + ["a"] * 2 + ["b"] * 3
    assert cohen_kappa(gold, pred) == pytest.approx(0.4)
    rep = multiclass_report(["a", "b"], gold, pred)
    assert rep.accuracy == pytest.approx(0.7) and rep.kappa == pytest.approx(0.4)
    assert best_threshold([True, False], [0.9, 0.1]) == 0.5  # too few positives to tune
    assert best_threshold([True, True, True, False], [0.3, 0.35, 0.4, 0.1]) == 0.3  # 0.15-0.3 all perfect; closest to 0.5


def test_min_score_values_and_uncertainty_order(transcripts, trained):
    assert parse_min_score(None) is None
    assert parse_min_score(["0.3"]) == 0.3
    assert parse_min_score(["trust=0.2", "rupture=0.9"]) == {"trust": 0.2, "rupture": 0.9}
    for bad in (["1.5"], ["trust=x"], ["=0.3"], ["0.3", "trust=0.2"]):
        with pytest.raises(ValueError):
            parse_min_score(bad)
    everything = predict(transcripts[0], trained.model, min_score=0.0)
    ordered = order_by_uncertainty(everything)
    gaps = [abs(s.score - 0.5) for s in ordered]
    assert gaps == sorted(gaps)


@pytest.mark.slow
def test_accurate_model_uses_an_installed_pipelines_vectors(tmp_path, transcripts, codings, book):
    import numpy
    import spacy

    base = spacy.blank("en")
    for i, word in enumerate(["trust", "safe", "listening", "angry"]):
        base.vocab.set_vector(word, numpy.arange(8, dtype="f") + i)
    base.to_disk(tmp_path / "vectors")
    result = train(transcripts, codings, fully_coded={t.id for t in transcripts}, codebook=book,
                   options=TrainOptions(epochs=2, accurate=True, pipeline=str(tmp_path / "vectors")))
    assert "static_vectors" in result.model.nlp.get_pipe("qualcode_textcat").model.name
    save_model(result.model, tmp_path / "model")
    loaded = load_model(tmp_path / "model")
    assert predict(transcripts[0], loaded, min_score=0.0) == predict(transcripts[0], result.model, min_score=0.0)
