"""WebVTT: voice tags, Zoom-style prefixes, Teams overlaps, YouTube rolling captions, bad files."""
from __future__ import annotations

import pytest
from formats_helpers import FORMATS, SESSION

from qualcode.errors import TranscriptError
from qualcode.transcripts import read_transcript


def turns(t):
    return [(x.speaker, x.text) for x in t.turns]


def codes(t):
    return [(d.code, d.line) for d in t.diagnostics]


def read_text(tmp_path, text: str, name="captions.vtt", **kw):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return read_transcript(path, **kw)


def test_voice_tags_give_speakers_and_consecutive_cues_merge(roles):
    t = read_transcript(FORMATS / "session.vtt", speakers=roles)
    assert [(x.speaker, x.text, x.timestamp, x.end_timestamp) for x in t.turns] == SESSION
    assert [x.role for x in t.turns] == ["therapist", "interpreter", "client", "interpreter", "therapist"]
    assert t.format == "vtt" and t.diagnostics == ()


def test_text_is_the_normalised_form_and_offsets_index_it(roles):
    t = read_transcript(FORMATS / "session.vtt", speakers=roles)
    assert t.text.startswith("---\nid: session\nsource: session.vtt\nspeakers: [Dr. Weber, Parwin, Mahnaz]\n---\n"
                             "[00:00:01.000 - 00:00:06.500] Dr. Weber: Good morning, Mahnaz.")
    for turn in t.turns:
        assert t.text[turn.start:turn.end] == turn.text
        assert t.line_of(turn.start) == turn.line
    assert [x.line for x in t.turns] == [6, 7, 8, 9, 10]


def test_no_merge_keeps_one_turn_per_cue(roles):
    t = read_transcript(FORMATS / "session.vtt", speakers=roles, merge_cues=False)
    assert len(t.turns) == 7
    assert turns(t)[:2] == [("Dr. Weber", "Good morning, Mahnaz."),
                            ("Dr. Weber", "How have the nights been since we last met?")]
    assert (t.turns[1].timestamp, t.turns[1].end_timestamp) == ("00:00:03.600", "00:00:06.500")


def test_teams_names_with_commas_overlaps_warned_not_fatal(roles):
    t = read_transcript(FORMATS / "teams.vtt", speakers=roles)
    assert turns(t) == [
        ("Weber, Anna", "So, shall we start with the letter from the job centre? You said on the phone it worried you."),
        ("Rahimi, Parwin (Dolmetscherin)", "Mm-hmm."),
        ("Weber, Anna", "Take your time & tell me in your own words."),
        ("Rahimi, Parwin (Dolmetscherin)", "She asks about the letter, and says you can take your time."),
        ("Mahnaz K.", "The letter says I must come on Monday. I cannot read all of it."),
    ]
    assert [x.role for x in t.turns] == ["therapist", "interpreter", "therapist", "interpreter", "client"]
    assert (t.turns[0].timestamp, t.turns[0].end_timestamp) == ("00:00:02.150", "00:00:08.900")
    assert [d.format() for d in t.diagnostics] == [
        f"{FORMATS / 'teams.vtt'}:16:1: QC217 warning: 2 cues start before the cue above ends (overlapping speech); "
        "kept in file order — nothing to do if speakers talk over each other; otherwise check the timestamps"]


def test_youtube_rolling_captions_are_not_repeated():
    t = read_transcript(FORMATS / "youtube.vtt")
    assert turns(t) == [("Unknown", "so how did the week go"),
                        ("Unknown", "it was hard at first but then it got better"),
                        ("Unknown", "tell me more")]
    assert [(x.timestamp, x.end_timestamp) for x in t.turns] == [
        ("00:00:00.000", "00:00:02.350"), ("00:00:02.360", "00:00:07.900"), ("00:00:07.910", "00:00:10.000")]
    assert codes(t) == [("QC216", 7), ("QC207", 5)]
    assert t.diagnostics[0].message == "4 caption lines name no speaker: kept under speaker 'Unknown'"


