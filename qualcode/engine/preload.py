"""Imported by a batch's fork server before it forks the workers: the engine and spaCy, once for all
of them, spaCy imported the way qualcode imports it (`qualcode.engine.nlp.import_spacy`)."""
from qualcode.engine import match  # noqa: F401
from qualcode.engine.nlp import import_spacy

import_spacy()
import spacy.lang.en  # noqa: E402,F401 - the language the default pipeline builds
