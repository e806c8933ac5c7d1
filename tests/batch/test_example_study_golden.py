"""Golden tables of the real example study, coded with the study codebook (QUALCODE_UPDATE_GOLDEN=1 rewrites)."""
from __future__ import annotations

import pytest
from batchdata import TABLES, check_golden

from support import DEFAULT_CODEBOOK, EXAMPLES


@pytest.fixture(scope="module")
def example_tables(tmp_path_factory):
    from typer.testing import CliRunner

    from qualcode.cli import app
    from support import CLI_ENV

    out = tmp_path_factory.mktemp("example-study")
    r = CliRunner().invoke(app, ["code", str(EXAMPLES), "--codebook", str(DEFAULT_CODEBOOK), "--out", str(out),
                                 "--quiet", "--jobs", "1"], env=CLI_ENV)
    assert r.exit_code == 0, r.stderr
    return out


@pytest.mark.parametrize("table", TABLES)
def test_example_study_table(example_tables, table):
    check_golden(example_tables / f"{table}.csv", f"example-study/{table}.csv")
