"""The engine's fast path for token patterns finds exactly what the straightforward path finds.

Straightforward: every pattern as written in one spaCy Matcher, on Docs lemmatised from the
lookup table. Fast: LEMMA tests rewritten to word forms, plain word patterns found by the
keywords' PhraseMatcher, word and flag tests run as Python steps on the LOWER array from the
places of their anchor's words (found by the same PhraseMatcher), the other patterns run only on
Docs (and windows of them) holding their required words.
"""
from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from qualcode.codebook import load_codebook
from qualcode.engine.match import (compile_codebook, keyword_hits_reference, match_doc, pattern_hits,
                                   pattern_hits_reference)
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
    "very safe, because; safe because. so safe ... because",
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
    assert plan.phrase_keys and plan.always is not None and plan.needs_lemmas and plan.always_needs_lemmas
    # Python steps found from their anchor's words: the first token's, and a later token's
    offsets = {offset for todo in plan.anchors.values() for _, offset in todo}
    assert 0 in offsets and max(offsets) == 3
    # without an anchor: Python steps on windows, between their ends, on the whole Doc; spaCy's Matcher
    unanchored = set(plan.requires)
    steps = {key for key in unanchored if isinstance(plan.runners[key], tuple)}
    assert any(plan.max_len[key] is not None for key in steps)
    assert any(key in plan.ends for key in steps)
    assert any(plan.max_len[key] is None and key not in plan.ends for key in steps)
    assert unanchored - steps


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
    assert bench.plan.phrase_keys and bench.plan.anchors and bench.plan.always is None
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


@pytest.mark.parametrize(("pattern", "anchor"), [
    ([{"LEMMA": "trust"}, {"IS_ALPHA": True, "OP": "?"}, {"LOWER": "again"}], (0, ["trust", "trusted", "trusting", "trusts"])),
    ([{"LIKE_NUM": True}, {"LOWER": {"IN": ["weeks", "Months"]}}], (1, ["weeks"])),  # "Months" never equals a LOWER
    # the rarer of two: no stop word, fewer words; after tokens of a fixed count only
    ([{"LOWER": {"IN": ["i", "we"]}}, {"IS_ALPHA": True, "OP": "{2}"}, {"LOWER": "safe"}], (3, ["safe"])),
    ([{"LOWER": "the"}, {"IS_ALPHA": True, "OP": "+"}, {"LOWER": "interpreter"}], (0, ["the"])),
    ([{"IS_ALPHA": True, "OP": "?"}, {"LOWER": "trust"}], None),  # no fixed place before it
    ([{"LOWER": {"NOT_IN": ["so"]}}, {"IS_PUNCT": True}], None),  # no word required
])
def test_a_pattern_is_found_from_its_anchor(pattern, anchor):
    compiled = compile_codebook(_codebook_of([pattern]))
    strings = compiled.nlp.vocab.strings
    found = [(offset, strings[name].split("\x1f")[2:]) for name, todo in compiled.plan.anchors.items()
             for _, offset in todo]
    assert found == ([anchor] if anchor else [])


def _codebook_of(patterns):
    """A codebook with one theme per token pattern."""
    from qualcode.codebook.load import check_codebook_text

    themes = "".join(f"  - id: t{i}\n    name: T{i}\n    definition: D.\n    patterns:\n      - {json.dumps(p)}\n"
                     for i, p in enumerate(patterns))
    codebook, problems = check_codebook_text(f"version: 1\nname: Patterns\nthemes:\n{themes}", "patterns.yaml")
    assert codebook is not None and not problems, problems
    return codebook


WORDS = ["a", "b", "the", "A", "Ten", "ten", ",", "3", "."]


def random_pattern(rng: random.Random) -> list[dict]:
    """Word and flag tests with every operator: most get an anchor, some do not, some become phrases."""
    pattern = []
    for _ in range(rng.randint(1, 4)):
        token: dict = {}
        kind = rng.random()
        if kind < 0.4:
            token["LOWER"] = rng.choice(["a", "b", "the", "A", "ten"])
        elif kind < 0.6:
            token["LOWER"] = {"IN": rng.sample(WORDS, 2)}
        elif kind < 0.7:
            token["LOWER"] = {"NOT_IN": rng.sample(WORDS, 2)}
        else:
            token[rng.choice(["IS_ALPHA", "IS_PUNCT", "LIKE_NUM", "IS_TITLE"])] = rng.random() < 0.7
        op = rng.choice([None, None, None, "?", "*", "+", "{2}", "{1,2}", "{0,2}"])
        if op:
            token["OP"] = op
        pattern.append(token)
    return pattern


