"""The engine's fast path for token patterns finds exactly what the straightforward path finds.

Straightforward: every pattern as written in one spaCy Matcher, on Docs lemmatised from the
lookup table. Fast: LEMMA tests rewritten to word forms, each pattern run only on Docs (and
windows of them) holding its required words, plain word patterns found by the keywords'
PhraseMatcher, word and flag tests run as Python steps on the LOWER array.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from qualcode.codebook import load_codebook
from qualcode.engine.match import (compile_codebook, keyword_hits_reference, match_doc, pattern_hits,
                                   pattern_hits_reference)
from qualcode.engine.tokenmatch import first_words
from qualcode.transcripts import read_transcript

ROOT = Path(__file__).resolve().parents[2]  # (paths here, not from conftest: same on every branch)
DATA = ROOT / "tests" / "data"
EXAMPLES = ROOT / "examples" / "transcripts"
DEFAULT_CODEBOOK = ROOT / "codebooks" / "interpreter-alliance.yaml"

EDGE_TEXTS = [
    "I speak for her. Speak for them, she spoke over him and speaks for us",
    "You are not listening. You don't hear me, you never listened",
    "We met again, and we were again there, did it again",
    "She translated it wrong, interprets wrongly, translate this wrong",
    "not going to Listen, not ever ever really Listen, not listen",
    "3 weeks, twelve months, 10 sessions, many weeks",
    "Dr. Weber and Dr. Brenner met dr. weber",
    "you know, you see, you",
    "I felt very very safe; I feel so safe, felt safe",
    "I feel , , , because; we felt so ... so; feel",
    "trust. I trust, we really trust Trust",
    "the new interpreter. The old, tired interpreter the interpreter",
    "our interpreting session and interpreter sessions",
    "Counterproductively, interpretations were uncharacteristically long",
    "1. 2, 3 4",
    "feel",
    "",
    "because so feel because",
]


def turn_texts(folder, speakers):
    return [turn.text for path in sorted(folder.glob("*.txt"))
            for turn in read_transcript(path, speakers=speakers).turns]


@pytest.fixture(scope="module")
def edge_codebook():
    return compile_codebook(load_codebook(DATA / "bench" / "patterns.yaml"))


def assert_same_pattern_hits(compiled, texts) -> int:
    found = 0
    for text, doc in zip(texts, compiled.make_docs(texts)):
        fast = pattern_hits(doc, compiled)
        assert fast == pattern_hits_reference(doc, compiled), text
        found += len(fast)
    return found


def test_edge_codebook_uses_every_fast_path(edge_codebook):
    plan = edge_codebook.plan
    assert plan.phrase_keys and plan.ends and plan.always is not None and plan.needs_lemmas and plan.always_needs_lemmas
    assert any(length is None and key not in plan.ends for key, length in plan.max_len.items())
    assert any(length is not None and key not in plan.phrase_keys for key, length in plan.max_len.items())
    # Python steps from the first word's places, Python steps on windows, and spaCy's Matcher
    steps = [r for r in plan.runners.values() if isinstance(r, tuple)]
    assert any(first_words(r) for r in steps) and any(first_words(r) is None for r in steps)
    assert len(steps) < len(plan.runners)


def test_fast_patterns_equal_reference_on_edge_cases(edge_codebook):
    found = assert_same_pattern_hits(edge_codebook, EDGE_TEXTS)
    # every pattern fires somewhere, so each fast path was compared on real hits
    fired = {name for text, doc in zip(EDGE_TEXTS, edge_codebook.make_docs(EDGE_TEXTS))
             for name, _, _ in pattern_hits(doc, edge_codebook)}
    assert len(fired) == sum(len(t.patterns) for t in edge_codebook.codebook.themes), fired
    assert found >= 40


def test_fast_patterns_equal_reference_on_counselling_talk(edge_codebook):
    texts = turn_texts(DATA / "annomi" / "transcripts", edge_codebook.codebook.speakers)
    assert assert_same_pattern_hits(edge_codebook, texts) >= 50


def test_fast_path_equals_reference_on_the_example_study():
    compiled = compile_codebook(load_codebook(DEFAULT_CODEBOOK))
    texts = turn_texts(EXAMPLES, compiled.codebook.speakers)
    assert assert_same_pattern_hits(compiled, texts) >= 1
    keywords = 0
    for text, doc in zip(texts, compiled.make_docs(texts)):
        fast = {(h.theme, h.start, h.end) for h in match_doc(doc, compiled) if h.rule.startswith("keyword:")}
        reference = keyword_hits_reference(doc, compiled)
        # match_doc merges overlapping hits of a theme: each reference hit lies inside a keyword or
        # pattern hit, and each keyword hit holds a reference hit
        merged = {(h.theme, h.start, h.end) for h in match_doc(doc, compiled)}
        assert all(any(t == theme and s <= start and end <= e for t, s, e in merged)
                   for theme, start, end in reference), text
        assert all(any(t == theme and start <= s and e <= end for t, s, e in reference)
                   for theme, start, end in fast), text
        keywords += len(fast)
    assert keywords >= 100


def test_fast_path_equals_reference_on_generated_text(tmp_path, edge_codebook):
    from benchmarks import corpus

    folder = tmp_path / "corpus"
    corpus.generate(folder, 15_000, seed=5)
    bench = compile_codebook(load_codebook(corpus.write_codebook(tmp_path / "codebook.yaml")))
    assert bench.plan.phrase_keys and bench.plan.ends and bench.plan.always is None
    texts = turn_texts(folder, bench.codebook.speakers)
    assert assert_same_pattern_hits(bench, texts) >= 100
    assert assert_same_pattern_hits(edge_codebook, texts) >= 50


def test_plain_word_patterns_expand_to_the_phrases_they_match():
    from qualcode.engine.match import MAX_PATTERN_PHRASES, phrase_forms

    assert phrase_forms([{"LOWER": {"IN": ["i", "we"]}}, {"LOWER": "the", "OP": "?"}, {"LOWER": "interpreter"}]) == [
        ("i", "interpreter"), ("i", "the", "interpreter"), ("we", "interpreter"), ("we", "the", "interpreter")]
    # a word with capitals never equals a lower-cased token: the Matcher would never match it
    assert phrase_forms([{"LOWER": "Listen"}]) == []
    assert phrase_forms([{"LOWER": "x", "OP": "?"}]) == [("x",)]  # never an empty match
    # anything but plain LOWER tests, or too many sequences, stays with the Matcher
    assert phrase_forms([{"LOWER": "so"}, {"IS_PUNCT": True}]) is None
    assert phrase_forms([{"LOWER": "so", "OP": "*"}]) is None
    assert phrase_forms([{"LOWER": " "}]) is None
    many = [f"w{i}" for i in range(int(MAX_PATTERN_PHRASES ** 0.5) + 1)]
    assert phrase_forms([{"LOWER": {"IN": many}}, {"LOWER": {"IN": many}}]) is None


@pytest.mark.parametrize("pattern", [
    '[{LEMMA: trust}, {IS_ALPHA: true, OP: "?"}, {LOWER: again}]',  # run as Python steps
    '[{LEMMA: trust}, {IS_ALPHA: true, OP: "?"}, {ORTH: again}]',  # run by spaCy's Matcher
])
def test_the_same_pattern_in_two_themes_codes_both(tmp_path, pattern):
    book = tmp_path / "codebook.yaml"
    book.write_text(
        "version: 1\nname: Shared pattern\nthemes:\n"
        f"  - id: one\n    name: One\n    definition: First.\n    patterns:\n      - {pattern}\n"
        f"  - id: two\n    name: Two\n    definition: Second.\n    patterns:\n      - {pattern}\n",
        encoding="utf-8")
    compiled = compile_codebook(load_codebook(book))
    assert len(compiled.plan.runners) == 1  # one run finds both
    assert [len(keys) for keys in compiled.plan.same.values()] == [2]
    text = "I trusted her again, and trust again"
    doc = next(iter(compiled.make_docs([text])))
    assert pattern_hits(doc, compiled) == pattern_hits_reference(doc, compiled)
    assert {h.theme for h in match_doc(doc, compiled)} == {"one", "two"}
