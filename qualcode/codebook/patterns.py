"""Check spaCy Matcher token patterns without importing spaCy.

The rules mirror spaCy's own pattern schema (`spacy.schemas.TokenPattern`, spaCy 3.7–3.8): the
same attributes, value types and operators, so `qualcode codebook validate` accepts what the
Matcher accepts (a test compares the two on a table of patterns) while staying fast. Problems
come back with the path inside the pattern (`(token index, attribute, ...)`) so the caller can
point at their YAML line and column, and with a message a codebook author can act on.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

from qualcode.errors import ERROR, WARNING

#: Attributes whose value is text, or a mapping such as {IN: [...]} / {REGEX: ...}.
STRING_ATTRS = ("ORTH", "TEXT", "LOWER", "POS", "TAG", "MORPH", "DEP", "LEMMA", "SHAPE", "ENT_TYPE",
                "ENT_ID", "ENT_KB_ID", "NORM")
#: Attributes whose value is a number, or a mapping such as {">=": 3}.
NUMBER_ATTRS = ("LENGTH",)
#: Attributes whose value is true or false.
BOOL_ATTRS = ("SPACY", "IS_ALPHA", "IS_ASCII", "IS_DIGIT", "IS_LOWER", "IS_UPPER", "IS_TITLE", "IS_PUNCT",
              "IS_SPACE", "IS_BRACKET", "IS_QUOTE", "IS_LEFT_PUNCT", "IS_RIGHT_PUNCT", "IS_CURRENCY", "IS_STOP",
              "IS_SENT_START", "SENT_START", "LIKE_NUM", "LIKE_URL", "LIKE_EMAIL")
IOB_ATTRS = ("ENT_IOB",)
IOB_VALUES = ("", "I", "O", "B", 0, 1, 2, 3)
ATTRIBUTES = STRING_ATTRS + NUMBER_ATTRS + BOOL_ATTRS + IOB_ATTRS + ("OP",)

#: Operators of an attribute value given as a mapping.
LIST_PREDICATES = ("IN", "NOT_IN", "IS_SUBSET", "IS_SUPERSET", "INTERSECTS")
FUZZY_PREDICATES = ("FUZZY",) + tuple(f"FUZZY{i}" for i in range(1, 10))
STRING_PREDICATES = ("REGEX",) + LIST_PREDICATES + FUZZY_PREDICATES
COMPARISONS = {"==": "EQ", "!=": "NEQ", ">=": "GEQ", "<=": "LEQ", ">": "GT", "<": "LT"}
NUMBER_PREDICATES = ("REGEX",) + LIST_PREDICATES + tuple(COMPARISONS) + tuple(COMPARISONS.values())

#: The OP values: one symbol, or a count such as {2}, {1,3}, {,3}, {2,}.
SIMPLE_OPS = ("+", "*", "?", "!")
COUNT_OP = re.compile(r"^(\{\d+\}|\{\d+,\d*\}|\{\d*,\d+\})$")

#: Attributes set only by a trained pipeline (the built-in one tokenizes and looks up lemmas only).
TRAINED_ATTRS = ("POS", "TAG", "MORPH", "DEP", "ENT_TYPE", "ENT_IOB", "ENT_ID", "ENT_KB_ID", "IS_SENT_START",
                 "SENT_START")

#: Plain YAML 1.1 words that PyYAML reads as booleans.
YAML_BOOL_WORDS = frozenset(w for word in ("yes", "no", "on", "off", "true", "false")
                            for w in (word, word.capitalize(), word.upper()))


@dataclass(frozen=True)
class PatternProblem:
    """One problem in one token pattern; `loc` is the path inside the pattern (token index first)."""

    code: str
    loc: tuple
    message: str
    hint: str | None = None
    severity: str = ERROR
    key: bool = False  # point at the key (an unknown attribute), not its value


def _name(key: Any) -> str:
    return key.upper() if isinstance(key, str) and key.lower() == key else str(key)


def _canonical(key: Any, names: tuple[str, ...]) -> str | None:
    """spaCy accepts each name upper-case or lower-case (`LOWER`, `lower`)."""
    if isinstance(key, str) and (key in names or (key == key.lower() and key.upper() in names)):
        return key.upper()
    return None


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


class _PatternChecker:
    def __init__(self, source: Callable[[tuple], str | None]):
        self.source = source
        self.problems: list[PatternProblem] = []

    def add(self, loc: tuple, message: str, hint: str | None = None, *, code: str = "QC120",
            severity: str = ERROR, key: bool = False) -> None:
        self.problems.append(PatternProblem(code, loc, message, hint, severity, key))

    def wrong_type(self, loc: tuple, where: str, expected: str, value: Any) -> None:
        """A value of the wrong type; explains unquoted yes/no/on/off read as booleans."""
        word = self.source(loc) if isinstance(value, bool) else None
        if word in YAML_BOOL_WORDS:
            self.add(loc, f"{where}: expected {expected}, but YAML reads the unquoted word {word} as "
                          f"{_show(value)}", f'quote it: "{word}"')
        else:
            self.add(loc, f"{where}: expected {expected}, got {_show(value)}")

    # -- one pattern -----------------------------------------------------
    def pattern(self, pattern: Any) -> None:
        if not isinstance(pattern, list):
            self.add((), f"expected a list of token mappings such as [{{LOWER: trust}}], got {_show(pattern)}")
            return
        if not pattern:
            self.add((), "the pattern is empty", "give at least one token, e.g. [{LOWER: trust}]")
            return
        for i, token in enumerate(pattern):
            self.token(token, i)

    def token(self, token: Any, i: int) -> None:
        where = f"token {i + 1}"
        if not isinstance(token, dict):
            self.add((i,), f"{where}: expected a mapping of attribute → value such as {{LOWER: trust}}, "
                           f"got {_show(token)}")
            return
        seen: dict[str, Any] = {}
        for key, value in token.items():
            loc = (i, key)
            if key == "_":
                self.add(loc, f"{where} → _: custom extension attributes are not available in qualcode",
                         "use built-in attributes such as LOWER, LEMMA or TEXT", code="QC122", key=True)
                continue
            name = _canonical(key, ATTRIBUTES)
            if name is None:
                from qualcode.codebook.load import did_you_mean

                self.add(loc, f"{where}: unknown token attribute '{key}'",
                         did_you_mean(str(key).upper(), ATTRIBUTES) or
                         "use a spaCy token attribute such as LOWER, LEMMA, TEXT, IS_PUNCT or OP", key=True)
                continue
            if name in seen:
                self.add(loc, f"{where}: attribute {name} given twice ('{seen[name]}' and '{key}')",
                         "keep one of them", key=True)
                continue
            seen[name] = key
            self.value(name, value, loc, f"{where} → {name}")

    # -- attribute values -------------------------------------------------
    def value(self, name: str, value: Any, loc: tuple, where: str) -> None:
        if value is None:
            self.add(loc, f"{where}: a value is required (null is not allowed)")
        elif name == "OP":
            self.op(value, loc, where)
        elif name in STRING_ATTRS:
            self.string_value(value, loc, where)
            if name in TRAINED_ATTRS:
                self.trained(name, loc, where)
        elif name in NUMBER_ATTRS:
            self.number_value(value, loc, where)
        elif name in BOOL_ATTRS:
            if not isinstance(value, bool):
                self.wrong_type(loc, where, "true or false", value)
            else:
                word = self.source(loc)
                if word in YAML_BOOL_WORDS and word.lower() not in ("true", "false"):
                    self.add(loc, f"{where}: '{word}' is a YAML 1.1 boolean", f"write {_show(value)} instead",
                             code="QC121", severity=WARNING)
            if name in TRAINED_ATTRS:
                self.trained(name, loc, where)
        elif name in IOB_ATTRS:
            if isinstance(value, bool) or value not in IOB_VALUES:
                self.wrong_type(loc, where, "one of '', I, O, B, 0, 1, 2, 3", value)
            self.trained(name, loc, where)

    def trained(self, name: str, loc: tuple, where: str) -> None:
        self.add(loc, f"{where}: {name} is set only by a trained spaCy pipeline",
                 "run with --pipeline NAME (e.g. en_core_web_sm), or use LOWER/LEMMA; the built-in pipeline "
                 "cannot use this pattern", code="QC123", severity=WARNING, key=True)

    def op(self, value: Any, loc: tuple, where: str) -> None:
        if isinstance(value, str) and (value in SIMPLE_OPS or COUNT_OP.match(value)):
            return
        if isinstance(value, dict) and value and all(isinstance(k, int) for k in value):
            # YAML reads an unquoted {2} or {1,3} as a mapping
            self.add(loc, f"{where}: YAML read the count operator as a mapping", 'quote it, e.g. OP: "{1,3}"')
            return
        self.add(loc, f"{where}: unknown operator {_show(value)}",
                 "use one of '+', '*', '?', '!' or a count such as '{2}', '{1,3}' (quote it in YAML)")

    def string_value(self, value: Any, loc: tuple, where: str) -> None:
        if isinstance(value, str):
            return
        if not isinstance(value, dict):
            self.wrong_type(loc, where, "text or a mapping such as {IN: [...]}", value)
            return
        for key, inner in value.items():
            name = _canonical(key, STRING_PREDICATES)
            here = f"{where} → {_name(key)}"
            if name is None:
                self.unknown_predicate(key, STRING_PREDICATES, loc + (key,), where)
            elif inner is None:
                self.add(loc + (key,), f"{here}: a value is required (null is not allowed)")
            elif name in LIST_PREDICATES:
                self.str_list(inner, loc + (key,), here)
            elif not isinstance(inner, (str, dict)):
                self.wrong_type(loc + (key,), here, "text", inner)
            elif isinstance(inner, dict):
                self.string_value(inner, loc + (key,), here)
            if name == "REGEX" or (name or "").startswith("FUZZY"):
                kind = "regular expression" if name == "REGEX" else "fuzzy match"
                self.add(loc + (key,), f"{here}: a {kind} is tested against every token of every turn",
                         "prefer a keyword or an IN list when one will do", code="QC124",
                         severity=WARNING, key=True)

    def number_value(self, value: Any, loc: tuple, where: str) -> None:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return
        if not isinstance(value, dict):
            self.wrong_type(loc, where, "a number or a mapping such as {'>=': 3}", value)
            return
        for key, inner in value.items():
            name = _canonical(key, NUMBER_PREDICATES)
            here = f"{where} → {key}"
            if name is None:
                self.unknown_predicate(key, NUMBER_PREDICATES, loc + (key,), where)
            elif inner is None:
                self.add(loc + (key,), f"{here}: a value is required (null is not allowed)")
            elif name == "REGEX":
                if not isinstance(inner, str):
                    self.wrong_type(loc + (key,), here, "text", inner)
            elif name in LIST_PREDICATES:
                if not isinstance(inner, list) or any(isinstance(v, bool) or not isinstance(v, int) for v in inner):
                    self.add(loc + (key,), f"{here}: expected a list of whole numbers")
            elif isinstance(inner, bool) or not isinstance(inner, (int, float)):
                self.wrong_type(loc + (key,), here, "a number", inner)

    def str_list(self, value: Any, loc: tuple, where: str) -> None:
        if not isinstance(value, list):
            self.wrong_type(loc, where, "a list of text", value)
            return
        for j, item in enumerate(value):
            if not isinstance(item, str):
                self.wrong_type(loc + (j,), f"{where}[{j + 1}]", "text", item)

    def unknown_predicate(self, key: Any, allowed: tuple[str, ...], loc: tuple, where: str) -> None:
        from qualcode.codebook.load import did_you_mean

        self.add(loc, f"{where}: unknown operator '{key}'",
                 did_you_mean(str(key).upper(), allowed) or f"use one of {', '.join(allowed[:6])}", key=True)


def _wildcard_repeats(pattern: list) -> list[int]:
    """Indexes of tokens that match any token, any number of times ({OP: '*'} and the like)."""
    out = []
    for i, token in enumerate(pattern):
        if not isinstance(token, dict):
            continue
        op = token.get("OP", token.get("op"))
        others = [k for k in token if str(k).upper() != "OP"]
        open_ended = op in ("*", "+") or (isinstance(op, str) and COUNT_OP.match(op) and op.endswith(",}"))
        if open_ended and not others:
            out.append(i)
    return out


def check_token_pattern(pattern: Any, *, source: Callable[[tuple], str | None] = lambda loc: None
                        ) -> list[PatternProblem]:
    """Every problem in one Matcher token pattern. `source(loc)` gives the unquoted YAML text of a
    scalar inside the pattern, when known, to explain booleans YAML read from words like `on`."""
    checker = _PatternChecker(source)
    checker.pattern(pattern)
    if isinstance(pattern, list):
        for i in _wildcard_repeats(pattern):
            checker.add((i,), f"token {i + 1}: any token, repeated without limit, makes matching slow on "
                              "long turns", "constrain the token (e.g. {IS_PUNCT: false}) or give a bound "
                              "such as OP: '{0,3}'", code="QC124", severity=WARNING)
    return checker.problems


__all__ = ["ATTRIBUTES", "PatternProblem", "TRAINED_ATTRS", "YAML_BOOL_WORDS", "check_token_pattern"]