def test_random_patterns_find_what_spacys_matcher_finds():
    rng = random.Random(11)
    patterns = [random_pattern(rng) for _ in range(400)]
    texts = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 14))) for _ in range(150)]
    compared = 0
    for i in range(0, len(patterns), 50):
        compiled = compile_codebook(_codebook_of(patterns[i:i + 50]))
        plan = compiled.plan
        assert plan.anchors and plan.requires and plan.phrase_keys  # every path is taken
        compared += assert_same_pattern_hits(compiled, texts)
    assert compared > 2000


def test_codebooks_compiled_with_one_pipeline_each_find_their_anchored_patterns():
    pattern = [{"LEMMA": "trust"}, {"IS_ALPHA": True, "OP": "?"}, {"LOWER": "again"}]
    first = compile_codebook(_codebook_of([pattern]))
    second = compile_codebook(_codebook_of([pattern]), nlp=first.nlp)  # the anchor's name is in its strings already
    for compiled in (first, second):
        doc = next(iter(compiled.make_docs(["we trusted her again"])))
        assert pattern_hits(doc, compiled) == {("t0:pattern:1", 1, 4)}


def test_an_anchored_pattern_runs_only_on_docs_holding_its_other_required_words(monkeypatch):
    import qualcode.engine.match as match

    pattern = [{"LOWER": "the"}, {"IS_ALPHA": True, "OP": "+"}, {"LOWER": "interpreter"}]
    compiled = compile_codebook(_codebook_of([pattern]))
    assert [offset for todo in compiled.plan.anchors.values() for _, offset in todo] == [0]  # from "the"
    runs = []
    monkeypatch.setattr(match, "find", lambda *args: runs.append(args[-1]) or [])
    docs = list(compiled.make_docs(["the long day and the night and the rain", "the new interpreter spoke"]))
    assert pattern_hits(docs[0], compiled) == set() and runs == []  # no "interpreter": never run
    pattern_hits(docs[1], compiled)
    assert runs == [[0]]
    monkeypatch.undo()
    assert pattern_hits(docs[1], compiled) == pattern_hits_reference(docs[1], compiled) == {("t0:pattern:1", 0, 3)}


def test_an_anchored_pattern_runs_only_from_places_where_its_fixed_words_stand(monkeypatch):
    import qualcode.engine.match as match

    pattern = [{"LOWER": {"IN": ["i", "we"]}}, {"LEMMA": "trust"}, {"IS_ALPHA": True, "OP": "?"}, {"LOWER": "the"}]
    compiled = compile_codebook(_codebook_of([pattern]))
    assert [offset for todo in compiled.plan.anchors.values() for _, offset in todo] == [1]  # from "trust"
    runs = []
    monkeypatch.setattr(match, "find", lambda *args: runs.append(args[-1]) or [])
    docs = list(compiled.make_docs(["they trust the plan", "they trust me and we trusted the plan"]))
    assert pattern_hits(docs[0], compiled) == set() and runs == []  # "they", not "i" or "we": never run
    pattern_hits(docs[1], compiled)
    assert runs == [[4]]  # from "we", not from "they"
    monkeypatch.undo()
    assert pattern_hits(docs[1], compiled) == pattern_hits_reference(docs[1], compiled) == {("t0:pattern:1", 4, 7)}


def test_a_hit_is_negated_alike_in_docs_with_and_without_the_lower_array(monkeypatch):
    """The LOWER array is made only for a Doc where an anchored pattern has a place to run from;
    negation reads the words before a hit from it, or else from the Doc's tokens."""
    from qualcode.codebook.load import check_codebook_text
    from qualcode.engine.match import CompiledCodebook

    text = ("version: 1\nname: N\nthemes:\n  - id: trust\n    name: Trust\n    definition: D.\n"
            "    keywords: [trust]\n    patterns:\n      - [{LEMMA: feel}, {IS_ALPHA: true, OP: '?'}, {LOWER: safe}]\n")
    codebook, problems = check_codebook_text(text, "n.yaml")
    assert not problems
    compiled = compile_codebook(codebook)
    made = []
    real = CompiledCodebook.lowers
    monkeypatch.setattr(CompiledCodebook, "lowers", lambda self, doc: made.append(doc.text) or real(self, doc))
    cases = {"I did not trust him": True, "I never, trust him": False, "no trust": True, "trust": False}
    for sentence, negated in cases.items():
        for extra in ("", " and we felt safe"):  # "felt": the pattern's anchor
            [doc] = compiled.make_docs([sentence + extra])
            hits = [h for h in match_doc(doc, compiled) if h.rule == "keyword:trust"]
            assert [h.negated for h in hits] == [negated], doc.text
            assert (doc.text in made) == bool(extra)


