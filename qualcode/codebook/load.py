"""Read a YAML codebook into a `Codebook`, collecting every problem with its line and column."""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from qualcode.errors import ERROR, WARNING, CodebookError, Diagnostic
from qualcode.codebook.patterns import YAML_BOOL_WORDS, check_token_pattern
from qualcode.models import Codebook, Theme
from qualcode.yamlsrc import YamlDoc, parse_yaml

TOP_KEYS = ("version", "name", "description", "speakers", "themes")
THEME_KEYS = ("id", "name", "definition", "include", "exclude", "examples", "keywords",
              "patterns", "roles", "color", "guid", "parent", "themes")
EXAMPLE_KEYS = ("positive", "negative")
SUPPORTED_VERSIONS = (1,)
#: Largest codebook read: a rich study codebook is ~40 KB; this bounds the time a hostile file costs.
MAX_CODEBOOK_BYTES = 1_000_000


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
                                       hint="check the path")) from None
    except OSError as exc:
        raise CodebookError(Diagnostic("QC001", f"cannot read codebook: {exc.strerror}", name)) from None
    if path.is_dir():
        raise CodebookError(Diagnostic("QC001", "is a folder, not a codebook file", name,
                                       hint="name a .yaml file"))
    if size > MAX_CODEBOOK_BYTES:
        raise CodebookError(Diagnostic("QC106", f"codebook is {size:,} bytes, more than the {MAX_CODEBOOK_BYTES:,} allowed",
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
        self.diags: list[Diagnostic] = list(doc.duplicates) + list(doc.tags)
        self.themes: list[Theme] = []
        self.locs: list[tuple] = []  # where each theme sits in the YAML, aligned with `themes`
        self.raw: list[dict] = []  # each theme's plain data, aligned with `themes`
        self.example_locs: dict[str, tuple] = {}  # of the theme being read: kind -> locs of its examples
        #: (theme index, 'positive'|'negative') -> YAML location of each example kept
        self.all_example_locs: dict[tuple[int, str], tuple[tuple, ...]] = {}

    # -- reporting -------------------------------------------------------
    def report(self, code: str, message: str, loc: tuple, *, hint: str | None = None,
               key: bool = False, severity: str = ERROR) -> None:
        line, col = self.doc.position(loc, key=key)
        self.diags.append(Diagnostic(code, message, self.path, line, col, hint, severity))

    @staticmethod
    def who(theme_id: str | None, field: str | None = None) -> str:
        who = f"theme '{theme_id}'" if theme_id else "theme"
        return f"{who} → {field}" if field else who

    def wrong_type(self, where: str, expected: str, value: Any, loc: tuple) -> None:
        """Report a value of the wrong type, explaining booleans YAML read from yes/no/on/off."""
        word = self.doc.plain_scalar(loc) if isinstance(value, bool) else None
        if word in YAML_BOOL_WORDS:
            self.report("QC102", f"{where}: expected {expected}, but YAML reads the unquoted word {word} as "
                                 f"{str(value).lower()}", loc, hint=f'quote it: "{word}"')
        else:
            self.report("QC102", f"{where}: expected {expected}, got {_type_name(value)}", loc)

    # -- typed getters ---------------------------------------------------
    def text(self, data: dict, key: str, loc: tuple, owner: str, *, required: bool = False) -> str:
        value = data.get(key)
        if value is None:
            if required:
                self.report("QC102", f"{owner}: missing required key '{key}'", loc,
                            hint=f"add '{key}:' to this item")
            return ""
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.wrong_type(f"{owner} → {key}", "text", value, loc + (key,))
            return ""
        return str(value).strip()

    def text_list(self, data: dict, key: str, loc: tuple, owner: str) -> tuple[str, ...]:
        value = data.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            if not value.strip():
                self.report("QC118", f"{owner} → {key}: empty {_ITEM.get(key, 'item')}", loc + (key,),
                            hint=f"write the {_ITEM.get(key, 'item')} or remove '{key}:'")
                return ()
            return (value.strip(),)
        if not isinstance(value, list):
            self.wrong_type(f"{owner} → {key}", "a list of text", value, loc + (key,))
            return ()
        out = []
        for i, item in enumerate(value):
            if item is None or (isinstance(item, str) and not item.strip()):
                self.report("QC118", f"{owner} → {key}[{i + 1}]: empty {_ITEM.get(key, 'item')}", loc + (key, i),
                            hint=f"write the {_ITEM.get(key, 'item')} or remove the line")
                continue
            if isinstance(item, bool) or not isinstance(item, (str, int, float)):
                self.wrong_type(f"{owner} → {key}[{i + 1}]", "text", item, loc + (key, i))
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
            self.diags.append(Diagnostic("QC102", "codebook is empty", self.path, 1, 1,
                                         hint="a codebook needs 'version', 'name' and 'themes'"))
            return None
        if not isinstance(data, dict):
            self.report("QC102", f"codebook must be a mapping of keys, got {_type_name(data)}", (),
                        hint="start the file with 'version: 1', 'name: …' and 'themes:'")
            return None
        self.unknown_keys(data, TOP_KEYS, (), "codebook")
        version = data.get("version")
        if version is None:
            self.report("QC108", "codebook: missing 'version'", (), hint="add 'version: 1' as the first line",
                        severity=WARNING)
            version = 1
        elif version not in SUPPORTED_VERSIONS or isinstance(version, bool):
            shown = str(version).lower() if isinstance(version, bool) else repr(version)
            self.report("QC108", f"unsupported codebook version {shown}", ("version",),
                        hint=f"this qualcode reads version {', '.join(map(str, SUPPORTED_VERSIONS))}")
        name = self.text(data, "name", (), "codebook") or Path(self.path).stem
        description = self.text(data, "description", (), "codebook")
        speakers = self.speakers(data.get("speakers"))
        themes = data.get("themes")
        if themes is None:
            self.report("QC102", "codebook: missing required key 'themes'", (), hint="add 'themes:' with a list of themes")
        elif not isinstance(themes, list):
            self.wrong_type("codebook → themes", "a list of themes", themes, ("themes",))
        else:
            if not themes:
                self.report("QC102", "codebook → themes: the list is empty", ("themes",), hint="add at least one theme")
            for i, item in enumerate(themes):
                self.theme(item, ("themes", i), parent=None, parent_path="")
        codebook = Codebook(path=self.path, name=name, themes=tuple(self.themes),
                            version=version if isinstance(version, int) else 1,
                            description=description, speakers=speakers)
        from qualcode.codebook.rules import RuleContext, run_rules

        self.diags.extend(run_rules(RuleContext(self.doc, codebook, tuple(self.locs), tuple(self.raw))))
        if not any(d.code == "QC112" for d in self.diags):
            parents = {t.id: t.parent for t in self.themes}
            codebook = replace(codebook, themes=tuple(_with_path(t, parents) for t in self.themes))
        return codebook

    def speakers(self, value: Any) -> dict[str, str]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.report("QC102", "codebook → speakers: expected a mapping of role → list of speaker labels",
                        ("speakers",))
            return {}
        out: dict[str, str] = {}
        for role, aliases in value.items():
            for alias in self.text_list(value, role, ("speakers",), "speakers"):
                out[alias.lower()] = str(role)
        return out

    def theme(self, data: Any, loc: tuple, *, parent: str | None, parent_path: str) -> None:
        if not isinstance(data, dict):
            self.report("QC102", f"theme: expected a mapping with 'id', 'name' and 'definition', got {_type_name(data)}",
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
        self.example_locs = {}
        positives: tuple[str, ...] = ()
        negatives: tuple[str, ...] = ()
        pos_lines: tuple = ()
        neg_lines: tuple = ()
        if not isinstance(examples, dict):
            self.report("QC102", f"{owner} → examples: expected 'positive:' and 'negative:' lists", loc + ("examples",))
        else:
            self.unknown_keys(examples, EXAMPLE_KEYS, loc + ("examples",), f"{owner} → examples")
            positives, pos_lines = self.examples(examples, "positive", loc + ("examples",), owner)
            negatives, neg_lines = self.examples(examples, "negative", loc + ("examples",), owner)
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
        for kind, locs in self.example_locs.items():
            self.all_example_locs[(len(self.themes) - 1, kind)] = locs
        self.locs.append(loc)
        self.raw.append(data)
        children = data.get("themes")
        if children is not None:
            if not isinstance(children, list):
                self.wrong_type(f"{owner} → themes", "a list of child themes", children, loc + ("themes",))
            else:
                for i, child in enumerate(children):
                    self.theme(child, loc + ("themes", i), parent=theme_id, parent_path=path)

    def examples(self, examples: dict, key: str, loc: tuple, owner: str) -> tuple[tuple[str, ...], tuple]:
        """The examples of one kind and where each sits (empty or mistyped ones reported and dropped)."""
        kept = self.text_list(examples, key, loc, f"{owner} → examples")
        raw = examples.get(key)
        items = raw if isinstance(raw, list) else [raw]
        locs = tuple(loc + (key, i) for i, item in enumerate(items) if _is_text(item))
        self.example_locs[key] = locs
        return kept, tuple(self.doc.position(x)[0] for x in locs)

    def patterns(self, value: Any, loc: tuple, owner: str) -> tuple[tuple[dict, ...], ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            self.wrong_type(f"{owner} → patterns", "a list of token patterns", value, loc)
            return ()
        out = []
        for i, pattern in enumerate(value):
            here = loc + (i,)
            problems = check_token_pattern(pattern, source=lambda sub, here=here: self.doc.plain_scalar(here + sub))
            for p in problems:
                self.report(p.code, f"{owner} → patterns[{i + 1}]{' → ' if p.loc else ': '}{p.message}", here + p.loc, hint=p.hint, key=p.key, severity=p.severity)
            if not any(p.severity == ERROR for p in problems):
                out.append(tuple(pattern))
        return tuple(out)


_ITEM = {"keywords": "keyword", "positive": "example", "negative": "example", "include": "criterion",
         "exclude": "criterion", "roles": "role"}


def _is_text(item: Any) -> bool:
    return not isinstance(item, bool) and isinstance(item, (str, int, float)) and bool(str(item).strip())


def _type_name(value: Any) -> str:
    names = {dict: "a mapping", list: "a list", str: "text", bool: "true/false", int: "a number",
             float: "a number"}
    if value is None:
        return "nothing (null)"
    return names.get(type(value), type(value).__name__)


def _with_path(theme: Theme, parents: dict[str, str | None]) -> Theme:
    chain, current = [theme.id], theme.parent
    while current and current not in chain:
        chain.append(current)
        current = parents.get(current)
    return replace(theme, path="/".join(reversed(chain)))


@dataclass
class CodebookCheck:
    """What checking one codebook file found: the codebook (if it could be built), every diagnostic,
    and the YAML it came from, with where each theme sits (for reports pointing at lines)."""

    path: str
    codebook: Codebook | None
    diagnostics: list[Diagnostic]
    doc: YamlDoc | None = None
    theme_locs: tuple[tuple, ...] = ()
    #: (theme index, 'positive'|'negative') -> YAML location of each example, aligned with the theme's examples
    example_locs: dict = field(default_factory=dict)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity != ERROR]

    def example_position(self, theme_index: int, kind: str, i: int) -> tuple[int | None, int | None]:
        """(line, col) of the i-th (0-based) `kind` example of the `theme_index`-th theme."""
        locs = self.example_locs.get((theme_index, kind), ())
        if self.doc is None or i >= len(locs):
            return None, None
        return self.doc.position(locs[i])


def inspect_codebook(path: str | Path) -> CodebookCheck:
    """Read and check a codebook with every detail kept; never raises for problems in the file."""
    name = str(path)
    try:
        text = read_codebook_text(path)
    except CodebookError as exc:
        return CodebookCheck(name, None, exc.diagnostics)
    return inspect_codebook_text(text, name)


def inspect_codebook_text(text: str, name: str) -> CodebookCheck:
    try:
        doc = parse_yaml(text, name, tag_code="QC109")
    except ValueError as exc:
        return CodebookCheck(name, None, [exc.args[0]])
    checker = _Checker(doc)
    codebook = checker.top()
    return CodebookCheck(name, codebook, sorted(checker.diags, key=Diagnostic.sort_key), doc, tuple(checker.locs),
                         checker.all_example_locs)


def check_codebook(path: str | Path) -> tuple[Codebook | None, list[Diagnostic]]:
    """Read and check a codebook; never raises for problems in the file itself."""
    result = inspect_codebook(path)
    return result.codebook, result.diagnostics


def check_codebook_text(text: str, name: str) -> tuple[Codebook | None, list[Diagnostic]]:
    result = inspect_codebook_text(text, name)
    return result.codebook, result.diagnostics


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


__all__ = ["CodebookCheck", "load_codebook", "check_codebook", "check_codebook_text", "inspect_codebook",
           "inspect_codebook_text", "read_codebook_text", "did_you_mean", "WARNING"]
