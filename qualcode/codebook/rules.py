"""Semantic checks of a codebook, run after its structure has been read.

Each rule is a small generator of diagnostics over a `RuleContext`; `RULES` lists them in the
order they run, so adding a check is one function and one line.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Callable, Iterator

from qualcode.errors import ERROR, WARNING, Diagnostic
from qualcode.models import KNOWN_ROLES, Codebook, Theme
from qualcode.yamlsrc import YamlDoc

#: A colour is a hex RGB value, as REFI-QDA and the terminal views need it.
COLOR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
#: Characters a theme id may not contain: it becomes part of paths ('parent/child') and CSV cells.
BAD_ID_CHARS = re.compile(r"[/\s,;\"']")


@dataclass(frozen=True)
class RuleContext:
    """A read codebook with where each theme came from (`locs`) and its plain data (`raw`)."""

    doc: YamlDoc
    codebook: Codebook
    locs: tuple[tuple, ...]
    raw: tuple[dict, ...]

    def at(self, code: str, message: str, loc: tuple, *, hint: str | None = None, key: bool = False,
           severity: str = ERROR) -> Diagnostic:
        line, col = self.doc.position(loc, key=key)
        return Diagnostic(code, message, self.doc.path, line, col, hint, severity)

    def themes(self) -> Iterator[tuple[Theme, tuple, dict]]:
        """(theme, its YAML location, its plain data), skipping themes without an id."""
        for theme, loc, raw in zip(self.codebook.themes, self.locs, self.raw):
            if theme.id:
                yield theme, loc, raw


Rule = Callable[[RuleContext], Iterator[Diagnostic]]


def theme_ids(ctx: RuleContext) -> Iterator[Diagnostic]:
    """QC110 duplicate ids, QC113 ids that cannot serve as identifiers."""
    first: dict[str, int | None] = {}
    for theme, loc, _ in ctx.themes():
        if theme.id in first:
            yield ctx.at("QC110", f"duplicate theme id '{theme.id}' (first defined on line {first[theme.id]})",
                         loc + ("id",), hint="give every theme its own id")
        else:
            first[theme.id] = theme.line
        if BAD_ID_CHARS.search(theme.id):
            yield ctx.at("QC113", f"theme '{theme.id}': an id may not contain spaces, '/', commas or quotes",
                         loc + ("id",), hint=f"use letters, digits and '_', e.g. '{_slug(theme.id)}'")


def parents(ctx: RuleContext) -> Iterator[Diagnostic]:
    """QC111 unknown parents, QC112 parent cycles (each cycle reported once, at its first theme)."""
    from qualcode.codebook.load import did_you_mean

    ids = [t.id for t, _, _ in ctx.themes()]
    links = {t.id: t.parent for t, _, _ in ctx.themes()}
    reported: set[frozenset] = set()
    for theme, loc, raw in ctx.themes():
        if not theme.parent:
            continue
        if theme.parent not in links:
            yield ctx.at("QC111", f"theme '{theme.id}': unknown parent '{theme.parent}'", loc + ("parent",),
                         hint=did_you_mean(theme.parent, ids) or "name an existing theme id")
            continue
        chain, current = [theme.id], theme.parent
        while current and current in links and current not in chain:
            chain.append(current)
            current = links[current]
        if current == theme.id and frozenset(chain) not in reported:
            reported.add(frozenset(chain))
            where = loc + ("parent",) if "parent" in raw else loc + ("id",)
            yield ctx.at("QC112", f"theme '{theme.id}': parents form a cycle ({' → '.join(chain + [theme.id])})",
                         where, hint="remove one 'parent' link")


def colors(ctx: RuleContext) -> Iterator[Diagnostic]:
    """QC114 colours that are not #RGB / #RRGGBB (an unquoted '#…' is a YAML comment, so empty)."""
    for theme, loc, raw in ctx.themes():
        if "color" not in raw:
            continue
        value = raw["color"]
        if value is None:
            yield ctx.at("QC114", f"theme '{theme.id}' → color: empty", loc + ("color",), key=True,
                         hint="quote the colour, e.g. color: \"#1f77b4\" (an unquoted # starts a YAML comment)")
        elif isinstance(value, str) and not COLOR.match(value.strip()):
            yield ctx.at("QC114", f"theme '{theme.id}' → color: '{value}' is not a hex colour", loc + ("color",),
                         hint="write it as \"#rrggbb\", e.g. \"#1f77b4\"")


