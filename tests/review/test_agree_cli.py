"""`qualcode agree` and `qualcode evaluate` on real files: tables, json, csv, disagreements, errors."""
import csv
import json

import pytest
from support import DATA

from qualcode.agreement import krippendorff_alpha

S01 = DATA / "review" / "s01.txt"
TWO = DATA / "review" / "two-coders.csv"
CODEBOOK = DATA / "codebooks" / "small.yaml"
ANNOMI = DATA / "review" / "annomi-066-talk.csv"

TABLE = """\
Agreement
┏━━━━━━━━━━━━━┳━━━━━━━━━┳━━━━━━━━━┳━━━━━━━┳━━━━━━━┳━━━━━━━┳━━━━━━━━━┓
┃ theme       ┃ % agree ┃ Cohen κ ┃ B-P κ ┃  K. α ┃ units ┃ support ┃
┡━━━━━━━━━━━━━╇━━━━━━━━━╇━━━━━━━━━╇━━━━━━━╇━━━━━━━╇━━━━━━━╇━━━━━━━━━┩
│ trust       │    71.4 │   0.300 │ 0.429 │ 0.350 │     7 │       3 │
│ translation │   100.0 │   1.000 │ 1.000 │ 1.000 │     7 │       2 │
│ rupture     │   100.0 │   1.000 │ 1.000 │ 1.000 │     7 │       1 │
│ repair      │    71.4 │   0.300 │ 0.429 │ 0.350 │     7 │       3 │
├─────────────┼─────────┼─────────┼───────┼───────┼───────┼─────────┤
│ (overall)   │    85.7 │   0.619 │ 0.714 │ 0.626 │    28 │       9 │
└─────────────┴─────────┴─────────┴───────┴───────┴───────┴─────────┘
Coders: ana, ben · unit: turn × theme · 7 turns compared · 2 turns no coder coded left out (--uncoded include counts them)
"""


def test_agree_table_with_disagreements(cli, tmp_path):
    out = tmp_path / "dis.csv"
    r = cli("agree", S01, "--codings", TWO, "--codebook", CODEBOOK, "--disagreements", out)
    assert r.exit_code == 0, r.stderr
    lines = [line.rstrip() for line in r.stdout.splitlines()]
    assert "\n".join(lines[:12]) + "\n" == TABLE
    assert lines[12] == "Disagreements (4)"
    assert "│ s01        │ 8    │ Dr. Meyer │ repair │ no  │ yes │ Thank you both. Let us go back to your" in r.stdout
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert rows[0] == {"transcript": "s01", "turn": "4", "speaker": "Hassan", "theme": "trust", "start": "",
                       "end": "", "ana": "yes", "ben": "no",
                       "text": "It was hard. She feels safe here, but at home she does not sleep."}
    assert len(rows) == 4


def test_agree_json_and_csv(cli):
    r = cli("agree", "--codings", TWO, "--format", "json")
    data = json.loads(r.stdout)
    assert data[-1] == {"theme": "(overall)", "percent_agreement": 85.7143, "cohen_kappa": 0.619,
                        "brennan_prediger": 0.7143, "krippendorff_alpha": 0.6259, "units": 28, "support": 9}
    assert [d["theme"] for d in data] == ["repair", "rupture", "translation", "trust", "(overall)"]
    r = cli("agree", "--codings", TWO, "--format", "csv")
    assert r.stdout.splitlines()[:2] == [
        "theme,percent_agreement,cohen_kappa,brennan_prediger,krippendorff_alpha,units,support",
        "repair,71.4286,0.3,0.4286,0.35,7,3"]


def test_uncoded_turns_counted_only_when_asked(cli):
    r = cli("agree", S01, "--codings", TWO, "--uncoded", "include", "--format", "json")
    assert json.loads(r.stdout)[-1]["units"] == 36  # 9 turns × 4 themes
    r = cli("agree", "--codings", TWO, "--uncoded", "include")
    assert (r.exit_code, r.stderr) == (
        2, "Usage error: --uncoded include needs the TRANSCRIPTS, to know the turns nobody coded\n")


def test_exclusive_codes_ten_annomi_annotators(cli):
    """AnnoMI conversation 66: ten annotators chose change/neutral/sustain talk for each client turn."""
    r = cli("agree", "--codings", ANNOMI, "--exclusive", "client_talk_type", "--format", "json")
    assert r.exit_code == 0, r.stderr
    overall = json.loads(r.stdout)[-1]
    # cross-check against the raw labels file, straight through the krippendorff package
    raw = list(csv.DictReader((DATA / "annomi" / "labels_by_annotator.csv").open()))
    raw = [x for x in raw if x["label_type"] == "client_talk_type"]
    turns = sorted({int(x["turn_index"]) for x in raw})
    coders = sorted({x["annotator_id"] for x in raw})
    value = {(x["annotator_id"], int(x["turn_index"])): x["label"] for x in raw}
    expected = krippendorff_alpha([[value.get((c, t)) for t in turns] for c in coders])
    assert overall["krippendorff_alpha"] == pytest.approx(expected, abs=1e-4)
    assert overall["krippendorff_alpha"] == pytest.approx(0.481, abs=5e-4)
    assert (overall["units"], overall["support"]) == (15, 15)


