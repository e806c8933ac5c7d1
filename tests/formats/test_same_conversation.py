"""One conversation in five formats reads as the same turns, speakers and roles."""
from __future__ import annotations

import pytest
from formats_helpers import FORMATS, SESSION

from qualcode.transcripts import read_transcript


def seconds(ts: str) -> float:
    parts = [float(p) for p in ts.replace(",", ".").split(":")]
    return sum(p * 60 ** i for i, p in enumerate(reversed(parts)))


@pytest.fixture
def sources(session_docx):
    return {"vtt": FORMATS / "session.vtt", "srt": FORMATS / "session.srt", "docx": session_docx,
            "rev": FORMATS / "session-rev.txt", "otter": FORMATS / "session-otter.txt"}


def test_same_turns_speakers_and_roles_in_every_format(sources, roles):
    expected = [(speaker, text) for speaker, text, _, _ in SESSION]
    for name, path in sources.items():
        t = read_transcript(path, speakers=roles)
        assert [(x.speaker, x.text) for x in t.turns] == expected, name
        assert t.speakers == {"Dr. Weber": "therapist", "Parwin": "interpreter", "Mahnaz": "client"}, name


def test_start_times_agree_to_the_second(sources):
    expected = [int(seconds(start)) for _, _, start, _ in SESSION]
    for name, path in sources.items():
        t = read_transcript(path)
        assert [int(seconds(x.timestamp)) for x in t.turns] == expected, name


def test_caption_and_word_formats_give_the_same_text_and_offsets(sources, roles):
    """The normalised texts differ only in their `source:` line, so spans carry over between them."""
    bodies, offsets = {}, {}
    for name in ("vtt", "srt", "docx"):
        t = read_transcript(sources[name], speakers=roles)
        header = t.text.index("---\n", 4) + 4
        bodies[name] = t.text[header:]
        offsets[name] = [(x.start - header, x.end - header, x.line) for x in t.turns]
        assert t.text[:header].replace(f"source: {sources[name].name}\n", "") == \
            "---\nid: session\nspeakers: [Dr. Weber, Parwin, Mahnaz]\n---\n"
    assert bodies["vtt"] == bodies["srt"] == bodies["docx"]
    assert offsets["vtt"] == offsets["srt"] == offsets["docx"]
