"""The one module that imports spaCy, lazily. Nothing here downloads anything.

The default pipeline is `spacy.blank("en")` plus lemmas looked up, on the lower-cased
token, in the English table of spacy-lookups-data. A trained pipeline is used only when
the user names one that is installed (`--pipeline en_core_web_sm`).
"""
from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from qualcode.errors import Diagnostic, PipelineError

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language

LEMMA_COMPONENT = "qualcode_lemmatizer"


@lru_cache(maxsize=1)
def lemma_table() -> dict[str, str]:
    """The English lookup table (word form -> lemma) from spacy-lookups-data, read from its gzipped JSON."""
    import gzip
    import json

    try:
        import spacy_lookups_data

        path = str(spacy_lookups_data.en["lemma_lookup"])
        if not path.endswith(".gz"):
            path += ".gz"
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            return json.load(handle)
    except (ImportError, OSError, KeyError, ValueError) as exc:
        raise PipelineError(Diagnostic(
            "QC020", f"cannot load the English lemma table ({exc.__class__.__name__})", None,
            hint="install it with 'pip install spacy-lookups-data' (it is a dependency of qualcode)")) from None


def lemma_of(word: str) -> str:
    """The lemma of a lower-cased word form (the word itself if the table has none)."""
    return lemma_table().get(word, word)


def _register_lemmatizer() -> None:
    from spacy.language import Language

    if Language.has_factory(LEMMA_COMPONENT):
        return

    @Language.factory(LEMMA_COMPONENT)
    def make_lemmatizer(nlp, name):  # noqa: ARG001 - spaCy's factory signature
        lemma_table()  # fail at set-up, not on the first Doc
        return set_lookup_lemmas


def set_lookup_lemmas(doc):
    """Set every token's lemma to the table's lemma of its lower-cased form (in place); returns the Doc."""
    table = lemma_table()
    for token in doc:
        lower = token.lower_
        token.lemma_ = table.get(lower, lower)
    return doc


def lower_attr_id() -> int:
    """spaCy's attribute id of LOWER, for `Doc.to_array`."""
    from spacy.attrs import LOWER

    return LOWER


def load_pipeline(name: str | None = None, *, lemmas: bool = True) -> "Language":
    """The default blank English pipeline (with lookup lemmas), or an installed trained one."""
    import spacy

    if name:
        try:
            nlp = spacy.load(name, exclude=["ner"] if name.startswith("en_core") else [])
        except OSError:
            raise PipelineError(Diagnostic(
                "QC021", f"spaCy pipeline '{name}' is not installed", None,
                hint="install its package with pip (qualcode never downloads one), or leave out --pipeline "
                     "to use the built-in English pipeline")) from None
        if not lemmas or "lemmatizer" in nlp.pipe_names:
            return nlp
    else:
        nlp = spacy.blank("en")
    if lemmas:
        _register_lemmatizer()
        nlp.add_pipe(LEMMA_COMPONENT)
    return nlp


def spacy_classes():
    """(PhraseMatcher, Matcher, Doc) without importing spaCy at module load."""
    from spacy.matcher import Matcher, PhraseMatcher
    from spacy.tokens import Doc

    return PhraseMatcher, Matcher, Doc
