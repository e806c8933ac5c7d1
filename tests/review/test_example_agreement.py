"""The README's agreement report on the example study's two coders stays true."""
from __future__ import annotations

import json

from support import DEFAULT_CODEBOOK, EXAMPLES, ROOT

FILES = [EXAMPLES / f"{n}.txt" for n in ("d01-client", "d01-therapist", "d03-client", "d03-session")]
CODINGS = ROOT / "examples" / "codings"


def test_example_study_agreement(cli):
    r = cli("agree", *FILES, "--codings", CODINGS / "ana.csv", "--codings", CODINGS / "ben.csv",
            "--codebook", DEFAULT_CODEBOOK, "--format", "json")
    assert r.exit_code == 0, r.stderr
    rows = {row["theme"]: row for row in json.loads(r.stdout)}
    overall = rows["(overall)"]
    assert (overall["percent_agreement"], overall["cohen_kappa"], overall["krippendorff_alpha"]) == (93.595, 0.7584, 0.757)
    assert round(rows["empathy"]["cohen_kappa"], 3) == 0.558 and rows["countertransference"]["cohen_kappa"] == 1.0
    r = cli("agree", *FILES, "--codings", CODINGS / "ana.csv", "--codings", CODINGS / "ben.csv",
            "--codebook", DEFAULT_CODEBOOK)
    assert "44 turns compared · 20 turns no coder coded left out" in r.stdout
    assert "Disagreements (31)" in r.stdout
