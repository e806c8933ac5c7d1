"""Optional YAML front matter between `---` lines at the top of a transcript."""
from __future__ import annotations

import re
from typing import Any

from qualcode.errors import Diagnostic, TranscriptError
from qualcode.yamlsrc import parse_yaml

_FENCE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.M)


def split_front_matter(text: str, path: str) -> tuple[dict[str, Any], int]:
    """(metadata, offset where the body starts). Text without front matter gives ({}, 0)."""
    if not re.match(r"---[ \t]*\n", text):
        return {}, 0
    first_nl = text.index("\n")
    closing = _FENCE.search(text, first_nl + 1)
    if closing is None:
        raise TranscriptError(Diagnostic(
            "QC204", "front matter starts with '---' but is never closed", path, 1, 1,
            hint="end the front matter with a line holding only '---'"))
    block = text[first_nl + 1: closing.start()]
    try:
        doc = parse_yaml(block, path, syntax_code="QC205")
    except ValueError as exc:
        diag: Diagnostic = exc.args[0]
        line = (diag.line or 1) + 1  # the block starts on line 2 of the file
        raise TranscriptError(Diagnostic("QC205", f"front matter: {diag.message}", path, line, diag.col,
                                         hint="fix the YAML between the '---' lines")) from None
    if doc.data is None:
        meta: dict[str, Any] = {}
    elif not isinstance(doc.data, dict):
        raise TranscriptError(Diagnostic(
            "QC205", "front matter must be 'key: value' lines", path, 2, 1,
            hint="write metadata as 'dyad: D01', 'role: client', …"))
    else:
        meta = {str(k): v for k, v in doc.data.items()}
    end = closing.end()
    if end < len(text) and text[end] == "\n":
        end += 1
    return meta, end
