"""`qualcode codebook validate | test | schema | show` as a user (or CI) sees them: exact lines, exit codes."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from qualcode.codebook.schema import codebook_schema_text

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
INVALID = HERE / "cases" / "invalid"
VALID = HERE / "cases" / "valid"
DATA = ROOT / "tests" / "data"
SMALL = DATA / "codebooks" / "small.yaml"
FAILING = DATA / "codebook" / "failing-examples.yaml"
GOLDEN = ROOT / "tests" / "golden" / "codebook"


def rel(path: Path) -> str:
    return os.path.relpath(path, Path.cwd())


# -- validate ------------------------------------------------------------
def test_validate_reports_every_problem_with_position_and_hint(cli):
    path = rel(INVALID / "qc111-unknown-parent.yaml")
    r = cli("codebook", "validate", path)
    assert r.exit_code == 1
    assert r.stdout == (f"{path}:8:13: QC111 theme 'distrust': unknown parent 'truts' — did you mean 'trust'?\n")
    assert r.stderr == "1 error, 0 warnings in 1 of 1 codebook\n"


def test_validate_several_files_at_once(cli):
    paths = [rel(INVALID / "qc114-color.yaml"), rel(VALID / "minimal.yaml"), rel(INVALID / "qc117-unreachable.yaml")]
    r = cli("codebook", "validate", *paths)
    assert r.exit_code == 1
    assert [line.split(": ")[0] + ": " + line.split(": ")[1].split()[0] for line in r.stdout.splitlines()] == [
        f"{paths[0]}:5:12: QC114", f"{paths[0]}:9:5: QC114", f"{paths[0]}:13:12: QC114",
        f"{paths[2]}:4:9: QC117"]
    assert r.stderr == "3 errors, 1 warning in 1 of 3 codebooks\n"


def test_warnings_fail_only_with_strict(cli):
    path = rel(INVALID / "qc115-empty-definition.yaml")
    r = cli("codebook", "validate", path)
    assert r.exit_code == 0
    assert r.stdout.splitlines()[0] == (f"{path}:5:5: QC115 warning: theme 'trust': empty definition — write what "
                                        "the theme covers, so every coder applies it the same way")
    assert r.stderr == "1 codebook valid (0 errors, 2 warnings)\n"
    r = cli("codebook", "validate", "--strict", path)
    assert r.exit_code == 1
    assert r.stderr == "0 errors, 2 warnings in 1 of 1 codebook\n"


def test_valid_codebook(cli):
    r = cli("codebook", "validate", "--strict", SMALL)
    assert (r.exit_code, r.stdout, r.stderr) == (0, "", "1 codebook valid\n")
    r = cli("codebook", "validate", "--quiet", SMALL)
    assert (r.exit_code, r.stdout, r.stderr) == (0, "", "")


def test_github_format_writes_annotations(cli):
    path = rel(INVALID / "qc115-empty-definition.yaml")
    r = cli("codebook", "validate", "--format", "github", "--strict", path)
    assert r.exit_code == 1
    assert r.stdout.splitlines()[0] == (
        f"::warning file={path},line=5,col=5,title=QC115::QC115 theme 'trust': empty definition — write what "
        "the theme covers, so every coder applies it the same way")


def test_github_format_is_the_default_under_github_actions(cli, monkeypatch):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    r = cli("codebook", "validate", rel(INVALID / "qc104-duplicate-key.yaml"))
    assert r.exit_code == 1
    assert r.stdout.startswith("::error file=")
    assert ",line=7,col=5,title=QC104::QC104 duplicate key 'keywords'" in r.stdout
    assert cli("codebook", "validate", "--format", "text", rel(INVALID / "qc104-duplicate-key.yaml")
               ).stdout.startswith(rel(INVALID))


def test_github_annotation_escapes_newlines_and_percent():
    from qualcode.codebook.report import github_lines
    from qualcode.errors import Diagnostic

    line = github_lines([Diagnostic("QC120", "100% wrong\nreally", "a,b:c.yaml", 3, 4)])
    assert line == "::error file=a%2Cb%3Ac.yaml,line=3,col=4,title=QC120::QC120 100%25 wrong%0Areally\n"


def test_json_format_is_stable(cli):
    path = rel(INVALID / "qc111-unknown-parent.yaml")
    r = cli("codebook", "validate", "--format", "json", path, rel(SMALL))
    assert r.exit_code == 1
    assert json.loads(r.stdout) == {
        "version": 1, "valid": False,
        "files": [{"path": path, "valid": False, "errors": 1, "warnings": 0},
                  {"path": rel(SMALL), "valid": True, "errors": 0, "warnings": 0}],
        "diagnostics": [{"path": path, "line": 8, "col": 13, "code": "QC111", "severity": "error",
                         "message": "theme 'distrust': unknown parent 'truts'", "hint": "did you mean 'trust'?"}]}


def test_unreadable_file_exits_2(cli, tmp_path):
    r = cli("codebook", "validate", tmp_path / "missing.yaml", SMALL)
    assert r.exit_code == 2
    assert r.stdout.startswith(f"{tmp_path / 'missing.yaml'}: QC001 codebook not found — ")
    r = cli("codebook", "validate", tmp_path)
    assert r.exit_code == 2
    assert "QC001 is a folder, not a codebook file" in r.stdout


def test_bad_usage_exits_2(cli):
    assert cli("codebook", "validate", "--format", "xml", SMALL).exit_code == 2
    assert cli("codebook", "validate", "--no-such-option").exit_code == 2


def test_a_50_mb_file_is_refused_without_reading_it(cli, tmp_path):
    big = tmp_path / "big.yaml"
    with open(big, "wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: 50 MB on paper, nothing on disk
    r = cli("codebook", "validate", big)
    assert r.exit_code == 1
    assert r.stdout == (f"{big}:1:1: QC106 codebook is 52,428,800 bytes, more than the 1,000,000 allowed — "
                        "a codebook is a small text file; check you named the right file\n")


def test_python_tags_never_run(cli, tmp_path):
    marker = tmp_path / "ran"
    book = tmp_path / "evil.yaml"
    book.write_text(f"version: 1\nname: !!python/object/apply:os.system ['touch {marker}']\nthemes: []\n")
    r = cli("codebook", "validate", book)
    assert r.exit_code == 1
    assert f"{book}:2:7: QC109 YAML tag '!!python/object/apply:os.system' asks to construct a Python object" in r.stdout
    assert not marker.exists()


def test_validate_imports_neither_spacy_nor_pandas_nor_pydantic():
    """Start-up stays short: a codebook check in CI imports none of the heavy libraries (pydantic came
    with typer 0.29, which coerces every option through it; pyproject.toml keeps typer below it)."""
    import subprocess

    code = ("import sys; from typer.testing import CliRunner; from qualcode.cli import app; "
            f"r = CliRunner().invoke(app, ['codebook', 'validate', {str(VALID / 'full.yaml')!r}]); "
            "assert r.exit_code == 0, r.output; print(sorted(m for m in ('spacy', 'pandas', 'pydantic') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert out.stdout == "[]\n", out.stderr


# -- test ----------------------------------------------------------------
def test_examples_pass(cli):
    r = cli("codebook", "test", SMALL)
    assert (r.exit_code, r.stdout, r.stderr) == (0, "", f"{SMALL}: 16 of 16 examples pass\n")


def test_failing_examples_are_reported_at_their_line(cli):
    path = rel(FAILING)
    r = cli("codebook", "test", path)
    assert r.exit_code == 1
    assert r.stdout.splitlines() == [
        f"{path}:10:11: QC130 theme 'trust' → examples → positive[2]: \"I never trusted him.\" was suggested only "
        "as negated (trust (negated) by keyword:trust at 'trusted') — a negation cue (not, never, no…) stands just "
        "before the hit; rephrase the example",
        f"{path}:11:11: QC130 theme 'trust' → examples → positive[3]: \"She felt safe with him.\" was not suggested; "
        "nothing fired — add a keyword or pattern that matches it, or move it to another theme",
        f"{path}:13:11: QC131 theme 'trust' → examples → negative[1]: \"I trust the process.\" was suggested (trust "
        "by keyword:trust at 'trust') — make the keyword or pattern more specific, or remove the example",
        f"{path}:18:18: QC131 theme 'rupture_repair' → examples → negative[1]: \"We walked out together after the "
        "session.\" was suggested (rupture by keyword:walked out at 'walked out') — make the keyword or pattern "
        "more specific, or remove the example",
    ]
    assert r.stderr == f"{path}: 2 of 6 examples pass\n"


def test_test_json(cli):
    r = cli("codebook", "test", "--format", "json", FAILING)
    data = json.loads(r.stdout)
    assert r.exit_code == 1 and data["passed"] is False
    first = data["files"][0]["results"][0]
    assert first == {"theme": "trust", "kind": "positive", "number": 1, "text": "I trust her completely.",
                     "line": 9, "col": 11, "passed": True, "fired": ["trust by keyword:trust at 'trust'"]}
    assert [d["code"] for d in data["diagnostics"]] == ["QC130", "QC130", "QC131", "QC131"]


def test_invalid_codebook_is_not_tested(cli):
    path = rel(INVALID / "qc111-unknown-parent.yaml")
    r = cli("codebook", "test", path)
    assert r.exit_code == 1
    assert r.stdout.startswith(f"{path}:8:13: QC111 ")
    assert r.stderr == f"{path}: not tested\n"


def test_patterns_needing_a_trained_pipeline(cli):
    path = rel(DATA / "codebook" / "needs-trained.yaml")
    r = cli("codebook", "test", path)
    assert r.exit_code == 1
    assert r.stdout == (f"{path}:7:28: QC123 theme 'advice' → patterns[1] → token 2 → POS: POS is set only by a "
                        "trained spaCy pipeline — test with --pipeline NAME (an installed trained spaCy pipeline)\n")


# -- schema --------------------------------------------------------------
def test_committed_schema_equals_the_code():
    committed = (ROOT / "qualcode" / "schema" / "codebook.schema.json").read_text(encoding="utf-8")
    assert committed == codebook_schema_text(), \
        "run: python -m qualcode codebook schema --out qualcode/schema/codebook.schema.json"


def test_schema_command(cli, tmp_path):
    r = cli("codebook", "schema")
    assert r.exit_code == 0 and r.stdout == codebook_schema_text()
    assert json.loads(r.stdout)["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    r = cli("codebook", "schema", "--out", tmp_path / "s.json")
    assert r.exit_code == 0 and (tmp_path / "s.json").read_text(encoding="utf-8") == codebook_schema_text()


def test_schema_is_a_valid_json_schema():
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.Draft202012Validator.check_schema(json.loads(codebook_schema_text()))


# -- show ----------------------------------------------------------------
def test_show_tree(cli):
    r = cli("codebook", "show", SMALL)
    assert r.exit_code == 0
    assert r.stdout.splitlines()[:6] == [
        "Small test codebook  version 1 · 5 themes",
        "├── ■ trust  Bond and trust  3 keywords · 0 patterns · 2+/2− examples",
        "│   Statements about trusting or feeling safe with another person in the therapy.",
        "├── ■ translation  Translation accuracy  2 keywords · 1 pattern · 2+/2− examples  roles: client, ",
        "│   therapist, interpreter",
        "│   Whether what was said was rendered faithfully.",
    ]
    assert r.stdout.splitlines()[-4:] == [
        "    ├── ■ rupture  Rupture  2 keywords · 0 patterns · 2+/2− examples",
        "    │   A strain or break in the collaboration.",
        "    └── ■ repair  Repair  3 keywords · 0 patterns · 2+/2− examples",
        "        An attempt to mend a strain.",
    ]


def test_show_markdown_golden(cli):
    r = cli("codebook", "show", "--format", "markdown", VALID / "full.yaml")
    assert r.exit_code == 0
    golden = GOLDEN / "full.md"
    if os.environ.get("QUALCODE_UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(r.stdout, encoding="utf-8")
    assert r.stdout == golden.read_text(encoding="utf-8")


def test_show_refuses_an_invalid_codebook(cli):
    r = cli("codebook", "show", INVALID / "qc111-unknown-parent.yaml")
    assert r.exit_code == 1
    assert "QC111 theme 'distrust': unknown parent 'truts'" in r.stderr


def test_test_unreadable_file_exits_2(cli, tmp_path):
    r = cli("codebook", "test", SMALL, tmp_path / "missing.yaml")
    assert r.exit_code == 2
    assert r.stdout.startswith(f"{tmp_path / 'missing.yaml'}: QC001 codebook not found")
    assert r.stderr == f"{SMALL}: 16 of 16 examples pass\n{tmp_path / 'missing.yaml'}: not tested\n"
