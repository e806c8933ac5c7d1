"""A deterministic corpus of conversational transcripts, and a large codebook, for the benchmark.

Everything comes from data inside the repository or installed packages (nothing is downloaded):
- sentences of the example study (`examples/transcripts/`),
- real counselling dialogue lines (`tests/data/annomi/transcripts/`),
- a template grammar with fillers ("um", "you know"), false starts ("I- I"), "[laughs]" tags,
  keyword inflections, and an open vocabulary drawn Zipf-like from spaCy's English lemma table.

The same seed gives byte-identical files. Transcripts use the format qualcode reads: YAML front
matter (id, dyad, kind, role, group, setting, speakers) and `Speaker: text` turns.
"""
from __future__ import annotations

import hashlib
import json
import random
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "transcripts"
ANNOMI = ROOT / "tests" / "data" / "annomi" / "transcripts"

FILLERS = ["um, ", "uh, ", "you know, ", "like, ", "I mean, ", "well, ", "so, ", "mm, "]
TAGS = ["[laughs]", "[pause]", "[sighs]", "[inaudible]", "[crosstalk]"]
PRONOUNS = ["I", "we", "she", "he", "they", "you"]
OBJECTS = ["me", "her", "him", "them", "us", "you"]
CONNECTORS = ["and then", "but", "because", "so", "and", "although", "when", "after that"]
QUESTIONS = [
    "Can you say more about {x}?", "What was {x} like for you?", "How did you feel about {x}?",
    "When did you first notice {x}?", "What helped you with {x}?", "Tell me about {x}.",
    "How did {x} change over time?", "Was there a moment when {x} felt different?",
]
FRAMES = [
    "{f}{p} {v} {o} about the {n}{end}",
    "{f}{p} {v} that the {n} was {adj}{end}",
    "{f}it was {adj}, {c} {p} {v} the {n} {k}{end}",
    "{f}{fs}{p} {v} {k} with the {n} and the {n2}{end}",
    "{f}sometimes {p} {v} {o}, {c} the {n} was {adj} {t}{end}",
    "{f}{p} remember the {n}, {p} {v} {k} {num} times{end}",
    "{f}{fs}{k}, that is what {p} {v}{end}",
    "{f}{p} did not {v0} the {n} {c} {p} {v} {o}{end}",
]
ADJECTIVES = ["hard", "strange", "difficult", "easy", "good", "bad", "important", "slow", "different",
              "normal", "new", "clear", "heavy", "quiet", "long", "short", "safe", "unsafe", "tired"]
NUMBERS = ["two", "three", "four", "five", "ten", "many", "12", "3", "20"]
GROUPS = ["favorable", "unfavorable"]
SETTINGS = ["face-to-face", "video", "telephone"]
NAMES = ["Mahnaz", "Yusuf", "Senait", "Olena", "Amira", "Hamid", "Lina", "Tomas", "Farida", "Karim"]
INTERVIEW_ROLES = ["client", "therapist", "interpreter"]

#: Verbs used for keywords of the template grammar and the token patterns.
VERBS = ["feel", "trust", "speak", "understand", "translate", "explain", "listen", "ask", "tell",
         "remember", "help", "talk", "cry", "wait", "look", "worry", "agree", "change", "interpret",
         "repeat", "forget", "hear", "answer", "interrupt", "apologise"]


@dataclass(frozen=True)
class CorpusStats:
    files: int
    turns: int
    words: int


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if len(s.split()) >= 3]


