"""Speaker turns in plain text, in the conventions researchers use.

Recognised at the start of a line (leading blanks allowed):
  `Name: text`, `@Name: text`, `#Name: text`, `[Name] text`, `{Name} text`,
  `[hh:mm:ss] Name: text`, `[hh:mm:ss - hh:mm:ss] Name: text` (a start and end time, as
  `qualcode transcript convert` writes them), `Name (hh:mm:ss): text` (Rev),
  `SPEAKER_00: text` and `[SPEAKER_00]: text` (Whisper/pyannote diarisation labels),
  any label the front matter or codebook declares, exactly as written (`Weber, Anna: text`),
  a name alone on its line with the text below (optionally `Name  0:03`, as Otter writes it),
  and a line holding only a timestamp, which dates the next turn.
Guards keep `Note:`, `https:`, clock times (`17:30`) and sentences ending in a colon from
becoming speakers.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from qualcode.transcripts.roles import RoleMap

TS = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?"
_LABEL = r"[^\W\d_][\w.'’\- ]{0,60}?\??"

#: `[start - end]`: a time span, as `transcript convert` writes cue times
_SPAN = rf"[\[(]?(?P<ts>{TS})(?:\s*(?:-->|-|–)\s*(?P<ts_end>{TS}))?[\])]?"
_TS_NAME = re.compile(rf"^{_SPAN}\s+(?P<name>{_LABEL})\s*:(?:\s+(?P<text>.*))?$")
_NAME_TS = re.compile(rf"^(?P<name>{_LABEL})\s*[\[(](?P<ts>{TS})[\])]\s*:(?:\s+(?P<text>.*))?$")
_SIGIL = re.compile(rf"^[@#](?P<name>{_LABEL})\s*:(?:\s+(?P<text>.*))?$")
_BRACKET = re.compile(r"^(?:\[(?P<a>[^\]\n]{1,60})\]|\{(?P<b>[^}\n]{1,60})\}):?(?:\s+(?P<text>.*))?$")
#: a diarisation label: SPEAKER_00, speaker-1, SPK_2 (not any word-number pair: 'COVID-19:' is no speaker)
_DIARISED = re.compile(r"(?:speaker|spk|spkr|sprecher|person|voice)[_-]\d{1,3}", re.I)
_COLON = re.compile(rf"^(?P<name>{_LABEL})\s*:(?:\s+(?P<text>.*))?$")
_ALONE = re.compile(rf"^(?P<name>{_LABEL})(?:\s+[\[(]?(?P<ts>{TS})[\])]?)?\s*$")
#: `[01.23.45]`, `[02.34]`: dotted times, as QualCoder accepts them, in brackets only
_DOTTED = r"\d{1,2}\.\d{2}(?:\.\d{2})?"
_TS_ONLY = re.compile(rf"^(?:[\[({{#](?P<a>{TS}|{_DOTTED})(?:-\d)?[\])}}#]|(?P<b>{TS}))$")
_TIMESTAMP_ONLY = re.compile(rf"^[\[(]?{TS}[\])]?$")

#: Words that end in a colon but are not speakers.
NOT_SPEAKERS = frozenset("""
note notes nb n.b. ps p.s. http https ftp mailto www file email e-mail tel phone url link
example examples e.g. i.e. eg ie re subject date time duration location place source sources
summary transcript transcription translation comment comments edit edited update important
warning caution question questions answer answers topic topics title chapter part section
step tip hint todo fyi attendees present absent participants speakers agenda keywords
""".split())

#: Bracketed transcription notes that are not speakers.
NOT_BRACKET_SPEAKERS = frozenset("""
laughs laughing laughter laugh pause pauses paused silence silent inaudible unclear unintelligible
crosstalk cross-talk overlap overlapping overlaps sighs sigh sighing cries crying cry coughs cough
coughing clears throat noise interruption interrupted redacted name place removed break end start
music applause nods nodding gestures gesture smiles smiling tearful long pause short pause
""".split())

PARTICLES = frozenset({"van", "von", "de", "der", "den", "da", "di", "du", "del", "la", "le",
                       "al", "el", "bin", "ibn", "y", "dos", "das"})


@dataclass
class TurnStart:
    """A speaker label found on a line."""

    speaker: str
    text_col: int | None  # column where the turn's text starts on this line, None if it starts below
    timestamp: str | None = None
    end_timestamp: str | None = None


def plausible_name(label: str, roles: RoleMap, *, lenient: bool = False) -> bool:
    """Could `label` be a speaker's name? Known labels always are."""
    label = label.strip()
    if not label or roles.known(label) or roles.is_listed(label):
        return bool(label)
    key = label.lower().rstrip("?")
    if key in NOT_SPEAKERS or len(label) > 40:
        return False
    words = label.rstrip("?").split()
    if not words or len(words) > 4:
        return False
    if len(words) == 1 and _DIARISED.fullmatch(words[0]):
        return True  # SPEAKER_00, as Whisper/pyannote write it
    if lenient and len(words) == 1 and re.fullmatch(r"[A-Za-z]+\d+", words[0]):
        return True  # [id1], [P3]
    for word in words:
        if word.lower() in PARTICLES:
            continue
        if not word[0].isupper() and not word[0].isdigit():
            return False
        if any(ch.isdigit() for ch in word) and not re.fullmatch(r"[A-Za-z]*\d+", word):
            return False
    return True


