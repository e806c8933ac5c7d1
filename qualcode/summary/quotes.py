"""Exemplar quotes: for each dyad, theme and role the best-scoring coded turns, trimmed to a
readable length, without near-duplicates, with transcript and line."""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from difflib import SequenceMatcher

from qualcode.models import Transcript
from qualcode.summary.compute import Evidence, counted_role
from qualcode.summary.study import Member, natural_key

#: Longest quote shown, in characters (about two sentences).
MAX_QUOTE_CHARS = 280
#: Quotes this similar (0..1) to one already chosen are skipped.
NEAR_DUPLICATE = 0.8
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)]*\s+")
_WORD = re.compile(r"\w+")
#: Words ending in a full stop that do not end a sentence.
ABBREVIATIONS = frozenset("dr. mr. mrs. ms. prof. st. e.g. i.e. etc. vs. cf. no. approx.".split())


@dataclass(frozen=True)
class Quote:
    kind: str
    dyad: str
    theme: str
    role: str
    rank: int
    transcript: str
    turn: int
    line: int
    speaker: str
    score: float
    text: str


def _sentences(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        word = text[:m.start()].rsplit(None, 1)[-1].lower() if text[:m.start()].strip() else ""
        if word in ABBREVIATIONS:
            continue
        spans.append((start, m.start()))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans or [(0, len(text))]


def _cut(text: str, limit: int, *, from_end: bool = False) -> str:
    """`text` shortened at a word boundary to at most `limit` characters, with an ellipsis."""
    if len(text) <= limit:
        return text
    if from_end:
        piece = text[len(text) - limit + 2:]
        piece = piece[piece.find(" ") + 1:] if " " in piece else piece
        return "… " + piece
    piece = text[: limit - 2]
    piece = piece[: piece.rfind(" ")] if " " in piece else piece
    return piece.rstrip(" ,;:") + " …"


def excerpt(text: str, start: int | None = None, end: int | None = None, *, limit: int = MAX_QUOTE_CHARS) -> str:
    """The sentence holding the span (or the turn's opening), widened by neighbouring sentences
    while it stays short, then trimmed to `limit`; white space folded."""
    sentences = _sentences(text)
    if start is None:
        i = j = 0
    else:
        i = next((k for k, (a, b) in enumerate(sentences) if a <= start < b + 1), 0)
        j = next((k for k, (a, b) in enumerate(sentences) if a < (end or start + 1) <= b + 1), i)
        j = max(i, j)
    while True:
        grown = False
        if j + 1 < len(sentences) and sentences[j + 1][1] - sentences[i][0] <= limit * 0.6:
            j, grown = j + 1, True
        if i > 0 and sentences[j][1] - sentences[i - 1][0] <= limit * 0.6:
            i, grown = i - 1, True
        if not grown:
            break
    lo, hi = sentences[i][0], sentences[j][1]
    body = " ".join(text[lo:hi].split())
    if len(body) > limit and start is not None and start - lo > limit // 2:
        # keep the evidence in view: cut from the left up to shortly before it
        lead = " ".join(text[lo:start].split())
        body = _cut(lead, limit // 3, from_end=True) + " " + " ".join(text[start:hi].split())
    body = _cut(body, limit)
    if lo > 0 and not body.startswith("…"):
        body = "… " + body
    if hi < len(text.rstrip()) and not body.endswith("…"):
        body += " …"
    return body


def common_subsequence(a: str, b: str) -> int:
    """Length of the longest common subsequence of `a` and `b`, by the bit-parallel algorithm
    (Allison and Dix 1986; Hyyrö 2004): one step of a few integer operations per character of `b`."""
    if not a or not b:
        return 0
    masks: dict[str, int] = {}
    for i, ch in enumerate(a):
        masks[ch] = masks.get(ch, 0) | (1 << i)
    full = (1 << len(a)) - 1
    row = full
    for ch in b:
        matched = row & masks.get(ch, 0)
        row = ((row + matched) | (row - matched)) & full
    return len(a) - row.bit_count()


def _similar(a: str, b: str) -> bool:
    """Near-duplicates: most words shared, or difflib's ratio() of the lower-cased texts at least
    NEAR_DUPLICATE."""
    a, b = a.lower(), b.lower()
    wa, wb = set(_WORD.findall(a)), set(_WORD.findall(b))
    if wa and wb and len(wa & wb) / len(wa | wb) >= NEAR_DUPLICATE:
        return True
    # Upper bounds of difflib's ratio(), far cheaper than it, so that most pairs stop early: the
    # shorter length over the mean, and twice the longest common subsequence over both lengths
    # (ratio() counts the characters of matching blocks, which form a common subsequence). The
    # subsequence bound is the tighter: difflib's quick_ratio() (shared characters) lets most pairs
    # of English quotes of a length through.
    total = len(a) + len(b)
    if not total:
        return True
    return (2.0 * min(len(a), len(b)) / total >= NEAR_DUPLICATE
            and 2.0 * common_subsequence(a, b) / total >= NEAR_DUPLICATE
            and SequenceMatcher(None, a, b, autojunk=False).ratio() >= NEAR_DUPLICATE)


def exemplar_quotes(members: list[Member], evidence: list[Evidence], *, per_role: int = 2,
                    include_interviewer: bool = False) -> list[Quote]:
    """The best `per_role` quotes for every kind × dyad × theme × role with coded turns."""
    by_id: dict[str, Member] = {m.id: m for m in members}
    order = {m.id: i for i, m in enumerate(sorted(members, key=lambda m: (m.kind, natural_key(m.dyad), m.id)))}
    per_turn: dict[tuple[str, int, str], list[Evidence]] = defaultdict(list)
    for e in evidence:
        if e.transcript in by_id:
            per_turn[(e.transcript, e.turn, e.theme)].append(e)
    candidates: dict[tuple[str, str, str, str], list[tuple]] = defaultdict(list)
    for (tid, number, theme), hits in per_turn.items():
        m = by_id[tid]
        if not 1 <= number <= len(m.transcript.turns):
            continue
        turn = m.transcript.turns[number - 1]
        role = counted_role(m, turn, include_interviewer=include_interviewer)
        if role is None:
            continue
        best = max(hits, key=lambda e: (e.score, -(e.start or 0)))
        rank_key = (-best.score, -len(hits), order[tid], number)
        candidates[(m.kind, m.dyad, theme, role)].append((rank_key, m.transcript, turn, best))
    out: list[Quote] = []
    for key in sorted(candidates, key=lambda k: (k[0], natural_key(k[1]), k[2], k[3])):
        chosen: list[Quote] = []
        for _, transcript, turn, best in sorted(candidates[key], key=lambda c: c[0]):
            text, line = _quote_text(transcript, turn, best)
            if any(_similar(text, q.text) for q in chosen):
                continue
            kind, dyad, theme, role = key
            chosen.append(Quote(kind, dyad, theme, role, len(chosen) + 1, transcript.id, turn.number, line,
                                turn.speaker, best.score, text))
            if len(chosen) >= per_role:
                break
        out.extend(chosen)
    return out


def _quote_text(transcript: Transcript, turn, best: Evidence) -> tuple[str, int]:
    if best.start is not None and turn.start <= best.start <= turn.end:
        start = best.start - turn.start
        end = min(best.end if best.end is not None else best.start, turn.end) - turn.start
        return excerpt(turn.text, start, end), transcript.line_of(best.start)
    return excerpt(turn.text), turn.line
