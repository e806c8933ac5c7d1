"""Is a hit negated? A negation cue shortly before it, in the same clause ("I never felt judged")."""
from __future__ import annotations

#: Words that negate what follows them.
NEGATION_CUES = frozenset({"not", "n't", "nt", "never", "no", "nothing", "nobody", "none", "neither",
                           "nor", "without", "hardly", "barely", "cannot"})

#: Tokens that end the clause a cue may reach across.
CLAUSE_BREAKS = frozenset({",", ".", ";", ":", "!", "?", "but", "although", "though", "however", "—", "–", "-"})

#: How many tokens before a hit are searched for a cue.
WINDOW = 3


def is_negated(doc, start: int) -> bool:
    """True if a negation cue stands within WINDOW tokens before token `start`, in the same clause."""
    for j in range(start - 1, max(start - 1 - WINDOW, -1), -1):
        word = doc[j].lower_
        if word in CLAUSE_BREAKS:
            return False
        if word in NEGATION_CUES:
            return True
    return False
