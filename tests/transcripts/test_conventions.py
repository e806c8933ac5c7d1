"""Speaker-turn conventions, front matter, roles and spans of plain-text transcripts."""
from __future__ import annotations

import pytest

from qualcode.errors import TranscriptError
from qualcode.transcripts import read_transcript


def parse(tmp_path, body: str, *, name: str = "t.txt", speakers=None):
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return read_transcript(path, speakers=speakers)


def turns(t):
    return [(x.speaker, x.role, x.text) for x in t.turns]


def test_name_colon(tmp_path):
    t = parse(tmp_path, "Therapist: How are you?\nClient: Tired.\n")
    assert turns(t) == [("Therapist", "therapist", "How are you?"), ("Client", "client", "Tired.")]


def test_at_and_hash_sigils(tmp_path):
    t = parse(tmp_path, "@Therapist: Hello.\n#Client: Hi.\n")
    assert turns(t) == [("Therapist", "therapist", "Hello."), ("Client", "client", "Hi.")]


def test_bracket_names_but_not_bracket_notes(tmp_path):
    t = parse(tmp_path, "[Therapist] Hello.\n[laughs] still the therapist\n[id1] hello, I like the course.\n")
    assert [x.speaker for x in t.turns] == ["Therapist", "id1"]
    assert t.turns[0].text == "Hello.\n[laughs] still the therapist"


def test_name_alone_on_its_line(tmp_path):
    body = "Alex\nI don't know, I'm the sort who waits.\n\nSam\nWhy?\n\nAlex\nBecause.\n"
    t = parse(tmp_path, body)
    assert [(x.speaker, x.text) for x in t.turns] == [
        ("Alex", "I don't know, I'm the sort who waits."), ("Sam", "Why?"), ("Alex", "Because.")]


def test_one_word_sentence_is_not_a_speaker(tmp_path):
    t = parse(tmp_path, "Client: I said it.\n\nOkay.\nAnd then I left.\n")
    assert len(t.turns) == 1
    assert t.turns[0].text.endswith("And then I left.")


def test_timestamp_conventions_kept_as_metadata(tmp_path):
    body = "[00:12:31] Therapist: First.\nClient (00:13:02): Second.\n[01:02] Client: Third.\n"
    t = parse(tmp_path, body)
    assert [(x.speaker, x.timestamp, x.text) for x in t.turns] == [
        ("Therapist", "00:12:31", "First."), ("Client", "00:13:02", "Second."), ("Client", "01:02", "Third.")]


def test_timestamp_alone_dates_the_next_turn(tmp_path):
    t = parse(tmp_path, "Therapist: One.\n[00:05:00]\nClient: Two.\n")
    assert [x.timestamp for x in t.turns] == [None, "00:05:00"]
    assert t.turns[0].text == "One."


def test_turn_runs_over_lines_and_paragraphs_until_next_speaker(tmp_path):
    body = "Client: First line\nsecond line.\n\nA new paragraph.\nTherapist: Next.\n"
    t = parse(tmp_path, body)
    assert t.turns[0].text == "First line\nsecond line.\n\nA new paragraph."
    assert (t.turns[0].line, t.turns[0].end_line) == (1, 4)


@pytest.mark.parametrize("line", [
    "Note: she was late.",
    "See https: //example.org",
    "https://example.org/page is where it is.",
    "17:30 was when we met.",
    "She said the following:",
    "And what she told me was this:",
    "Translation: the word for home.",
])
def test_no_false_speakers(tmp_path, line):
    t = parse(tmp_path, f"Client: Start.\n{line}\nTherapist: End.\n")
    assert [x.speaker for x in t.turns] == ["Client", "Therapist"]
    assert line in t.turns[0].text


def test_same_speaker_twice_gives_two_turns_numbered_from_one(tmp_path):
    t = parse(tmp_path, "Client: One.\nClient: Two.\nTherapist: Three.\n")
    assert [(x.number, x.speaker, x.text) for x in t.turns] == [
        (1, "Client", "One."), (2, "Client", "Two."), (3, "Therapist", "Three.")]


