"""summary.html: one self-contained page (inline CSS and SVG, no scripts, no network) with a dyad × theme
heatmap coloured by pattern, per-role bar charts and the dyadic dialogue quotes."""
from __future__ import annotations

from html import escape

from qualcode import __version__
from qualcode.summary.compute import MISSING, PATTERNS, Summary
from qualcode.summary.markdown import TOP_TRANSITIONS
from qualcode.summary.views import (KIND_TITLES, PATTERN_COLORS, PATTERN_HELP, PATTERN_LABELS, ROLE_COLORS, Index,
                                    agreement_sentence, kappa_text, pct, role_cell)

PATTERN_MARKS = {"shared": "S", "client-only": "C", "therapist-only": "T", "interpreter-only": "I",
                 "absent": "", MISSING: "?"}

CSS = """
:root { --ink:#1d2433; --muted:#5b6475; --line:#d9dde5; --bg:#fafbfc; }
* { box-sizing: border-box; }
body { margin:0; font:15px/1.5 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       color:var(--ink); background:var(--bg); }
main { max-width: 1240px; margin: 0 auto; padding: 28px 32px 64px; }
h1 { font-size: 28px; margin: 0 0 4px; }
h2 { font-size: 22px; margin: 40px 0 12px; padding-bottom: 6px; border-bottom: 2px solid var(--ink); }
h3 { font-size: 17px; margin: 28px 0 8px; }
.meta { color: var(--muted); margin: 0 0 16px; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 16px 20px; margin: 14px 0; }
.legend { display:flex; flex-wrap:wrap; gap: 8px 18px; margin: 8px 0 0; font-size: 13px; }
.legend span { display:inline-flex; align-items:center; gap:6px; }
.swatch { width:16px; height:16px; border-radius:3px; border:1px solid #b8bec9; display:inline-block; }
.swatch.missing { background: repeating-linear-gradient(45deg,#fff,#fff 3px,#c5cad3 3px,#c5cad3 5px); }
.charts { display:grid; grid-template-columns: minmax(0,1.25fr) minmax(0,1fr); gap: 18px; align-items:start; }
svg text { font-family: inherit; }
table { border-collapse: collapse; width: 100%; font-size: 13.5px; }
th, td { padding: 5px 8px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
th { background: #f1f3f7; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.pill { display:inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; white-space: nowrap;
        border: 1px solid rgba(0,0,0,.12); }
.def { color: var(--muted); margin: 0 0 10px; max-width: 900px; }
.agree { font-size: 13px; color: var(--muted); margin: 8px 0 0; }
.dialogue { margin-top: 12px; }
.dyad { display:grid; gap: 10px; margin: 10px 0; }
.dyad-name { font-weight: 600; font-size: 13px; color: var(--muted); }
.turns { display:grid; gap: 10px; }
blockquote { margin:0; padding: 8px 12px; background:#fff; border-left: 4px solid #999; border-radius: 4px;
             font-size: 14px; }
blockquote cite { display:block; color: var(--muted); font-size: 12px; font-style: normal; margin-top: 4px; }
blockquote.none { color: var(--muted); font-style: italic; border-left-color: var(--line); }
.role-label { font-size: 12px; font-weight: 600; text-transform: uppercase; letter-spacing: .04em; }
footer { color: var(--muted); font-size: 12px; margin-top: 40px; }
"""


def _e(text) -> str:
    return escape(str(text), quote=True)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _pill(pattern: str) -> str:
    bg = PATTERN_COLORS[pattern]
    fg = "#fff" if pattern in ("shared", "therapist-only") else "#1d2433"
    style = (f"background:{bg};color:{fg}" if pattern != MISSING else
             "background:repeating-linear-gradient(45deg,#fff,#fff 3px,#dde1e8 3px,#dde1e8 5px)")
    return f'<span class="pill" style="{style}">{_e(PATTERN_LABELS[pattern])}</span>'


