"""Token patterns run as Python steps find exactly what spaCy's Matcher finds."""
from __future__ import annotations

import random

import pytest

spacy = pytest.importorskip("spacy")

from spacy.matcher import Matcher  # noqa: E402
from spacy.tokens import Doc  # noqa: E402

from qualcode.engine.tokenmatch import compile_steps, find  # noqa: E402

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


def test_random_patterns_match_as_spacys_matcher_does(vocab):
    rng = random.Random(7)
    compared = matched = 0
    for _ in range(2500):
        pattern = [random_token(rng) for _ in range(rng.randint(1, 4))]
        doc = Doc(vocab, words=[rng.choice(WORDS) for _ in range(rng.randint(0, 10))])
        steps = compile_steps(pattern, vocab.strings.add)
        assert steps is not None, pattern
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
