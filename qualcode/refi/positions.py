"""Text positions as vendors count them, turned into code points of the normalised (LF) text.

REFI-QDA says positions count code points from 0; tools differ in practice:
  codepoints  code points on the source text as stored (a CRLF counts 2): qualcode, QualCoder
  utf16       UTF-16 code units on the stored text (CRLF 2, emoji 2): NVivo
  lf          code points after CRLF became LF (a line break counts 1): ATLAS.ti, MAXQDA
"""
from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

CONVENTIONS = ("codepoints", "utf16", "lf")


def convention_for_origin(origin: str | None) -> str | None:
    """The convention a known tool uses, None when the origin does not tell."""
    text = (origin or "").strip().lower()
    if text.startswith("nvivo"):
        return "utf16"
    if text.startswith(("atlas.ti", "atlasti", "atlas ti", "maxqda")):
        return "lf"
    if text.startswith(("qualcode", "qualcoder")):
        return "codepoints"
    return None


@dataclass
class SourceText:
    """A source's text as stored (`raw`, BOM removed) and normalised (LF), with offset maps."""

    raw: str

    def __post_init__(self) -> None:
        self.text = self.raw.replace("\r\n", "\n").replace("\r", "\n")
        #: raw indices of the CR of each CRLF (removed by normalisation)
        self._removed = [i for i, ch in enumerate(self.raw) if ch == "\r" and self.raw[i + 1:i + 2] == "\n"]
        self._utf16: list[int] | None = None

    @property
    def ambiguous(self) -> bool:
        """Do conventions give different numbers on this text?"""
        return bool(self._removed) or any(ord(ch) > 0xFFFF for ch in self.raw)

    def _raw_to_text(self, index: int) -> int:
        return index - bisect_left(self._removed, index)

    def _utf16_to_raw(self, unit: int) -> int:
        if self._utf16 is None:
            offsets, total = [], 0
            for ch in self.raw:
                offsets.append(total)
                total += 2 if ord(ch) > 0xFFFF else 1
            offsets.append(total)
            self._utf16 = offsets
        if unit > self._utf16[-1]:
            return len(self.raw) + (unit - self._utf16[-1])  # out of range: stays out of range
        return bisect_left(self._utf16, unit)

    def to_text(self, position: int, convention: str) -> int:
        """`position` (counted by `convention`) as an index into `text`; may lie outside it."""
        if position < 0:
            return position
        if convention == "lf":
            return position
        if convention == "utf16":
            position = self._utf16_to_raw(position)
        if position > len(self.raw):
            return len(self.text) + (position - len(self.raw))
        return self._raw_to_text(position)


def _boundary(text: str, index: int) -> bool:
    if index <= 0 or index >= len(text):
        return True
    return not (text[index - 1].isalnum() and text[index].isalnum())


def guess_convention(samples: list[tuple[SourceText, int, int, str]]) -> str:
    """The convention under which selections (source, start, end, name) best fit words and quoted names."""
    scores = {}
    for convention in CONVENTIONS:
        score = 0
        for source, start, end, name in samples:
            s, e = source.to_text(start, convention), source.to_text(end, convention)
            if not 0 <= s <= e <= len(source.text):
                score -= 5
                continue
            if name and source.text[s:e].strip() == name.strip():
                score += 3
            score += _boundary(source.text, s) + _boundary(source.text, e)
        scores[convention] = score
    return max(CONVENTIONS, key=lambda c: (scores[c], c == "codepoints"))