def match_turn_start(line: str, roles: RoleMap) -> TurnStart | None:
    """The speaker label that opens `line`, if any (name-alone lines are decided by the caller)."""
    stripped = line.lstrip()
    if ":" not in stripped and stripped[:1] not in ("[", "{"):
        return None  # every form but `[Name] text` and `{Name} text` has a colon
    indent = len(line) - len(stripped)
    for regex in (_TS_NAME, _NAME_TS, _SIGIL):
        m = regex.match(stripped)
        if m and plausible_name(m.group("name"), roles):
            return _start(m, indent, m.groupdict().get("ts"))
    m = _BRACKET.match(stripped)
    if m:
        name = (m.group("a") or m.group("b")).strip()
        if (name.lower() not in NOT_BRACKET_SPEAKERS and not _TIMESTAMP_ONLY.match(name)
                and plausible_name(name, roles, lenient=True)):
            return TurnStart(name, indent + m.start("text") if m.group("text") else None)
    m = _COLON.match(stripped)
    if m and plausible_name(m.group("name"), roles):
        return _start(m, indent, None)
    labels = roles.all_labels()
    if labels:
        m = _declared_regex(labels).match(stripped)
        if m:
            return _start(m, indent, m.group("ts"))
    return None


@lru_cache(maxsize=64)
def _declared_regex(labels: frozenset[str]) -> re.Pattern:
    """`[span] Label: text` for labels declared in front matter or codebook, whatever characters they hold."""
    names = "|".join(r"\s+".join(map(re.escape, label.split())) for label in sorted(labels, key=len, reverse=True))
    return re.compile(rf"^(?:{_SPAN}\s+)?(?P<name>{names})\s*:(?:\s+(?P<text>.*))?$", re.I)


def _start(m: re.Match, indent: int, ts: str | None) -> TurnStart:
    text_col = indent + m.start("text") if m.group("text") else None
    end_ts = m.groupdict().get("ts_end") if ts else None
    return TurnStart(m.group("name").strip(), text_col, ts, end_ts)


def match_name_alone(line: str, roles: RoleMap) -> TurnStart | None:
    """`Name` or `Name  0:03` alone on a line (the caller checks the lines around it)."""
    m = _ALONE.match(line.strip())
    if not m or not plausible_name(m.group("name"), roles):
        return None
    name = m.group("name").strip()
    if name.endswith((".", "!", ",", ";")) and not roles.known(name):
        return None
    return TurnStart(name, None, m.group("ts"))


def timestamp_only(line: str) -> str | None:
    m = _TS_ONLY.match(line.strip())
    if not m:
        return None
    ts = m.group("a") or m.group("b")
    return ts if ":" in ts else ts.replace(".", ":")  # [01.23.45] is 01:23:45