#: One pattern per lexical attribute a pattern can test (spaCy computes each for a new word), each
#: with a word the text has: every one fires, and leaving out any one of them changes what it finds.
ATTRIBUTE_PATTERNS = [
    [{"SHAPE": "Xxxxx"}, {"LOWER": "said"}], [{"NORM": "not"}],
    [{"LENGTH": 11}], [{"IS_ALPHA": False, "IS_PUNCT": False, "LIKE_NUM": True}], [{"IS_DIGIT": True}],
    [{"IS_LOWER": False, "IS_UPPER": True}], [{"IS_TITLE": True}, {"IS_SPACE": False, "IS_STOP": True}],
    [{"LIKE_URL": True}], [{"LIKE_EMAIL": True}], [{"IS_CURRENCY": True}, {"LIKE_NUM": True}],
    [{"IS_BRACKET": True}, {"IS_ALPHA": True}], [{"IS_QUOTE": True, "IS_LEFT_PUNCT": True}],
    [{"IS_RIGHT_PUNCT": True}], [{"IS_ASCII": False}],
    # true flags and a norm on words the pipeline first meets in the text (not in its special cases)
    [{"NORM": "xylophones"}], [{"LOWER": "zebras", "IS_LOWER": True}], [{"IS_SPACE": True}],
    [{"LOWER": "§", "IS_PUNCT": True}], [{"IS_BRACKET": True, "LOWER": "{"}],
]
ATTRIBUTE_TEXTS = EDGE_TEXTS + [
    "Maria said she isn't understanding, she wasn't understood (really) at all",
    "Write to clinic@example.org or see https://example.org/help, it costs $40 or 12 euros",
    "The HELP line said «wait» and “please” — 2024 was uncharacteristically long, café closed",
    "Xylophones and zebras\u2003here, see § 4 {note}",
]


def _lexical(compiled) -> set[str]:
    from spacy.attrs import IDS

    names = {attr: name for name, attr in IDS.items()}
    return {names[attr] for attr in compiled.nlp.vocab.lex_attr_getters}


def test_the_built_in_pipeline_computes_only_the_attributes_the_patterns_test():
    """spaCy computes a new word's lexical attributes in Python, a sixth of the tokenizer's work on new
    text: a codebook's own pipeline computes LOWER and what its patterns test, nothing else."""
    from qualcode.engine.match import pattern_attributes

    assert _lexical(compile_codebook(load_codebook(DEFAULT_CODEBOOK))) <= {"LOWER", "IS_ALPHA", "IS_PUNCT"}
    assert _lexical(compile_codebook(_codebook_of([[{"LOWER": "a"}]]))) == {"LOWER"}
    assert _lexical(compile_codebook(_codebook_of([[{"shape": "dd"}, {"IS_STOP": True, "OP": "?"}]]))) == \
        {"LOWER", "SHAPE", "IS_STOP"}
    # an extension attribute may read any other, and spaCy takes attribute ids too: then all are computed
    from spacy.attrs import SHAPE

    assert pattern_attributes([[{"LOWER": "a"}], [{"_": {"x": 1}}]]) is None
    assert pattern_attributes([[{SHAPE: "dd"}]]) is None


def test_patterns_find_the_same_with_only_their_attributes_computed():
    import spacy

    codebook = _codebook_of(ATTRIBUTE_PATTERNS)
    every, own = compile_codebook(codebook, nlp=spacy.blank("en")), compile_codebook(codebook)
    assert len(_lexical(own)) < len(_lexical(every))
    texts = ATTRIBUTE_TEXTS + turn_texts(DATA / "annomi" / "transcripts", codebook.speakers)

    def hits(compiled) -> list[set]:
        out = []
        for doc in compiled.make_docs(texts):
            out.append(pattern_hits(doc, compiled))
            assert out[-1] == pattern_hits_reference(doc, compiled)
        return out

    found = hits(own)
    assert found == hits(every)  # the same hits, text by text
    names = {name for in_text in found for name, _, _ in in_text}
    assert len(names) == len(ATTRIBUTE_PATTERNS), sorted(names)  # every pattern found something


