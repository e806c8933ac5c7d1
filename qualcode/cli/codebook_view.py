"""Rich view of a codebook: the theme tree with definitions and counts (presentation only)."""
from __future__ import annotations

from rich.text import Text
from rich.tree import Tree

from qualcode.codebook.show import counts, theme_tree
from qualcode.models import Codebook

#: Definitions longer than this are cut in the tree (the Markdown view shows them whole).
DEFINITION_CHARS = 240


def codebook_tree(codebook: Codebook) -> Tree:
    head = Text(codebook.name, style="bold")
    head.append(f"  version {codebook.version} · {len(codebook.themes)} themes", style="dim")
    root = Tree(head)
    nodes: dict[tuple[int, ...], Tree] = {}
    for theme, number in theme_tree(codebook):
        label = Text("■ ", style=theme.color or "dim")
        label.append(theme.id, style="bold")
        if theme.name != theme.id:
            label.append(f"  {theme.name}")
        label.append(f"  {counts(theme)}", style="cyan")
        if theme.roles:
            label.append(f"  roles: {', '.join(theme.roles)}", style="dim")
        if theme.definition:
            text = " ".join(theme.definition.split())
            if len(text) > DEFINITION_CHARS:
                text = text[: DEFINITION_CHARS - 1] + "…"
            label.append("\n" + text, style="dim")
        parent = nodes.get(number[:-1], root)
        nodes[number] = parent.add(label)
    return root
