"""Compile a codebook into spaCy matchers and find theme hits in turns.

Keywords are matched on lower-cased forms *and* on lemmas. Instead of lemmatising every
token at run time, each keyword is expanded when the codebook is compiled into all the
word forms whose lemma equals the keyword's (from the lookup table), and one
PhraseMatcher on LOWER finds them all: the same hits as comparing lemmas token by token
(see `keyword_hits_reference`), at close to the tokenizer's speed.

Token patterns are the expensive part (spaCy's Matcher tries every pattern at every token,
making a Token object and a Python call per set test), so with the built-in pipeline they are
compiled for speed, with the same hits as running them all on lemmatised Docs (see
`pattern_hits_reference`):
- `LEMMA: x`, `LEMMA: {IN: [...]}` and `{NOT_IN: [...]}` become the equivalent tests on
  LOWER (the word forms whose lookup lemma is x), so no Doc needs lemmas;
- patterns of plain word tests (a word or an IN list per token, `?` allowed) are expanded
  into the word sequences they match and added to the keywords' PhraseMatcher: found in C,
  in the same pass as the keywords;
- patterns of word tests (a word, IN, NOT_IN, REGEX on LOWER) and lexical flags (IS_ALPHA,
  LIKE_NUM, ...) run as Python steps on the LOWER array (`tokenmatch`). Most have an anchor: a
  token that requires a word, at a fixed number of tokens from the start of every match (`_anchor`).
  The anchor's words are one-word phrases in the same PhraseMatcher, so the places to run such a
  pattern from come out of C with the keywords: a Doc without them costs the pattern nothing, and
  one with them runs it only if it also holds a word for each of its other required tokens;
- every other pattern runs only on Docs holding, for every token the pattern requires, one of
  the lower-cased words that token can match (one set intersection per Doc), and there on
  windows around its rarest required word: as Python steps, or by a spaCy Matcher of its own.
Copies of a pattern in other themes share one run. See `_matches` and `_pattern_matches`.
"""
from __future__ import annotations

import bisect
import itertools
import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Iterable, NamedTuple

from qualcode.engine.negation import CLAUSE_BREAKS, NEGATION_CUES, WINDOW
from qualcode.engine.tokenmatch import Step, compile_steps, find, fixed_checks, passing_starts
from qualcode.errors import CodebookError, Diagnostic
from qualcode.models import Codebook, Suggestion, Transcript, new_suggestion

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language
    from spacy.tokens import Doc

#: Scores by how a hit was found: the exact keyword, an inflected form of it, a token pattern.
SCORE_EXACT = 1.0
SCORE_INFLECTED = 0.9
SCORE_PATTERN = 0.8

#: A keyword expands to at most this many word-form variants.
MAX_VARIANTS = 512

#: The tokenizer is given alone, to cache them, the first this many distinct chunks a process meets
#: (`CompiledCodebook._cache_chunks`): half of what spaCy 3.8's tokenizer caches (10,000 chunks).
CHUNKS_AHEAD = 5_000
#: Chunks longer than this are not given ahead (a word with its punctuation is far shorter).
LONGEST_CHUNK_AHEAD = 100


class Hit(NamedTuple):
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
    score: float = SCORE_PATTERN


@dataclass
class PatternPlan:
    """Token patterns compiled for speed: which Docs each pattern can match, and how it runs there."""

    #: rule key -> how its pattern runs: as `tokenmatch` steps in Python where it has them, else by a
    #: spaCy Matcher holding only that pattern
    runners: dict[int, object]
    #: rule key -> every rule key with the same pattern (itself first): one run finds all of them
    same: dict[int, tuple[int, ...]]
    requires: dict[int, tuple[frozenset[int], ...]]  # rule key -> per required token, LOWER hashes it can match
    index: dict[int, tuple[int, ...]]  # LOWER hash -> rule keys whose least common required token it can be
    triggers: frozenset[int]  # every LOWER hash in `index` (each one a required word too)
    always: object | None  # a Matcher of the patterns with no required word: run on every Doc
    needs_lemmas: frozenset[int]  # rule keys whose pattern still reads LEMMA (e.g. a LEMMA REGEX)
    required_words: frozenset[int] = frozenset()  # every LOWER hash some pattern requires
    max_len: dict[int, int | None] = field(default_factory=dict)  # longest match in tokens (None: unbounded)
    #: rules whose patterns of plain LOWER tests (`?` allowed) were expanded to word sequences in the
    #: codebook's PhraseMatcher (beside the keywords): they need no Matcher and no Python per Doc
    phrase_keys: frozenset[int] = frozenset()
    #: rule key -> (most tokens before its first required token, most after its last), for patterns
    #: of unbounded length whose ends are bounded
    ends: dict[int, tuple[int, int]] = field(default_factory=dict)
    always_needs_lemmas: bool = False  # some pattern in `always` reads LEMMA
    #: anchor key (in the codebook's PhraseMatcher, one word per phrase) -> (rule key, offset) of the
    #: Python-step patterns found from it: each match of such a pattern starts `offset` tokens before
    #: one of those words (see `_anchor`); they need no pass over the Doc of their own
    anchors: dict[int, tuple[tuple[int, int], ...]] = field(default_factory=dict)
    #: rule key of an anchored pattern that requires more than its anchor's word -> per required token,
    #: LOWER hashes it can match: it runs only on Docs holding one of each (as `requires`)
    anchor_requires: dict[int, tuple[frozenset[int], ...]] = field(default_factory=dict)
    anchor_words: frozenset[int] = frozenset()  # every LOWER hash in `anchor_requires`
    #: rule key of an anchored pattern -> the tests its tokens at a fixed place from the start must pass
    #: (`tokenmatch.fixed_checks`): the places where they fail are dropped before its steps run
    anchor_checks: dict[int, tuple] = field(default_factory=dict)

    @property
    def scans(self) -> bool:
        """Whether some pattern needs `_pattern_matches` (a pass over each Doc's words)."""
        return bool(self.index) or self.always is not None


