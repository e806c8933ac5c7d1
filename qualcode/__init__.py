"""qualcode: code interview and therapy-session transcripts against a YAML codebook, offline.

The public Python API (no spaCy or pandas import until a function needs it)::

    from qualcode import load_codebook, read_transcript, code_transcript, code_corpus

The names are imported on first use (PEP 562), so `qualcode --help` loads none of them.
"""
from __future__ import annotations

import importlib

__version__ = "0.1.0"

#: Public name -> the module that defines it.
_API = {
    "Corpus": "qualcode.batch", "code_corpus": "qualcode.batch",
    "check_codebook": "qualcode.codebook", "load_codebook": "qualcode.codebook",
    "CodingResult": "qualcode.coding", "code_transcript": "qualcode.coding",
    "Diagnostic": "qualcode.errors", "QualcodeError": "qualcode.errors",
    "read_transcript": "qualcode.transcripts",
}

__all__ = ["__version__", "load_codebook", "check_codebook", "read_transcript", "code_transcript",
           "code_corpus", "Corpus", "CodingResult", "Diagnostic", "QualcodeError"]


def __getattr__(name: str):
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'qualcode' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_API))
