"""The small, immutable records everything else works on. No I/O here."""
from __future__ import annotations

from dataclasses import MISSING, dataclass, field, fields
from functools import cached_property
from typing import Any, Callable

from qualcode.errors import Diagnostic

#: Roles qualcode knows; a codebook may add its own.
KNOWN_ROLES = ("therapist", "client", "interpreter", "interviewer", "participant", "unknown")

#: Sources of a coding: a codebook rule, a trained model, or a person.
SOURCES = ("rule", "model", "human")


@dataclass(frozen=True)
class Theme:
    """One theme (code) of a codebook, flattened: `parent` names its parent theme."""

    id: str
    name: str
    definition: str = ""
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    positive_examples: tuple[str, ...] = ()
    negative_examples: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    patterns: tuple[tuple[dict, ...], ...] = ()
    roles: tuple[str, ...] = ()
    color: str | None = None
    guid: str | None = None
    parent: str | None = None
    path: str = ""  # "rupture_repair/rupture"
    line: int | None = None  # where the theme starts in its file
    #: line of each positive / negative example, for reports
    positive_lines: tuple[int | None, ...] = ()
    negative_lines: tuple[int | None, ...] = ()


@dataclass(frozen=True)
class Codebook:
    """A validated codebook: themes in file order (parents before children)."""

    path: str
    name: str
    themes: tuple[Theme, ...]
    version: int = 1
    description: str = ""
    #: speaker label (lower-case) -> role
    speakers: dict[str, str] = field(default_factory=dict)

    def theme(self, theme_id: str) -> Theme:
        for theme in self.themes:
            if theme.id == theme_id:
                return theme
        raise KeyError(theme_id)

    @property
    def theme_ids(self) -> tuple[str, ...]:
        return tuple(t.id for t in self.themes)

    def children(self, theme_id: str | None) -> tuple[Theme, ...]:
        return tuple(t for t in self.themes if t.parent == theme_id)


@dataclass(frozen=True)
class Turn:
    """One speaker turn. `number` counts from 1 in file order; `start`/`end` index the transcript text."""

    number: int
    speaker: str
    role: str
    text: str
    start: int
    end: int
    line: int
    end_line: int
    timestamp: str | None = None
    end_timestamp: str | None = None

    @cached_property
    def words(self) -> int:
        """Words as white space separates them (kept once counted, and pickled with the turn)."""
        return len(self.text.split())


@dataclass(frozen=True)
class Transcript:
    """A parsed transcript. `text` is the normalised text (LF newlines, no BOM) that spans index."""

    id: str
    path: str
    text: str
    turns: tuple[Turn, ...]
    meta: dict[str, Any] = field(default_factory=dict)
    format: str = "txt"
    #: what could not be placed or mapped (warnings), kept for `transcript show`
    diagnostics: tuple[Diagnostic, ...] = ()

    def _meta(self, key: str) -> str | None:
        value = self.meta.get(key)
        return None if value is None else str(value)

    @property
    def dyad(self) -> str | None:
        return self._meta("dyad")

    @property
    def role(self) -> str | None:
        """Whose perspective an interview gives (front matter `role`)."""
        return self._meta("role")

    @property
    def group(self) -> str | None:
        return self._meta("group")

    @property
    def setting(self) -> str | None:
        return self._meta("setting")

    @property
    def language(self) -> str | None:
        return self._meta("language")

    @property
    def kind(self) -> str:
        """`interview` or `session`; front matter `kind`, else inferred from `role`."""
        kind = self._meta("kind")
        if kind:
            return kind
        return "interview" if self.role else "session"

    @property
    def words(self) -> int:
        return sum(t.words for t in self.turns)

    @property
    def speakers(self) -> dict[str, str]:
        """Speaker label -> role, in order of first appearance."""
        out: dict[str, str] = {}
        for turn in self.turns:
            out.setdefault(turn.speaker, turn.role)
        return out

    def line_of(self, offset: int) -> int:
        """1-based line number of a character offset in `text`."""
        return self.text.count("\n", 0, offset) + 1


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A coded segment: a theme applied to a span of one turn, with where it came from."""

    transcript: str
    turn: int
    speaker: str
    role: str
    theme: str
    theme_path: str
    start: int
    end: int
    line: int
    quote: str
    rule: str
    score: float
    negated: bool = False
    source: str = "rule"


def fast_constructor(cls: type) -> Callable[..., Any]:
    """A function making instances of the frozen, slotted dataclass `cls` from positional values about
    five times faster than `cls(*values)`, which sets each field through `object.__setattr__` (1.5 µs
    for a Suggestion, of which coding makes 60 per 1,000 words). The values go to a mutable twin
    generated from `cls`'s fields (so the same slots and memory layout), whose `__class__` then
    becomes `cls`: the result is an ordinary, frozen instance of `cls`."""
    if getattr(cls, "__slots__", None) != tuple(f.name for f in fields(cls)) or hasattr(cls, "__post_init__") \
            or any(f.default_factory is not MISSING or not f.init or f.kw_only is True for f in fields(cls)):
        raise TypeError(f"{cls.__name__} is not a plain slotted dataclass (no __post_init__, default_factory, "
                        "init=False or keyword-only field)")
    defaults = {f.name: f.default for f in fields(cls) if f.default is not MISSING}
    draft = dataclass(slots=True, eq=False, repr=False)(
        type(f"_{cls.__name__}Draft", (), {"__annotations__": dict(cls.__annotations__), **defaults}))

    def make(*values):
        instance = draft(*values)
        instance.__class__ = cls
        return instance

    make.__doc__ = f"`{cls.__name__}(*values)`, made faster (see `fast_constructor`)."
    return make


new_suggestion = fast_constructor(Suggestion)