@dataclass
class CompiledCodebook:
    """Matchers built once per process for one codebook and pipeline."""

    codebook: Codebook
    nlp: "Language"
    phrase_matcher: object
    matcher: object | None  # every pattern as written, in one Matcher (the straightforward path)
    rules: dict[int, Rule] = field(default_factory=dict)
    theme_order: dict[str, int] = field(default_factory=dict)
    plan: PatternPlan | None = None
    lookup_lemmas: bool = True  # built-in pipeline: lemmas come from the lookup table
    negation_cues: frozenset[int] = frozenset()  # LOWER hashes
    clause_breaks: frozenset[int] = frozenset()
    lower_attr: int = 0  # spaCy's attribute id of LOWER, for `Doc.to_array`
    #: the chunks (runs of non-space characters) the tokenizer has been given alone (`make_docs`)
    chunks_seen: set[str] = field(default_factory=set, repr=False, compare=False)

    @cached_property
    def sortable(self) -> dict[int, tuple[int, str, str, float]]:
        """Rule key -> (theme order, theme, rule name, score): what `match_doc` sorts and merges hits by."""
        return {key: (self.theme_order.get(r.theme, 0), r.theme, r.name, r.score) for key, r in self.rules.items()}

    def lowers(self, doc: "Doc") -> list[int]:
        """The LOWER hash of each token of a Doc."""
        return doc.to_array(self.lower_attr).tolist()

    def make_docs(self, texts: Iterable[str]) -> Iterable["Doc"]:
        """Docs for texts (a transcript's turns, from `suggest`), newlines folded to spaces (offsets
        unchanged). With the built-in pipeline, their first chunks are cached first (`_cache_chunks`)."""
        texts = [t.replace("\n", " ") for t in texts]
        if len(self.nlp.pipeline) == 0:
            self._cache_chunks(texts)
            return (self.nlp.make_doc(t) for t in texts)
        return self.nlp.pipe(texts, batch_size=256)

    def _cache_chunks(self, texts: list[str]) -> None:
        """Have the tokenizer cache the chunks of these texts, the first `CHUNKS_AHEAD` a process meets.
        spaCy's tokenizer splits a text at white space and caches how it split each chunk (spaCy 3.8:
        up to 10,000), but not a chunk it meets after a special case ("I'm", "don't") in the same text
        (explosion/spaCy#13950, with a fix proposed in #13951): in conversation most turns have one
        early, so a chunk that needs its affix rules ("well,", "okay.") is split again at almost every
        sight. A chunk not seen before is tokenized here alone, once, in the order the texts hold
        them, which caches it; a chunk that is a special case itself is looked up among them at once
        anyway. Only the first few thousand, and none longer than `LONGEST_CHUNK_AHEAD`: the chunks a
        study meets first are mostly the frequent ones, and giving rare ones ahead costs more than it
        saves and crowds spaCy's cache (reading and tokenizing the 1 M-word study in one process, in
        instructions: 12.55 G without; 11.44 G with the first 1,000 chunks; 10.59 G with 5,000;
        10.95 G with 10,000; 11.63 G with every chunk and the cache unbounded)."""
        seen = self.chunks_seen
        room = CHUNKS_AHEAD - len(seen)
        if room <= 0:
            return
        chunks = dict.fromkeys(itertools.chain.from_iterable(map(str.split, texts)))
        new = [c for c in chunks if c not in seen and len(c) <= LONGEST_CHUNK_AHEAD][:room]
        tokenizer = self.nlp.tokenizer
        for chunk in new:
            tokenizer(chunk)
        seen.update(new)


