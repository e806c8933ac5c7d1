"""`qualcode export qdpx`: a project other tools open, with positions that slice the right text."""
from __future__ import annotations

import zipfile
from xml.etree import ElementTree as ET

from refi_helpers import (CODINGS, SMALL, TRANSCRIPTS, codings, codings_csv, schema_errors,  # noqa: F401 (fixtures)
                          small_book, transcripts)

NS = "{urn:QDA-XML:project:1.0}"


def export(cli, tmp_path, *extra):
    out = tmp_path / "study.qdpx"
    r = cli("export", "qdpx", TRANSCRIPTS, "--codebook", SMALL, "--out", out, *extra)
    return r, out


def open_project(path):
    archive = zipfile.ZipFile(path)
    qde = archive.read("project.qde")
    return archive, qde, ET.fromstring(qde)


def test_export_writes_a_valid_project_with_exact_positions(cli, tmp_path, codings_csv, transcripts):
    r, out = export(cli, tmp_path, "--codings", codings_csv)
    assert r.exit_code == 0, r.stderr
    assert r.stderr.splitlines()[-1] == f"Wrote 2 sources and 9 codings (ana, ben) to {out}"
    archive, qde, root = open_project(out)
    assert qde.startswith(b'<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="urn:QDA-XML:project:1.0"')
    assert schema_errors(qde, "project") == []
    assert sorted(archive.namelist())[0] == "project.qde"

    by_name = {t.id + ".txt": t for t in transcripts.values()}
    users = {u.get("guid"): u.get("name") for u in root.iter(f"{NS}User")}
    assert sorted(users.values()) == ["ana", "ben"]
    codes = {c.get("guid"): c.get("name") for c in root.iter(f"{NS}Code")}
    notes = {n.get("guid"): n.find(f"{NS}PlainTextContent").text for n in root.iter(f"{NS}Note")}
    found = []
    for source in root.iter(f"{NS}TextSource"):
        path = source.get("plainTextPath")
        assert path == f"internal://{source.get('guid')}.txt"
        member = "sources/" + path.removeprefix("internal://")
        assert member in archive.namelist()
        text_bytes = archive.read(member)
        assert not text_bytes.startswith(b"\xef\xbb\xbf") and b"\r" not in text_bytes
        text = text_bytes.decode("utf-8")
        transcript = by_name[source.get("name")]
        assert text == transcript.text
        for sel in source.findall(f"{NS}PlainTextSelection"):
            start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
            assert 0 <= start < end <= len(text)
            assert sel.get("name") == text[start:end]
            coding = sel.find(f"{NS}Coding")
            assert coding.get("creatingUser") == sel.get("creatingUser")
            memo = [notes[n.get("targetGUID")] for n in coding.findall(f"{NS}NoteRef")]
            found.append((users[sel.get("creatingUser")], transcript.id, codes[coding.find(f"{NS}CodeRef").get("targetGUID")],
                          text[start:end], memo))
    book_names = {"trust": "Bond and trust", "translation": "Translation accuracy", "repair": "Repair",
                  "rupture": "Rupture"}
    expected = []
    for coder, tid, turn, theme, quote, memo in CODINGS:
        quote = quote if quote is not None else transcripts[tid].turns[turn - 1].text  # whole turn
        expected.append((coder, tid, book_names[theme], quote, [memo] if memo else []))
    assert sorted(found) == sorted(expected)
    # the emoji quote: code points, not UTF-16 units or bytes
    assert ("ben", "d09-session", "Translation accuracy", "translated it wrong, I think — désolé. 🙏",
            ["with the emoji"]) in found


def test_export_cases_variables_and_determinism(cli, tmp_path, codings_csv):
    r, out = export(cli, tmp_path, "--codings", codings_csv)
    assert r.exit_code == 0
    _, qde, root = open_project(out)
    variables = {v.get("name"): v.get("typeOfVariable") for v in root.iter(f"{NS}Variable")}
    assert variables == {"id": "Text", "dyad": "Text", "kind": "Text", "session_number": "Integer",
                         "date": "Date", "pseudonymised": "Boolean", "role": "Text"}
    guid_to_var = {v.get("guid"): v.get("name") for v in root.iter(f"{NS}Variable")}
    session = next(s for s in root.iter(f"{NS}TextSource") if s.get("name") == "d09-session.txt")
    values = {guid_to_var[v.find(f"{NS}VariableRef").get("targetGUID")]: v[1].text
              for v in session.findall(f"{NS}VariableValue")}
    assert values["session_number"] == "3" and values["date"] == "2024-05-02" and values["pseudonymised"] == "true"
    cases = list(root.iter(f"{NS}Case"))
    assert [(c.get("name"), len(c.findall(f"{NS}SourceRef"))) for c in cases] == [("D09", 2)]
    again = tmp_path / "again.qdpx"
    assert cli("export", "qdpx", TRANSCRIPTS, "--codebook", SMALL, "--codings", codings_csv, "--out", again,
               "--name", "study").exit_code == 0
    assert again.read_bytes() == out.read_bytes()


def test_export_warns_about_emoji_for_nvivo(cli, tmp_path, codings_csv):
    r, _ = export(cli, tmp_path, "--codings", codings_csv)
    session = TRANSCRIPTS / "d09-session.txt"
    assert r.stderr.splitlines()[0] == (
        f"{session}: QC419 warning: text holds characters beyond U+FFFF (e.g. emoji); NVivo counts them twice and "
        "may shift codings after them — ATLAS.ti, MAXQDA and QualCoder place them correctly; for NVivo export with "
        "--positions utf16")