def definitions(ctx: RuleContext) -> Iterator[Diagnostic]:
    """QC115 (warning) a theme without a definition: coders cannot apply it consistently."""
    for theme, loc, raw in ctx.themes():
        if not theme.definition and not isinstance(raw.get("definition"), (list, dict, bool)):
            where = loc + ("definition",) if "definition" in raw else loc + ("id",)
            yield ctx.at("QC115", f"theme '{theme.id}': empty definition", where, key="definition" in raw,
                         hint="write what the theme covers, so every coder applies it the same way",
                         severity=WARNING)


def _lemma_key():
    """Keyword -> what it matches: the lemma of each word (the matcher matches every form of a lemma)."""
    try:
        from qualcode.engine.nlp import lemma_table  # the lookup table only: spaCy is not imported

        table = lemma_table()
    except Exception:  # noqa: BLE001 - without the table, compare the words themselves
        table = {}
    return lambda keyword: tuple(table.get(w, w) for w in keyword.split())


def shared_keywords(ctx: RuleContext) -> Iterator[Diagnostic]:
    """QC116 (warning) keywords of two themes that match the same words, such as 'trust' and 'trusted'
    (every hit would be coded twice), or one keyword listed twice in a theme."""
    owners: dict[tuple, list[tuple[Theme, str, tuple]]] = defaultdict(list)
    key = None
    for theme, loc, raw in ctx.themes():
        items = raw.get("keywords")
        items = items if isinstance(items, list) else [items] if isinstance(items, str) else []
        for i, item in enumerate(items):
            if isinstance(item, str) and item.strip():
                key = key or _lemma_key()
                keyword = " ".join(item.lower().split())
                owners[key(keyword)].append((theme, keyword, loc + ("keywords", i)))
    for places in owners.values():
        first_theme, first_keyword, _ = places[0]
        for theme, keyword, loc in places[1:]:
            where = f"theme '{theme.id}' → keywords: '{keyword}'"
            if theme.id == first_theme.id:
                if keyword == first_keyword:  # other forms of a lemma in one theme are harmless: hits merge
                    yield ctx.at("QC116", f"{where} is listed twice", loc, hint="remove one", severity=WARNING)
                continue
            message = (f"{where} is also a keyword of theme '{first_theme.id}'" if keyword == first_keyword
                       else f"{where} matches the same words as '{first_keyword}', a keyword of theme "
                            f"'{first_theme.id}'")
            yield ctx.at("QC116", message, loc, hint="keep it in one theme, or make the keywords more specific",
                         severity=WARNING)


def reachable(ctx: RuleContext) -> Iterator[Diagnostic]:
    """QC117 (warning) a theme with no keyword, pattern or example and no child themes."""
    has_children = {t.parent for t in ctx.codebook.themes if t.parent}
    for theme, loc, raw in ctx.themes():
        if theme.id in has_children or "patterns" in raw and raw["patterns"]:
            continue
        if not (theme.keywords or theme.patterns or theme.positive_examples):
            yield ctx.at("QC117", f"theme '{theme.id}': no keyword, pattern or example, so nothing can suggest it",
                         loc + ("id",), hint="add 'keywords:', 'patterns:' or 'examples: positive:'",
                         severity=WARNING)


def roles(ctx: RuleContext) -> Iterator[Diagnostic]:
    """QC119 (warning) a role no speaker can have: the theme would never be suggested for it."""
    from qualcode.codebook.load import did_you_mean

    known = list(dict.fromkeys(list(KNOWN_ROLES) + sorted(set(ctx.codebook.speakers.values()))))
    for theme, loc, raw in ctx.themes():
        items = raw.get("roles")
        items = items if isinstance(items, list) else [items] if isinstance(items, str) else []
        for i, item in enumerate(items):
            if isinstance(item, str) and item.strip() and item.strip().lower() not in known:
                yield ctx.at("QC119", f"theme '{theme.id}' → roles: unknown role '{item}'", loc + ("roles", i),
                             hint=did_you_mean(item.lower(), known) or
                             f"use a role from 'speakers:' or one of {', '.join(KNOWN_ROLES)}", severity=WARNING)


def _slug(text: str) -> str:
    return re.sub(r"_+", "_", BAD_ID_CHARS.sub("_", text.strip())).strip("_").lower() or "theme"


#: Every semantic rule, in the order it runs.
RULES: tuple[Rule, ...] = (theme_ids, parents, colors, definitions, shared_keywords, reachable, roles)


def run_rules(ctx: RuleContext) -> list[Diagnostic]:
    """The diagnostics of every rule."""
    return [d for rule in RULES for d in rule(ctx)]


__all__ = ["RULES", "RuleContext", "run_rules"]
