"""Shared data and builders for the format tests (imported by the test modules)."""
from __future__ import annotations

from pathlib import Path

FORMATS = Path(__file__).resolve().parent.parent / "data" / "formats"

#: The conversation every `session.*` fixture holds: (speaker, text, start, end).
SESSION = [
    ("Dr. Weber", "Good morning, Mahnaz. How have the nights been since we last met?", "00:00:01.000", "00:00:06.500"),
    ("Parwin", "Good morning. She asks how your nights have been since the last session.", "00:00:07.000", "00:00:11.000"),
    ("Mahnaz", "Better. I sleep four or five hours now. But the dreams still come.", "00:00:11.500", "00:00:18.000"),
    ("Parwin", "She says it is better, four or five hours, but the dreams still come.", "00:00:18.500", "00:00:23.000"),
    ("Dr. Weber", "Thank you. Can you tell me about the dreams?", "00:00:23.500", "00:00:27.000"),
]


def make_docx(path: Path, blocks: list) -> Path:
    """A .docx with `blocks` in order: a string is a paragraph, a list of rows is a table."""
    import docx

    document = docx.Document()
    for block in blocks:
        if isinstance(block, str):
            document.add_paragraph(block)
        else:
            table = document.add_table(rows=len(block), cols=len(block[0]))
            for r, row in enumerate(block):
                for c, value in enumerate(row):
                    table.cell(r, c).text = value
    document.save(path)
    return path
