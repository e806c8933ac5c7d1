"""Transcripts: files in, speaker turns with roles, spans and line numbers out."""
from qualcode.transcripts.read import read_transcript, read_transcripts

__all__ = ["read_transcript", "read_transcripts"]