def keyword_variants(tokens: list[str], lemma_of, inverse: dict[str, set[str]]) -> list[tuple[str, ...]]:
    """Every lower-cased token sequence that matches the keyword on form or on lemma."""
    choices = []
    for tok in tokens:
        lemma = lemma_of(tok)
        forms = {tok} | {f for f in inverse.get(lemma, ()) if f == f.lower()}
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
    from qualcode.engine.nlp import import_spacy

    import_spacy()
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
        return any(str(k).upper() == "LEMMA" or _uses_lemma(v) for k, v in pattern.items())
    if isinstance(pattern, (list, tuple)):
        return any(_uses_lemma(p) for p in pattern)
    return False


def pattern_attributes(patterns: Iterable[list]) -> set[str] | None:
    """The token attributes (upper case) that patterns test; None if some pattern tests an extension (`_`),
    which may read any attribute, or names one otherwise than by its name (spaCy also takes its ids)."""
    out: set[str] = set()
    for pattern in patterns:
        for token in pattern:
            if isinstance(token, dict):
                if not all(isinstance(k, str) for k in token):
                    return None
                out.update(k.upper() for k in token)
    return None if "_" in out else out


def _inverse_table(table: dict[str, str], lemmas: set[str] | None = None) -> dict[str, set[str]]:
    """lemma -> the word forms the table gives it, for `lemmas` only (all if None): one pass, no more."""
    inverse: dict[str, set[str]] = {}
    for form, lemma in table.items():
        if lemmas is None or lemma in lemmas:
            inverse.setdefault(lemma, set()).add(form)
    return inverse


def _pattern_lemmas(pattern) -> set[str]:
    """The words a pattern compares lemmas with (LEMMA values, IN and NOT_IN lists)."""
    out: set[str] = set()
    for token in pattern:
        for key, value in token.items():
            if str(key).upper() != "LEMMA":
                continue
            if isinstance(value, str):
                out.add(value)
            elif isinstance(value, dict):
                for words in value.values():
                    if isinstance(words, list):
                        out.update(w for w in words if isinstance(w, str))
    return out

#: `{n}`, `{n,m}`, `{n,}` with n >= 1: the token must occur.
_REQUIRED_OP = re.compile(r"\{\s*[1-9]\d*\s*(,\s*\d*\s*)?\}")


def lemma_forms(lemma: str, table: dict[str, str], inverse: dict[str, set[str]]) -> list[str]:
    """The lower-cased words whose lookup lemma is `lemma` (the lookup lemmatizer's view)."""
    forms = {f for f in inverse.get(lemma, ()) if f == f.lower()}
    if lemma not in table:
        forms.add(lemma)
    return sorted(forms)


def _rewrite_lemma(token: dict, table, inverse) -> tuple[dict, bool]:
    """A LEMMA test as the equal test on LOWER, if it has one: (token, still reads LEMMA)."""
    keys = {str(k).upper(): k for k in token}
    if "LEMMA" not in keys or "LOWER" in keys:
        return token, "LEMMA" in keys
    value = token[keys["LEMMA"]]
    if isinstance(value, str):
        new = lemma_forms(value, table, inverse)
        lower = {"IN": new}
    elif (isinstance(value, dict) and value and set(value) <= {"IN", "NOT_IN"}
          and all(isinstance(v, list) and all(isinstance(w, str) for w in v) for v in value.values())):
        lower = {op: sorted({f for w in words for f in lemma_forms(w, table, inverse)})
                 for op, words in value.items()}
    else:
        return token, True
    out = {k: v for k, v in token.items() if k != keys["LEMMA"]}
    out["LOWER"] = lower
    return out, False


def _max_tokens(pattern: list[dict]) -> int | None:
    """The most tokens a match of the pattern can span, or None if `*`, `+` or `{n,}` make it unbounded."""
    total = 0
    for token in pattern:
        op = {str(k).upper(): v for k, v in token.items()}.get("OP")
        if op is None or op in ("!", "?", "1"):
            total += 1
            continue
        found = re.fullmatch(r"\{\s*(\d*)\s*(,?)\s*(\d*)\s*\}", op) if isinstance(op, str) else None
        if not found or (found.group(2) and not found.group(3)):
            return None  # *, +, {n,}, or something this planner does not know
        total += int(found.group(3) or found.group(1) or 0)
    return total


