"""Compile a codebook into spaCy matchers and find theme hits in turns.

Keywords are matched on lower-cased forms *and* on lemmas. Instead of lemmatising every
token at run time, each keyword is expanded when the codebook is compiled into all the
word forms whose lemma equals the keyword's (from the lookup table), and one
PhraseMatcher on LOWER finds them all: the same hits as comparing lemmas token by token
(see `keyword_hits_reference`), at close to the tokenizer's speed. Token patterns go
through one Matcher; the lemmatizer runs only when a pattern asks for LEMMA.
"""
from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable

from qualcode.engine.negation import is_negated
from qualcode.errors import CodebookError, Diagnostic
from qualcode.models import Codebook, Suggestion, Theme, Transcript

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language
    from spacy.tokens import Doc

#: Scores by how a hit was found: the exact keyword, an inflected form of it, a token pattern.
SCORE_EXACT = 1.0
SCORE_INFLECTED = 0.9
SCORE_PATTERN = 0.8

#: A keyword expands to at most this many word-form variants.
MAX_VARIANTS = 512


@dataclass(frozen=True)
class Hit:
    """A theme found in one text: character span, the rule that fired, score, negation."""

    theme: str
    start: int
    end: int
    rule: str
    score: float
    negated: bool = False


@dataclass
class Rule:
    theme: str
    name: str
    keyword_tokens: tuple[str, ...] = ()  # lower-cased tokens of a keyword (empty for patterns)


@dataclass
class CompiledCodebook:
    """Matchers built once per process for one codebook and pipeline."""

    codebook: Codebook
    nlp: "Language"
    phrase_matcher: object
    matcher: object | None
    rules: dict[int, Rule] = field(default_factory=dict)
    theme_order: dict[str, int] = field(default_factory=dict)

    def make_docs(self, texts: Iterable[str]) -> Iterable["Doc"]:
        """Docs for texts, newlines folded to spaces (offsets unchanged)."""
        texts = (t.replace("\n", " ") for t in texts)
        if len(self.nlp.pipeline) == 0:
            return (self.nlp.make_doc(t) for t in texts)
        return self.nlp.pipe(texts, batch_size=256)


def keyword_variants(tokens: list[str], lemma_of, inverse: dict[str, set[str]]) -> list[tuple[str, ...]]:
    """Every lower-cased token sequence that matches the keyword on form or on lemma."""
    choices = []
    for tok in tokens:
        lemma = lemma_of(tok)
        forms = {tok} | inverse.get(lemma, set())
        if lemma_of(lemma) == lemma:
            forms.add(lemma)
        choices.append(sorted(forms))
    out = []
    for combo in itertools.product(*choices):
        out.append(combo)
        if len(out) >= MAX_VARIANTS:
            break
    return out


def pattern_errors(pattern) -> list[str]:
    """spaCy's own checks of a Matcher token pattern, as short messages ('token 2 → LOWER: …')."""
    from spacy.schemas import validate_token_pattern

    out = []
    for error in validate_token_pattern(list(pattern)):
        loc, _, msg = error.partition("] ")
        parts = [p.strip() for p in loc.strip("[").split("->")][1:3]
        if parts and parts[0].isdigit():
            parts[0] = f"token {int(parts[0]) + 1}"
        out.append(f"{' → '.join(parts)}: {msg}")
    return out


def _uses_lemma(pattern) -> bool:
    if isinstance(pattern, dict):
        return any(k == "LEMMA" or _uses_lemma(v) for k, v in pattern.items())
    if isinstance(pattern, (list, tuple)):
        return any(_uses_lemma(p) for p in pattern)
    return False


def _inverse_table(table: dict[str, str]) -> dict[str, set[str]]:
    inverse: dict[str, set[str]] = {}
    for form, lemma in table.items():
        inverse.setdefault(lemma, set()).add(form)
    return inverse


_INVERSE: dict[str, set[str]] | None = None


def compile_codebook(codebook: Codebook, *, pipeline: str | None = None,
                     nlp: "Language | None" = None) -> CompiledCodebook:
    """Build the pipeline and matchers for a codebook (once per process)."""
    global _INVERSE
    from qualcode.engine import nlp as nlp_mod

    needs_lemmas = any(_uses_lemma(p) for t in codebook.themes for p in t.patterns)
    if nlp is None:
        nlp = nlp_mod.load_pipeline(pipeline, lemmas=needs_lemmas)
    PhraseMatcher, Matcher, Doc = nlp_mod.spacy_classes()
    table = nlp_mod.lemma_table()
    if _INVERSE is None:
        _INVERSE = _inverse_table(table)
    phrase = PhraseMatcher(nlp.vocab, attr="LOWER")
    matcher = None
    rules: dict[int, Rule] = {}
    problems: list[Diagnostic] = []
    for theme in codebook.themes:
        for keyword in theme.keywords:
            tokens = [t.lower_ for t in nlp.make_doc(keyword)]
            if not tokens:
                continue
            key = f"{theme.id}\x1fkeyword:{keyword}"
            docs = [Doc(nlp.vocab, words=list(v)) for v in
                    keyword_variants(tokens, lambda w: table.get(w, w), _INVERSE)]
            phrase.add(key, docs)
            rules[nlp.vocab.strings[key]] = Rule(theme.id, f"keyword:{keyword}", tuple(tokens))
        for i, pattern in enumerate(theme.patterns, start=1):
            if matcher is None:
                matcher = Matcher(nlp.vocab, validate=True)
            key = f"{theme.id}\x1fpattern:{i}"
            errors = pattern_errors(pattern)
            if errors:
                problems.append(Diagnostic("QC120", f"theme '{theme.id}' → patterns[{i}]: invalid token pattern: {errors[0]}",
                                           codebook.path, theme.line, None,
                                           hint="see spaCy's Matcher docs for token attributes and operators; "
                                                "quote YAML words such as on/off/yes/no"))
                continue
            matcher.add(key, [list(pattern)])
            rules[nlp.vocab.strings[key]] = Rule(theme.id, f"pattern:{i}")
    if problems:
        raise CodebookError(problems)
    order = {t.id: i for i, t in enumerate(codebook.themes)}
    return CompiledCodebook(codebook, nlp, phrase, matcher, rules, order)


