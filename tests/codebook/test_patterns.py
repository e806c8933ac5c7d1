"""The spaCy-free pattern checker accepts exactly what spaCy's own pattern schema accepts."""
from __future__ import annotations

import pytest

from qualcode.codebook.patterns import check_token_pattern
from qualcode.errors import ERROR

PATTERNS = [
    [{"LOWER": "trust"}],
    [{"lower": "trust"}],
    [{"ORTH": "I"}, {"LEMMA": "trust"}],
    [{"LEMMA": {"IN": ["say", "tell"]}}],
    [{"LOWER": {"NOT_IN": ["a", "b"]}}, {"TEXT": {"REGEX": "^x"}}],
    [{"LOWER": {"regex": "^x"}}],
    [{"LOWER": {"FUZZY": "trust"}}, {"LOWER": {"FUZZY2": {"IN": ["a", "b"]}}}],
    [{"LENGTH": 3}, {"LENGTH": {">=": 2}}, {"LENGTH": {"==": 2.5}}, {"LENGTH": {"IN": [1, 2]}}],
    [{"IS_PUNCT": True}, {"IS_ALPHA": False, "OP": "?"}],
    [{"OP": "*"}], [{"OP": "+"}], [{"OP": "!"}], [{"OP": "{2}"}], [{"OP": "{1,3}"}], [{"OP": "{,3}"}],
    [{"OP": "{2,}"}], [{}],
    [{"ENT_IOB": "B"}], [{"ENT_IOB": 3}], [{"POS": "VERB"}], [{"MORPH": {"IS_SUPERSET": ["Number=Sing"]}}],
    # invalid ones
    [], [{"LOWR": "x"}], [{"LOWER": True}], [{"LOWER": 3}], [{"LOWER": None}], [{"LOWER": ["a"]}],
    [{"LOWER": {"IN": "a"}}], [{"LOWER": {"IN": [1]}}], [{"LOWER": {"REGX": "a"}}], [{"LOWER": {"IN": [None]}}],
    [{"OP": "++"}], [{"OP": "{a}"}], [{"OP": 1}], [{"OP": {1: None}}], [{"IS_PUNCT": "yes"}], [{"IS_PUNCT": 1}],
    [{"LENGTH": "3"}], [{"LENGTH": True}], [{"LENGTH": {">=": "3"}}], [{"LENGTH": {"IN": [1.5]}}],
    [{"LENGTH": {"<>": 3}}], [{"ENT_IOB": "X"}], [{"Lower": "x"}], [{"LOWER": "a", "lower": "a"}],
    ["trust"], [["trust"]], [{"LOWER": {"REGEX": 3}}],
]


@pytest.mark.parametrize("pattern", PATTERNS, ids=repr)
def test_agrees_with_spacy(pattern):
    from spacy.schemas import validate_token_pattern

    ours = [p for p in check_token_pattern(pattern) if p.severity == ERROR]
    theirs = validate_token_pattern(pattern)
    assert bool(ours) == bool(theirs), (ours, theirs)


def test_extensions_refused_although_spacy_accepts_them():
    """`_` needs Python code to register extensions, which a codebook cannot have."""
    problems = check_token_pattern([{"_": {"is_filler": True}}])
    assert [(p.code, p.loc, p.key) for p in problems] == [("QC122", (0, "_"), True)]


def test_problem_paths_point_inside_the_pattern():
    problems = check_token_pattern([{"LOWER": "a"}, {"LEMMA": {"IN": ["x", True]}}],
                                   source=lambda loc: "on" if loc == (1, "LEMMA", "IN", 1) else None)
    assert [(p.code, p.loc, p.message) for p in problems] == [
        ("QC120", (1, "LEMMA", "IN", 1),
         "token 2 → LEMMA → IN[2]: expected text, but YAML reads the unquoted word on as true")]
    assert problems[0].hint == 'quote it: "on"'
