"""spaCy imported without its command line: the same spaCy, a third faster to import."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

pytest.importorskip("spacy")

from qualcode.engine import nlp  # noqa: E402

#: Modules only spaCy's command line imports (downloads, projects, the CLI framework).
CLI_ONLY = ("spacy.cli", "spacy.cli.info", "requests", "httpx", "weasel")


def in_fresh_python(code: str) -> dict:
    """Run `code` in a new interpreter (nothing imported yet); it sets `out`, printed back as JSON."""
    script = f"import json, sys\nout = {{}}\n{code}\nprint(json.dumps(out))"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("start", ["from qualcode.engine.nlp import load_pipeline; load_pipeline()",
                                   "import qualcode.engine.preload"])  # the batch workers' fork server
def test_loading_the_pipeline_leaves_spacys_command_line_unimported(start):
    out = in_fresh_python(f"{start}\nout['loaded'] = [m for m in {CLI_ONLY!r} if m in sys.modules]")
    assert out == {"loaded": []}


def test_spacy_info_and_the_command_line_still_work_after_it():
    out = in_fresh_python(
        "from qualcode.engine.nlp import import_spacy\n"
        "spacy = import_spacy()\n"
        "out['info'] = sorted(spacy.info())\n"  # imports the real command line now
        "import spacy.cli\n"
        "out['cli'] = [hasattr(spacy.cli, name) for name in ('train', 'download', 'info')]")
    assert "spacy_version" in out["info"]
    assert out["cli"] == [True, True, True]


def test_spacy_registers_the_same_functions_either_way():
    registered = ("import catalogue\n"
                  "spacy.blank('en')\n"
                  "out['registry'] = sorted(map(str, catalogue.REGISTRY))")
    deferred = in_fresh_python(f"from qualcode.engine.nlp import import_spacy\nspacy = import_spacy()\n{registered}")
    plain = in_fresh_python(f"import spacy\n{registered}")
    assert deferred["registry"] == plain["registry"] and len(plain["registry"]) > 100


def test_a_spacy_whose_init_differs_is_imported_plainly():
    out = in_fresh_python(
        "import qualcode.engine.nlp as nlp\n"
        "nlp._SPACY_CLI_IMPORT = 'a line no spaCy has'\n"
        "nlp.import_spacy()\n"
        "out['cli'] = 'spacy.cli' in sys.modules")
    assert out == {"cli": True}


def test_spacy_init_has_the_line_the_deferral_replaces():
    """Fails when a spaCy release changes how it imports its command line: then look again at
    `import_spacy` (it falls back to a plain import, correct but 0.2-0.3 s slower)."""
    assert nlp._spacy_imports_cli()