#: A pattern of plain word tests is expanded into at most this many word sequences.
MAX_PATTERN_PHRASES = 1000


def phrase_forms(pattern: list[dict]) -> list[tuple[str, ...]] | None:
    """The lower-cased word sequences a pattern matches, if every token is one plain LOWER test (a word
    or an IN list), required or `?`, and they are at most MAX_PATTERN_PHRASES; else None.

    A word with capitals never equals a lower-cased token, so it is dropped (as the Matcher would
    never match it); a match is never empty, so neither is a sequence."""
    choices: list[list[str | None]] = []
    size = 1
    for token in pattern:
        keys = {str(k).upper(): v for k, v in token.items()}
        if set(keys) - {"LOWER", "OP"} or keys.get("OP", "1") not in ("1", "?"):
            return None
        value = keys.get("LOWER")
        if isinstance(value, str):
            words = [value]
        elif (isinstance(value, dict) and list(value) == ["IN"] and isinstance(value["IN"], list)
              and all(isinstance(w, str) for w in value["IN"])):
            words = list(value["IN"])
        else:
            return None
        if any(not w.strip() for w in words):
            return None  # empty or space-only words: left to the Matcher
        options: list[str | None] = sorted({w for w in words if w == w.lower()})
        if keys.get("OP") == "?":
            options.append(None)
        size *= len(options)
        if size > MAX_PATTERN_PHRASES:
            return None
        choices.append(options)
    forms = {tuple(w for w in combo if w is not None) for combo in itertools.product(*choices)}
    return sorted(f for f in forms if f)


def _required_words(token: dict) -> frozenset[str] | None:
    """Lower-cased words one of which a required token must be, or None (optional, or any word)."""
    keys = {str(k).upper(): v for k, v in token.items()}
    op = keys.get("OP")
    if op is not None and op not in ("+", "1") and not (isinstance(op, str) and _REQUIRED_OP.fullmatch(op)):
        return None
    words = None
    for attr, fold in (("LOWER", False), ("ORTH", True), ("TEXT", True)):
        value = keys.get(attr)
        if isinstance(value, str):
            found = {value}
        elif isinstance(value, dict) and isinstance(value.get("IN"), list) \
                and all(isinstance(w, str) for w in value["IN"]):
            found = set(value["IN"])
        else:
            continue
        if fold:
            found = {w.lower() for w in found}
        words = found if words is None else words & found
    return None if words is None else frozenset(words)