def test_export_utf16_positions_for_nvivo(cli, tmp_path, codings_csv):
    r, out = export(cli, tmp_path, "--codings", codings_csv, "--positions", "utf16")
    assert r.exit_code == 0 and "QC419" not in r.stderr
    archive, qde, root = open_project(out)
    assert schema_errors(qde, "project") == []
    for source in root.iter(f"{NS}TextSource"):
        units = archive.read("sources/" + source.get("plainTextPath").removeprefix("internal://")).decode("utf-8")
        units = units.encode("utf-16-le")
        for sel in source.findall(f"{NS}PlainTextSelection"):
            start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
            assert units[2 * start:2 * end].decode("utf-16-le") == sel.get("name")


def test_unknown_coder_is_a_clear_error(cli, tmp_path):
    r, out = export(cli, tmp_path, "--coder", "ana", "--project", tmp_path)
    assert r.exit_code == 1
    assert r.stderr == (f"{tmp_path / 'decisions'}: QC351 no codings for coder 'ana' — coders with a log here: none; "
                        "or give --codings FILE\n")
    assert not out.exists()


def test_export_without_codings_and_with_suggestions(cli, tmp_path):
    r, out = export(cli, tmp_path, "--quiet")
    assert r.exit_code == 0 and r.stderr == ""
    _, qde, root = open_project(out)
    assert schema_errors(qde, "project") == []
    assert list(root.iter(f"{NS}PlainTextSelection")) == [] and root.find(f"{NS}Users") is None
    r, out = export(cli, tmp_path, "--suggestions")
    assert r.exit_code == 0, r.stderr
    _, qde, root = open_project(out)
    assert schema_errors(qde, "project") == []
    assert [u.get("name") for u in root.iter(f"{NS}User")] == ["qualcode-rules"]
    assert len(list(root.iter(f"{NS}PlainTextSelection"))) > 0


def test_export_reviewed_codings_of_a_coder(cli, tmp_path, codings):
    from qualcode.review.store import import_codings

    import_codings(tmp_path, codings)
    r, out = export(cli, tmp_path, "--coder", "ben", "--project", tmp_path)
    assert r.exit_code == 0, r.stderr
    _, _, root = open_project(out)
    assert [u.get("name") for u in root.iter(f"{NS}User")] == ["ben"]
    assert len(list(root.iter(f"{NS}PlainTextSelection"))) == 4


def test_export_refuses_codings_that_do_not_fit(cli, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("transcript,turn,theme,coder,start,end\n"
                   "d09-session,2,trust,ana,,\n"
                   "d09-session,2,hope,ana,,\n"
                   "d09-session,9,trust,ana,,\n"
                   "d09-client,2,trust,ana,10,99999\n"
                   "other,1,trust,ana,,\n", encoding="utf-8")
    r, out = export(cli, tmp_path, "--codings", bad)
    assert r.exit_code == 1
    assert r.stderr.splitlines() == [
        f"{bad}: QC415 coding by 'ana' on d09-session turn 2: theme 'hope' is not in the codebook — export with "
        "the codebook the codings were made with (--codebook)",
        f"{bad}: QC415 coding by 'ana' on d09-session turn 9: the transcript has 5 turns — the transcript changed "
        "since it was coded; fix the codings",
        f"{bad}: QC415 coding by 'ana' on d09-client turn 2: span 10-99999 lies outside the text (286 characters) "
        "— the transcript changed since it was coded; fix the codings"]
    assert not out.exists()


def test_export_missing_inputs(cli, tmp_path):
    r, out = export(cli, tmp_path, "--codings", tmp_path / "missing.csv")
    assert r.exit_code == 1
    assert r.stderr == f"{tmp_path / 'missing.csv'}: QC001 codings file not found — check the path\n"
    assert not out.exists()
    r = cli("export", "qdpx", tmp_path / "nope.txt", "--codebook", SMALL, "--out", out)
    assert r.exit_code == 1
    assert r.stderr == f"{tmp_path / 'nope.txt'}: QC001 transcript not found — check the path\n"


def test_characters_xml_cannot_hold_do_not_break_the_export(cli, tmp_path):
    transcript = tmp_path / "t1.txt"
    transcript.write_text("Amira: I trust\x0b you.\nDr. Meyer: Good.\n", encoding="utf-8")
    codings = tmp_path / "c.csv"
    codings.write_text("transcript,turn,theme,coder,start,end,memo\nt1,1,trust,ana,7,20,odd\x01memo\n",
                       encoding="utf-8")
    out = tmp_path / "odd.qdpx"
    r = cli("export", "qdpx", transcript, "--codebook", SMALL, "--codings", codings, "--out", out)
    assert r.exit_code == 0, r.stderr
    archive, qde, root = open_project(out)
    assert schema_errors(qde, "project") == []
    sel = next(root.iter(f"{NS}PlainTextSelection"))
    assert sel.get("name") == "I trust\ufffd you."
    assert next(root.iter(f"{NS}PlainTextContent")).text == "odd\ufffdmemo"
    # the source itself keeps the text exactly
    assert archive.read("sources/" + next(root.iter(f"{NS}TextSource")).get("plainTextPath")[11:]) == \
        transcript.read_bytes()


def test_codings_files_can_be_repeated(cli, tmp_path):
    from support import ROOT

    out = tmp_path / "two.qdpx"
    codings = ROOT / "examples" / "codings"
    r = cli("export", "qdpx", ROOT / "examples" / "transcripts", "--codings", codings / "ana.csv", "--codings",
            codings / "ben.csv", "--out", out)
    assert r.exit_code == 0, r.stderr
    assert "and 151 codings (ana, ben)" in r.stderr
