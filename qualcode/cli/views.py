"""Rich views of results for the terminal (presentation only)."""
from __future__ import annotations

from collections import Counter

from rich.console import Console
from rich.table import Table
from rich.text import Text

from qualcode.coding import CodingResult
from qualcode.models import Codebook

#: How much of a long turn is shown around its evidence.
CONTEXT_CHARS = 160
DEFAULT_COLOR = "#888888"


def _excerpt(text: str, spans: list[tuple[int, int, str, bool]]) -> Text:
    """The turn text, cut to the evidence with some context, spans highlighted."""
    first = min(s for s, _, _, _ in spans)
    last = max(e for _, e, _, _ in spans)
    lo = max(0, first - CONTEXT_CHARS)
    hi = min(len(text), last + CONTEXT_CHARS)
    if lo:  # cut at word boundaries
        space = text.find(" ", lo, first)
        lo = space + 1 if space != -1 else first
    if hi < len(text):
        space = text.rfind(" ", last, hi)
        hi = space if space != -1 else last
    shown = text[lo:hi].replace("\n", " ")
    out = Text(("… " if lo else "") + shown + (" …" if hi < len(text) else ""))
    shift = 2 if lo else 0
    for start, end, color, negated in spans:
        style = f"dim strike {color}" if negated else f"bold black on {color}"
        out.stylize(style, start - lo + shift, end - lo + shift)
    return out


def _n(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def render_coding(result: CodingResult, codebook: Codebook, console: Console, *, show_negated: bool = True) -> None:
    t = result.transcript
    colors = {th.id: (th.color or DEFAULT_COLOR) for th in codebook.themes}
    facts = [f"dyad {t.dyad}" if t.dyad else None,
             f"{t.role} {t.kind}" if t.role else t.kind,
             t.group, t.setting]
    head = Text(t.id, style="bold")
    head.append("  " + " · ".join(f for f in facts if f), style="cyan")
    counted = result.counted
    negated = len(result.suggestions) - len(counted)
    head.append(f"\n{_n(len(t.turns), 'turn')} · {_n(t.words, 'word')} · {_n(len(counted), 'suggestion')}"
                f" ({negated} negated, not counted)")
    console.print(head)
    by_turn: dict[int, list] = {}
    for s in result.suggestions:
        if s.negated and not show_negated:
            continue
        by_turn.setdefault(s.turn, []).append(s)
    for turn in t.turns:
        hits = by_turn.get(turn.number)
        if not hits:
            continue
        console.print()
        label = Text(f"Turn {turn.number}", style="bold")
        label.append(f" · line {turn.line} · {turn.speaker} ({turn.role})", style="dim")
        tags: dict[tuple, int] = {}
        for s in hits:
            tag = f"  {s.theme}" + (" (negated)" if s.negated else "") + (f" (model {s.score:.2f})" if s.source == "model" else "")
            key = (tag, ("dim " if s.negated else "bold ") + colors[s.theme])
            tags[key] = tags.get(key, 0) + 1
        for (tag, style), n in tags.items():
            label.append(tag + (f" ×{n}" if n > 1 else ""), style=style)
        console.print(label)
        spans = [(s.start - turn.start, s.end - turn.start, colors[s.theme], s.negated) for s in hits]
        console.print(_excerpt(turn.text, spans))
    console.print()
    console.print(theme_role_table(result, codebook))


def theme_role_table(result: CodingResult, codebook: Codebook) -> Table:
    """Turns coded per theme and role (negated hits not counted; a parent counts its sub-themes' turns)."""
    roles = list(dict.fromkeys(turn.role for turn in result.transcript.turns))
    paths = {t.id: t.path.split("/") for t in codebook.themes}
    # a parent theme counts each turn coded with it or any of its sub-themes, once
    pairs = {(theme, s.turn, s.role) for s in result.counted for theme in paths.get(s.theme, [s.theme])}
    counts = Counter((theme, role) for theme, _, role in pairs)
    totals = Counter(theme for theme, _, _ in pairs)
    table = Table(title="Turns coded, by theme and role", title_justify="left")
    table.add_column("theme")
    for role in roles:
        table.add_column(role, justify="right")
    table.add_column("total", justify="right", style="bold")
    for theme in codebook.themes:
        depth = theme.path.count("/")
        table.add_row("  " * depth + theme.id, *[str(counts.get((theme.id, r), 0) or "·") for r in roles],
                      str(totals.get(theme.id, 0) or "·"))
    return table
