"""qualcode: code interview and therapy-session transcripts against a YAML codebook, offline.

The public Python API (no spaCy or pandas import until a function needs it)::

    from qualcode import load_codebook, read_transcript, code_transcript, code_corpus
"""
__version__ = "0.1.0"

from qualcode.batch import Corpus, code_corpus  # noqa: E402
from qualcode.codebook import check_codebook, load_codebook  # noqa: E402
from qualcode.coding import CodingResult, code_transcript  # noqa: E402
from qualcode.errors import Diagnostic, QualcodeError  # noqa: E402
from qualcode.transcripts import read_transcript  # noqa: E402

__all__ = ["__version__", "load_codebook", "check_codebook", "read_transcript", "code_transcript",
           "code_corpus", "Corpus", "CodingResult", "Diagnostic", "QualcodeError"]
