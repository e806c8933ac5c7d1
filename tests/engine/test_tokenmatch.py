"""Token patterns run as Python steps find exactly what spaCy's Matcher finds."""
from __future__ import annotations

import random

import pytest

spacy = pytest.importorskip("spacy")

from spacy.matcher import Matcher  # noqa: E402
from spacy.tokens import Doc  # noqa: E402

from qualcode.engine.tokenmatch import compile_steps, find, fixed_checks, passing_starts  # noqa: E402

WORDS = ["a", "b", "c", "A", "B", ",", ".", "3", "the", "x", "Ten"]
OPS = [None, "?", "*", "+", "{2}", "{1,2}", "{2,}", "{,2}", "{0,3}"]
REGEXES = ["^a", "b$", "[.,]", "^(a|th)"]
FLAGS = ["IS_ALPHA", "IS_PUNCT", "LIKE_NUM", "IS_UPPER", "IS_TITLE", "IS_STOP", "IS_DIGIT"]


def random_token(rng: random.Random) -> dict:
    token: dict = {}
    kind = rng.random()
    if kind < 0.35:
        token["LOWER"] = rng.choice(["a", "b", "c", "A", "the", "ten"])
    elif kind < 0.5:
        token["LOWER"] = {"IN": rng.sample(WORDS, 2)}
    elif kind < 0.6:
        token["LOWER"] = {"NOT_IN": rng.sample(WORDS, 2)}
    elif kind < 0.7:
        token["LOWER"] = {"REGEX": rng.choice(REGEXES)}
    elif kind < 0.85:
        token[rng.choice(FLAGS)] = rng.random() < 0.7
    if "LOWER" in token and rng.random() < 0.2:
        token["IS_ALPHA"] = True
    op = rng.choice(OPS)
    if op:
        token["OP"] = op
    return token


@pytest.fixture(scope="module")
def vocab():
    return spacy.blank("en").vocab


def matcher_spans(vocab, pattern, doc, start=0, end=None) -> list[tuple[int, int]]:
    matcher = Matcher(vocab)
    matcher.add("P", [pattern])
    span = doc[start:len(doc) if end is None else end]
    return sorted({(start + s, start + e) for _, s, e in matcher(span)})


def lowers_of(doc) -> list[int]:
    return [t.lower for t in doc]


def random_cases(vocab, seed: int, n: int = 2500):
    """(rng, pattern, doc, steps) for `n` random token patterns of word tests and random Docs."""
    rng = random.Random(seed)
    for _ in range(n):
        pattern = [random_token(rng) for _ in range(rng.randint(1, 4))]
        doc = Doc(vocab, words=[rng.choice(WORDS) for _ in range(rng.randint(0, 10))])
        steps = compile_steps(pattern, vocab.strings.add)
        assert steps is not None, pattern
        yield rng, pattern, doc, steps


def test_random_patterns_match_as_spacys_matcher_does(vocab):
    compared = matched = 0
    for rng, pattern, doc, steps in random_cases(vocab, 7):
        want = matcher_spans(vocab, pattern, doc)
        assert sorted(set(find(steps, doc, lowers_of(doc), 0, len(doc)))) == want, (pattern, doc.text)
        # on a part of the Doc, as the engine runs patterns on windows
        if len(doc) > 2:
            begin, end = sorted(rng.sample(range(len(doc) + 1), 2))
            assert sorted(set(find(steps, doc, lowers_of(doc), begin, end))) == \
                matcher_spans(vocab, pattern, doc, begin, end), (pattern, doc.text, begin, end)
        compared += 1
        matched += bool(want)
    assert compared == 2500 and matched > 600  # many patterns did match: the comparison was not empty


def test_matches_from_the_places_of_the_first_word(vocab):
    pattern = [{"LOWER": {"IN": ["i", "we"]}}, {"IS_ALPHA": True, "OP": "*"}, {"LOWER": "trust"}]
    steps = compile_steps(pattern, vocab.strings.add)
    doc = Doc(vocab, words="I really trust we trust , we do trust".split())
    starts = [i for i, t in enumerate(doc) if t.lower_ in ("i", "we")]
    assert find(steps, doc, lowers_of(doc), 0, len(doc), starts) == [(0, 3), (0, 5), (3, 5), (6, 9)]
    assert sorted(find(steps, doc, lowers_of(doc), 0, len(doc))) == matcher_spans(vocab, pattern, doc)


def test_the_fixed_checks_never_drop_a_start_a_match_begins_at(vocab):
    """`passing_starts` is a cheap test before `find`: on random patterns and Docs it keeps every start
    that has a match, and drops many that have none."""
    kept_with_match = dropped = 0
    for _, pattern, doc, steps in random_cases(vocab, 11):
        lowers = lowers_of(doc)
        checks = fixed_checks(steps, skip=-1)
        starts = list(range(len(doc)))
        kept = passing_starts(checks, doc, lowers, starts)
        assert kept == sorted(kept) and set(kept) <= set(starts)
        for start in starts:
            if find(steps, doc, lowers, 0, len(doc), [start]):
                assert start in kept, (pattern, doc.text, start)
                kept_with_match += 1
        dropped += len(starts) - len(kept)
    assert kept_with_match > 2000 and dropped > 1000


def test_the_fixed_checks_are_the_word_tests_before_the_first_varying_step(vocab):
    strings = vocab.strings
    pattern = [{"LOWER": {"IN": ["i", "we"]}}, {"LOWER": "trust", "IS_ALPHA": True}, {"IS_PUNCT": True},
               {"LOWER": {"REGEX": "^a"}, "OP": "{2}"}, {"LOWER": "b", "OP": "?"}, {"LOWER": "c"}]
    steps = compile_steps(pattern, strings.add)
    checks = fixed_checks(steps, skip=1)  # token 1 is the anchor: known to be "trust"
    # the flag alone is not checked (it needs a Token); the regex step covers two tokens; nothing
    # after the optional step has a fixed place
    assert [(place, words and sorted(strings[w] for w in words)) for place, words, _ in checks] == [
        (0, ["i", "we"]), (3, None), (4, None)]
    doc = Doc(vocab, words="we trust , ab aa c they trust , ab aa c".split())
    assert passing_starts(checks, doc, lowers_of(doc), [0, 6]) == [0]


@pytest.mark.parametrize("pattern", [
    [{"ORTH": "Listen"}],  # other attributes stay with spaCy's Matcher
    [{"LEMMA": "feel"}],
    [{"LOWER": "you"}, {"LOWER": "know", "OP": "!"}],  # the negation operator
    [{"LENGTH": {">=": 13}}],
    [{"LOWER": {"REGEX": "("}}],  # a regular expression Python cannot compile
    [{"LOWER": {"IN": ["a"], "NOT_IN": ["b"]}}],
    [{"IS_ALPHA": 1}],  # a flag must be true or false
])
def test_other_patterns_are_left_to_spacy(vocab, pattern):
    assert compile_steps(pattern, vocab.strings.add) is None
