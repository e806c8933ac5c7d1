"""Table-driven codebook checks: every `cases/invalid/*.yaml` with the diagnostics expected beside it
(`*.expected`, lines `line:col: CODE`), every `cases/valid/*.yaml` clean even under --strict.

Regenerate the expected files after a deliberate change with QUALCODE_UPDATE_GOLDEN=1 (then read the diff).
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from qualcode.codebook.load import inspect_codebook
from qualcode.codebook.report import validate_codebooks

ROOT = Path(__file__).resolve().parents[2]
CASES = Path(__file__).parent / "cases"
INVALID = sorted((CASES / "invalid").glob("*.yaml"))
VALID = sorted((CASES / "valid").glob("*.yaml"))
UPDATE = os.environ.get("QUALCODE_UPDATE_GOLDEN") == "1"


def found(path: Path) -> list[str]:
    return [f"{d.line}:{d.col}: {d.code}" for d in inspect_codebook(path).diagnostics]


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_case(path: Path):
    expected_file = path.with_suffix(".expected")
    lines = found(path)
    if UPDATE:
        expected_file.write_text("".join(f"{x}\n" for x in lines), encoding="utf-8")
    assert lines == expected_file.read_text(encoding="utf-8").splitlines()
    assert lines, "an invalid case must produce at least one diagnostic"
    # named for its code: the case really shows that code
    assert path.stem[:5].upper() in {x.split()[-1] for x in lines}
    # and it fails in CI, where --strict is used
    assert validate_codebooks([path]).exit_code(strict=True) == 1


def test_every_case_has_its_expectations():
    expected = sorted((CASES / "invalid").glob("*.expected"))
    assert [p.stem for p in expected] == [p.stem for p in INVALID]


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_valid_case_is_clean(path: Path):
    check = inspect_codebook(path)
    assert [d.format() for d in check.diagnostics] == []
    assert check.codebook is not None and check.codebook.themes


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_valid_case_passes_the_json_schema(path: Path):
    jsonschema = pytest.importorskip("jsonschema")
    import yaml

    schema = json.loads((ROOT / "qualcode" / "schema" / "codebook.schema.json").read_text(encoding="utf-8"))
    data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    assert [e.message for e in jsonschema.Draft202012Validator(schema).iter_errors(data)] == []


@pytest.mark.parametrize("name", ["qc103-unknown-key", "qc110-duplicate-id", "qc114-color", "qc120-patterns"])
def test_json_schema_rejects_invalid_cases(name: str):
    """Editors flag these too (the schema is stricter than nothing, weaker than the loader)."""
    jsonschema = pytest.importorskip("jsonschema")
    import yaml

    schema = json.loads((ROOT / "qualcode" / "schema" / "codebook.schema.json").read_text(encoding="utf-8"))
    data = yaml.safe_load((CASES / "invalid" / f"{name}.yaml").read_text(encoding="utf-8"))
    if name == "qc110-duplicate-id":  # duplicate ids are semantic: the schema cannot see them
        assert not list(jsonschema.Draft202012Validator(schema).iter_errors(data))
    else:
        assert list(jsonschema.Draft202012Validator(schema).iter_errors(data))


def test_every_documented_code_has_a_case():
    """Each QC1xx code in the README table is shown by a case here or by a test in this folder."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Codebooks as validated code"):]
    documented = set(re.findall(r"^\| (QC1\d\d) \|", section, flags=re.M))
    assert len(documented) >= 25
    shown = {line.split()[-1] for p in INVALID for line in p.with_suffix(".expected").read_text().splitlines()}
    tested_elsewhere = {"QC106", "QC130", "QC131"}  # a 50 MB file is made at test time; test failures in test_cli
    assert documented - shown - tested_elsewhere == set()
    assert shown <= documented