def test_coders_from_project_logs(cli, tmp_path):
    cli("review", "--import-codings", TWO, "--project", tmp_path)
    r = cli("agree", "--project", tmp_path, "--format", "csv")
    assert r.exit_code == 0, r.stderr
    assert r.stdout.splitlines()[-1] == "(overall),85.7143,0.619,0.7143,0.6259,28,9"
    r = cli("agree", "--project", tmp_path, "--coder", "ana", "--coder", "zoe")
    assert r.exit_code == 1
    assert r.stderr == (f"{tmp_path}/decisions: QC351 no codings for coder 'zoe' — coders with a log here: ana, ben;"
                        " or give --codings FILE\n")


def test_evaluate_coder_against_gold_file(cli, tmp_path):
    cli("review", "--import-codings", TWO, "--project", tmp_path)
    gold = tmp_path / "gold.csv"
    gold.write_text("\n".join(line for line in TWO.read_text().splitlines() if ",ana," in line or
                              line.startswith("transcript")) + "\n")
    r = cli("evaluate", S01, "--gold", gold, "--predicted", "ben", "--project", tmp_path, "--codebook", CODEBOOK,
            "--format", "json")
    assert r.exit_code == 0, r.stderr
    rows = {d["theme"]: d for d in json.loads(r.stdout)}
    assert rows["trust"] == {"theme": "trust", "precision": 0.5, "recall": 0.5, "f1": 0.5, "cohen_kappa": 0.3571,
                             "tp": 1, "fp": 1, "fn": 1, "support": 2}
    assert rows["(micro)"]["f1"] == pytest.approx(5 / 7, abs=1e-4)  # 5 of 7 turn × theme units shared


def test_evaluate_rule_suggestions(cli, tmp_path):
    r = cli("evaluate", S01, "--gold", TWO.parent / "two-coders.csv", "--codebook", CODEBOOK)
    assert r.exit_code == 1  # the file holds two coders
    assert "QC351 --gold file holds 2 coders (ana, ben); it must hold one" in r.stderr
    gold = tmp_path / "ana.csv"
    gold.write_text("transcript,turn,theme,coder\ns01,3,trust,ana\ns01,6,rupture,ana\n")
    r = cli("evaluate", S01, "--gold", gold, "--codebook", CODEBOOK, "--format", "csv")
    assert r.exit_code == 0, r.stderr
    assert r.stdout.splitlines()[1:3] == ["trust,0.5,1.0,0.6667,0.6087,1,1,0,1",
                                          "translation,0.0,,0.0,0.0,0,2,0,0"]


def test_cli_import_leaves_statistics_libraries_unloaded():
    import subprocess
    import sys

    from support import ROOT

    code = "import sys, qualcode.cli; print(sorted(m for m in ('numpy', 'krippendorff') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]"


def test_overlap_compares_segments(cli):
    r = cli("agree", "--codings", TWO, "--overlap", "50", "--format", "csv")
    assert r.exit_code == 0, r.stderr
    # ben's whole-turn rupture on turn 6 does not match ana's 13-character span: two segments, one each
    assert "rupture,0.0,-1.0,-1.0,-0.5,2,2" in r.stdout.splitlines()


def test_codings_outside_the_given_transcripts(cli, tmp_path):
    other = tmp_path / "other.csv"
    other.write_text("transcript,turn,theme,coder\ns01,3,trust,ana\ns01,3,trust,ben\ns01,12,trust,ben\n"
                     "s02,1,trust,ana\n")
    r = cli("agree", S01, "--codings", other, "--format", "csv")
    assert r.exit_code == 0
    assert r.stderr == ("qualcode: QC358 warning: codings of turn 12, but s01 has 9 turns; left out — the transcript"
                        " changed since it was coded? check the turn numbers\n")
    assert r.stdout.splitlines()[1] == "trust,100.0,,1.0,,1,1"  # s02 is not among the transcripts given
    r = cli("agree", DATA / "annomi" / "transcripts" / "annomi-000.txt", "--codings", other)
    assert r.exit_code == 1
    assert "QC357 none of the codings belong to these transcripts (annomi-000)" in r.stderr
