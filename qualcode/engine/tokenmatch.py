"""Token patterns of plain token tests, matched in Python on the LOWER array.

spaCy's Matcher costs, for every token it visits, a Token object and a Python call per set
test; a codebook's patterns mostly test words (LOWER, once LEMMA tests are rewritten to word
forms) and a few flags, and run only from a few places or on short windows. `compile_steps` turns such a pattern into
steps (fewest and most tokens, and the test), and `find` returns what spaCy's Matcher returns
for it on a span of a Doc: every (start, end) whose tokens match, of every length (a test
compares the two on random patterns and texts). A pattern with any other attribute, value or
operator gets None from `compile_steps` and stays with spaCy's Matcher.
"""
from __future__ import annotations

import re
from typing import NamedTuple

#: Lexical flags a step can test, and the Token attribute that holds each.
FLAGS = {"IS_ALPHA": "is_alpha", "IS_ASCII": "is_ascii", "IS_DIGIT": "is_digit", "IS_LOWER": "is_lower",
         "IS_UPPER": "is_upper", "IS_TITLE": "is_title", "IS_PUNCT": "is_punct", "IS_SPACE": "is_space",
         "IS_BRACKET": "is_bracket", "IS_QUOTE": "is_quote", "IS_LEFT_PUNCT": "is_left_punct",
         "IS_RIGHT_PUNCT": "is_right_punct", "IS_CURRENCY": "is_currency", "IS_STOP": "is_stop",
         "LIKE_NUM": "like_num", "LIKE_URL": "like_url", "LIKE_EMAIL": "like_email"}

_COUNT = re.compile(r"\{\s*(\d*)\s*(,?)\s*(\d*)\s*\}")


class Step(NamedTuple):
    """One token of a pattern: how many tokens in a row it takes, and what each must be."""

    low: int
    high: int | None  # None: any number
    words: frozenset[int] | None  # LOWER hashes the token must be one of (None: any)
    not_words: frozenset[int]  # LOWER hashes it must not be
    flags: tuple[tuple[str, bool], ...]  # (Token attribute, value it must have)
    regex: "re.Pattern | None" = None  # the lower-cased word must contain a match (as spaCy's REGEX)
    seen: dict | None = None  # LOWER hash -> whether `regex` matches that word (filled as words come)


def _counts(op) -> tuple[int, int | None] | None:
    if op is None:
        return 1, 1
    if op == "?":
        return 0, 1
    if op == "*":
        return 0, None
    if op == "+":
        return 1, None
    found = _COUNT.fullmatch(op) if isinstance(op, str) else None
    if not found or not (found.group(1) or found.group(3)):
        return None
    low = int(found.group(1) or 0)
    if not found.group(2):
        return low, low
    high = int(found.group(3)) if found.group(3) else None
    return (low, high) if high is None or high >= low else None


def compile_steps(pattern: list[dict], string_id) -> tuple[Step, ...] | None:
    """Steps for a pattern of LOWER word tests (a word, IN, NOT_IN, REGEX) and lexical flags with the
    operators ? * + {n} {n,m} {n,} {,m} (or none); None for any other pattern. `string_id(word)` is the
    vocabulary's hash of a word."""
    steps = []
    for token in pattern:
        keys = {str(k).upper(): v for k, v in token.items()}
        if len(keys) != len(token):
            return None
        counts = _counts(keys.pop("OP", None))
        if counts is None or counts == (0, 0):
            return None
        words: frozenset[int] | None = None
        not_words: frozenset[int] = frozenset()
        regex = None
        flags = []
        for attr, value in keys.items():
            if attr == "LOWER":
                if isinstance(value, str):
                    words = frozenset([string_id(value)])
                elif isinstance(value, dict) and list(value) == ["REGEX"] and isinstance(value["REGEX"], str):
                    try:
                        regex = re.compile(value["REGEX"])
                    except re.error:
                        return None
                elif (isinstance(value, dict) and len(value) == 1 and set(value) <= {"IN", "NOT_IN"}
                      and all(isinstance(v, list) and all(isinstance(w, str) for w in v) for v in value.values())):
                    if "IN" in value:
                        words = frozenset(string_id(w) for w in value["IN"])
                    else:
                        not_words = frozenset(string_id(w) for w in value["NOT_IN"])
                else:
                    return None
            elif attr in FLAGS and isinstance(value, bool):
                flags.append((FLAGS[attr], value))
            else:
                return None
        steps.append(Step(*counts, words, not_words, tuple(flags), regex, {} if regex else None))
    return tuple(steps) if steps else None


def _ok(step: Step, doc, lowers: list[int], i: int) -> bool:
    word = lowers[i]
    if step.words is not None and word not in step.words:
        return False
    if word in step.not_words:
        return False
    if step.regex is not None:
        found = step.seen.get(word)
        if found is None:
            found = step.seen[word] = step.regex.search(doc.vocab.strings[word]) is not None
        if not found:
            return False
    if step.flags:
        token = doc[i]
        return all(getattr(token, attr) == want for attr, want in step.flags)
    return True


def find(steps: tuple[Step, ...], doc, lowers: list[int], begin: int, end: int,
         starts: list[int] | None = None) -> list[tuple[int, int]]:
    """Every (start, end) within tokens [begin, end) of `doc` that the pattern matches; with `starts`,
    only the matches starting there (ascending positions within [begin, end))."""
    out: list[tuple[int, int]] = []
    first = steps[0]
    for start in range(begin, end) if starts is None else starts:
        if first.low and not _ok(first, doc, lowers, start):
            continue
        places = {start}
        for step in steps:
            reached: set[int] = set()
            for place in places:
                if step.low == 0:
                    reached.add(place)
                taken, i = 0, place
                while (step.high is None or taken < step.high) and i < end and _ok(step, doc, lowers, i):
                    i += 1
                    taken += 1
                    if taken >= step.low:
                        reached.add(i)
            if not reached:
                break
            places = reached
        else:
            out.extend((start, e) for e in sorted(places) if e > start)
    return out


def fixed_checks(steps: tuple[Step, ...], skip: int) -> tuple[tuple[int, frozenset[int] | None, Step], ...]:
    """Tests every match passes at a fixed place from its start, for `passing_starts`: those of the
    tokens before the first step of a varying count, but token `skip` (known to pass) and the flags
    (they need a Token). Each is (place, words, step): `words` when the words alone are tested there,
    else None (the step's `_ok` without flags)."""
    out = []
    place = 0
    for step in steps:
        if step.low != step.high:
            break
        if step.words is not None and (step.flags or (not step.not_words and step.regex is None)):
            test = (step.words, step)
        elif not step.flags and (step.not_words or step.regex is not None):
            test = (None, step)
        else:
            test = None
        if test is not None:
            out.extend((p, *test) for p in range(place, place + step.low) if p != skip)
        place += step.low
    return tuple(out)


def passing_starts(checks: tuple[tuple[int, frozenset[int] | None, Step], ...], doc, lowers: list[int],
                   starts: list[int]) -> list[int]:
    """The `starts` from which the pattern can match, by its `fixed_checks` (a cheap test before `find`)."""
    n = len(lowers)
    out = []
    for start in starts:
        for place, words, step in checks:
            i = start + place
            if i >= n or (lowers[i] not in words if words is not None else not _ok(step, doc, lowers, i)):
                break
        else:
            out.append(start)
    return out
