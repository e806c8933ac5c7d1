"""A corpus of bad inputs: each gives its exact error line and exit status 1 (or reads correctly), no traceback,
and writes nothing outside the output folder."""
from __future__ import annotations

import codecs
import os

import pytest

from support import DATA

SMALL = DATA / "codebooks" / "small.yaml"

GOOD = "Therapist: Café — how are you?\nClient: I trust you.\n"

#: name -> (bytes, expected stderr line (None: reads fine), exit status)
TRANSCRIPTS = {
    "cp1252.txt": (GOOD.encode("cp1252"), None, 0),
    "utf16.txt": (GOOD.encode("utf-16"), None, 0),
    "utf8-bom.txt": (codecs.BOM_UTF8 + GOOD.encode(), None, 0),
    "mixed-newlines.txt": (b"Therapist: One.\r\nClient: I trust you.\rTherapist: Three.\n", None, 0),
    "empty.txt": (b"", "{p}: QC202 file is empty — add the transcript's turns, one 'Speaker: text' per turn", 1),
    "blank.txt": (b"   \n\n\t \n", "{p}: QC202 file is empty — add the transcript's turns, one 'Speaker: text' per turn", 1),
    "nul.txt": (b"Client: a\x00b\n", "{p}: QC201 looks like a binary file, not a text transcript (it contains NUL bytes)"
                " — export the transcript as plain text (.txt, UTF-8) and code that file", 1),
    "binary.txt": (bytes(range(256)) * 4, "{p}: QC201 looks like a binary file, not a text transcript (it contains NUL "
                   "bytes) — export the transcript as plain text (.txt, UTF-8) and code that file", 1),
    "no-speakers.txt": (b"We met on Tuesday.\nIt went well.\n", "{p}: QC206 no speaker turns found — label each turn with "
                        "its speaker at the start of a line, e.g. 'Client: I felt…' (see the README's transcript "
                        "conventions)", 1),
    "long-line-no-speaker.txt": (b"word " * 400_000, "{p}: QC206 no speaker turns found — label each turn with its "
                                 "speaker at the start of a line, e.g. 'Client: I felt…' (see the README's transcript "
                                 "conventions)", 1),
    "unclosed-front-matter.txt": (b"---\nid: x\nClient: hi\n", "{p}:1:1: QC204 front matter starts with '---' but is "
                                  "never closed — end the front matter with a line holding only '---'", 1),
    "bad-front-matter.txt": (b"---\nid: [x\n---\nClient: hi\n", None, 1),
    "front-matter-list.txt": (b"---\n- a\n- b\n---\nClient: hi\n", "{p}:2:1: QC205 front matter must be 'key: value' "
                              "lines — write metadata as 'dyad: D01', 'role: client', …", 1),
    "front-matter-tag.txt": (b"---\nid: !!python/object/apply:os.system ['echo pwned']\n---\nClient: hi\n", None, 1),
}


@pytest.mark.parametrize("name", sorted(TRANSCRIPTS))
def test_bad_transcripts(cli, tmp_path, name):
    data, expected, status = TRANSCRIPTS[name]
    inputs = tmp_path / "in"
    inputs.mkdir()
    path = inputs / name
    path.write_bytes(data)
    out = tmp_path / "out" / "rows.csv"
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        r = cli("code", path, "-c", SMALL, "--out", out, "--quiet")
    finally:
        os.chdir(cwd)
    assert r.exit_code == status, r.stderr
    assert "Traceback" not in r.stderr
    if status == 0:
        assert out.read_text(encoding="utf-8").count("\n") >= 2
    else:
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1
        if expected:
            assert lines[0] == expected.format(p=path)
        else:
            assert lines[0].startswith(f"{path}:") and "QC205" in lines[0]
        assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == (["in", "out"] if status == 0 else ["in"])
    assert path.read_bytes() == data  # the input is never modified


def test_speaker_line_with_no_text_is_kept_and_reported(cli, tmp_path):
    path = tmp_path / "t.txt"
    path.write_text("Therapist:\nClient: I trust you.\n", encoding="utf-8")
    r = cli("code", path, "-c", SMALL, "-f", "csv")
    assert r.exit_code == 0
    assert f"{path}:1:1: QC210 warning: turn 1 ('Therapist') has no text" in r.stderr
    assert ",Client,client,2,2," in r.stdout


CODEBOOKS = {
    "syntax.yaml": (b"version: 1\nthemes:\n  - id: a\n   name: b\n", "QC101", 4),
    "list.yaml": (b"- a\n- b\n", "QC102", 1),
    "empty.yaml": (b"", "QC102", 1),
    "tag.yaml": (b"version: 1\nname: !!python/object/apply:os.system ['touch pwned']\nthemes: []\n", "QC109", 2),
    "bomb.yaml": (("a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(9))).encode(), "QC105", 1),
    "self-alias.yaml": (b"themes: &t [*t]\n", "QC105", 1),
    "latin1.yaml": ("name: Caf\u00e9\n".encode("latin-1"), "QC107", 1),
}


@pytest.mark.parametrize("name", sorted(CODEBOOKS))
def test_bad_codebooks(cli, tmp_path, name):
    data, code, line = CODEBOOKS[name]
    book = tmp_path / name
    book.write_bytes(data)
    transcript = tmp_path / "t.txt"
    transcript.write_text(GOOD, encoding="utf-8")
    r = cli("code", transcript, "-c", book)
    assert r.exit_code == 1
    assert any(x.startswith(f"{book}:{line}:") and f" {code} " in x for x in r.stderr.splitlines()), r.stderr
    assert "Traceback" not in r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([name, "t.txt"])  # no code ran, nothing written