def match_doc(doc: "Doc", compiled: CompiledCodebook) -> list[Hit]:
    """Theme hits in one Doc, overlapping hits of a theme merged, in text order."""
    raw: list[tuple[str, int, int, str, float, bool]] = []
    for match_id, start, end in compiled.phrase_matcher(doc):
        rule = compiled.rules[match_id]
        exact = tuple(t.lower_ for t in doc[start:end]) == rule.keyword_tokens
        raw.append((rule.theme, start, end, rule.name, SCORE_EXACT if exact else SCORE_INFLECTED,
                    is_negated(doc, start)))
    if compiled.matcher is not None:
        for match_id, start, end in compiled.matcher(doc):
            rule = compiled.rules[match_id]
            raw.append((rule.theme, start, end, rule.name, SCORE_PATTERN, is_negated(doc, start)))
    return _merge(raw, doc, compiled.theme_order)


def _merge(raw, doc, order: dict[str, int]) -> list[Hit]:
    """Merge overlapping hits of the same theme: union span, best score, negated only if all are."""
    raw.sort(key=lambda h: (order.get(h[0], 0), h[1], -h[2], -h[4], h[3]))
    merged: list[list] = []
    for theme, start, end, rule, score, negated in raw:
        last = merged[-1] if merged else None
        if last and last[0] == theme and start < last[2]:
            last[2] = max(last[2], end)
            if score > last[4]:
                last[3], last[4] = rule, score
            last[5] = last[5] and negated
            continue
        merged.append([theme, start, end, rule, score, negated])
    hits = []
    for theme, start, end, rule, score, negated in merged:
        span = doc[start:end]
        hits.append(Hit(theme, span.start_char, span.end_char, rule, score, negated))
    hits.sort(key=lambda h: (h.start, order.get(h.theme, 0), h.end))
    return hits


def applies_to(theme: Theme, role: str) -> bool:
    return not theme.roles or role in theme.roles


def suggest(transcript: Transcript, compiled: CompiledCodebook) -> list[Suggestion]:
    """Rule suggestions for every turn of a transcript, in turn and text order."""
    themes = {t.id: t for t in compiled.codebook.themes}
    line_starts = [0] + [m.end() for m in re.finditer("\n", transcript.text)]
    out: list[Suggestion] = []
    turns = transcript.turns
    for turn, doc in zip(turns, compiled.make_docs(t.text for t in turns)):
        for hit in match_doc(doc, compiled):
            theme = themes[hit.theme]
            if not applies_to(theme, turn.role):
                continue
            start, end = turn.start + hit.start, turn.start + hit.end
            out.append(Suggestion(
                transcript=transcript.id, turn=turn.number, speaker=turn.speaker, role=turn.role,
                theme=theme.id, theme_path=theme.path, start=start, end=end,
                line=bisect.bisect_right(line_starts, start), quote=transcript.text[start:end],
                rule=hit.rule, score=hit.score, negated=hit.negated))
    return out


def keyword_hits_reference(doc: "Doc", compiled: CompiledCodebook) -> set[tuple[str, int, int]]:
    """The straightforward path, for tests: compare every keyword to every position token by token,
    on lower-cased forms or on lemmas of lower-cased forms. Returns (theme, start_char, end_char)."""
    from qualcode.engine.nlp import lemma_of

    lowers = [t.lower_ for t in doc]
    lemmas = [lemma_of(w) for w in lowers]
    found = set()
    for rule in compiled.rules.values():
        kw = rule.keyword_tokens
        if not kw:
            continue
        kw_lemmas = [lemma_of(w) for w in kw]
        n = len(kw)
        for i in range(len(doc) - n + 1):
            if all(lowers[i + j] == kw[j] or lemmas[i + j] == kw_lemmas[j] for j in range(n)):
                found.add((rule.theme, doc[i].idx, doc[i + n - 1].idx + len(doc[i + n - 1].text)))
    return found
