"""What a review works on and the non-interactive ways to decide: hand coding, the decision CSV round-trip."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from qualcode.errors import WARNING, Diagnostic, Report
from qualcode.models import Codebook, Suggestion, Transcript, Turn
from qualcode.review.store import DecisionLog, DecisionsError, suggestion_fields, suggestion_key

#: Columns of the decision CSV, in order. `decision`, `recode_to` and `memo` are for the coder to fill in.
DECISION_COLUMNS = ("transcript", "turn", "line", "speaker", "role", "theme", "start", "end", "rule", "quote",
                    "decision", "recode_to", "memo")
ACCEPT_WORDS = {"accept": "accept", "a": "accept", "yes": "accept", "y": "accept",
                "reject": "reject", "r": "reject", "no": "reject", "n": "reject",
                "recode": "recode", "c": "recode"}


@dataclass(frozen=True)
class Review:
    """A transcript and the suggestions to decide, in reading order, one per key."""

    transcript: Transcript
    items: tuple[Suggestion, ...]
    theme_ids: tuple[str, ...]

    def turn(self, number: int) -> Turn | None:
        if 1 <= number <= len(self.transcript.turns):
            return self.transcript.turns[number - 1]
        return None


def review_items(suggestions) -> tuple[Suggestion, ...]:
    """Counted suggestions (negated hits are not suggestions), one per key, by turn and position."""
    seen, out = set(), []
    for s in sorted((s for s in suggestions if not s.negated), key=lambda s: (s.turn, s.start, s.end, s.theme)):
        k = suggestion_key(s)
        if k not in seen:
            seen.add(k)
            out.append(s)
    return tuple(out)


def prepare_review(transcript_path: str | Path, *, codebook: Codebook, pipeline: str | None = None,
                   model: str | Path | None = None, min_score=None, order: str = "text") -> Review:
    """Code the transcript (rules of `codebook`, and a trained `model` if given) and list what there is to review.

    order "text": in reading order. "uncertain": the model's suggestions first, most uncertain (probability
    nearest 0.5) first, so each decision teaches the model most; then the rules' in reading order."""
    from qualcode.coding import code_transcript

    result = code_transcript(transcript_path, codebook=codebook, pipeline=pipeline)
    if model is not None:
        from qualcode.model.predict import add_model_suggestions

        result, _ = add_model_suggestions(result, model, codebook, min_score=min_score)
    items = review_items(result.suggestions)
    if order == "uncertain":
        from qualcode.model.predict import order_by_uncertainty

        items = tuple(order_by_uncertainty([s for s in items if s.source == "model"])) + tuple(
            s for s in items if s.source != "model")
    return Review(result.transcript, items, codebook.theme_ids)


def resolve_span(turn: Turn, *, quote: str | None = None, start: int | None = None,
                 end: int | None = None) -> tuple[int | None, int | None] | str:
    """Transcript offsets of a hand coding in `turn`: a quoted phrase, explicit offsets, or the whole turn (None, None).

    Returns a message (str) when the span cannot be placed.
    """
    if quote:
        at = turn.text.lower().find(" ".join(quote.split()).lower())
        if at < 0:
            return f"'{quote}' does not occur in turn {turn.number}"
        return turn.start + at, turn.start + at + len(" ".join(quote.split()))
    if start is None and end is None:
        return None, None
    if start is None or end is None or not (turn.start <= start < end <= turn.end):
        return f"span {start}-{end} is not inside turn {turn.number} ({turn.start}-{turn.end})"
    return start, end


def add_coding(log: DecisionLog, review_or_transcript, *, turn: int, theme: str, theme_ids, quote: str | None = None,
               start: int | None = None, end: int | None = None, memo: str = "") -> dict:
    """Code (part of) a turn by hand; a `DecisionsError` (QC330) when the turn, theme or span is wrong."""
    transcript = getattr(review_or_transcript, "transcript", review_or_transcript)
    problem = None
    the_turn = transcript.turns[turn - 1] if 1 <= turn <= len(transcript.turns) else None
    if the_turn is None:
        problem = f"turn {turn} does not exist (the transcript has {len(transcript.turns)} turns)"
    elif theme not in theme_ids:
        problem = f"unknown theme '{theme}'"
    else:
        span = resolve_span(the_turn, quote=quote, start=start, end=end)
        if isinstance(span, str):
            problem = span
    if problem:
        raise DecisionsError(Diagnostic("QC330", f"cannot add the coding: {problem}", transcript.path,
                                        the_turn.line if the_turn else None, None,
                                        hint="check the turn number, theme id and quoted words"))
    fields = {"transcript": transcript.id, "turn": turn, "theme": theme, "start": span[0], "end": span[1],
              "rule": "hand"}
    if memo:
        fields["memo"] = memo
    return log.append("add", **fields)


def mark_progress(log: DecisionLog, review: Review) -> None:
    """Record that the transcript is complete (every suggestion decided) or reopened (new undecided ones)."""
    t = review.transcript.id
    undecided = sum(1 for s in review.items if suggestion_key(s) not in log.state.entries)
    done = log.state.done.get(t, False)
    if undecided == 0 and not done:
        log.append("complete", transcript=t, suggestions=len(review.items))
    elif undecided and done:
        log.append("reopen", transcript=t)


