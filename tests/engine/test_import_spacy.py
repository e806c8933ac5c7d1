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


def test_import_spacy_cli_brings_the_real_command_line():
    out = in_fresh_python(
        "from qualcode.engine.nlp import import_spacy\n"
        "spacy = import_spacy()\n"
        "import spacy.cli\n"
        "out['module'] = sys.modules['spacy.cli.info'].__file__\n"
        "out['cli'] = [hasattr(spacy.cli, name) for name in ('train', 'download', 'info')]\n"
        "out['info'] = sorted(spacy.info())")
    assert out["module"].replace("\\", "/").endswith("spacy/cli/info.py")
    assert out["cli"] == [True, True, True]
    assert "spacy_version" in out["info"]


def test_spacy_info_and_spacy_cli_work_without_importing_the_command_line_first():
    out = in_fresh_python(
        "from qualcode.engine.nlp import import_spacy\n"
        "spacy = import_spacy()\n"
        "out['info'] = sorted(spacy.info())\n"  # the stand-in imports the real one
        "out['train'] = hasattr(spacy.cli, 'train')\n"  # `spacy.cli` as an attribute, as after a plain import
        "out['missing'] = hasattr(spacy, 'no_such_name')")
    assert "spacy_version" in out["info"]
    assert (out["train"], out["missing"]) == (True, False)


def test_an_import_that_fails_with_the_stand_in_is_done_plainly():
    out = in_fresh_python(
        "class FailOnce:\n"  # the first import of a module spaCy's __init__ imports after its command line
        "    failed = False\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'spacy.glossary' and not FailOnce.failed:\n"
        "            FailOnce.failed = True\n"
        "            raise ImportError('simulated')\n"
        "sys.meta_path.insert(0, FailOnce())\n"
        "from qualcode.engine.nlp import import_spacy\n"
        "spacy = import_spacy()\n"
        "out['failed'] = FailOnce.failed\n"
        "out['blank'] = len(spacy.blank('en')('It works.'))\n"
        "out['cli_info'] = getattr(sys.modules.get('spacy.cli.info'), '__file__', None) is not None")
    assert out == {"failed": True, "blank": 3, "cli_info": True}  # the real command line, not the stand-in


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
        "import re\n"
        "nlp._SPACY_CLI_IMPORT = re.compile('^a line no spaCy has$')\n"
        "nlp.import_spacy()\n"
        "out['cli'] = 'spacy.cli' in sys.modules")
    assert out == {"cli": True}


def test_spacy_init_has_the_line_the_deferral_replaces():
    """Fails when a spaCy release changes how it imports its command line: then look again at
    `import_spacy` (it falls back to a plain import, correct but 0.2-0.3 s slower)."""
    assert nlp._spacy_imports_cli()