def render_html(summary: Summary) -> str:
    ix = Index(summary)
    interviews = sum(1 for m in summary.members if m.kind == "interview")
    dyads = len({m.dyad for m in summary.members})
    legend = "".join(
        f'<span title="{_e(PATTERN_HELP[p])}"><i class="swatch{" missing" if p == MISSING else ""}" '
        f'style="background-color:{PATTERN_COLORS[p]}"></i>{_e(PATTERN_LABELS[p])}</span>' for p in PATTERNS)
    parts = ['<!DOCTYPE html>', '<html lang="en"><head><meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
             "img-src data:\">",
             '<title>Dyadic theme summary</title>', f"<style>{CSS}</style></head><body><main>",
             "<h1>Dyadic theme summary</h1>",
             f'<p class="meta">{dyads} dyads · {interviews} interviews · {len(summary.members) - interviews} sessions'
             f" · codings: {_e(summary.source)}</p>",
             f'<div class="card"><strong>Patterns</strong> — who raised a theme in a dyad. In interviews the '
             f"interviewer's turns are left out; in sessions every speaker counts under their own role."
             f'<div class="legend">{legend}</div></div>']
    for kind in summary.kinds:
        parts.append(_kind_section(summary, ix, kind))
    parts.append(f"<footer>Made by qualcode {_e(__version__)} offline. Every number is in the CSV tables next to "
                 "this file.</footer></main></body></html>")
    return "\n".join(parts) + "\n"


def _kind_section(summary: Summary, ix: Index, kind: str) -> str:
    parts = [f"<h2>{KIND_TITLES[kind]}</h2>",
             f'<div class="charts"><div class="card"><h3 style="margin-top:0">Dyad × theme</h3>{_heatmap(summary, ix, kind)}</div>'
             f'<div class="card"><h3 style="margin-top:0">Who raises each theme</h3>'
             f'<p class="agree" style="margin:0 0 6px">Share of dyads in which each role raised the theme '
             f"(of the dyads where that role is present).</p>{_role_bars(summary, ix, kind)}</div></div>",
             _overview(summary, ix, kind)]
    for theme in summary.themes:
        parts.append(_theme_section(summary, ix, kind, theme))
    if kind == "session":
        parts.append(_sequences(summary))
    return "\n".join(parts)


def _heatmap(summary: Summary, ix: Index, kind: str) -> str:
    dyads = summary.dyads(kind)
    themes = summary.themes
    cell, left, top = 28, 150, 160
    width, height = left + cell * len(themes) + 120, top + cell * len(dyads) + 10
    out = [f'<svg role="img" aria-label="Dyad by theme heatmap" viewBox="0 0 {width} {height}" width="100%" '
           f'style="max-width:{width}px" xmlns="http://www.w3.org/2000/svg">',
           '<defs><pattern id="hatch" width="5" height="5" patternUnits="userSpaceOnUse" '
           'patternTransform="rotate(45)"><rect width="5" height="5" fill="#fff"/>'
           '<rect width="2" height="5" fill="#c5cad3"/></pattern></defs>']
    for j, theme in enumerate(themes):
        x = left + j * cell + cell / 2
        name = ("· " if theme.depth else "") + theme.name
        out.append(f'<text x="{x:.1f}" y="{top - 8}" font-size="12" transform="rotate(-55 {x:.1f} {top - 8})">'
                   f"<title>{_e(theme.name)}</title>{_e(_short(name, 28))}</text>")
    for i, dyad in enumerate(dyads):
        y = top + i * cell
        group = ix.patterns[(kind, dyad, themes[0].id)].group if themes else None
        label = dyad + (f" · {group}" if group else "")
        out.append(f'<text x="{left - 8}" y="{y + cell / 2 + 4:.1f}" font-size="12" text-anchor="end">'
                   f"{_e(label[:24])}</text>")
        for j, theme in enumerate(themes):
            p = ix.patterns[(kind, dyad, theme.id)]
            fill = "url(#hatch)" if p.pattern == MISSING else PATTERN_COLORS[p.pattern]
            x = left + j * cell
            who = ", ".join(p.raised_by) or "nobody"
            tip = f"{dyad} · {theme.name}: {PATTERN_LABELS[p.pattern]} (raised by {who})"
            out.append(f'<g><title>{_e(tip)}</title><rect x="{x + 1}" y="{y + 1}" width="{cell - 2}" '
                       f'height="{cell - 2}" rx="3" fill="{fill}" stroke="#c5cad3" stroke-width="0.5"/>')
            mark = PATTERN_MARKS[p.pattern]
            if mark:
                color = "#fff" if p.pattern in ("shared", "therapist-only") else "#1d2433"
                out.append(f'<text x="{x + cell / 2:.1f}" y="{y + cell / 2 + 4:.1f}" font-size="11" '
                           f'font-weight="600" text-anchor="middle" fill="{color}">{mark}</text>')
            out.append("</g>")
    out.append("</svg>")
    return "".join(out)