def _plan_patterns(patterns: list[tuple[int, list[dict]]], nlp, lookup: bool,
                   inverse: dict[str, set[str]], phrases) -> PatternPlan:
    """How to run each pattern; patterns that are word sequences, and the words of anchors, are added to
    `phrases` (the keywords' PhraseMatcher)."""
    from qualcode.engine import nlp as nlp_mod

    _, Matcher, Doc = nlp_mod.spacy_classes()
    table = nlp_mod.lemma_table()
    stop_words = nlp.Defaults.stop_words
    strings = nlp.vocab.strings
    runners: dict[int, object] = {}
    same_keys: dict[int, list[int]] = {}
    requires: dict[int, tuple[frozenset[int], ...]] = {}
    index: dict[int, list[int]] = {}
    needs_lemmas = set()
    always = None
    max_len: dict[int, int | None] = {}
    phrase_keys: set[int] = set()
    shared: dict[str, int] = {}  # a pattern with a runner of its own (as JSON) -> the rule key of that runner
    ends: dict[int, tuple[int, int]] = {}
    anchors: dict[int, list[tuple[int, int]]] = {}
    anchor_requires: dict[int, tuple[frozenset[int], ...]] = {}
    anchor_checks: dict[int, tuple] = {}
    always_lemmas = False
    for key, pattern in patterns:
        if lookup:
            rewritten = [_rewrite_lemma(t, table, inverse) for t in pattern]
            pattern = [t for t, _ in rewritten]
            if any(still for _, still in rewritten):
                needs_lemmas.add(key)
        elif _uses_lemma(pattern):
            needs_lemmas.add(key)
        name = strings[key]
        same = json.dumps(pattern, sort_keys=True, default=str)
        if same in shared:  # the same pattern in another theme: one run finds both
            same_keys[shared[same]].append(key)
            continue
        forms = phrase_forms(pattern) if key not in needs_lemmas else None
        if forms is not None:
            if forms:
                phrases.add(name, [Doc(nlp.vocab, words=list(f)) for f in forms])
            phrase_keys.add(key)
            continue
        per_token = [_required_words(t) for t in pattern]
        required = tuple(frozenset(strings.add(w) for w in words) for words in per_token if words is not None)
        if not required:
            if always is None:
                always = Matcher(nlp.vocab)
            always.add(name, [pattern])
            always_lemmas = always_lemmas or key in needs_lemmas
            continue
        runner = compile_steps(pattern, strings.add) if key not in needs_lemmas else None
        if runner is None:
            runner = Matcher(nlp.vocab)
            runner.add(name, [pattern])
        runners[key] = runner
        shared[same] = key
        same_keys[key] = [key]
        anchor = _anchor(runner, strings, stop_words) if isinstance(runner, tuple) else None
        if anchor is not None:
            offset, words = anchor
            if not words:  # only words with capitals: the anchor never matches, nor does the pattern
                continue
            anchor_name = "\x1fanchor\x1f" + "\x1f".join(words)  # no word holds \x1f (see `_anchor`)
            anchor_key = strings.add(anchor_name)
            if anchor_key not in anchors:  # the first pattern with this anchor
                phrases.add(anchor_name, [Doc(nlp.vocab, words=[w]) for w in words])
            anchors.setdefault(anchor_key, []).append((key, offset))
            if len(required) > 1:
                anchor_requires[key] = required
            checks = fixed_checks(runner, skip=offset)
            if checks:
                anchor_checks[key] = checks
            continue
        requires[key] = required
        # Index the pattern under one required token, preferably one without common words
        # (stop words), so that few Docs need the full check.
        rarest = min(range(len(required)), key=lambda j: (any(strings[w] in stop_words for w in required[j]),
                                                          len(required[j]), j))
        for word in required[rarest]:
            index.setdefault(word, []).append(key)
        max_len[key] = _max_tokens(pattern)
        if max_len[key] is None:
            first = next(i for i, w in enumerate(per_token) if w is not None)
            last = max(i for i, w in enumerate(per_token) if w is not None)
            before, after = _max_tokens(pattern[:first]), _max_tokens(pattern[last + 1:])
            if before is not None and after is not None:
                ends[key] = (before, after)
    return PatternPlan(runners, {k: tuple(v) for k, v in same_keys.items()}, requires,
                       {w: tuple(k) for w, k in index.items()}, frozenset(index), always, frozenset(needs_lemmas),
                       frozenset(w for ws in requires.values() for s in ws for w in s), max_len,
                       frozenset(phrase_keys), ends, always_lemmas, {k: tuple(v) for k, v in anchors.items()},
                       anchor_requires, frozenset(w for ws in anchor_requires.values() for s in ws for w in s),
                       anchor_checks)


def _anchor(steps: tuple[Step, ...], strings, stop_words) -> tuple[int, list[str]] | None:
    """(offset, words) for finding a pattern of Python steps from one word: a step that requires a
    word, preceded only by steps of a fixed number of tokens, so that every match starts `offset`
    tokens before one of `words` (its lower-cased words; one with capitals never equals a LOWER).
    A step with an empty word, or one holding white space, is not an anchor (a one-word phrase
    would not stand for it). Of several, the one least likely to be common (no stop word, fewest
    words); None if none."""
    best = None
    offset = 0
    for j, step in enumerate(steps):
        if step.low >= 1 and step.words is not None:
            words = [strings[w] for w in step.words]
            if all(w and not any(c.isspace() for c in w) for w in words):
                words = sorted(w for w in words if w == w.lower())
                rank = (any(w in stop_words for w in words), len(words), j)
                if best is None or rank < best[0]:
                    best = (rank, offset, words)
        if step.high != step.low:
            break  # the steps after this one have no fixed place
        offset += step.low
    return None if best is None else (best[1], best[2])


