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


#: Tags the safe loader builds; any other tag is refused (no object is ever constructed from a tag).
SAFE_TAGS = frozenset(f"tag:yaml.org,2002:{t}" for t in
                      ("str", "int", "float", "bool", "null", "seq", "map", "timestamp"))

#: Deepest nesting of lists and mappings accepted.
MAX_YAML_DEPTH = 100


class YamlTooLarge(Exception):
    """The document expands to more nodes than MAX_YAML_NODES, nests too deeply, or refers to itself."""

    def __init__(self, reason: str, node: yaml.Node, *, code: str = "QC105"):
        super().__init__(reason)
        self.reason = reason
        self.node = node
        self.code = code


@dataclass
class YamlDoc:
    """Plain data (`dict`, `list`, scalars) with the node tree for positions."""

    data: Any
    node: yaml.Node | None
    path: str
    duplicates: list[Diagnostic] = field(default_factory=list)

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

    def position(self, loc: tuple = (), *, key: bool = False) -> tuple[int | None, int | None]:
        """1-based (line, col) of the value (or its key, with `key=True`) at `loc`."""
        node, key_node = self._walk(loc)
        target = key_node if key and key_node is not None else node
        if target is None:
            return None, None
        return target.start_mark.line + 1, target.start_mark.column + 1


def _mark_diag(path: str, exc: yaml.MarkedYAMLError, code: str) -> Diagnostic:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else None
    col = mark.column + 1 if mark else None
    problem = exc.problem or exc.context or "invalid YAML"
    return Diagnostic(code, f"YAML syntax error: {problem}", path, line, col,
                      hint="fix the YAML syntax at this position (check indentation, quotes and colons)")


class _Builder:
    """Turn composed nodes into plain data with a node budget and duplicate-key checks."""

    def __init__(self, path: str):
        self.path = path
        self.count = 0
        self.duplicates: list[Diagnostic] = []
        self._scalar = yaml.SafeLoader("")
        self._active: list[int] = []

    def build(self, node: yaml.Node) -> Any:
        if node.tag not in SAFE_TAGS:
            raise YamlTooLarge(f"tag '{node.tag.replace('tag:yaml.org,2002:', '!!')}' is not allowed "
                               "(qualcode never builds objects from YAML tags)", node, code="QC109")
        self.count += 1
        if self.count > MAX_YAML_NODES:
            raise YamlTooLarge(f"expands to more than {MAX_YAML_NODES:,} values (aliases repeated too often)", node)
        if isinstance(node, (yaml.SequenceNode, yaml.MappingNode)):
            if id(node) in self._active:
                raise YamlTooLarge("an alias refers to the list or mapping that contains it", node)
            if len(self._active) >= MAX_YAML_DEPTH:
                raise YamlTooLarge(f"nests lists and mappings more than {MAX_YAML_DEPTH} levels deep", node)
            self._active.append(id(node))
            try:
                return self._build_collection(node)
            finally:
                self._active.pop()
        if isinstance(node, yaml.ScalarNode):
            return self._scalar.construct_object(node, deep=True)
        return None

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


def parse_yaml(text: str, path: str, *, syntax_code: str = "QC101") -> YamlDoc:
    """Parse one YAML document; raise `ValueError(Diagnostic)` on syntax errors or alias bombs."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except RecursionError:
        raise ValueError(Diagnostic("QC105", "YAML nests too deeply to read", path, 1, 1,
                                    hint="flatten the nesting")) from None
    except yaml.MarkedYAMLError as exc:
        raise ValueError(_mark_diag(path, exc, syntax_code)) from None
    except yaml.YAMLError as exc:  # unmarked errors (e.g. more than one document)
        raise ValueError(Diagnostic(syntax_code, f"YAML error: {exc}", path, 1, 1,
                                    hint="the file must hold exactly one YAML document")) from None
    if node is None:
        return YamlDoc(None, None, path)
    builder = _Builder(path)
    try:
        data = builder.build(node)
    except YamlTooLarge as exc:
        mark = exc.node.start_mark
        hint = ("remove the tag; write plain values" if exc.code == "QC109" else
                "write the values out instead of '&anchor'/'*alias' references, and flatten deep nesting")
        raise ValueError(Diagnostic(exc.code, f"YAML: {exc.reason}", path, mark.line + 1, mark.column + 1,
                                    hint=hint)) from None
    except yaml.constructor.ConstructorError as exc:
        raise ValueError(_mark_diag(path, exc, syntax_code)) from None
    return YamlDoc(data, node, path, builder.duplicates)