def _role_bars(summary: Summary, ix: Index, kind: str) -> str:
    roles = [r for r in ("client", "therapist", "interpreter") if r in ix.study_roles[kind]]
    themes = summary.themes
    bar, gap, left, plot = 11, 9, 190, 210
    row_h = bar * len(roles) + gap
    height = 28 + row_h * len(themes)
    width = left + plot + 50
    out = [f'<svg role="img" aria-label="Share of dyads per role" viewBox="0 0 {width} {height}" width="100%" '
           f'style="max-width:{width}px" xmlns="http://www.w3.org/2000/svg">']
    for k, role in enumerate(roles):
        out.append(f'<rect x="{left + k * 95}" y="4" width="10" height="10" fill="{ROLE_COLORS[role]}"/>'
                   f'<text x="{left + k * 95 + 14}" y="13" font-size="12">{_e(role)}</text>')
    for j, theme in enumerate(themes):
        y0 = 24 + j * row_h
        out.append(f'<text x="{left - 8}" y="{y0 + bar * len(roles) / 2 + 4:.1f}" font-size="12" '
                   f'text-anchor="end">{_e(_short(theme.name, 30))}</text>')
        for k, role in enumerate(roles):
            rows = [ix.roles[(kind, d, theme.id, role)] for d in summary.dyads(kind)
                    if (kind, d, theme.id, role) in ix.roles]
            present = [r for r in rows if r.available]
            raised = sum(1 for r in present if r.turns_coded)
            share = raised / len(present) if present else 0.0
            y = y0 + k * bar
            tip = f"{theme.name} · {role}: raised in {raised} of {len(present)} dyads"
            out.append(f'<g><title>{_e(tip)}</title><rect x="{left}" y="{y}" width="{plot}" height="{bar - 1}" '
                       f'fill="#f1f3f7"/><rect x="{left}" y="{y}" width="{plot * share:.1f}" height="{bar - 1}" '
                       f'fill="{ROLE_COLORS[role]}"/></g>')
            out.append(f'<text x="{left + plot + 6}" y="{y + bar - 2}" font-size="9.5" fill="#5b6475">'
                       f"{raised}/{len(present)}</text>")
    out.append("</svg>")
    return "".join(out)


