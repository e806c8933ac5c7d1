"""Turning results into rows and files (atomic writes, CSV, JSONL)."""
