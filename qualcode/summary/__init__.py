"""Dyadic theme summaries: how client, therapist and interpreter each contribute to every theme."""
from qualcode.summary.compute import PATTERNS, Summary
from qualcode.summary.run import summarize, write_summary

__all__ = ["PATTERNS", "Summary", "summarize", "write_summary"]