def _turn_texts(folder: Path) -> list[str]:
    """Turn texts of every transcript in a folder (speaker labels and front matter removed)."""
    out = []
    for path in sorted(folder.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        if text.startswith("---"):
            text = text.split("\n---", 1)[1]
        for line in text.splitlines():
            name, sep, rest = line.partition(": ")
            if sep and 0 < len(name) <= 40 and rest.strip():
                out.append(rest.strip())
    return out


def source_sentences() -> tuple[list[str], list[str]]:
    """(example-study sentences, AnnoMI dialogue lines), in a stable order."""
    study = [s for t in _turn_texts(EXAMPLES) for s in _sentences(t)]
    annomi = [t for t in _turn_texts(ANNOMI) if len(t.split()) >= 2]
    if not study or not annomi:
        raise SystemExit(f"benchmark sources missing: {EXAMPLES} and {ANNOMI} must hold transcripts")
    return study, annomi


def lemma_vocabulary() -> tuple[dict[str, str], list[str], dict[str, list[str]]]:
    """(form -> lemma table, alphabetic lemmas in a stable order, lemma -> inflected forms)."""
    from qualcode.engine.nlp import lemma_table

    table = lemma_table()
    inverse: dict[str, list[str]] = {}
    for form, lemma in table.items():
        if form.isalpha() and form.islower():
            inverse.setdefault(lemma, []).append(form)
    lemmas = sorted(lemma for lemma in inverse if lemma.isalpha() and lemma.islower() and len(lemma) > 2)
    for forms in inverse.values():
        forms.sort()
    return table, lemmas, inverse


def _zipf_index(rng: random.Random, n: int) -> int:
    """A rank in [0, n), Zipf-like (rank r drawn with weight about 1/r)."""
    return min(n - 1, int(n ** rng.random()) - 1)


class Grammar:
    """The template grammar: participant sentences with fillers, false starts, inflected keywords."""

    def __init__(self, rng: random.Random, keywords: list[str]):
        self.rng = rng
        self.table, lemmas, self.inverse = lemma_vocabulary()
        shuffled = lemmas[:]
        random.Random(7).shuffle(shuffled)  # a fixed Zipf ranking of the open vocabulary
        self.nouns = shuffled
        self.keywords = keywords

    def inflect(self, word: str) -> str:
        forms = self.inverse.get(self.table.get(word, word), [])
        return self.rng.choice(forms) if forms and self.rng.random() < 0.5 else word

    def verb(self) -> str:
        verb = self.rng.choice(VERBS)
        forms = self.inverse.get(verb, [])
        return self.rng.choice(forms) if forms else verb

    def keyword(self) -> str:
        """A codebook keyword, inflected, in a third of the slots; otherwise an open-vocabulary word."""
        if self.rng.random() > 0.33:
            return self.noun()
        words = self.rng.choice(self.keywords).split()
        return " ".join(self.inflect(w) for w in words)

    def noun(self) -> str:
        return self.nouns[_zipf_index(self.rng, len(self.nouns))]

    def sentence(self) -> str:
        r = self.rng
        frame = r.choice(FRAMES)
        text = frame.format(
            f=r.choice(FILLERS) if r.random() < 0.3 else "",
            fs=(r.choice(PRONOUNS) + "- ") if r.random() < 0.15 else "",
            p=r.choice(PRONOUNS), v=self.verb(), v0=r.choice(VERBS), o=r.choice(OBJECTS),
            n=self.noun(), n2=self.noun(), adj=r.choice(ADJECTIVES), c=r.choice(CONNECTORS),
            k=self.keyword(), num=r.choice(NUMBERS), t=r.choice(TAGS) if r.random() < 0.3 else "",
            end=r.choice([".", ".", ".", "?", "...", "!"]))
        text = re.sub(r"\s+", " ", text).strip()
        return text[0].upper() + text[1:]


def build_keywords(study: list[str]) -> list[str]:
    """300 keywords: up to 240 words and the rest two-word phrases of the example study, in a stable order."""
    from spacy.lang.en.stop_words import STOP_WORDS

    from qualcode.engine.nlp import lemma_of

    # Thematic words in their base form (one keyword per lemma), not the common verbs of talk.
    common = set(VERBS) | {"say", "think", "take", "happen", "sound", "start", "stop", "want", "know", "come"}
    words = [w.lower() for s in study for w in re.findall(r"[A-Za-z]+", s)]
    counts = Counter(w for w in words if w not in STOP_WORDS and len(w) > 5 and lemma_of(w) == w
                     and w not in common)
    singles = [w for w, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))][40:280]
    pairs: Counter[str] = Counter()
    for sentence in study:
        ws = [w.lower() for w in re.findall(r"[A-Za-z']+", sentence)]
        pairs.update(f"{a} {b}" for a, b in zip(ws, ws[1:]) 
                     if a.isalpha() and b.isalpha() and not (a in STOP_WORDS or b in STOP_WORDS))
    phrases = [p for p, _ in sorted(pairs.items(), key=lambda kv: (-kv[1], kv[0]))][:300 - len(singles)]
    return singles + phrases


def build_patterns() -> list[list[dict]]:
    """50 token patterns of the kinds codebooks use: LOWER, LEMMA, IN sets, ?, *, {1,3}, REGEX, LIKE_NUM."""
    objs = {"IN": OBJECTS}
    out: list[list[dict]] = []
    for i, verb in enumerate(VERBS):
        kind = i % 5
        if kind == 0:
            out.append([{"LEMMA": verb}, {"LOWER": objs}])
            out.append([{"LOWER": {"IN": ["not", "n't", "never"]}}, {"LEMMA": verb}])
        elif kind == 1:
            out.append([{"LOWER": {"IN": ["i", "we"]}}, {"LEMMA": verb}, {"IS_ALPHA": True, "OP": "?"},
                        {"LOWER": "the"}])
            out.append([{"LEMMA": verb}, {"IS_ALPHA": True, "OP": "{1,3}"}, {"LOWER": {"IN": ["wrong", "again"]}}])
        elif kind == 2:
            out.append([{"LEMMA": {"IN": [verb, "say"]}}, {"LOWER": "to"}, {"LOWER": objs}])
            out.append([{"LEMMA": verb}, {"IS_PUNCT": True, "OP": "*"}, {"LOWER": {"IN": ["because", "so"]}}])
        elif kind == 3:
            out.append([{"LOWER": "you"}, {"LOWER": "know"}, {"LEMMA": verb}])
            out.append([{"LEMMA": verb}, {"LOWER": "with"}, {"LOWER": "the", "OP": "?"}, {"IS_ALPHA": True}])
        else:
            out.append([{"LIKE_NUM": True}, {"LOWER": {"IN": ["times", "weeks", "months", "years", "sessions"]}}])
            out.append([{"LEMMA": verb}, {"LOWER": {"REGEX": "^(ab|re|un)"}}])
    return out[:50]


