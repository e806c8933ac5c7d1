"""`qualcode train` and `qualcode code --model`: what a user sees."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
DATA = HERE.parent / "data"
TRAIN = DATA / "train"
BOOK = DATA / "codebooks" / "small.yaml"
TRANSCRIPTS = sorted(TRAIN.glob("s*.txt"))


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    from typer.testing import CliRunner

    from qualcode.cli import app
    from support import CLI_ENV

    out = tmp_path_factory.mktemp("train") / "model"
    args = [*map(str, TRANSCRIPTS), "--codings", str(TRAIN / "codings.csv"), "-c", str(BOOK), "--out", str(out),
            "--epochs", "3", "--seed", "1"]
    result = CliRunner().invoke(app, ["train", *args], env=CLI_ENV, catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return out, result


def test_train_reports_progress_scores_and_saves(model_dir):
    out, result = model_dir
    assert "held-out run: epoch 1/3  loss" in result.stderr
    assert "final run: epoch 3/3  loss" in result.stderr
    assert f"Saved the model to {out}" in result.stderr
    assert (f"{TRAIN / 'codings.csv'}: QC605 warning: theme 'rupture' has only 6 positive example(s): its "
            "suggestions are guesses — code more turns with it before relying on the model") in result.stderr
    assert result.stdout.splitlines()[0].strip() == "48 turns from 4 transcripts; held out: s2"
    rows = {line.split("│")[1].strip(): line for line in result.stdout.splitlines() if line.startswith("│")}
    assert set(rows) == {"trust", "rupture"}
    assert " 10 │" in rows["trust"] and " 6 │" in rows["rupture"]
    manifest = json.loads((out / "qualcode-model.json").read_text())
    assert manifest["training"]["examples"] == 48 and manifest["heldout"]["transcripts"] == ["s2"]


def test_train_needs_a_source_of_codings(cli, tmp_path):
    r = cli("train", *TRANSCRIPTS, "-c", BOOK, "--out", tmp_path / "m")
    assert r.exit_code == 2
    assert "Usage error: say whose codings to learn from: --coder NAME or --codings FILE" in r.stderr
    assert not (tmp_path / "m").exists()


def test_train_reports_codings_that_do_not_fit(cli, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("transcript,turn,theme,coder\ns1,99,trust,ana\ns1,2,truts,ana\nother,1,trust,ana\n")
    r = cli("train", *TRANSCRIPTS, "--codings", bad, "-c", BOOK, "--out", tmp_path / "m")
    assert r.exit_code == 1
    assert r.stderr.splitlines() == [
        f"{bad}: QC600 coding of transcript 's1' names turn 99, but it has 12 turns — check that "
        f"{TRAIN / 's1.txt'} is the version that was coded",
        f"{bad}: QC601 theme 'truts' is not in the codebook {BOOK} — train with the codebook the codings were "
        "made with (--codebook FILE)",
    ]
    assert not (tmp_path / "m").exists()


def test_train_asks_which_coder_when_a_file_has_several(cli, tmp_path):
    two = tmp_path / "two.csv"
    two.write_text("transcript,turn,theme,coder\ns1,2,trust,ana\ns1,2,trust,ben\n")
    r = cli("train", *TRANSCRIPTS, "--codings", two, "-c", BOOK, "--out", tmp_path / "m")
    assert r.exit_code == 1
    assert r.stderr.strip() == (f"{two}: QC604 the codings file holds 2 coders (ana, ben) — choose whose codings "
                                "to learn from with --coder NAME")


def test_code_with_model_adds_model_suggestions(cli, model_dir):
    out, _ = model_dir
    r = cli("code", TRAIN / "s1.txt", "-c", BOOK, "--model", out, "--min-score", "0.0", "--format", "csv")
    assert r.exit_code == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    model_rows = [row for row in rows if row["source"] == "model"]
    # every turn gets both themes at cut-off 0, except that no theme is limited to a role here
    assert len(model_rows) == 2 * 12
    assert {row["rule"] for row in model_rows} == {"model"}
    assert all(0.0 <= float(row["score"]) <= 1.0 for row in model_rows)
    assert [row for row in rows if row["source"] == "rule"]  # rule suggestions are still there
    high = cli("code", TRAIN / "s1.txt", "-c", BOOK, "--model", out, "--min-score", "trust=1", "--min-score",
               "rupture=1", "--format", "csv")
    assert [row for row in csv.DictReader(io.StringIO(high.stdout)) if row["source"] == "model"] == []


def test_code_model_options_are_checked(cli, tmp_path, model_dir):
    out, _ = model_dir
    r = cli("code", TRAIN / "s1.txt", "-c", BOOK, "--min-score", "0.5")
    assert r.exit_code == 2 and "--min-score applies to model suggestions; add --model MODEL_DIR" in r.stderr
    r = cli("code", TRAIN / "s1.txt", "-c", BOOK, "--model", out, "--min-score", "high")
    assert r.exit_code == 2 and "--min-score takes a probability from 0 to 1" in r.stderr
    r = cli("code", TRAIN / "s1.txt", "-c", BOOK, "--model", tmp_path / "none")
    assert r.exit_code == 1
    assert r.stderr.strip() == (f"{tmp_path / 'none'}: QC610 model folder not found — give the folder written by "
                                "'qualcode train --out'")


def test_cli_import_stays_light(tmp_path):
    from support import run_qualcode

    probe = "import sys, qualcode.cli; print('spacy' in sys.modules, 'pandas' in sys.modules)"
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=HERE.parent.parent)
    assert out.stdout.strip() == "False False"
    assert run_qualcode("train", "--help").returncode == 0


def test_train_from_review_decisions_uses_reviewed_transcripts_and_rejections(cli, tmp_path):
    from qualcode.review.store import DecisionLog

    with DecisionLog(tmp_path, "ana") as log:
        log.append("add", transcript="s1", turn=2, theme="trust", start=None, end=None)
        log.append("complete", transcript="s1")
        log.append("add", transcript="s2", turn=2, theme="rupture", start=None, end=None)
        log.append("reject", transcript="s3", turn=3, theme="trust", start=None, end=None, rule="keyword:trust")
    r = cli("train", *TRANSCRIPTS, "--coder", "ana", "--project", tmp_path, "-c", BOOK, "--out", tmp_path / "m",
            "--epochs", "1")
    assert r.exit_code == 0, r.stderr
    manifest = json.loads((tmp_path / "m" / "qualcode-model.json").read_text())
    # s1 fully reviewed: 12 turns; s2: the one coding; s3: the one rejection; s4: nothing known
    assert manifest["training"]["examples"] == 12 + 1 + 1
    assert manifest["training"]["positives"] == {"trust": 1, "rupture": 1}


def test_train_for_a_coder_without_decisions_is_a_clear_error(cli, tmp_path):
    r = cli("train", *TRANSCRIPTS, "--coder", "ana", "--project", tmp_path, "-c", BOOK, "--out", tmp_path / "m")
    assert r.exit_code == 1
    assert r.stderr.strip() == (f"{tmp_path / 'decisions'}: QC351 no codings for coder 'ana' — coders with a log "
                                "here: none; or give --codings FILE")


def test_evaluate_a_model_against_a_gold_file(cli, model_dir, tmp_path):
    out, _ = model_dir
    r = cli("evaluate", *TRANSCRIPTS, "--gold", TRAIN / "codings.csv", "--model", out, "-c", BOOK, "--format", "json")
    assert r.exit_code == 0, r.stderr
    rows = {row["theme"]: row for row in json.loads(r.stdout)}
    assert "(macro)" in rows and rows["(macro)"]["support"] > 0
    assert {"trust", "rupture"} <= set(rows)


def test_review_offers_model_suggestions_most_uncertain_first(cli, model_dir, tmp_path):
    from qualcode.codebook import load_codebook
    from qualcode.model.predict import uncertainty
    from qualcode.review.session import prepare_review

    out, _ = model_dir
    book = load_codebook(BOOK)
    review = prepare_review(TRANSCRIPTS[1], codebook=book, model=out, min_score=0.0, order="uncertain")
    models = [s for s in review.items if s.source == "model"]
    assert models and review.items[: len(models)] == tuple(models)  # the model's first
    assert [uncertainty(s.score) for s in models] == sorted((uncertainty(s.score) for s in models), reverse=True)
    csv_out = tmp_path / "d.csv"
    r = cli("review", TRANSCRIPTS[1], "--coder", "ana", "--project", tmp_path, "-c", BOOK, "--model", out,
            "--min-score", "0", "--order", "uncertain", "--export", csv_out)
    assert r.exit_code == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(csv_out.read_text(encoding="utf-8"))))
    assert rows[0]["source"] == "model" if "source" in rows[0] else rows[0]["rule"] == "model"
    r = cli("review", TRANSCRIPTS[1], "--coder", "ana", "--project", tmp_path, "-c", BOOK, "--order", "uncertain")
    assert r.exit_code == 2 and "add --model MODEL_DIR" in r.stderr


def test_transcripts_without_codings_are_left_out_with_a_warning(cli, tmp_path):
    extra = tmp_path / "uncoded.txt"
    extra.write_text("---\nid: uncoded\n---\nClient: I trust her.\nTherapist: Good.\n", encoding="utf-8")
    r = cli("train", *TRANSCRIPTS, extra, "--codings", TRAIN / "codings.csv", "-c", BOOK, "--out", tmp_path / "m",
            "--epochs", "1")
    assert r.exit_code == 0, r.stderr
    assert (f"{TRAIN / 'codings.csv'}: QC616 warning: 1 of the 5 transcripts have no codings or decisions (uncoded); "
            "they are left out of training") in r.stderr
    manifest = json.loads((tmp_path / "m" / "qualcode-model.json").read_text())
    assert manifest["training"]["transcripts"] == 4