def compile_codebook(codebook: Codebook, *, pipeline: str | None = None,
                     nlp: "Language | None" = None) -> CompiledCodebook:
    """Build the pipeline and matchers for a codebook (once per process). The built-in pipeline made
    here computes only the lexical attributes the codebook's patterns test (`nlp.compute_only`);
    `nlp`, a pipeline to share, must compute those the codebook tests."""
    from qualcode.engine import nlp as nlp_mod

    attributes = pattern_attributes(p for t in codebook.themes for p in t.patterns)
    if nlp is None:
        # The built-in pipeline needs no lemmatizer: keywords and LEMMA tests are expanded to word
        # forms. A trained pipeline keeps its own lemmas (patterns using LEMMA read them).
        needs_lemmas = bool(pipeline) and any(_uses_lemma(p) for t in codebook.themes for p in t.patterns)
        nlp = nlp_mod.load_pipeline(pipeline, lemmas=needs_lemmas)
        if not pipeline and attributes is not None:  # (a trained pipeline's components read them all)
            nlp_mod.compute_only(nlp, attributes)
    else:
        missing = nlp_mod.not_computed(nlp, attributes)
        if missing:
            raise ValueError(f"the pipeline given does not compute {', '.join(missing)}, which this codebook's "
                             "patterns test: pass a pipeline of its own (or none)")
    lookup = not pipeline and set(nlp.pipe_names) <= {nlp_mod.LEMMA_COMPONENT}
    PhraseMatcher, Matcher, Doc = nlp_mod.spacy_classes()
    table = nlp_mod.lemma_table()
    keyword_tokens = {k: tuple(t.lower_ for t in nlp.make_doc(k)) for t in codebook.themes for k in t.keywords}
    wanted = {table.get(w, w) for tokens in keyword_tokens.values() for w in tokens}
    wanted |= {w for t in codebook.themes for p in t.patterns for w in _pattern_lemmas(p)}
    inverse = _inverse_table(table, wanted)
    strings = nlp.vocab.strings
    phrase = PhraseMatcher(nlp.vocab, attr="LOWER")
    matcher = None
    rules: dict[int, Rule] = {}
    patterns: list[tuple[int, list[dict]]] = []
    problems: list[Diagnostic] = []
    for theme in codebook.themes:
        for keyword in theme.keywords:
            tokens = keyword_tokens[keyword]
            if not tokens:
                continue
            name = f"keyword:{keyword}"
            exact_key, inflected_key = f"{theme.id}\x1f{name}", f"{theme.id}\x1f{name}\x1finflected"
            phrase.add(exact_key, [Doc(nlp.vocab, words=list(tokens))])
            variants = [Doc(nlp.vocab, words=list(v)) for v in
                        keyword_variants(list(tokens), lambda w: table.get(w, w), inverse) if v != tokens]
            if variants:
                phrase.add(inflected_key, variants)
            rules[strings[exact_key]] = Rule(theme.id, name, tokens, SCORE_EXACT)
            rules[strings[inflected_key]] = Rule(theme.id, name, tokens, SCORE_INFLECTED)
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
            rules[strings[key]] = Rule(theme.id, f"pattern:{i}")
            patterns.append((strings[key], [dict(t) for t in pattern]))
    if problems:
        raise CodebookError(problems)
    order = {t.id: i for i, t in enumerate(codebook.themes)}
    plan = _plan_patterns(patterns, nlp, lookup, inverse, phrase) if patterns else None
    return CompiledCodebook(codebook, nlp, phrase, matcher, rules, order, plan, lookup,
                            frozenset(strings.add(w) for w in NEGATION_CUES),
                            frozenset(strings.add(w) for w in CLAUSE_BREAKS), nlp_mod.lower_attr_id())


def _pattern_matches(doc: "Doc", compiled: CompiledCodebook, lowers: list[int]) -> list[tuple[int, int, int]]:
    """(rule key, start, end) of the token patterns without an anchor, each run only where it can match.

    A pattern runs only on Docs holding a word for each token it requires. A pattern with a
    bounded length L runs only on windows of the Doc around the occurrences of its rarest
    required word (L-1 tokens either side, windows merged): every match holds such a word,
    and the token tests do not look beyond their token, so the windows find every match.
    One of unbounded length runs from the first occurrence of its first required word to the last
    of its last. Patterns of word tests and flags run as `tokenmatch` steps, the rest by spaCy's Matcher.
    """
    plan = compiled.plan
    out: list[tuple[int, int, int]] = []
    present = plan.required_words.intersection(lowers)  # one pass over the Doc: the triggers are required words
    triggered = present & plan.triggers
    if triggered:
        candidates = {key for word in triggered for key in plan.index[word]}
        where: _Occurrences | None = None
        for key in sorted(candidates):
            required = plan.requires[key]
            if not all(not words.isdisjoint(present) for words in required):
                continue
            if key in plan.needs_lemmas:
                _ensure_lemmas(doc, compiled)
            if where is None:
                where = _Occurrences(lowers, present)
            length = plan.max_len[key]
            if length is None and key not in plan.ends:
                _run_pattern(plan, key, doc, lowers, 0, len(lowers), out)
                continue
            if length is None:
                # A match lies between the first place its first required token can be and the last
                # place its last required token can be, widened by the bounded tokens outside them.
                before, after = plan.ends[key]
                start = max(0, where.first(required[0]) - before)
                end = min(len(lowers), where.last(required[-1]) + after + 1)
                if start < end:
                    _run_pattern(plan, key, doc, lowers, start, end, out)
                continue
            anchors = where.positions(min(required, key=where.count))
            for start, end in _windows(anchors, length, len(lowers)):
                _run_pattern(plan, key, doc, lowers, start, end, out)
    if plan.always is not None:
        if plan.always_needs_lemmas:
            _ensure_lemmas(doc, compiled)
        out.extend(plan.always(doc))
    return out


