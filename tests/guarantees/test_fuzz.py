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


@FAST
@given(data=st.one_of(st.binary(max_size=3000), st.sampled_from([
    b"PK\x03\x04", b"PK\x05\x06" + b"\x00" * 18, b"<?xml version='1.0'?><Project/>"])))
def test_refi_importers_raise_only_their_own_errors(tmp_path, data):
    from qualcode.refi.codebook import import_qdc
    from qualcode.refi.importer import import_project

    for name, function in (("fuzz.qdpx", import_project), ("fuzz.qdc", import_qdc)):
        path = tmp_path / name
        path.write_bytes(data)
        out = tmp_path / "out" / ("x.yaml" if name.endswith("qdc") else "x")
        try:
            function(path, out=out, force=True)
        except QualcodeError as exc:
            assert exc.diagnostics and all(d.code.startswith("QC") for d in exc.diagnostics)


TURN_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=60).filter(
    lambda t: t.strip() == t and t.strip())
SPEAKERS = st.sampled_from(["Therapist", "Client", "Interpreter", "Dr. Meyer", "Amira"])


@FAST
@given(turns=st.lists(st.tuples(SPEAKERS, TURN_TEXT), min_size=1, max_size=12))
def test_parse_write_parse_round_trip_keeps_turns_speakers_and_spans(tmp_path, turns):
    """A transcript written in the normalised form and read back has the same turns, speakers and spans."""
    from qualcode.transcripts.formats.convert import convert_transcripts

    src = tmp_path / "src" / "t.txt"
    src.parent.mkdir(exist_ok=True)
    src.write_text("---\nspeakers: {Amira: client, Dr. Meyer: therapist}\n---\n" +
                   "".join(f"{s}: {t}\n" for s, t in turns), encoding="utf-8")
    try:
        first = read_transcript(src)
    except QualcodeError:
        return  # text that happens to be no transcript at all
    out = tmp_path / "out"
    report = convert_transcripts([src], out, overwrite=True)
    if not (out / "t.txt").exists():  # convert refuses what would read back differently, and says so
        assert any(d.code == "QC224" for d in report.diagnostics), report.diagnostics
        return
    second = read_transcript(out / "t.txt")
    # the normalised form writes each turn on one line, white space folded
    assert [(x.speaker, x.role, " ".join(x.text.split())) for x in second.turns] == [
        (x.speaker, x.role, " ".join(x.text.split())) for x in first.turns]
    for turn in second.turns:
        assert second.text[turn.start:turn.end] == turn.text
    # and the normalised form is a fixed point: converting it again changes nothing
    again = tmp_path / "again"
    convert_transcripts([out / "t.txt"], again, overwrite=True)
    assert (again / "t.txt").read_bytes() == (out / "t.txt").read_bytes()
