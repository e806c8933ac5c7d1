"""Hand-made hostile .qdpx files: each gives one clear QC4xx line, exit 1, and writes nothing."""
from __future__ import annotations

import zipfile

import pytest
from refi_helpers import make_zip

MINIMAL = ('<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="urn:QDA-XML:project:1.0" name="p">'
           '<Sources><TextSource guid="0000000a-aaaa-4bbb-8ccc-00000000000a" name="a.txt" '
           'plainTextPath="internal://0000000a-aaaa-4bbb-8ccc-00000000000a.txt"/></Sources></Project>')
SOURCE = {"sources/0000000a-aaaa-4bbb-8ccc-00000000000a.txt": "Amira: Hello."}

XXE = ('<?xml version="1.0"?>\n<!DOCTYPE Project [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
       '<Project xmlns="urn:QDA-XML:project:1.0" name="&xxe;"/>')
BOMB = ('<?xml version="1.0"?>\n<!DOCTYPE Project [<!ENTITY a "aaaaaaaaaaaaaaaaaaaa">'
        + "".join(f'<!ENTITY {b} "{("&" + a + ";") * 10}">' for a, b in zip("abcdefgh", "bcdefghi"))
        + ']>\n<Project xmlns="urn:QDA-XML:project:1.0" name="&i;"/>')


def check(cli, tmp_path, path, expected: str):
    out = tmp_path / "out"
    r = cli("import", "qdpx", path, "--out", out)
    assert r.exit_code == 1
    assert r.stderr == expected + "\n"
    assert not out.exists()


def test_zip_slip_is_refused(cli, tmp_path):
    path = make_zip(tmp_path / "slip.qdpx", {"project.qde": MINIMAL, **SOURCE, "../../evil.txt": "x",
                                             "sources/../../../etc/cron.d/x": "y"})
    check(cli, tmp_path, path, "\n".join(
        f"{path}: QC403 archive member {name!r} points outside the project (zip-slip); refused — the file may be "
        "malicious; do not extract it, ask the sender for a clean export"
        for name in ("../../evil.txt", "sources/../../../etc/cron.d/x")))


@pytest.mark.parametrize("name", ["/etc/passwd", "C:/Windows/evil.txt", "..\\..\\evil.txt"])
def test_absolute_and_windows_paths_are_refused(cli, tmp_path, name):
    path = make_zip(tmp_path / "abs.qdpx", {"project.qde": MINIMAL, **SOURCE})
    with zipfile.ZipFile(path, "a") as archive:  # zipfile would clean the name given as a string
        info = zipfile.ZipInfo("placeholder")
        info.filename = name
        archive.writestr(info, b"x")
    out = tmp_path / "out"
    r = cli("import", "qdpx", path, "--out", out)
    assert r.exit_code == 1
    assert "QC403 archive member" in r.stderr and not out.exists()


@pytest.mark.parametrize("xml, what", [(XXE, "XXE"), (BOMB, "entity bomb")])
def test_entities_are_refused(cli, tmp_path, xml, what):
    path = make_zip(tmp_path / "x.qdpx", {"project.qde": xml})
    check(cli, tmp_path, path,
          f"{path}:project.qde: QC406 XML declares entities or external references (possible XXE or entity-expansion "
          "attack); refused — REFI-QDA files never need entity declarations: ask the sender to export the file again")


def test_truncated_zip(cli, tmp_path):
    good = make_zip(tmp_path / "good.qdpx", {"project.qde": MINIMAL, **SOURCE})
    path = tmp_path / "truncated.qdpx"
    path.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    check(cli, tmp_path, path, f"{path}: QC401 not a readable ZIP archive (damaged, truncated or not a .qdpx) — copy "
                               "or export the .qdpx again; a .qdpx is a ZIP file")


def test_zip_without_project(cli, tmp_path):
    path = make_zip(tmp_path / "empty.qdpx", {**SOURCE, "readme.txt": "hello"})
    check(cli, tmp_path, path, f"{path}: QC402 no project.qde inside; this is not a REFI-QDA project — export the "
                               "project from your QDA software as REFI-QDA (.qdpx)")


def test_not_a_zip_and_not_xml(cli, tmp_path):
    path = tmp_path / "plain.qdpx"
    path.write_text("just text", encoding="utf-8")
    check(cli, tmp_path, path, f"{path}: QC401 not a readable ZIP archive (damaged, truncated or not a .qdpx) — copy "
                               "or export the .qdpx again; a .qdpx is a ZIP file")
    broken = make_zip(tmp_path / "broken.qdpx", {"project.qde": "<Project name='p'><Sources>"})
    check(cli, tmp_path, broken, f"{broken}:project.qde:1:28: QC405 XML is not well-formed (no element found) — the "
                                 "file is damaged or not a REFI-QDA file; export it again")


def test_zip_bomb_member_is_refused(cli, tmp_path):
    path = make_zip(tmp_path / "bomb.qdpx", {"project.qde": MINIMAL,
                                             "sources/0000000a-aaaa-4bbb-8ccc-00000000000a.txt": b"A" * 5_000_000})
    check(cli, tmp_path, path, f"{path}: QC404 archive member 'sources/0000000a-aaaa-4bbb-8ccc-00000000000a.txt' "
                               "unpacks to 5,000,000 bytes; refused as too large — a REFI-QDA source is a text file; "
                               "ask the sender for a smaller export")


def test_too_many_members(cli, tmp_path, monkeypatch):
    from qualcode.refi import zipsafe

    monkeypatch.setattr(zipsafe, "MAX_MEMBERS", 3)
    path = make_zip(tmp_path / "many.qdpx", {"project.qde": MINIMAL, **{f"sources/{i}.txt": "x" for i in range(4)}})
    check(cli, tmp_path, path, f"{path}: QC404 archive holds 5 files, more than the 3 allowed — this is not a usual "
                               "REFI-QDA project")


def test_a_normal_file_still_imports(cli, tmp_path):
    path = make_zip(tmp_path / "ok.qdpx", {"project.qde": MINIMAL, **SOURCE})
    r = cli("import", "qdpx", path, "--out", tmp_path / "out")
    assert r.exit_code == 0, r.stderr
    assert (tmp_path / "out" / "transcripts" / "a.txt").read_text(encoding="utf-8") == "Amira: Hello."