def _run_pattern(plan: PatternPlan, key: int, doc: "Doc", lowers: list[int], start: int, end: int,
                 out: list[tuple[int, int, int]], starts: list[int] | None = None) -> None:
    """Add the matches of one pattern (and its copies in other themes) within tokens [start, end)
    (`starts`: only those starting at these places; Python steps only)."""
    runner = plan.runners[key]
    if isinstance(runner, tuple):
        spans = find(runner, doc, lowers, start, end, starts)
    else:
        span = doc if start == 0 and end == len(lowers) else doc[start:end]
        spans = [(start + s, start + e) for _, s, e in runner(span)]
    out.extend((k, s, e) for k in plan.same[key] for s, e in spans)


class _Occurrences:
    """Where the required words occur in one Doc's LOWER array, found on demand by list scans
    (which run in C) rather than a Python loop over every token."""

    __slots__ = ("lowers", "present", "counts", "places", "reversed")

    def __init__(self, lowers: list[int], present: frozenset[int]):
        self.lowers, self.present = lowers, present
        self.counts: dict[int, int] = {}
        self.places: dict[int, list[int]] = {}
        self.reversed: list[int] | None = None

    def count(self, words: frozenset[int]) -> int:
        total = 0
        for word in words & self.present:
            n = self.counts.get(word)
            if n is None:
                n = self.counts[word] = self.lowers.count(word)
            total += n
        return total

    def positions(self, words: frozenset[int]) -> list[int]:
        out: list[int] = []
        for word in words & self.present:
            found = self.places.get(word)
            if found is None:
                found, i = [], -1
                try:
                    while True:
                        i = self.lowers.index(word, i + 1)
                        found.append(i)
                except ValueError:
                    self.places[word] = found
            out.extend(found)
        out.sort()
        return out

    def first(self, words: frozenset[int]) -> int:
        return min(self.lowers.index(w) for w in words & self.present)

    def last(self, words: frozenset[int]) -> int:
        if self.reversed is None:
            self.reversed = self.lowers[::-1]
        return len(self.lowers) - 1 - min(self.reversed.index(w) for w in words & self.present)


def _windows(anchors: list[int], length: int, n: int) -> list[tuple[int, int]]:
    """Token ranges [start, end) within `length - 1` tokens of each anchor, overlapping ones merged."""
    out: list[list[int]] = []
    for a in anchors:
        start, end = max(0, a - length + 1), min(n, a + length)
        if out and start <= out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return [(s, e) for s, e in out]


def _ensure_lemmas(doc: "Doc", compiled: CompiledCodebook) -> None:
    if compiled.lookup_lemmas and not doc.has_annotation("LEMMA"):
        from qualcode.engine.nlp import set_lookup_lemmas

        set_lookup_lemmas(doc)


def _negated(before: list[int], cues: frozenset[int], breaks: frozenset[int]) -> bool:
    """`negation.is_negated` on the LOWER hashes of the WINDOW tokens before a hit, in text order."""
    for word in reversed(before):
        if word in breaks:
            return False
        if word in cues:
            return True
    return False


def _matches(doc: "Doc", compiled: CompiledCodebook, phrase: list,
             lowers: list[int] | None) -> tuple[list[tuple[int, int, int]], list[int] | None]:
    """(rule key, start, end) of every keyword and pattern in a Doc, from its PhraseMatcher matches:
    keywords and patterns expanded to phrases as they are; the anchors' words found there give the
    places to run their patterns from; the other patterns run by `_pattern_matches`. Also the Doc's
    LOWER array: `lowers` if given (patterns that scan the Doc need it), else made only when some
    anchored pattern has a place to run from (None if none has)."""
    plan = compiled.plan
    if plan is None:
        return list(phrase), lowers
    if plan.anchors:
        found: list[tuple[int, int, int]] = []
        starts: dict[int, list[int]] = {}
        anchors = plan.anchors
        for match in phrase:
            todo = anchors.get(match[0])
            if todo is None:
                found.append(match)
                continue
            for key, offset in todo:
                if match[1] >= offset:
                    starts.setdefault(key, []).append(match[1] - offset)
        if starts and lowers is None:
            lowers = compiled.lowers(doc)
        present = None
        for key, places in starts.items():
            required = plan.anchor_requires.get(key)
            if required is not None:  # its other required tokens need a word of this Doc too
                if present is None:
                    present = plan.anchor_words.intersection(lowers)
                if any(words.isdisjoint(present) for words in required):
                    continue
            checks = plan.anchor_checks.get(key)
            if checks is not None:
                places = passing_starts(checks, doc, lowers, places)
                if not places:
                    continue
            _run_pattern(plan, key, doc, lowers, 0, len(lowers), found, places)
    else:
        found = list(phrase)
    if plan.scans:
        found.extend(_pattern_matches(doc, compiled, lowers))
    return found, lowers


