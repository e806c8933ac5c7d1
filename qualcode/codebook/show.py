"""A codebook described for people: the theme tree, and a Markdown appendix for a paper."""
from __future__ import annotations

from typing import Iterator

from qualcode.models import Codebook, Theme


def theme_tree(codebook: Codebook) -> Iterator[tuple[Theme, tuple[int, ...]]]:
    """Every theme with its outline number ((1,), (1, 2), …), parents before children, in file order."""
    ids = set(codebook.theme_ids)

    def walk(theme: Theme, number: tuple[int, ...], seen: frozenset) -> Iterator[tuple[Theme, tuple[int, ...]]]:
        yield theme, number
        for i, child in enumerate((c for c in codebook.children(theme.id) if c.id not in seen), start=1):
            yield from walk(child, number + (i,), seen | {child.id})

    roots = [t for t in codebook.themes if not t.parent or t.parent not in ids]
    for i, root in enumerate(roots, start=1):
        yield from walk(root, (i,), frozenset({root.id}))


def counts(theme: Theme) -> str:
    """'3 keywords · 1 pattern · 2+/2− examples'."""
    def n(count: int, word: str) -> str:
        return f"{count} {word}{'' if count == 1 else 's'}"

    return (f"{n(len(theme.keywords), 'keyword')} · {n(len(theme.patterns), 'pattern')} · "
            f"{len(theme.positive_examples)}+/{len(theme.negative_examples)}− examples")


def _md(text: str) -> str:
    """Text safe inside Markdown: one line, with characters that would start markup escaped."""
    text = " ".join(text.split())
    for ch in ("\\", "`", "*", "_", "[", "]", "<", ">", "|"):
        text = text.replace(ch, "\\" + ch)
    return text


def codebook_markdown(codebook: Codebook) -> str:
    """The codebook as Markdown: an overview table, then every theme with its definition, criteria,
    keywords, roles and examples (ready for an appendix)."""
    lines = [f"# {_md(codebook.name)}", ""]
    if codebook.description:
        lines += [_md(codebook.description), ""]
    tree = list(theme_tree(codebook))
    lines += ["| # | Theme | Id | Keywords | Patterns | Examples (+/−) |", "|---|---|---|---:|---:|---|"]
    for theme, number in tree:
        num = ".".join(map(str, number))
        lines.append(f"| {num} | {_md(theme.name)} | `{theme.id}` | {len(theme.keywords)} | {len(theme.patterns)} | "
                     f"{len(theme.positive_examples)}/{len(theme.negative_examples)} |")
    for theme, number in tree:
        num = ".".join(map(str, number))
        level = "#" * min(len(number) + 1, 6)
        lines += ["", f"{level} {num} {_md(theme.name)} (`{theme.id}`)", ""]
        if theme.definition:
            lines += [f"**Definition.** {_md(theme.definition)}", ""]
        for title, items in (("Include", theme.include), ("Exclude", theme.exclude)):
            if items:
                lines += [f"**{title}:**", ""] + [f"- {_md(x)}" for x in items] + [""]
        if theme.keywords:
            lines += ["**Keywords:** " + ", ".join(f"`{k}`" for k in theme.keywords), ""]
        if theme.patterns:
            lines += [f"**Token patterns:** {len(theme.patterns)}", ""]
        if theme.roles:
            lines += ["**Applies to:** " + ", ".join(theme.roles), ""]
        examples = [f"- ✓ {_md(x)}" for x in theme.positive_examples] + \
                   [f"- ✗ {_md(x)}" for x in theme.negative_examples]
        if examples:
            lines += ["**Examples** (✓ coded, ✗ not coded):", ""] + examples + [""]
        while lines and lines[-1] == "":
            lines.pop()
    return "\n".join(lines) + "\n"


__all__ = ["codebook_markdown", "counts", "theme_tree"]
