"""Safe YAML reading that keeps positions: plain data plus the node tree it came from.

Only PyYAML's SafeLoader is used, and objects are built from composed nodes, so
no tag can run code. Alias expansion is bounded (no "billion laughs"), duplicate
keys are reported (PyYAML silently keeps the last), and every value can be traced
back to its `line:col`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from qualcode.errors import Diagnostic

#: Largest YAML file read (bytes) and most nodes built, aliases expanded.
MAX_YAML_BYTES = 5_000_000
MAX_YAML_NODES = 200_000


#: libyaml's safe loader when PyYAML was built with it (about 8x faster), else the pure-Python one.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


#: Deepest nesting of lists and mappings accepted.
MAX_YAML_DEPTH = 100


class YamlTooLarge(Exception):
    """The document expands to too many nodes, nests too deeply, refers to itself, or has a refused tag."""

    def __init__(self, reason: str, node: yaml.Node, *, code: str = "QC105", hint: str | None = None):
        super().__init__(reason)
        self.reason, self.node, self.code = reason, node, code
        self.hint = hint or ("check you named the right file; write values out instead of nesting "
                             "'&anchor'/'*alias' references")


@dataclass
class YamlDoc:
    """Plain data (`dict`, `list`, scalars) with the node tree for positions."""

    data: Any
    node: yaml.Node | None
    path: str
    duplicates: list[Diagnostic] = field(default_factory=list)
    #: nodes with a tag outside YAML's core schema (only collected when `parse_yaml(tag_code=...)`)
    tags: list[Diagnostic] = field(default_factory=list)

    def _walk(self, loc: tuple) -> tuple[yaml.Node | None, yaml.Node | None]:
        """(value node, key node) at `loc`, stopping at the deepest node that exists."""
        node, key_node = self.node, None
        for part in loc:
            if isinstance(node, yaml.MappingNode):
                for k, v in node.value:
                    if isinstance(k, yaml.ScalarNode) and k.value == str(part):
                        node, key_node = v, k
                        break
                else:
                    return node, None
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                if 0 <= part < len(node.value):
                    node, key_node = node.value[part], None
                else:
                    return node, None
            else:
                return node, None
        return node, key_node

    def plain_scalar(self, loc: tuple) -> str | None:
        """The source text of the unquoted scalar at `loc` (None if quoted, not a scalar, or absent)."""
        node, _ = self._walk(loc)
        if isinstance(node, yaml.ScalarNode) and not node.style and self._reached(loc):  # None or '' (libyaml)
            return node.value
        return None

    def _reached(self, loc: tuple) -> bool:
        """Does `loc` lead all the way to a node (not stop early at an ancestor)?"""
        node = self.node
        for part in loc:
            if isinstance(node, yaml.MappingNode):
                node = next((v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == str(part)), None)
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
                node = node.value[part]
            else:
                return False
            if node is None:
                return False
        return True

    def position(self, loc: tuple = (), *, key: bool = False) -> tuple[int | None, int | None]:
        """1-based (line, col) of the value (or its key, with `key=True`) at `loc`."""
        node, key_node = self._walk(loc)
        target = key_node if key and key_node is not None else node
        if target is None:
            return None, None
        return target.start_mark.line + 1, target.start_mark.column + 1


#: Tags whose values are plain data; any other tag is reported (when asked) and ignored.
CORE_TAGS = frozenset("tag:yaml.org,2002:" + t for t in ("str", "int", "float", "bool", "null", "seq", "map"))


#: Tags PyYAML gives unquoted words by itself (dates, `<<`, `=`): read as text, not reported.
IMPLICIT_TAGS = frozenset("tag:yaml.org,2002:" + t for t in ("timestamp", "merge", "value"))


def _tag_diag(node: yaml.Node, path: str, code: str) -> Diagnostic:
    tag = node.tag.replace("tag:yaml.org,2002:", "!!")
    line, col = node.start_mark.line + 1, node.start_mark.column + 1
    if tag.startswith("!!python/"):
        return Diagnostic(code, f"YAML tag '{tag}' asks to construct a Python object; it is refused and "
                                "never run", path, line, col, hint="remove the tag: a codebook holds only text, "
                                "numbers, lists and mappings")
    return Diagnostic(code, f"YAML tag '{tag}' is not allowed here", path, line, col,
                      hint="remove the tag: a codebook holds only text, numbers, lists and mappings")


def _untagged(node: yaml.Node) -> yaml.Node:
    """The same node as plain data: a tagged scalar becomes text, a tagged list or mapping plain."""
    if isinstance(node, yaml.ScalarNode):
        return yaml.ScalarNode("tag:yaml.org,2002:str", node.value, node.start_mark, node.end_mark, node.style)
    if isinstance(node, yaml.SequenceNode):
        return yaml.SequenceNode("tag:yaml.org,2002:seq", node.value, node.start_mark, node.end_mark)
    return yaml.MappingNode("tag:yaml.org,2002:map", node.value, node.start_mark, node.end_mark)


def _mark_diag(path: str, exc: yaml.MarkedYAMLError, code: str) -> Diagnostic:
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or exc.context or "invalid YAML"
    if exc.context and exc.context_mark and "end of stream" in (exc.problem or ""):
        # an unclosed quote or bracket: point where it opened, not at the end of the file
        mark, problem = exc.context_mark, f"{exc.problem} {exc.context}"
    elif exc.context and exc.problem and not exc.context.startswith("while"):
        problem = f"{exc.context}, {exc.problem}"  # "expected a single document…, but found another…"
    line = mark.line + 1 if mark else None
    col = mark.column + 1 if mark else None
    return Diagnostic(code, f"YAML syntax error: {problem}", path, line, col,
                      hint="fix the YAML syntax at this position (check indentation, quotes and colons)")


class _Builder:
    """Turn composed nodes into plain data with a node budget and duplicate-key checks."""

    def __init__(self, path: str, tag_code: str | None = None):
        self.path = path
        self.count = 0
        self.duplicates: list[Diagnostic] = []
        self.tag_code = tag_code
        self.tags: list[Diagnostic] = []
        self._scalar = yaml.SafeLoader("")
        self._active: list[int] = []

    def build(self, node: yaml.Node) -> Any:
        self.count += 1
        if self.count > MAX_YAML_NODES:
            raise YamlTooLarge(f"holds or expands to more than {MAX_YAML_NODES:,} values", node)
        if node.tag not in CORE_TAGS:
            if self.tag_code is None:  # front matter: dates stay dates, other tags are refused
                if node.tag not in IMPLICIT_TAGS:
                    diag = _tag_diag(node, self.path, "QC109")
                    raise YamlTooLarge(diag.message, node, code="QC109", hint="remove the tag; write plain values")
            else:  # codebooks: every tag is reported, and the value read as plain data
                if node.tag not in IMPLICIT_TAGS:
                    self.tags.append(_tag_diag(node, self.path, self.tag_code))
                node = _untagged(node)
        if isinstance(node, yaml.ScalarNode):
            return self._scalar.construct_object(node, deep=True)
        if id(node) in self._active:
            raise YamlTooLarge("has an alias that refers to the list or mapping containing it", node)
        if len(self._active) >= MAX_YAML_DEPTH:
            raise YamlTooLarge(f"nests lists and mappings more than {MAX_YAML_DEPTH} levels deep", node)
        self._active.append(id(node))
        try:
            return self._build_collection(node)
        finally:
            self._active.pop()

    def _build_collection(self, node: yaml.Node) -> Any:
        if isinstance(node, yaml.SequenceNode):
            return [self.build(child) for child in node.value]
        if isinstance(node, yaml.MappingNode):
            out: dict = {}
            for key_node, value_node in node.value:
                key = self.build(key_node)
                if not isinstance(key, (str, int, float, bool)) and key is not None:
                    key = str(key)
                if key in out:
                    self.duplicates.append(Diagnostic(
                        "QC104", f"duplicate key '{key}' (the YAML library would silently keep the last one)",
                        self.path, key_node.start_mark.line + 1, key_node.start_mark.column + 1,
                        hint="remove or rename one of the two keys"))
                out[key] = self.build(value_node)
            return out
        return None


def _too_deep(path: str) -> Diagnostic:
    return Diagnostic("QC105", "YAML is nested too deeply to read", path, 1, 1,
                      hint="check you named the right file; qualcode needs only a few levels of nesting")


def parse_yaml(text: str, path: str, *, syntax_code: str = "QC101", tag_code: str | None = None) -> YamlDoc:
    """Parse one YAML document; raise `ValueError(Diagnostic)` on syntax errors or alias bombs.

    With `tag_code`, values tagged outside YAML's core schema (`!!python/object`, `!custom`) are
    reported in `YamlDoc.tags` under that code and read as plain data, instead of failing."""
    try:
        node = yaml.compose(text, Loader=_LOADER)
    except RecursionError:
        raise ValueError(_too_deep(path)) from None
    except yaml.MarkedYAMLError as exc:
        if "nesting depth" in (exc.problem or ""):  # libyaml's own limit
            raise ValueError(_too_deep(path)) from None
        raise ValueError(_mark_diag(path, exc, syntax_code)) from None
    except yaml.YAMLError as exc:  # unmarked errors (e.g. more than one document)
        raise ValueError(Diagnostic(syntax_code, f"YAML error: {exc}", path, 1, 1,
                                    hint="the file must hold exactly one YAML document")) from None
    if node is None:
        return YamlDoc(None, None, path)
    builder = _Builder(path, tag_code)
    try:
        data = builder.build(node)
    except YamlTooLarge as exc:
        mark = exc.node.start_mark
        message = exc.reason if exc.code == "QC109" else f"YAML {exc.reason}"
        raise ValueError(Diagnostic(exc.code, message, path, mark.line + 1, mark.column + 1, hint=exc.hint)) from None
    except RecursionError:
        raise ValueError(_too_deep(path)) from None
    except yaml.constructor.ConstructorError as exc:
        raise ValueError(_mark_diag(path, exc, syntax_code)) from None
    return YamlDoc(data, node, path, builder.duplicates, builder.tags)