def test_spans_and_lines_trace_back_to_the_source(tmp_path):
    body = "---\nid: x\n---\nClient: Ünïcode — text 🙂 here.\n  Therapist:   Indented answer.  \n"
    t = parse(tmp_path, body)
    for turn in t.turns:
        assert t.text[turn.start:turn.end] == turn.text
    assert [x.line for x in t.turns] == [4, 5]
    assert t.turns[1].text == "Indented answer."


def test_front_matter_fields_and_extra_metadata(tmp_path):
    body = ("---\nid: d01-client\ndyad: D01\nrole: client\ngroup: favorable\nsetting: online\nlanguage: en\n"
            "interviewer: KL\n---\nInterviewer: Hello.\nParticipant: Hi.\n")
    t = parse(tmp_path, body, name="file.txt")
    assert (t.id, t.dyad, t.role, t.group, t.setting, t.language, t.kind) == (
        "d01-client", "D01", "client", "favorable", "online", "en", "interview")
    assert t.meta["interviewer"] == "KL"
    # the interviewee takes the interview's perspective
    assert [x.role for x in t.turns] == ["interviewer", "client"]


def test_id_defaults_to_file_stem(tmp_path):
    assert parse(tmp_path, "Client: Hi.\n", name="session-04.txt").id == "session-04"


def test_roles_from_front_matter_codebook_and_builtins(tmp_path):
    body = "---\nspeakers: {Amira: client}\n---\nDr. Meyer: Hello.\nAmira: Hi.\nTh.: Again.\nInt.: She says hi.\n"
    t = parse(tmp_path, body, speakers={"dr. meyer": "therapist"})
    assert [(x.speaker, x.role) for x in t.turns] == [
        ("Dr. Meyer", "therapist"), ("Amira", "client"), ("Th.", "therapist"), ("Int.", "interpreter")]


def test_unknown_speaker_is_reported_never_dropped(tmp_path):
    t = parse(tmp_path, "Therapist: Hello.\nZoltan: Hi.\nZoltan: Again.\n")
    assert [(x.speaker, x.role) for x in t.turns][1:] == [("Zoltan", "unknown"), ("Zoltan", "unknown")]
    warnings = [d for d in t.diagnostics if d.code == "QC207"]
    assert len(warnings) == 1 and warnings[0].line == 2
    assert "speaker 'Zoltan' has no role" in warnings[0].format()


def test_front_matter_errors_point_at_lines(tmp_path):
    with pytest.raises(TranscriptError) as exc:
        parse(tmp_path, "---\nid: x\nClient: never closed\n")
    assert exc.value.diagnostics[0].code == "QC204"
    with pytest.raises(TranscriptError) as exc:
        parse(tmp_path, "---\nid: x\ndyad: [unclosed\n---\nClient: Hi.\n")
    d = exc.value.diagnostics[0]
    assert (d.code, d.line) == ("QC205", 4)


def test_preamble_lines_are_reported(tmp_path):
    t = parse(tmp_path, "Interview recorded in March.\nClient: Hi.\n")
    assert [(d.code, d.line) for d in t.diagnostics] == [("QC208", 1)]


def test_labels_listed_later_are_recognised_by_a_role_map_already_in_use():
    # a DOCX reader adds its table's speakers to `listed` after the map has been used: no stale answer
    from qualcode.transcripts.plaintext import match_turn_start
    from qualcode.transcripts.roles import RoleMap

    roles = RoleMap.build({"speakers": {"Weber, Anna": "therapist"}})
    assert match_turn_start("Dr. K, Lee: hello", roles) is None
    roles.listed |= {"dr. k, lee"}
    assert match_turn_start("Dr. K, Lee: hello", roles).speaker == "Dr. K, Lee"
    roles.listed = {"mx. o, ng"}
    assert match_turn_start("Dr. K, Lee: hello", roles) is None
    assert match_turn_start("Mx. O, Ng: hi", roles).speaker == "Mx. O, Ng"