def test_a_shared_pipeline_must_compute_the_attributes_the_codebook_tests():
    first = compile_codebook(_codebook_of([[{"LOWER": "a"}]]))
    assert compile_codebook(_codebook_of([[{"LOWER": "b"}]]), nlp=first.nlp).nlp is first.nlp
    with pytest.raises(ValueError, match="does not compute SHAPE"):
        compile_codebook(_codebook_of([[{"SHAPE": "dd"}]]), nlp=first.nlp)


SPECIAL_TEXTS = [
    "I'm sure you're right, don't you think? It's what we'd call 'cause and effect, isn't it",
    "(don't) \"can't\" [won't] she'll, he'd've, y'all... gonna gotta wanna lemme cannot",
    "Meet at 10a.m. or 3p.m., i.e. after lunch, e.g. Dr. Weber's office :) :-( <3 ^_^ (:",
    "We said ' cause and ' em, then 'cause ( : and :)) ;) xD ' s",
    "Um  two  spaces,\ttab and\u00a0no-break, line\nbreak, trailing space ",
    "well, well. well! WELL? okay... okay.. (laughs) [crosstalk] — yeah-no, it's okay.",
]


def test_chunks_given_to_the_tokenizer_ahead_leave_every_token_as_it_was(tmp_path):
    """`make_docs` gives the tokenizer the first chunks it meets alone, so that spaCy caches how it
    split them (spaCy does not cache a chunk met after a special case in the same text): every Doc is
    token for token what a pipeline that never did so makes, on the example study, AnnoMI, generated
    text and text full of special cases, transcript by transcript as `suggest` makes them."""
    import spacy
    from benchmarks import corpus

    corpus.generate(tmp_path / "corpus", 15_000, seed=7)
    compiled = compile_codebook(load_codebook(DEFAULT_CODEBOOK))
    plain = spacy.blank("en")
    batches = [SPECIAL_TEXTS, SPECIAL_TEXTS[::-1], EDGE_TEXTS + SPECIAL_TEXTS + ATTRIBUTE_TEXTS]
    for folder in (EXAMPLES, DATA / "annomi" / "transcripts", tmp_path / "corpus"):
        batches += [[turn.text for turn in read_transcript(path, speakers=compiled.codebook.speakers).turns]
                    for path in sorted(folder.glob("*.txt"))]

    def tokens(doc):
        return [(t.text, t.idx, t.lower_, t.whitespace_) for t in doc]

    for texts in batches:
        for text, doc in zip(texts, compiled.make_docs(texts)):
            assert tokens(doc) == tokens(plain.make_doc(text.replace("\n", " "))), text
    assert len(compiled.chunks_seen) >= 1000


def test_the_chunks_given_ahead_are_bounded(monkeypatch):
    from qualcode.engine import match

    monkeypatch.setattr(match, "CHUNKS_AHEAD", 5)
    compiled = compile_codebook(_codebook_of([[{"LOWER": "a"}]]))
    list(compiled.make_docs(["one two, three " + "x" * 101, "four five six."]))
    assert compiled.chunks_seen == {"one", "two,", "three", "four", "five"}  # in the order met; none too long
    list(compiled.make_docs(["seven"]))  # at the bound: no more
    assert "seven" not in compiled.chunks_seen


def test_a_chunk_met_after_a_special_case_is_split_once():
    """What the chunks given ahead are for: spaCy does not cache "well," met after "I'm" in a text, and
    splits it again each time; given ahead, it is split once."""
    import spacy

    plain, compiled = spacy.blank("en"), compile_codebook(_codebook_of([[{"LOWER": "a"}]]))
    for nlp, make_docs, again in ((plain, lambda texts: map(plain.make_doc, texts), 3),
                                  (compiled.nlp, compiled.make_docs, 1)):
        split = []
        suffix_search = nlp.tokenizer.suffix_search
        nlp.tokenizer.suffix_search = lambda text, search=suffix_search: split.append(text) or search(text)
        for _ in range(3):
            assert [t.text for doc in make_docs(["I'm well, thanks"]) for t in doc] == ["I", "'m", "well", ",",
                                                                                        "thanks"]
        assert split.count("well,") == again