def codebook_yaml(keywords: list[str], patterns: list[list[dict]], *, themes: int = 15) -> str:
    """A codebook of `themes` themes sharing out the keywords and patterns (JSON is valid YAML)."""
    data = {
        "version": 1,
        "name": "Benchmark codebook (generated)",
        "speakers": {"interviewer": ["Interviewer"], "therapist": ["Therapist"], "client": NAMES + ["Client"],
                     "interpreter": ["Interpreter"]},
        "themes": [],
    }
    per = -(-len(keywords) // themes)
    per_pattern = -(-len(patterns) // themes)
    for t in range(themes):
        data["themes"].append({
            "id": f"theme_{t + 1:02d}",
            "name": f"Generated theme {t + 1}",
            "definition": "A generated theme for the benchmark.",
            "keywords": keywords[t * per:(t + 1) * per],
            "patterns": patterns[t * per_pattern:(t + 1) * per_pattern],
        })
    return json.dumps(data, indent=1) + "\n"


def _front_matter(rng: random.Random, index: int) -> tuple[str, list[tuple[str, str]]]:
    """Front matter text and the (label, kind of talk) speakers of one transcript."""
    dyad = f"B{index // 4 + 1:03d}"
    name = NAMES[index % len(NAMES)]
    if index % 4 == 3:  # a session: therapist, client, interpreter
        speakers = {"Therapist": "therapist", name: "client", "Interpreter": "interpreter"}
        meta = f"kind: session\n"
        cast = [("Therapist", "therapist"), (name, "client"), ("Interpreter", "interpreter")]
    else:
        role = INTERVIEW_ROLES[index % 4]
        speakers = {"Interviewer": "interviewer", name: role}
        meta = f"kind: interview\nrole: {role}\n"
        cast = [("Interviewer", "interviewer"), (name, role)]
    head = (f"---\nid: bench-{index:05d}\ndyad: {dyad}\n{meta}group: {GROUPS[index // 4 % 2]}\n"
            f"setting: {rng.choice(SETTINGS)}\nspeakers: {json.dumps(speakers)}\nfictional: true\n---\n")
    return head, cast


def _answer(rng: random.Random, grammar: Grammar, study: list[str], annomi: list[str]) -> str:
    parts = []
    for _ in range(rng.randint(2, 9)):
        x = rng.random()
        if x < 0.4:
            parts.append(rng.choice(study))
        elif x < 0.65:
            parts.append(rng.choice(annomi))
        else:
            parts.append(grammar.sentence())
    return " ".join(parts)


def generate(out_dir: Path, words: int, *, seed: int = 1) -> CorpusStats:
    """Write transcripts totalling at least `words` whitespace words into `out_dir` (deterministic)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    study, annomi = source_sentences()
    grammar = Grammar(rng, build_keywords(study))
    total = files = turns = 0
    while total < words:
        head, cast = _front_matter(rng, files)
        body: list[str] = []
        size = min(rng.randint(3000, 8000), max(words - total, 50))
        count = 0
        while count < size:
            if cast[0][1] == "interviewer":
                question = rng.choice(QUESTIONS).format(x=("the " + grammar.noun()) if rng.random() < 0.5
                                                        else grammar.keyword())
                answer = _answer(rng, grammar, study, annomi)
                pairs = [(cast[0][0], question), (cast[1][0], answer)]
            else:
                speaker = cast[rng.randrange(3)][0]
                pairs = [(speaker, _answer(rng, grammar, study, annomi) if rng.random() < 0.6
                          else rng.choice(annomi))]
            for label, text in pairs:
                body.append(f"{label}: {text}\n")
                count += len(text.split())
                turns += 1
        (out_dir / f"bench-{files:05d}.txt").write_text(head + "\n" + "\n".join(body), encoding="utf-8")
        total += count
        files += 1
    return CorpusStats(files, turns, total)


def corpus_fingerprint(folder: Path) -> str:
    """SHA-256 over the names and bytes of every transcript in a folder."""
    digest = hashlib.sha256()
    for path in sorted(Path(folder).glob("*.txt")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def write_codebook(path: Path) -> Path:
    """The benchmark codebook (15 themes, 300 keywords, 50 patterns) at `path`."""
    study, _ = source_sentences()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(codebook_yaml(build_keywords(study), build_patterns()), encoding="utf-8")
    return path
