"""Read a YAML codebook into a `Codebook`, collecting every problem with its line and column."""
from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from qualcode.errors import ERROR, WARNING, CodebookError, Diagnostic
from qualcode.models import Codebook, Theme
from qualcode.yamlsrc import MAX_YAML_BYTES, YamlDoc, parse_yaml

TOP_KEYS = ("version", "name", "description", "speakers", "themes")
THEME_KEYS = ("id", "name", "definition", "include", "exclude", "examples", "keywords",
              "patterns", "roles", "color", "guid", "parent", "themes")
EXAMPLE_KEYS = ("positive", "negative")
SUPPORTED_VERSIONS = (1,)


def did_you_mean(word: str, options: list[str] | tuple[str, ...]) -> str | None:
    close = difflib.get_close_matches(str(word), [str(o) for o in options], n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None


def read_codebook_text(path: str | Path) -> str:
    """The codebook file's text; a `CodebookError` if it cannot be read."""
    path = Path(path)
    name = str(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise CodebookError(Diagnostic("QC001", "codebook not found", name,
                                       hint="check the path given with --codebook")) from None
    except OSError as exc:
        raise CodebookError(Diagnostic("QC001", f"cannot read codebook: {exc.strerror}", name)) from None
    if path.is_dir():
        raise CodebookError(Diagnostic("QC001", "is a folder, not a codebook file", name,
                                       hint="name a .yaml file"))
    if size > MAX_YAML_BYTES:
        raise CodebookError(Diagnostic("QC106", f"codebook is {size:,} bytes, more than the {MAX_YAML_BYTES:,} allowed",
                                       name, 1, 1, hint="a codebook is a small text file; check you named the right file"))
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CodebookError(Diagnostic("QC001", f"cannot read codebook: {exc.strerror}", name)) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise CodebookError(Diagnostic("QC107", "codebook is not UTF-8 text", name, line, 1,
                                       hint="save the codebook as UTF-8")) from None


class _Checker:
    """Walks the plain data of a codebook, building themes and collecting diagnostics."""

    def __init__(self, doc: YamlDoc):
        self.doc = doc
        self.path = doc.path
        self.diags: list[Diagnostic] = list(doc.duplicates)
        self.themes: list[Theme] = []

    # -- reporting -------------------------------------------------------
    def report(self, code: str, message: str, loc: tuple, *, hint: str | None = None,
               key: bool = False, severity: str = ERROR) -> None:
        line, col = self.doc.position(loc, key=key)
        self.diags.append(Diagnostic(code, message, self.path, line, col, hint, severity))

    @staticmethod
    def who(theme_id: str | None, field: str | None = None) -> str:
        who = f"theme '{theme_id}'" if theme_id else "theme"
        return f"{who} → {field}" if field else who

    # -- typed getters ---------------------------------------------------
    def text(self, data: dict, key: str, loc: tuple, owner: str, *, required: bool = False) -> str:
        value = data.get(key)
        if value is None:
            if required:
                self.report("QC102", f"{owner}: missing required key '{key}'", loc,
                            hint=f"add '{key}:' to this item")
            return ""
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.report("QC102", f"{owner} → {key}: expected text, got {type(value).__name__}", loc + (key,))
            return ""
        return str(value).strip()

    def text_list(self, data: dict, key: str, loc: tuple, owner: str) -> tuple[str, ...]:
        value = data.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            return (value.strip(),)
        if not isinstance(value, list):
            self.report("QC102", f"{owner} → {key}: expected a list of text, got {type(value).__name__}",
                        loc + (key,))
            return ()
        out = []
        for i, item in enumerate(value):
            if isinstance(item, bool) or not isinstance(item, (str, int, float)):
                self.report("QC102", f"{owner} → {key}[{i + 1}]: expected text, got {type(item).__name__}",
                            loc + (key, i))
                continue
            out.append(str(item).strip())
        return tuple(out)

    def unknown_keys(self, data: dict, allowed: tuple[str, ...], loc: tuple, owner: str) -> None:
        for key in data:
            if key not in allowed:
                self.report("QC103", f"{owner}: unknown key '{key}'", loc + (key,), key=True,
                            hint=did_you_mean(key, allowed) or f"allowed keys: {', '.join(allowed)}")

    # -- structure -------------------------------------------------------
    def top(self) -> Codebook | None:
        data = self.doc.data
        if data is None:
            self.report("QC102", "codebook is empty", (), hint="a codebook needs 'version', 'name' and 'themes'")
            return None
        if not isinstance(data, dict):
            self.report("QC102", f"codebook must be a mapping of keys, got a {type(data).__name__}", (),
                        hint="start the file with 'version: 1', 'name: …' and 'themes:'")
            return None
        self.unknown_keys(data, TOP_KEYS, (), "codebook")
        version = data.get("version", 1)
        if version not in SUPPORTED_VERSIONS or isinstance(version, bool):
            self.report("QC108", f"unsupported codebook version {version!r}", ("version",),
                        hint=f"this qualcode reads version {', '.join(map(str, SUPPORTED_VERSIONS))}")
        name = self.text(data, "name", (), "codebook") or Path(self.path).stem
        description = self.text(data, "description", (), "codebook")
        speakers = self.speakers(data.get("speakers"))
        themes = data.get("themes")
        if themes is None:
            self.report("QC102", "codebook: missing required key 'themes'", (), hint="add 'themes:' with a list of themes")
        elif not isinstance(themes, list):
            self.report("QC102", f"codebook → themes: expected a list of themes, got {type(themes).__name__}",
                        ("themes",))
        else:
            if not themes:
                self.report("QC102", "codebook → themes: the list is empty", ("themes",), hint="add at least one theme")
            for i, item in enumerate(themes):
                self.theme(item, ("themes", i), parent=None, parent_path="")
        self.semantics()
        return Codebook(path=self.path, name=name, themes=tuple(self.themes), version=version if isinstance(version, int) else 1,
                        description=description, speakers=speakers)

    def speakers(self, value: Any) -> dict[str, str]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.report("QC102", "codebook → speakers: expected a mapping of role → list of speaker labels",
                        ("speakers",))
            return {}
        out: dict[str, str] = {}
        for role, aliases in value.items():
            for alias in self.text_list(value, role, ("speakers",), f"speakers → {role}"):
                out[alias.lower()] = str(role)
        return out

    def theme(self, data: Any, loc: tuple, *, parent: str | None, parent_path: str) -> None:
        if not isinstance(data, dict):
            self.report("QC102", f"theme: expected a mapping with 'id', 'name' and 'definition', got {type(data).__name__}",
                        loc)
            return
        theme_id = self.text(data, "id", loc, "theme", required=True)
        owner = self.who(theme_id)
        self.unknown_keys(data, THEME_KEYS, loc, owner)
        explicit_parent = self.text(data, "parent", loc, owner) or None
        if explicit_parent and parent:
            self.report("QC102", f"{owner}: 'parent' given on a nested theme", loc + ("parent",),
                        hint="nest the theme under its parent or give 'parent:', not both")
        parent = parent or explicit_parent
        examples = data.get("examples") or {}
        positives: tuple[str, ...] = ()
        negatives: tuple[str, ...] = ()
        pos_lines: tuple = ()
        neg_lines: tuple = ()
        if not isinstance(examples, dict):
            self.report("QC102", f"{owner} → examples: expected 'positive:' and 'negative:' lists", loc + ("examples",))
        else:
            self.unknown_keys(examples, EXAMPLE_KEYS, loc + ("examples",), f"{owner} → examples")
            positives = self.text_list(examples, "positive", loc + ("examples",), f"{owner} → examples")
            negatives = self.text_list(examples, "negative", loc + ("examples",), f"{owner} → examples")
            pos_lines = tuple(self.doc.position(loc + ("examples", "positive", i))[0] for i in range(len(positives)))
            neg_lines = tuple(self.doc.position(loc + ("examples", "negative", i))[0] for i in range(len(negatives)))
        patterns = self.patterns(data.get("patterns"), loc + ("patterns",), owner)
        color = self.text(data, "color", loc, owner) or None
        path = f"{parent_path}/{theme_id}" if parent_path else theme_id
        self.themes.append(Theme(
            id=theme_id,
            name=self.text(data, "name", loc, owner) or theme_id,
            definition=self.text(data, "definition", loc, owner),
            include=self.text_list(data, "include", loc, owner),
            exclude=self.text_list(data, "exclude", loc, owner),
            positive_examples=positives,
            negative_examples=negatives,
            keywords=self.text_list(data, "keywords", loc, owner),
            patterns=patterns,
            roles=tuple(r.lower() for r in self.text_list(data, "roles", loc, owner)),
            color=color,
            guid=self.text(data, "guid", loc, owner) or None,
            parent=parent,
            path=path,
            line=self.doc.position(loc)[0],
            positive_lines=pos_lines,
            negative_lines=neg_lines,
        ))
        children = data.get("themes")
        if children is not None:
            if not isinstance(children, list):
                self.report("QC102", f"{owner} → themes: expected a list of child themes", loc + ("themes",))
            else:
                for i, child in enumerate(children):
                    self.theme(child, loc + ("themes", i), parent=theme_id, parent_path=path)

    def patterns(self, value: Any, loc: tuple, owner: str) -> tuple[tuple[dict, ...], ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            self.report("QC102", f"{owner} → patterns: expected a list of token patterns", loc)
            return ()
        out = []
        for i, pattern in enumerate(value):
            if not isinstance(pattern, list) or not pattern or not all(isinstance(t, dict) for t in pattern):
                self.report("QC102", f"{owner} → patterns[{i + 1}]: expected a list of token mappings such as "
                                     "[{LOWER: trust}]", loc + (i,))
                continue
            out.append(tuple(pattern))
        return tuple(out)

    # -- semantics -------------------------------------------------------
    def semantics(self) -> None:
        seen: dict[str, Theme] = {}
        for theme in self.themes:
            if theme.id and theme.id in seen:
                self.diags.append(Diagnostic(
                    "QC110", f"duplicate theme id '{theme.id}' (first defined on line {seen[theme.id].line})",
                    self.path, theme.line, None, hint="give every theme its own id"))
            seen.setdefault(theme.id, theme)
        ids = list(seen)
        for theme in self.themes:
            if theme.parent and theme.parent not in seen:
                self.diags.append(Diagnostic(
                    "QC111", f"theme '{theme.id}': unknown parent '{theme.parent}'", self.path, theme.line, None,
                    hint=did_you_mean(theme.parent, ids) or "name an existing theme id"))
        # explicit parents: check cycles, then fix paths
        parents = {t.id: t.parent for t in self.themes}
        for theme in self.themes:
            chain, current = [theme.id], theme.parent
            while current and current in parents:
                if current in chain:
                    self.diags.append(Diagnostic(
                        "QC112", f"theme '{theme.id}': parents form a cycle ({' → '.join(chain + [current])})",
                        self.path, theme.line, None, hint="remove one 'parent' link"))
                    break
                chain.append(current)
                current = parents[current]
        if not any(d.code == "QC112" for d in self.diags):
            self.themes = [_with_path(t, parents) for t in self.themes]


def _with_path(theme: Theme, parents: dict[str, str | None]) -> Theme:
    from dataclasses import replace

    chain, current = [theme.id], theme.parent
    while current:
        chain.append(current)
        current = parents.get(current)
    return replace(theme, path="/".join(reversed(chain)))


def check_codebook(path: str | Path) -> tuple[Codebook | None, list[Diagnostic]]:
    """Read and check a codebook; never raises for problems in the file itself."""
    name = str(path)
    try:
        text = read_codebook_text(path)
    except CodebookError as exc:
        return None, exc.diagnostics
    return check_codebook_text(text, name)


def check_codebook_text(text: str, name: str) -> tuple[Codebook | None, list[Diagnostic]]:
    try:
        doc = parse_yaml(text, name)
    except ValueError as exc:
        return None, [exc.args[0]]
    checker = _Checker(doc)
    codebook = checker.top()
    return codebook, sorted(checker.diags, key=Diagnostic.sort_key)


def load_codebook(path: str | Path | None = None) -> Codebook:
    """The codebook at `path` (default: the study codebook); `CodebookError` with every error if invalid."""
    if path is None:
        from qualcode.codebook.default import default_codebook_path

        path = default_codebook_path()
        if not path.is_file():
            raise CodebookError(Diagnostic("QC001", "the default codebook is missing from this installation", str(path),
                                           hint="reinstall qualcode, or name a codebook with --codebook FILE"))
    codebook, diags = check_codebook(path)
    errors = [d for d in diags if d.severity == ERROR]
    if errors or codebook is None:
        raise CodebookError(errors or diags)
    return codebook


__all__ = ["load_codebook", "check_codebook", "check_codebook_text", "read_codebook_text", "did_you_mean",
           "WARNING"]
