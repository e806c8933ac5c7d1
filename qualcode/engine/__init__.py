"""The coding engine: spaCy pipeline (nlp.py, the only spaCy import), matchers and negation."""
