"""summary.md: a paper-ready dyadic summary (per theme: definition, pattern table, dyadic dialogue)."""
from __future__ import annotations

import re

from qualcode import __version__
from qualcode.summary.compute import MISSING, PATTERNS, Summary
from qualcode.summary.study import natural_key
from qualcode.summary.views import (KIND_TITLES, PATTERN_HELP, PATTERN_LABELS, Index, agreement_sentence,
                                    kappa_text, pct, role_cell)

#: Transitions shown in the sequence table (the CSV has them all).
TOP_TRANSITIONS = 15
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|#])")


def md_escape(text: str) -> str:
    """Text safe inside a Markdown table cell: special characters escaped, one line."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def _row(cells) -> str:
    return "| " + " | ".join(cells) + " |"


def _table(header: list[str], rows: list[list[str]], align: str | None = None) -> list[str]:
    rule = [("---:" if a == "r" else "---") for a in (align or "l" * len(header))]
    return [_row(header), _row(rule), *(_row(r) for r in rows)]


def render_markdown(summary: Summary) -> str:
    ix = Index(summary)
    out = ["# Dyadic theme summary", ""]
    interviews = sum(1 for m in summary.members if m.kind == "interview")
    sessions = len(summary.members) - interviews
    dyads = len({m.dyad for m in summary.members})
    out += [f"- Codings: {md_escape(summary.source)}",
            f"- Study: {dyads} dyad{'s' if dyads != 1 else ''}; {interviews} interview(s), {sessions} session(s). "
            "In interviews the interviewer's turns are left out and every other turn counts for the "
            "interviewee's perspective; in sessions every speaker counts under their own role.",
            "- Patterns: " + "; ".join(f"**{PATTERN_LABELS[p]}**: {PATTERN_HELP[p]}" for p in PATTERNS) + ".",
            "- Agreement compares client and therapist presence of a theme across the dyads that have both "
            "perspectives (percent agreement and Cohen's κ; n/a where κ is undefined).",
            f"- Made by qualcode {__version__}; every number is in the CSV tables next to this file.", ""]
    for kind in summary.kinds:
        out += _kind_section(summary, ix, kind)
    return "\n".join(out).rstrip() + "\n"


def _kind_section(summary: Summary, ix: Index, kind: str) -> list[str]:
    out = [f"## {KIND_TITLES[kind]}", "", "### Overview", ""]
    header = ["Theme", *(PATTERN_LABELS[p] for p in PATTERNS), "agreement", "κ"]
    rows = []
    for theme in summary.themes:
        a = ix.agreement.get((kind, "all", "", theme.id))
        rows.append(["&nbsp;&nbsp;" * theme.depth + md_escape(theme.name),
                     *(str(ix.counts.get((kind, "all", "", theme.id, p), 0)) for p in PATTERNS),
                     pct(a.percent_agreement) if a else "n/a", kappa_text(a.kappa) if a else "n/a"])
    out += _table(header, rows, "l" + "r" * (len(header) - 1)) + [""]
    missing = [p for p in summary.patterns if p.kind == kind and p.pattern == MISSING]
    lacking = sorted({(p.dyad, "+".join(p.missing)) for p in missing}, key=lambda x: (natural_key(x[0]), x[1]))
    if lacking:
        out += ["Dyads with a missing perspective: " + ", ".join(
            f"{md_escape(d)} (no {m.replace('+', ' or ')} {'interview' if kind == 'interview' else 'turns'})"
            for d, m in lacking) + ".", ""]
    for theme in summary.themes:
        out += _theme_section(summary, ix, kind, theme)
    if kind == "session":
        out += _sequence_section(summary)
    return out


def _theme_section(summary: Summary, ix: Index, kind: str, theme) -> list[str]:
    out = [f"### {md_escape(theme.name)} (`{theme.id}`)", ""]
    if theme.definition:
        out += [f"*Definition.* {md_escape(theme.definition)}", ""]
    if not ix.raised_anywhere(kind, theme.id):
        return out + ["Raised in no dyad.", ""]
    roles = ix.study_roles[kind]
    rows = []
    for dyad in summary.dyads(kind):
        p = ix.patterns[(kind, dyad, theme.id)]
        rows.append([md_escape(dyad), md_escape(p.group or ""), md_escape(p.setting or ""),
                     PATTERN_LABELS[p.pattern],
                     *(role_cell(ix.roles.get((kind, dyad, theme.id, r))) for r in roles)])
    out += _table(["Dyad", "Group", "Setting", "Pattern", *(r.capitalize() for r in roles)], rows,
                  "llll" + "r" * len(roles)) + [""]
    out.append(f"Client–therapist agreement: {agreement_sentence(ix.agreement.get((kind, 'all', '', theme.id)))}.")
    for facet in ("group", "setting"):
        parts = [f"{md_escape(v)}: {agreement_sentence(ix.agreement.get((kind, facet, v, theme.id)))}"
                 for v in ix.facets(kind, facet)]
        if parts:
            out.append(f"By {facet}: " + "; ".join(parts) + ".")
    out.append("")
    dialogue_roles = ix.dialogue_roles(kind)
    dialogue = []
    for dyad in summary.dyads(kind):
        cells = []
        for role in dialogue_roles:
            quotes = ix.quotes.get((kind, dyad, theme.id, role), [])
            cells.append("<br>".join(f"“{md_escape(q.text)}” ({md_escape(q.transcript)}, line {q.line})"
                                     for q in quotes) or "–")
        if any(c != "–" for c in cells):
            dialogue.append([md_escape(dyad), *cells])
    if dialogue:
        out += ["**Dyadic dialogue**", ""]
        out += _table(["Dyad", *(r.capitalize() for r in dialogue_roles)], dialogue) + [""]
    return out


def _sequence_section(summary: Summary) -> list[str]:
    out = [f"### Sequences (within {summary.window} turn{'s' if summary.window != 1 else ''})", ""]
    top = sorted((s for s in summary.sequences if s.z is not None and s.z >= 1.96 and s.observed >= 2),
                 key=lambda s: (-s.z, s.given, s.target))[:TOP_TRANSITIONS]
    if not top:
        return out + ["No transition occurs more often than chance (adjusted residual z ≥ 1.96 with at least "
                      "2 occurrences).", ""]
    out += ["Transitions that occur more often than chance (adjusted residual z ≥ 1.96, at least 2 occurrences; "
            "all pairs are in sequences.csv).", ""]
    rows = [[md_escape(f"{s.given_role}: {summary.theme(s.given_theme).name}"),
             md_escape(f"{s.target_role}: {summary.theme(s.target_theme).name}"),
             str(s.observed), f"{s.expected:.2f}", f"{s.z:.2f}",
             "n/a" if s.yules_q is None else f"{s.yules_q:.2f}"] for s in top]
    out += _table(["Given", "Followed by", "observed", "expected", "z", "Yule's Q"], rows, "llrrrr") + [""]
    return out
