"""The study codebook and the example study: examples found by their theme, every theme occurs."""
from __future__ import annotations

import pytest

from support import DEFAULT_CODEBOOK, EXAMPLES
from qualcode.codebook import load_codebook
from qualcode.coding import code_transcript
from qualcode.engine.match import compile_codebook, match_doc

REQUIRED_THEMES = {"role_division", "translation_accuracy", "rupture_repair", "rupture", "repair", "bond_trust",
                   "goals_tasks", "frame_boundaries", "countertransference", "empathy", "setting",
                   "triadic_relationship"}


@pytest.fixture(scope="module")
def compiled():
    return compile_codebook(load_codebook(DEFAULT_CODEBOOK))


def counted_themes(compiled, text: str) -> set[str]:
    """Themes with a non-negated hit in `text`, each with its ancestors (a parent counts its children)."""
    doc = next(iter(compiled.make_docs([text])))
    paths = {t.id: t.path for t in compiled.codebook.themes}
    return {part for h in match_doc(doc, compiled) if not h.negated for part in paths[h.theme].split("/")}


def test_study_codebook_has_the_study_themes_fully_described(compiled):
    themes = {t.id: t for t in compiled.codebook.themes}
    assert REQUIRED_THEMES <= set(themes)
    assert themes["rupture"].parent == "rupture_repair" and themes["repair"].parent == "rupture_repair"
    for theme in themes.values():
        assert theme.definition and theme.include and theme.exclude, theme.id
        assert len(theme.positive_examples) >= 3 and len(theme.negative_examples) >= 2, theme.id
        assert theme.keywords or theme.patterns or compiled.codebook.children(theme.id), theme.id


def test_every_positive_example_is_found_by_its_theme(compiled):
    missed = [(t.id, ex) for t in compiled.codebook.themes for ex in t.positive_examples
              if t.id not in counted_themes(compiled, ex)]
    assert missed == []


def test_no_negative_example_is_found_by_its_theme(compiled):
    wrong = [(t.id, ex) for t in compiled.codebook.themes for ex in t.negative_examples
             if t.id in counted_themes(compiled, ex)]
    assert wrong == []


def test_example_study_is_complete(compiled):
    files = sorted(EXAMPLES.glob("*.txt"))
    results = [code_transcript(f, codebook=compiled.codebook, compiled=compiled) for f in files]
    interviews = [r.transcript for r in results if r.transcript.kind == "interview"]
    sessions = [r.transcript for r in results if r.transcript.kind == "session"]
    dyads = {t.dyad for t in interviews}
    assert len(dyads) >= 4
    for dyad in dyads:
        assert {t.role for t in interviews if t.dyad == dyad} >= {"client", "therapist"}, dyad
    assert sum(1 for d in dyads if any(t.role == "interpreter" and t.dyad == d for t in interviews)) >= 2
    assert len(sessions) >= 2
    for t in sessions:
        assert {"therapist", "client", "interpreter"} <= {turn.role for turn in t.turns}, t.id
    for r in results:
        t = r.transcript
        assert t.words >= 600, t.id
        assert t.group in ("favorable", "struggling") and t.setting in ("face-to-face", "online"), t.id
        assert "unknown" not in {turn.role for turn in t.turns}, t.id
    found = {s.theme for r in results for s in r.counted}
    leaves = {t.id for t in compiled.codebook.themes if not compiled.codebook.children(t.id)}
    assert leaves <= found