def match_doc(doc: "Doc", compiled: CompiledCodebook) -> list[Hit]:
    """Theme hits in one Doc, overlapping hits of a theme merged, in text order."""
    phrase = compiled.phrase_matcher(doc)
    scans = compiled.plan is not None and compiled.plan.scans
    if not phrase and not scans:
        return []
    found, lowers = _matches(doc, compiled, phrase, compiled.lowers(doc) if scans else None)
    if not found:
        return []
    sortable, cues, breaks = compiled.sortable, compiled.negation_cues, compiled.clause_breaks
    raw = []
    for key, start, end in found:
        order, theme, rule, score = sortable[key]
        # the few tokens before the hit, from the LOWER array if there is one (a Token each is cheaper
        # than the array for a Doc that needs no other word)
        before = (lowers[max(0, start - WINDOW):start] if lowers is not None
                  else [doc[j].lower for j in range(max(0, start - WINDOW), start)])
        raw.append((order, start, -end, -score, rule, theme, _negated(before, cues, breaks)))
    return _merge(raw, doc)


def _merge(raw: list[tuple], doc: "Doc") -> list[Hit]:
    """Merge overlapping hits of the same theme: union span, best score, negated only if all are.
    `raw` holds (theme order, start, -end, -score, rule, theme, negated) token spans: sorted as they
    are, each theme's hits come in text order, longest and best first."""
    raw.sort()
    merged: list[list] = []
    last: list | None = None
    for order, start, end, score, rule, theme, negated in raw:
        end, score = -end, -score
        if last is not None and last[0] == order and start < last[2]:
            if end > last[2]:
                last[2] = end
            if score > last[4]:
                last[3], last[4] = rule, score
            last[5] = last[5] and negated
            continue
        last = [order, start, end, rule, score, negated, theme]
        merged.append(last)
    spans = []
    for order, start, end, rule, score, negated, theme in merged:
        tail = doc[end - 1]  # a few Token look-ups are cheaper than an array of every token's offsets
        spans.append((doc[start].idx, order, tail.idx + len(tail), theme, rule, score, negated))
    spans.sort()  # by start character, then theme order (the merged spans of a theme do not overlap)
    return [Hit(theme, start, end, rule, score, negated) for start, _, end, theme, rule, score, negated in spans]


def suggest(transcript: Transcript, compiled: CompiledCodebook) -> list[Suggestion]:
    """Rule suggestions for every turn of a transcript, in turn and text order."""
    themes = {t.id: (t.path, frozenset(t.roles)) for t in compiled.codebook.themes}
    text, tid = transcript.text, transcript.id
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    out: list[Suggestion] = []
    turns = transcript.turns
    for turn, doc in zip(turns, compiled.make_docs(t.text for t in turns)):
        for hit in match_doc(doc, compiled):
            path, roles = themes[hit.theme]
            if roles and turn.role not in roles:  # a theme with roles applies to those speakers only
                continue
            start, end = turn.start + hit.start, turn.start + hit.end
            out.append(new_suggestion(tid, turn.number, turn.speaker, turn.role, hit.theme, path, start, end,
                                  bisect.bisect_right(line_starts, start), text[start:end], hit.rule, hit.score,
                                  hit.negated))
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


def pattern_hits(doc: "Doc", compiled: CompiledCodebook) -> set[tuple[str, int, int]]:
    """The fast path's token-pattern matches: (rule name, start token, end token)."""
    if compiled.plan is None:
        return set()
    found, _ = _matches(doc, compiled, compiled.phrase_matcher(doc), compiled.lowers(doc))
    return {(compiled.rules[k].theme + ":" + compiled.rules[k].name, s, e)
            for k, s, e in found if not compiled.rules[k].keyword_tokens}


def pattern_hits_reference(doc: "Doc", compiled: CompiledCodebook) -> set[tuple[str, int, int]]:
    """The straightforward path, for tests: every pattern as written, in one Matcher, on a Doc
    with lemmas (set from the lookup table with the built-in pipeline). Same form as `pattern_hits`."""
    if compiled.matcher is None:
        return set()
    _ensure_lemmas(doc, compiled)
    return {(compiled.rules[k].theme + ":" + compiled.rules[k].name, s, e) for k, s, e in compiled.matcher(doc)}
