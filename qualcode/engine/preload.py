"""Imported by a batch's fork server before it forks the workers: the engine and spaCy, once for all
of them, spaCy imported the way qualcode imports it (`qualcode.engine.nlp.import_spacy`).

Ctrl-C is the main process's to handle (it reports the interruption; workers ignore SIGINT too):
the server ignores it from the start, since it may be importing spaCy, started early by the entry
point, when Ctrl-C comes, and would print a traceback of its own."""
import signal

signal.signal(signal.SIGINT, signal.SIG_IGN)

from qualcode.engine import match  # noqa: E402,F401
from qualcode.engine.nlp import import_spacy  # noqa: E402

import_spacy()
import spacy.lang.en  # noqa: E402,F401 - the language the default pipeline builds
