"""The JSON Schema of the codebook format, for editors (completion, hover help, red squiggles).

Built from the same constants the loader checks against, so the two cannot drift apart;
`qualcode/schema/codebook.schema.json` is a committed copy (a test keeps it equal).
The loader stays the authority: it adds positions, hints and the semantic rules.
"""
from __future__ import annotations

import json

from qualcode.codebook.load import EXAMPLE_KEYS, SUPPORTED_VERSIONS, THEME_KEYS, TOP_KEYS
from qualcode.codebook.patterns import (BOOL_ATTRS, IOB_VALUES, LIST_PREDICATES, NUMBER_ATTRS, SIMPLE_OPS,
                                        STRING_ATTRS, STRING_PREDICATES)
from qualcode.codebook.rules import COLOR

_TEXT = {"type": "string"}
_TEXTS = {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string", "minLength": 1}}]}

_THEME_PROPS = {
    "id": {"type": "string", "pattern": r"^[^/\s,;\"']+$",
           "description": "Unique identifier of the theme (letters, digits, '_'); used in outputs."},
    "name": {**_TEXT, "description": "Human-readable name."},
    "definition": {**_TEXT, "minLength": 1, "description": "What the theme covers, for every coder to apply it alike."},
    "include": {**_TEXTS, "description": "Inclusion criteria: what to code with this theme."},
    "exclude": {**_TEXTS, "description": "Exclusion criteria: what not to code with it (and where it goes instead)."},
    "examples": {"$ref": "#/$defs/examples"},
    "keywords": {**_TEXTS, "description": "Words or phrases that suggest the theme (matched on forms and lemmas)."},
    "patterns": {"type": "array", "items": {"$ref": "#/$defs/tokenPattern"},
                 "description": "spaCy Matcher token patterns that suggest the theme."},
    "roles": {**_TEXTS, "description": "Only suggest the theme in turns of these speaker roles."},
    "color": {"type": "string", "pattern": COLOR.pattern, "description": "Hex colour, quoted: \"#1f77b4\"."},
    "guid": {**_TEXT, "description": "Stable GUID for REFI-QDA exchange."},
    "parent": {**_TEXT, "description": "Id of the parent theme (instead of nesting under it)."},
    "themes": {"type": "array", "items": {"$ref": "#/$defs/theme"}, "description": "Child themes."},
}

_TOP_PROPS = {
    "version": {"enum": list(SUPPORTED_VERSIONS), "description": "Codebook format version."},
    "name": {**_TEXT, "description": "Name of the codebook."},
    "description": {**_TEXT, "description": "What the codebook is for."},
    "speakers": {"type": "object", "additionalProperties": _TEXTS,
                 "description": "Role → speaker labels used in transcripts, e.g. therapist: [T, Dr. Weber]."},
    "themes": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/theme"}},
}


def _string_value() -> dict:
    predicates = {p: ({"type": "array", "items": {"type": "string"}} if p in LIST_PREDICATES
                      else {"$ref": "#/$defs/stringValue"}) for p in STRING_PREDICATES}
    return {"oneOf": [{"type": "string"},
                      {"type": "object", "additionalProperties": False, "properties": predicates}]}


def _number_value() -> dict:
    ints = {"type": "array", "items": {"type": "integer"}}
    props = {"REGEX": {"type": "string"}, **{p: ints for p in LIST_PREDICATES},
             **{op: {"type": "number"} for op in ("==", "!=", ">=", "<=", ">", "<")}}
    return {"oneOf": [{"type": "number"}, {"type": "object", "additionalProperties": False, "properties": props}]}


def _token() -> dict:
    props: dict = {}
    for name in STRING_ATTRS:
        props[name] = {"$ref": "#/$defs/stringValue"}
    for name in NUMBER_ATTRS:
        props[name] = {"$ref": "#/$defs/numberValue"}
    for name in BOOL_ATTRS:
        props[name] = {"type": "boolean"}
    props["ENT_IOB"] = {"enum": list(IOB_VALUES)}
    props["OP"] = {"oneOf": [{"enum": list(SIMPLE_OPS)},
                             {"type": "string", "pattern": r"^(\{\d+\}|\{\d+,\d*\}|\{\d*,\d+\})$"}]}
    return {"type": "object", "additionalProperties": False, "properties": props,
            "description": "One token: attribute → value, e.g. {LOWER: trust} or {LEMMA: {IN: [say, tell]}}."}


def codebook_schema() -> dict:
    """The JSON Schema (draft 2020-12) of a qualcode codebook."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "qualcode codebook",
        "description": "A codebook of themes for coding transcripts with qualcode. "
                       "Check it with `qualcode codebook validate`.",
        "type": "object",
        "required": ["version", "themes"],
        "additionalProperties": False,
        "properties": {k: _TOP_PROPS[k] for k in TOP_KEYS},
        "$defs": {
            "theme": {"type": "object", "required": ["id", "definition"], "additionalProperties": False,
                      "properties": {k: _THEME_PROPS[k] for k in THEME_KEYS}},
            "examples": {"type": "object", "additionalProperties": False,
                         "properties": {k: _TEXTS for k in EXAMPLE_KEYS},
                         "description": "The theme's unit tests, run by `qualcode codebook test`."},
            "tokenPattern": {"type": "array", "minItems": 1, "items": _token()},
            "stringValue": _string_value(),
            "numberValue": _number_value(),
        },
    }


def codebook_schema_text() -> str:
    """The schema as the committed file holds it: indented JSON with a final newline."""
    return json.dumps(codebook_schema(), ensure_ascii=False, indent=2) + "\n"


__all__ = ["codebook_schema", "codebook_schema_text"]
