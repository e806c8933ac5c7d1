"""Keyword (form and lemma), pattern and negation matching, and the fast path against the reference."""
from __future__ import annotations

import pytest

from support import DATA
from qualcode.codebook import load_codebook
from qualcode.engine.match import compile_codebook, keyword_hits_reference, match_doc
from qualcode.transcripts import read_transcript


@pytest.fixture(scope="module")
def compiled(small_codebook_path_module):
    return compile_codebook(load_codebook(small_codebook_path_module))


@pytest.fixture(scope="module")
def small_codebook_path_module():
    return DATA / "codebooks" / "small.yaml"


def hits(compiled, text):
    doc = next(iter(compiled.make_docs([text])))
    return [(h.theme, text[h.start:h.end], h.rule, h.score, h.negated) for h in match_doc(doc, compiled)]


def test_keyword_exact_and_case_insensitive(compiled):
    assert hits(compiled, "TRUST is earned.") == [("trust", "TRUST", "keyword:trust", 1.0, False)]


def test_keyword_on_lemma(compiled):
    assert hits(compiled, "She trusted me.") == [("trust", "trusted", "keyword:trust", 0.9, False)]
    assert hits(compiled, "With him I felt safe.") == [("trust", "felt safe", "keyword:feel safe", 0.9, False)]


def test_multiword_keyword_needs_the_whole_phrase(compiled):
    assert hits(compiled, "I felt that it was safe.") == []


def test_pattern(compiled):
    assert hits(compiled, "She translated it wrongly.") == [
        ("translation", "translated it wrongly", "pattern:1", 0.8, False)]


@pytest.mark.parametrize("text", ["I never felt judged.", "I did not trust him.", "I don't trust him.",
                                  "There was no trust at first."])
def test_negated_hits_are_marked(compiled, text):
    [hit] = hits(compiled, text)
    assert hit[4] is True


@pytest.mark.parametrize("text", ["I was not sure, but I trust her.", "No. I trust her.",
                                  "I am not saying that; I trust her now."])
def test_negation_stops_at_the_clause(compiled, text):
    [hit] = hits(compiled, text)
    assert hit[4] is False


def test_negation_inside_the_keyword_does_not_negate(compiled):
    assert hits(compiled, "You are not listening to me.") == [
        ("rupture", "not listening", "keyword:not listening", 1.0, False)]


def test_overlapping_hits_of_a_theme_merge(compiled):
    # 'feel judged' and 'trust' are separate; two keywords on the same words merge into one hit
    assert len(hits(compiled, "trust trust")) == 2
    assert hits(compiled, "I apologize, I misunderstood you.") == [
        ("repair", "apologize", "keyword:apologize", 1.0, False),
        ("repair", "misunderstood you", "keyword:misunderstood you", 1.0, False)]


def test_roles_restrict_a_theme(tmp_path, compiled):
    path = tmp_path / "t.txt"
    path.write_text("Interviewer: Did she translate it wrong?\nClient: She translated it wrong.\n", encoding="utf-8")
    from qualcode.engine.match import suggest

    t = read_transcript(path, speakers=compiled.codebook.speakers)
    assert [(s.turn, s.role, s.theme) for s in suggest(t, compiled)] == [(2, "client", "translation")]


def test_suggestion_spans_index_the_transcript(tmp_path, compiled):
    path = tmp_path / "t.txt"
    path.write_text("---\nid: s1\n---\nClient: Well.\nI felt safe,\nreally safe.\n", encoding="utf-8")
    from qualcode.engine.match import suggest

    t = read_transcript(path)
    [s] = suggest(t, compiled)
    assert (s.transcript, s.turn, s.line, s.quote, t.text[s.start:s.end]) == ("s1", 1, 5, "felt safe", "felt safe")


def test_fast_keyword_path_finds_exactly_what_the_reference_finds(compiled):
    """Expanded word forms on LOWER == token-by-token lemma comparison, on real counselling talk."""
    texts = []
    for path in sorted((DATA / "annomi" / "transcripts").glob("*.txt")):
        texts.extend(turn.text for turn in read_transcript(path).turns)
    texts += ["She trusts me, trusting, trusted, TRUSTS.", "I felt safe and feel judged; feels safe."]
    checked = 0
    for doc in compiled.make_docs(texts):
        fast = {(h.theme, h.start, h.end) for h in match_doc(doc, compiled) if h.rule.startswith("keyword:")}
        assert fast == keyword_hits_reference(doc, compiled), doc.text
        checked += len(fast)
    assert checked >= 5
