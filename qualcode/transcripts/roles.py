"""Map speaker labels to roles: front matter, then codebook aliases, then built-in names."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

#: Built-in speaker labels (lower case) for each role.
BUILTIN_ALIASES: dict[str, tuple[str, ...]] = {
    "therapist": ("therapist", "th", "th.", "t", "counsellor", "counselor", "psychotherapist",
                  "psychologist", "clinician"),
    "client": ("client", "cl", "cl.", "c", "patient", "pt", "pt."),
    "interpreter": ("interpreter", "int.", "translator"),
    "interviewer": ("interviewer", "iv", "q", "moderator"),
    # the interviewee of an interview takes the transcript's perspective (front matter `role`)
    "participant": ("participant", "p", "respondent", "r", "interviewee", "ie", "a"),
}

UNKNOWN = "unknown"


@lru_cache(maxsize=4096)  # a transcript's few labels come back on every turn
def normalise_label(label: str) -> str:
    """Collapse white space; the form labels are compared in (lower case)."""
    return re.sub(r"\s+", " ", label.strip()).lower()


@dataclass
class RoleMap:
    """Resolve a speaker label to a role."""

    #: label (lower case) -> role, highest priority first
    front_matter: dict[str, str] = field(default_factory=dict)
    codebook: dict[str, str] = field(default_factory=dict)
    perspective: str | None = None
    #: labels the front matter lists without a role (`speakers: [Therapist, Client]`)
    listed: set[str] = field(default_factory=set)
    #: resolve()'s answers so far (the maps above are fixed once built), and all_labels()'s last answer
    _resolved: dict[str, str] = field(default_factory=dict, init=False, repr=False, compare=False)
    _labels: tuple | None = field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def build(cls, meta: dict[str, Any], codebook_speakers: dict[str, str] | None = None) -> "RoleMap":
        front: dict[str, str] = {}
        listed: set[str] = set()
        speakers = meta.get("speakers")
        if isinstance(speakers, dict):
            for label, role in speakers.items():
                if role is not None and str(role).strip():
                    front[normalise_label(str(label))] = str(role).strip().lower()
                else:
                    listed.add(normalise_label(str(label)))
        elif isinstance(speakers, list):
            listed = {normalise_label(str(label)) for label in speakers if label is not None}
        perspective = meta.get("role")
        return cls(front, dict(codebook_speakers or {}), str(perspective).lower() if perspective else None, listed)

    def is_listed(self, label: str) -> bool:
        return normalise_label(label) in self.listed

    def known(self, label: str) -> bool:
        return self.resolve(label) != UNKNOWN

    def resolve(self, label: str) -> str:
        role = self._resolved.get(label)
        if role is None:
            role = self._resolved[label] = self._resolve(label)
        return role

    def _resolve(self, label: str) -> str:
        key = normalise_label(label)
        role = self.front_matter.get(key) or self.codebook.get(key)
        if role is None:
            if key.endswith("?") and " " not in key:  # SonalPi: 'I?:' marks the interviewer (a one-word label)
                role = "interviewer"
            else:
                for builtin, aliases in BUILTIN_ALIASES.items():
                    if key in aliases:
                        role = builtin
                        break
        if role is None:
            return UNKNOWN
        if role == "participant" and self.perspective:
            return self.perspective
        return role

    def declared_labels(self) -> set[str]:
        return set(self.front_matter) | set(self.codebook)

    def all_labels(self) -> frozenset[str]:
        """Listed and declared labels (lower case)."""
        state = (id(self.listed), len(self.listed))  # `listed` may still grow (a DOCX table's speakers)
        if self._labels is None or self._labels[0] != state:
            self._labels = (state, frozenset(self.listed | self.declared_labels()))
        return self._labels[1]
