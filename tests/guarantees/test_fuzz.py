"""Property-based tests: arbitrary bytes and text never raise anything but qualcode's own errors.

The default suite runs a modest number of examples; `pytest -m slow tests/guarantees` runs many more.
"""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qualcode.codebook.load import check_codebook_text
from qualcode.codings import parse_codings_csv
from qualcode.errors import QualcodeError
from qualcode.transcripts import read_transcript

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
LONG = settings(max_examples=5000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

SPEAKERISH = st.lists(st.one_of(
    st.sampled_from(["Therapist: ", "Client: ", "@Client: ", "[Interpreter] ", "Note: ", "17:30 ", "[00:01:02] T: ",
                     "Dr. Meyer (00:01:02): ", "---\n", "id: x\n", "\n", "\r\n", "\r", "\ufeff", "Amira\n", "[laughs]"]),
    st.text(max_size=40)), max_size=30).map("".join)


def check_transcript_bytes(tmp_path, data: bytes):
    path = tmp_path / "fuzz.txt"
    path.write_bytes(data)
    try:
        t = read_transcript(path)
    except QualcodeError as exc:
        assert exc.diagnostics and all(d.message and d.code.startswith("QC") for d in exc.diagnostics)
        return
    for turn in t.turns:
        assert t.text[turn.start:turn.end] == turn.text
        assert 1 <= turn.line <= turn.end_line
    assert [turn.number for turn in t.turns] == list(range(1, len(t.turns) + 1))


@FAST
@given(data=st.binary(max_size=2000))
def test_transcript_reader_on_arbitrary_bytes(tmp_path, data):
    check_transcript_bytes(tmp_path, data)


@FAST
@given(text=SPEAKERISH, encoding=st.sampled_from(["utf-8", "utf-16", "utf-8-sig"]))
def test_transcript_reader_on_speaker_like_text(tmp_path, text, encoding):
    check_transcript_bytes(tmp_path, text.encode(encoding, errors="surrogatepass") if encoding != "utf-8"
                           else text.encode("utf-8", errors="replace"))


YAMLISH = st.lists(st.one_of(
    st.sampled_from(["version: 1\n", "themes:\n", "  - id: a\n", "    name: A\n", "    keywords: [x, y]\n",
                     "    patterns:\n      - [{LOWER: x}]\n", "&a [*a, *a]\n", "!!python/object:os.system\n", "- ",
                     "{", "}", "[", "]", ": ", "\t", "'", '"', "\n", "    themes:\n", "    parent: b\n"]),
    st.text(max_size=20)), max_size=40).map("".join)


@FAST
@given(text=st.one_of(YAMLISH, st.text(max_size=500)))
def test_codebook_loader_never_raises(text):
    codebook, diags = check_codebook_text(text, "fuzz.yaml")
    assert codebook is not None or diags
    for d in diags:
        assert d.code.startswith("QC1") and d.message


@FAST
@given(text=st.one_of(st.text(max_size=500), st.lists(st.sampled_from(
    ["transcript,turn,theme,coder\n", "a,1,t,x\n", "a,0,t,x\n", "a,x,t,x\n", ",,,\n", '"\n', "a,1,t,x,5,2\n"]),
    max_size=10).map("".join)))
def test_codings_csv_parser_raises_only_its_own_error(text):
    try:
        codings = parse_codings_csv(text, "fuzz.csv")
    except QualcodeError as exc:
        assert exc.diagnostics
        return
    assert all(c.turn >= 1 for c in codings)


@pytest.mark.slow
@LONG
@given(data=st.one_of(st.binary(max_size=5000), SPEAKERISH.map(lambda t: t.encode("utf-8", "replace"))))
def test_transcript_reader_long_fuzz(tmp_path, data):
    check_transcript_bytes(tmp_path, data)


@pytest.mark.slow
@LONG
@given(text=st.one_of(YAMLISH, st.text(max_size=2000)))
def test_codebook_loader_long_fuzz(text):
    test_codebook_loader_never_raises.hypothesis.inner_test(text)