# --------------------------------------------------------------------------------------- decision CSV

def decisions_csv_text(review: Review, log: DecisionLog) -> str:
    """The suggestions as a CSV with `decision`, `recode_to` and `memo` filled in from the coder's log."""
    from qualcode.output.write import csv_text

    rows = []
    for s in review.items:
        entry = log.state.entries.get(suggestion_key(s))
        memo = entry.memo if entry else log.state.memos.get(suggestion_key(s), ("", None))[0]
        rows.append({"transcript": s.transcript, "turn": s.turn, "line": s.line, "speaker": s.speaker,
                     "role": s.role, "theme": s.theme, "start": s.start, "end": s.end, "rule": s.rule,
                     "quote": s.quote.replace("\n", " "),
                     "decision": entry.action if entry and entry.action in ("accept", "reject", "recode") else "",
                     "recode_to": entry.event.get("to", "") if entry and entry.action == "recode" else "",
                     "memo": memo})
    return csv_text(rows, DECISION_COLUMNS)


def import_decisions_csv(path: str | Path, review: Review, log: DecisionLog, *,
                         report: Report | None = None) -> dict[str, int]:
    """Record the decisions of an edited decision CSV; only what differs from the log is written.

    Every bad row is reported at once (QC340–QC343) and nothing is written then. A blank `decision`
    leaves the suggestion as it is. Returns counts of new events by action.
    """
    from qualcode.csvfile import dict_reader, read_csv_text

    name = str(path)
    reader, columns = dict_reader(read_csv_text(path, what="decision file", error=DecisionsError))
    missing = [c for c in ("transcript", "turn", "theme", "start", "end", "decision") if c not in columns]
    if missing:
        raise DecisionsError(Diagnostic("QC340", f"decision file lacks column(s) {', '.join(missing)}", name, 1, 1,
                                        hint="export a fresh one with "
                                             "`qualcode review TRANSCRIPT --coder NAME --export FILE`"))
    reader.fieldnames = columns
    by_key = {suggestion_key(s): s for s in review.items}
    diags: list[Diagnostic] = []
    planned: list[tuple[str, Suggestion, dict]] = []
    for line, row in enumerate(reader, start=2):
        row = {k: (v or "").strip() for k, v in row.items() if k}
        word = row.get("decision", "").lower()
        memo = row.get("memo", "")
        if not word and not memo:
            continue
        try:
            k = (row["transcript"], int(row["turn"]), row["theme"], int(row["start"]), int(row["end"]))
        except ValueError:
            diags.append(Diagnostic("QC341", "turn, start and end must be whole numbers", name, line, None,
                                    hint="do not edit the identifying columns; only decision, recode_to and memo"))
            continue
        s = by_key.get(k)
        if s is None:
            diags.append(Diagnostic("QC342", f"no such suggestion in {review.transcript.id} (turn {k[1]}, theme "
                                    f"'{k[2]}', {k[3]}-{k[4]})", name, line, None,
                                    hint="the file belongs to another transcript or codebook; export a fresh one"))
            continue
        action = ACCEPT_WORDS.get(word) if word else None
        if word and action is None:
            diags.append(Diagnostic("QC343", f"decision {row['decision']!r} is not accept, reject or recode", name,
                                    line, None, hint="write accept, reject or recode (or leave it empty)"))
            continue
        target = row.get("recode_to", "")
        if action == "recode" and target not in review.theme_ids:
            diags.append(Diagnostic("QC343", f"recode needs a known theme in recode_to, got {target!r}", name, line,
                                    None, hint="put a theme id of the codebook in recode_to"))
            continue
        if target and action != "recode" and target in review.theme_ids and action is None:
            action = "recode"
        planned.append((action or "", s, {"to": target, "memo": memo}))
    if diags:
        raise DecisionsError(diags)
    counts: dict[str, int] = {}
    for action, s, extra in planned:
        k = suggestion_key(s)
        entry = log.state.entries.get(k)
        if action and (entry is None or entry.action != action
                       or (action == "recode" and entry.event.get("to") != extra["to"])):
            fields = suggestion_fields(s)
            if action == "recode":
                fields["to"] = extra["to"]
            log.append(action, **fields)
            counts[action] = counts.get(action, 0) + 1
            entry = log.state.entries.get(k)
        current_memo = entry.memo if entry else log.state.memos.get(k, ("", None))[0]
        if extra["memo"] != current_memo and (extra["memo"] or entry is not None):
            log.append("memo", **suggestion_fields(s), memo=extra["memo"])
            counts["memo"] = counts.get("memo", 0) + 1
    mark_progress(log, review)
    if report is not None and not planned:
        report.add(Diagnostic("QC344", "no decisions in the file", name, severity=WARNING,
                              hint="fill the 'decision' column with accept, reject or recode"))
    return counts