def test_zoom_prefixes_bom_crlf_header_text_notes_styles_and_inline_tags(tmp_path):
    vtt = ("\ufeffWEBVTT - Zoom meeting\r\n\r\nSTYLE\r\n::cue { color: yellow }\r\n\r\n"
           "NOTE exported 2024-03-01\r\n\r\n1\r\n00:01.000 --> 00:04.000 line:0 position:20%\r\n"
           "Therapist: <b>How</b> are <c.yellow>you</c> &lt;today&gt;?\r\n\r\n"
           "2\r\n00:04.500 --> 00:06.000\r\nClient: <i>Tired.</i>\r\nI did not sleep.\r\n\r\n"
           "3\r\n00:06.500 --> 00:08.000\r\n<v.loud Therapist>Why?</v> <v Client>Dreams.</v>\r\n")
    t = read_text(tmp_path, vtt)
    assert [(x.speaker, x.role, x.text) for x in t.turns] == [
        ("Therapist", "therapist", "How are you <today>?"),
        ("Client", "client", "Tired. I did not sleep."),
        ("Therapist", "therapist", "Why?"),
        ("Client", "client", "Dreams.")]
    assert t.turns[0].timestamp == "00:00:01.000"
    assert t.diagnostics == ()


def test_cue_without_name_continues_the_speaker_before(tmp_path):
    vtt = ("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nClient: I went there.\n\n"
           "00:00:02.000 --> 00:00:03.000\nAnd then I left.\n\n00:00:03.000 --> 00:00:04.000\nTherapist: Why?\n")
    assert turns(read_text(tmp_path, vtt)) == [("Client", "I went there. And then I left."), ("Therapist", "Why?")]


def test_block_that_is_not_a_cue_is_reported_and_skipped(tmp_path):
    vtt = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nClient: Yes.\n\nstray words\n\n"
    t = read_text(tmp_path, vtt)
    assert turns(t) == [("Client", "Yes.")]
    assert [d.format() for d in t.diagnostics] == [
        f"{tmp_path / 'captions.vtt'}:6:1: QC218 warning: block is not a cue (no 'start --> end' line) and was "
        "skipped — give it a timing line, or remove it"]


@pytest.mark.parametrize("text, expected", [
    ("WEBVTT\n\nNOTE nothing here\n", ["QC212 no cues found in the caption file"]),
    ("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Client></v>\n", ["QC212 no cue holds any text"]),
    ("Client: hello\n", ["1:1: QC219 a WebVTT file must start with the line 'WEBVTT'"]),
    ("WEBVTT\n\n00:00:01 --> 00:00:02\nClient: hi\n", ["3:1: QC213 cannot read the cue timing"]),
    ("WEBVTT\n\n00:00:05.000 --> 00:00:04.000\nClient: hi\n\n00:00:03.000 --> 00:00:06.000\nClient: yes\n",
     ["3:1: QC214 cue ends (00:00:04.000) before it starts (00:00:05.000)",
      "6:1: QC215 cue starts (00:00:03.000) before the cue above it (00:00:05.000): timestamps go backwards"]),
    ("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nA: hi\n\n00:00:0x.000 --> 00:00:03.000\nA: so\n\n"
     "00:00:02.000 --> 00:00:01.500\nA: yes\n",
     ["6:1: QC213 cannot read the cue timing", "9:1: QC214 cue ends (00:00:01.500) before it starts (00:00:02.000)"]),
])
def test_bad_caption_files_fail_with_every_problem(tmp_path, text, expected):
    with pytest.raises(TranscriptError) as err:
        read_text(tmp_path, text)
    prefix = f"{tmp_path / 'captions.vtt'}:"
    assert [d.format().split(" — ")[0].replace(prefix, "").lstrip() for d in err.value.diagnostics] == expected


def test_cues_separated_by_lines_of_spaces(tmp_path):
    vtt = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nClient: One.\n  \n00:00:02.500 --> 00:00:03.000\nTherapist: Two.\n"
    t = read_text(tmp_path, vtt)
    assert [(x.speaker, x.text, x.timestamp) for x in t.turns] == [
        ("Client", "One.", "00:00:01.000"), ("Therapist", "Two.", "00:00:02.500")]


def test_role_hint_quotes_names_yaml_would_misread():
    t = read_transcript(FORMATS / "teams.vtt")
    assert [d.hint for d in t.diagnostics if d.code == "QC207"][:1] == [
        """map it in the front matter ('speakers: {"Weber, Anna": client}') or in the codebook's 'speakers'"""]
