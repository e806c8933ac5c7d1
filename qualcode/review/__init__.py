"""Coder decisions (review of suggestions, hand codings) stored as append-only files per coder."""
