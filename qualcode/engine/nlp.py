"""The one module that imports spaCy, lazily. Nothing here downloads anything.

The default pipeline is `spacy.blank("en")` plus lemmas looked up, on the lower-cased
token, in the English table of spacy-lookups-data. A trained pipeline is used only when
the user names one that is installed (`--pipeline en_core_web_sm`).
"""
from __future__ import annotations

import re
import sys
import types
from functools import lru_cache
from typing import TYPE_CHECKING, Iterable

from qualcode.errors import Diagnostic, PipelineError

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language

LEMMA_COMPONENT = "qualcode_lemmatizer"

#: The line of spaCy's `__init__` that imports its command line only to export `spacy.info`.
_SPACY_CLI_IMPORT = re.compile(r"^from \.cli\.info import info[ \t]*(#.*)?$", re.MULTILINE)


def import_spacy() -> types.ModuleType:
    """spaCy, imported without its command line: qualcode calls this before any other spaCy import.

    spaCy's package imports `spacy.cli` (typer, requests, httpx, weasel: 0.2-0.3 s, a third of the
    import) only to offer `spacy.info`, which qualcode never calls. Here `spacy.info` is a stand-in
    that imports the real one when called, `spacy.cli` is imported when first used (a module
    `__getattr__`), and `import spacy.cli` works as usual: the approach of explosion/spaCy#13721,
    which brings back #12962 (reverted in #13040 because `spacy.cli` as an attribute broke). Done
    only when spaCy's `__init__` has exactly the line it replaces; otherwise, once spaCy is
    imported, or if the import fails with the stand-in, a plain import. Not meant for a moment when
    another thread imports spaCy's command line. Welcome here: no HTTP library is even imported to
    code a transcript."""
    if "spacy" in sys.modules or "spacy.cli.info" in sys.modules or not _spacy_imports_cli():
        import spacy

        return spacy
    stand_in = types.ModuleType("spacy.cli.info", "Stand-in while qualcode imports spaCy (see import_spacy).")
    stand_in.info = _spacy_info
    sys.modules["spacy.cli.info"] = stand_in
    try:
        import spacy
    except ImportError:  # a spaCy the stand-in does not fit after all: import it as it is
        spacy = None
    finally:
        if sys.modules.get("spacy.cli.info") is stand_in:
            del sys.modules["spacy.cli.info"]
    if spacy is None:
        import spacy

        return spacy
    if "__getattr__" not in vars(spacy):
        spacy.__getattr__ = _spacy_attribute
    return spacy


def _spacy_imports_cli() -> bool:
    from importlib.util import find_spec

    try:
        spec = find_spec("spacy")
        with open(spec.origin, encoding="utf-8") as handle:
            return _SPACY_CLI_IMPORT.search(handle.read()) is not None
    except (ImportError, AttributeError, TypeError, OSError, ValueError):
        return False


def _spacy_info(*args, **kwargs):
    """`spacy.info`, from spaCy's command line, imported now."""
    from spacy.cli.info import info

    return info(*args, **kwargs)


def _spacy_attribute(name: str):
    """spaCy's module `__getattr__` (PEP 562): `spacy.cli`, imported when first used."""
    if name == "cli":
        import importlib

        return importlib.import_module("spacy.cli")
    raise AttributeError(f"module 'spacy' has no attribute '{name}'")


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
    import_spacy()
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
    import_spacy()
    from spacy.attrs import LOWER

    return LOWER


def load_pipeline(name: str | None = None, *, lemmas: bool = True) -> "Language":
    """The default blank English pipeline (with lookup lemmas), or an installed trained one."""
    spacy = import_spacy()

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


#: The lexical attribute qualcode itself reads of every word: keywords, negation and the LOWER array.
ALWAYS_COMPUTED = frozenset({"LOWER"})


def compute_only(nlp: "Language", attributes: Iterable[str]) -> None:
    """Have the pipeline compute only these lexical attributes (and LOWER) for the words it meets from
    now on; the others stay unset (0, False). spaCy computes a new word's attributes in Python (shape,
    norm, prefix, suffix, like_num, like_url and a dozen flags): about a sixth of the tokenizer's work
    on text with new words, and the built-in pipeline reads none of them unless a pattern tests it.
    A token's text, offsets, whitespace and length are not attributes of this kind."""
    from spacy.attrs import IDS

    keep = {IDS[name] for name in ALWAYS_COMPUTED | set(attributes) if name in IDS}
    getters = nlp.vocab.lex_attr_getters
    nlp.vocab.lex_attr_getters = {attr: get for attr, get in getters.items() if attr in keep}


def not_computed(nlp: "Language", attributes: Iterable[str] | None) -> list[str]:
    """The lexical attributes among `attributes` (None: all) that the pipeline does not compute, sorted."""
    from spacy.attrs import IDS
    from spacy.lang.lex_attrs import LEX_ATTRS

    lexical = {name for name, attr in IDS.items() if attr in LEX_ATTRS} | {"NORM", "IS_STOP", "LANG"}
    wanted = lexical if attributes is None else lexical & set(attributes)
    getters = nlp.vocab.lex_attr_getters
    return sorted(name for name in wanted if IDS[name] not in getters)


def spacy_classes():
    """(PhraseMatcher, Matcher, Doc) without importing spaCy at module load."""
    import_spacy()
    from spacy.matcher import Matcher, PhraseMatcher
    from spacy.tokens import Doc

    return PhraseMatcher, Matcher, Doc
