"""Training examples from human codings: one example per turn, with the labels that are known for it.

Positives are the codings in force (accepted and hand-added). A turn of a transcript
the coder fully reviewed (or, for `--codings FILE`, any transcript present in the file)
is a negative for every theme not coded on it. In other transcripts only the coded themes
(positive) and the rejected suggestions (negative) are known; everything else is left
unknown and teaches nothing. A theme limited to some roles is unknown on other turns.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from qualcode.codings import Coding
from qualcode.errors import WARNING, Diagnostic, QualcodeError
from qualcode.models import Codebook, Transcript

#: How a turn is turned into classifier text.
#: "text": the turn alone; "role": a role token before it; "context": role token, the turn,
#: and the previous turn's words marked so they do not mix with the turn's own words.
CONTEXTS = ("text", "role", "context")
DEFAULT_CONTEXT = "role"

_WORD = re.compile(r"\w+")


class TrainingDataError(QualcodeError):
    """The codings cannot be turned into training data."""


@dataclass(frozen=True)
class TurnExample:
    """One turn as the classifier sees it, and what is known about its labels (1.0 / 0.0)."""

    transcript: str
    turn: int
    role: str
    text: str
    cats: dict[str, float]
    words: int = 0


def turn_features(transcript: Transcript, index: int, *, context: str = DEFAULT_CONTEXT) -> str:
    """The classifier text of turn `index` (0-based) of `transcript`."""
    turn = transcript.turns[index]
    text = turn.text.replace("\n", " ")
    if context == "text":
        return text
    head = f"__role_{turn.role}__ "
    if context == "role":
        return head + text
    if index == 0:
        prev = " __prev_none__"
    else:
        before = transcript.turns[index - 1]
        words = _WORD.findall(before.text.lower())
        prev = f" __prev_{before.role}__ " + " ".join(f"__p_{w}" for w in words)
    return head + text + prev


def all_turn_features(transcript: Transcript, *, context: str = DEFAULT_CONTEXT) -> list[str]:
    return [turn_features(transcript, i, context=context) for i in range(len(transcript.turns))]


def label_roles_of(codebook: Codebook | None) -> dict[str, tuple[str, ...]]:
    """Theme id -> roles it applies to (only themes limited to some roles)."""
    if codebook is None:
        return {}
    return {t.id: tuple(t.roles) for t in codebook.themes if t.roles}


def check_codings(transcripts: Sequence[Transcript], codings: Sequence[Coding], *, source: str,
                  codebook: Codebook | None = None) -> list[Diagnostic]:
    """Problems with codings against the transcripts and codebook: errors for unknown turns and themes,
    a warning for codings of transcripts that were not given."""
    by_id = {t.id: t for t in transcripts}
    themes = set(codebook.theme_ids) if codebook is not None else None
    diags: list[Diagnostic] = []
    bad_turns: set[tuple[str, int]] = set()
    bad_themes: set[str] = set()
    other: set[str] = set()
    for c in codings:
        transcript = by_id.get(c.transcript)
        if transcript is None:
            other.add(c.transcript)
            continue
        if c.turn > len(transcript.turns) and (c.transcript, c.turn) not in bad_turns:
            bad_turns.add((c.transcript, c.turn))
            diags.append(Diagnostic(
                "QC600", f"coding of transcript '{c.transcript}' names turn {c.turn}, but it has "
                         f"{len(transcript.turns)} turns", source,
                hint=f"check that {transcript.path} is the version that was coded"))
        if themes is not None and c.theme not in themes and c.theme not in bad_themes:
            bad_themes.add(c.theme)
            diags.append(Diagnostic(
                "QC601", f"theme '{c.theme}' is not in the codebook {codebook.path}", source,
                hint="train with the codebook the codings were made with (--codebook FILE)"))
    if other:
        names = ", ".join(sorted(other)[:5]) + (" …" if len(other) > 5 else "")
        diags.append(Diagnostic(
            "QC603", f"codings of {len(other)} transcript(s) not given are ignored: {names}", source,
            hint="add those transcript files to the command to learn from them", severity=WARNING))
    return diags


def build_examples(transcripts: Sequence[Transcript], codings: Iterable[Coding], *, labels: Sequence[str],
                   fully_coded: Iterable[str], rejected: Iterable[Coding] = (),
                   label_roles: Mapping[str, Sequence[str]] | None = None,
                   context: str = DEFAULT_CONTEXT) -> list[TurnExample]:
    """One example per turn that has at least one known label, in transcript and turn order."""
    label_roles = label_roles or {}
    wanted = set(labels)
    fully = set(fully_coded)
    positive: dict[tuple[str, int], set[str]] = {}
    for c in codings:
        if c.theme in wanted:
            positive.setdefault((c.transcript, c.turn), set()).add(c.theme)
    negative: dict[tuple[str, int], set[str]] = {}
    for c in rejected:
        if c.theme in wanted:
            negative.setdefault((c.transcript, c.turn), set()).add(c.theme)
    out: list[TurnExample] = []
    for transcript in transcripts:
        complete = transcript.id in fully
        for index, turn in enumerate(transcript.turns):
            key = (transcript.id, turn.number)
            pos = positive.get(key, set())
            neg = negative.get(key, set()) - pos
            cats: dict[str, float] = {}
            for label in labels:
                roles = label_roles.get(label)
                if roles and turn.role not in roles:
                    continue
                if label in pos:
                    cats[label] = 1.0
                elif complete or label in neg:
                    cats[label] = 0.0
            if not cats:
                continue
            out.append(TurnExample(transcript.id, turn.number, turn.role,
                                   turn_features(transcript, index, context=context), cats, turn.words))
    return out


def labels_from_codings(codings: Iterable[Coding], transcripts: Sequence[Transcript],
                        codebook: Codebook | None = None) -> list[str]:
    """The themes coded at least once in the given transcripts, in codebook order (else sorted)."""
    ids = {t.id for t in transcripts}
    seen = {c.theme for c in codings if c.transcript in ids}
    if codebook is not None:
        return [t for t in codebook.theme_ids if t in seen]
    return sorted(seen)