def _overview(summary: Summary, ix: Index, kind: str) -> str:
    head = "".join(f'<th class="num">{_e(PATTERN_LABELS[p])}</th>' for p in PATTERNS)
    rows = []
    for theme in summary.themes:
        a = ix.agreement.get((kind, "all", "", theme.id))
        cells = "".join(f'<td class="num">{ix.counts.get((kind, "all", "", theme.id, p), 0)}</td>' for p in PATTERNS)
        rows.append(f'<tr><td>{"&nbsp;&nbsp;" * theme.depth}{_e(theme.name)}</td>{cells}'
                    f'<td class="num">{pct(a.percent_agreement) if a else "n/a"}</td>'
                    f'<td class="num">{kappa_text(a.kappa) if a else "n/a"}</td></tr>')
    return (f'<div class="card"><h3 style="margin-top:0">Dyads per pattern and client–therapist agreement</h3>'
            f'<table><thead><tr><th>Theme</th>{head}<th class="num">agreement</th><th class="num">κ</th></tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table></div>")


def _theme_section(summary: Summary, ix: Index, kind: str, theme) -> str:
    parts = [f'<section class="card"><h3 style="margin-top:0">{_e(theme.name)} '
             f'<small style="color:#5b6475;font-weight:400">{_e(theme.id)}</small></h3>']
    if theme.definition:
        parts.append(f'<p class="def">{_e(theme.definition)}</p>')
    if not ix.raised_anywhere(kind, theme.id):
        parts.append('<p class="agree">Raised in no dyad.</p></section>')
        return "".join(parts)
    roles = ix.study_roles[kind]
    head = "".join(f'<th class="num">{_e(r)}</th>' for r in roles)
    rows = []
    for dyad in summary.dyads(kind):
        p = ix.patterns[(kind, dyad, theme.id)]
        cells = "".join(f'<td class="num">{_e(role_cell(ix.roles.get((kind, dyad, theme.id, r))))}</td>' for r in roles)
        rows.append(f"<tr><td>{_e(dyad)}</td><td>{_e(p.group or '')}</td><td>{_e(p.setting or '')}</td>"
                    f"<td>{_pill(p.pattern)}</td>{cells}</tr>")
    parts.append(f"<table><thead><tr><th>Dyad</th><th>Group</th><th>Setting</th><th>Pattern</th>{head}</tr></thead>"
                 f"<tbody>{''.join(rows)}</tbody></table>")
    agree = [f"Client–therapist agreement: {_e(agreement_sentence(ix.agreement.get((kind, 'all', '', theme.id))))}."]
    for facet in ("group", "setting"):
        values = ix.facets(kind, facet)
        if values:
            agree.append(f"By {facet}: " + "; ".join(
                f"{_e(v)}: {_e(agreement_sentence(ix.agreement.get((kind, facet, v, theme.id))))}" for v in values) + ".")
    parts.append('<p class="agree">' + "<br>".join(agree) + "</p>")
    parts.append(_dialogue(summary, ix, kind, theme))
    parts.append("</section>")
    return "".join(parts)


def _dialogue(summary: Summary, ix: Index, kind: str, theme) -> str:
    roles = ix.dialogue_roles(kind)
    blocks = []
    for dyad in summary.dyads(kind):
        columns, any_quote = [], False
        for role in roles:
            quotes = ix.quotes.get((kind, dyad, theme.id, role), [])
            color = ROLE_COLORS.get(role, "#999")
            inner = "".join(
                f'<blockquote style="border-left-color:{color}">{_e(q.text)}'
                f"<cite>{_e(q.speaker)} · {_e(q.transcript)}, line {q.line}</cite></blockquote>" for q in quotes)
            any_quote = any_quote or bool(quotes)
            if not quotes:
                row = ix.roles.get((kind, dyad, theme.id, role))
                inner = f'<blockquote class="none">{_e(role_cell(row) if row and not row.available else "not raised")}</blockquote>'
            columns.append(f'<div><div class="role-label" style="color:{color}">{_e(role)}</div>{inner}</div>')
        if any_quote:
            blocks.append(f'<div class="dyad"><div class="dyad-name">{_e(dyad)}</div>'
                          f'<div class="turns" style="grid-template-columns:repeat({len(roles)},minmax(0,1fr))">'
                          f"{''.join(columns)}</div></div>")
    if not blocks:
        return ""
    return '<div class="dialogue"><strong>Dyadic dialogue</strong>' + "".join(blocks) + "</div>"


def _sequences(summary: Summary) -> str:
    top = sorted((s for s in summary.sequences if s.z is not None and s.z >= 1.96 and s.observed >= 2),
                 key=lambda s: (-s.z, s.given, s.target))[:TOP_TRANSITIONS]
    title = f"Sequences (within {summary.window} turn{'s' if summary.window != 1 else ''})"
    if not top:
        return (f'<div class="card"><h3 style="margin-top:0">{title}</h3><p class="agree">No transition occurs more '
                "often than chance (adjusted residual z ≥ 1.96 with at least 2 occurrences).</p></div>")
    rows = "".join(
        f"<tr><td>{_e(s.given_role)}: {_e(summary.theme(s.given_theme).name)}</td>"
        f"<td>{_e(s.target_role)}: {_e(summary.theme(s.target_theme).name)}</td>"
        f'<td class="num">{s.observed}</td><td class="num">{s.expected:.2f}</td><td class="num">{s.z:.2f}</td>'
        f'<td class="num">{"n/a" if s.yules_q is None else f"{s.yules_q:.2f}"}</td></tr>' for s in top)
    return (f'<div class="card"><h3 style="margin-top:0">{title}</h3><p class="agree">Transitions that occur more often '
            "than chance (adjusted residual z ≥ 1.96, at least 2 occurrences); all pairs are in sequences.csv.</p>"
            '<table><thead><tr><th>Given</th><th>Followed by</th><th class="num">observed</th>'
            '<th class="num">expected</th><th class="num">z</th><th class="num">Yule\'s Q</th></tr></thead>'
            f"<tbody>{rows}</tbody></table></div>")
