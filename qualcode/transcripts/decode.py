"""Bytes to normalised text: BOMs, UTF-8/UTF-16/cp1252, CRLF and CR, binary and empty files."""
from __future__ import annotations

import codecs
import re

from qualcode.errors import Diagnostic, TranscriptError

#: Largest transcript read, in bytes (a one-hour interview is about 60 kB).
MAX_TRANSCRIPT_BYTES = 50_000_000

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def normalise_newlines(text: str) -> str:
    """CRLF and lone CR become LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def decode_transcript(data: bytes, path: str) -> tuple[str, str]:
    """(text with LF newlines and no BOM, encoding used); `TranscriptError` for binary, empty or undecodable data."""
    if len(data) > MAX_TRANSCRIPT_BYTES:
        raise TranscriptError(Diagnostic(
            "QC209", f"file is {len(data):,} bytes, more than the {MAX_TRANSCRIPT_BYTES:,} a transcript may have",
            path, hint="split the transcript into several files"))
    encoding = None
    for bom, name in _BOMS:
        if data.startswith(bom):
            encoding = name
            break
    if encoding is None:
        if b"\x00" in data:
            raise TranscriptError(Diagnostic(
                "QC201", "looks like a binary file, not a text transcript (it contains NUL bytes)", path,
                hint="export the transcript as plain text (.txt, UTF-8) and code that file"))
        try:
            text = data.decode("utf-8")
            encoding = "utf-8"
        except UnicodeDecodeError:
            try:
                text = data.decode("cp1252")
                encoding = "cp1252"
            except UnicodeDecodeError as exc:
                line = data[: exc.start].count(b"\n") + 1
                raise TranscriptError(Diagnostic(
                    "QC203", "text is neither UTF-8 nor Windows-1252", path, line,
                    hint="save the file as UTF-8 text and try again")) from None
    else:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            raise TranscriptError(Diagnostic(
                "QC203", f"text has a {encoding.upper()} byte-order mark but is not valid {encoding.upper()} "
                         f"(byte {exc.start})", path, hint="save the file again as UTF-8 text")) from None
        if "\x00" in text:
            raise TranscriptError(Diagnostic(
                "QC201", "looks like a binary file, not a text transcript (it contains NUL characters)", path,
                hint="export the transcript as plain text (.txt, UTF-8) and code that file"))
    text = normalise_newlines(text)
    if not text.strip():
        raise TranscriptError(Diagnostic(
            "QC202", "file is empty", path,
            hint="add the transcript's turns, one 'Speaker: text' per turn"))
    _check_controls(text, path)
    return text, encoding


#: Control characters that text files do not hold (newline, tab, form feed and vertical tab they may).
_CONTROLS = re.compile(r"[\x00-\x08\x0d-\x1f]")


def _check_controls(text: str, path: str) -> None:
    """Reject text full of control characters (a binary file that happened to decode)."""
    sample = text[:4096]
    controls = len(_CONTROLS.findall(sample))
    if controls > max(8, len(sample) // 50):
        raise TranscriptError(Diagnostic(
            "QC201", "looks like a binary file, not a text transcript (many control characters)", path,
            hint="export the transcript as plain text (.txt, UTF-8) and code that file"))
