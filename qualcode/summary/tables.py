"""Tidy CSV tables of every number in a summary (fixed columns, stable order)."""
from __future__ import annotations

from qualcode.summary.compute import Summary

TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "transcripts": ("transcript", "path", "dyad", "kind", "role", "group", "setting", "turns", "counted_turns", "words"),
    "roles": ("kind", "dyad", "group", "setting", "theme", "role", "available", "transcripts", "role_turns",
              "role_words", "turns_coded", "share_of_turns", "per_1000_words", "first_transcript", "first_turn",
              "first_line"),
    "patterns": ("kind", "dyad", "group", "setting", "theme", "pattern", "raised_by", "missing"),
    "pattern_counts": ("kind", "facet", "value", "theme", "pattern", "dyads"),
    "agreement": ("kind", "facet", "value", "theme", "dyads", "both", "client_only", "therapist_only", "neither",
                  "percent_agreement", "kappa"),
    "quotes": ("kind", "dyad", "theme", "role", "rank", "transcript", "turn", "line", "speaker", "score", "quote"),
    "sequences": ("given_role", "given_theme", "target_role", "target_theme", "window", "turns", "given_turns",
                  "target_turns", "observed", "expected", "z", "yules_q"),
}


def _round(value: float | None, digits: int):
    return None if value is None else round(value, digits) + 0.0  # no '-0.0'


def table_rows(summary: Summary, table: str) -> list[dict]:
    """The rows of one table (see `TABLE_COLUMNS`)."""
    from qualcode.summary.compute import counted_role

    if table == "transcripts":
        rows = []
        for m in summary.members:
            counted = [t for t in m.transcript.turns if counted_role(m, t, include_interviewer=summary.include_interviewer) is not None]
            rows.append({"transcript": m.id, "path": m.transcript.path, "dyad": m.dyad, "kind": m.kind,
                         "role": m.role, "group": m.group, "setting": m.setting, "turns": len(m.transcript.turns),
                         "counted_turns": len(counted), "words": sum(t.words for t in counted)})
        return rows
    if table == "roles":
        return [{**r.__dict__, "share_of_turns": _round(r.share_of_turns, 4),
                 "per_1000_words": _round(r.per_1000_words, 2)} for r in summary.roles]
    if table == "patterns":
        return [{**r.__dict__, "raised_by": "+".join(r.raised_by), "missing": "+".join(r.missing)}
                for r in summary.patterns]
    if table == "pattern_counts":
        return [dict(r.__dict__) for r in summary.pattern_counts]
    if table == "agreement":
        return [{**r.__dict__, "percent_agreement": _round(r.percent_agreement, 1), "kappa": _round(r.kappa, 3)}
                for r in summary.agreement]
    if table == "quotes":
        return [{**q.__dict__, "quote": q.text, "score": round(q.score, 4)} for q in summary.quotes]
    if table == "sequences":
        return [{**s.__dict__, "expected": round(s.expected, 3), "z": _round(s.z, 3), "yules_q": _round(s.yules_q, 3)}
                for s in summary.sequences]
    raise KeyError(table)


def table_csv(summary: Summary, table: str) -> str:
    from qualcode.output.write import csv_text

    return csv_text(table_rows(summary, table), TABLE_COLUMNS[table])
