"""`qualcode codebook export|import`: .qdc files that validate, stable GUIDs, and codebooks from other tools."""
from __future__ import annotations

import uuid
from xml.etree import ElementTree as ET

from refi_helpers import REFI, SMALL, schema_errors

from qualcode.codebook.load import check_codebook

NS = "{urn:QDA-XML:codebook:1.0}"


def codes(path) -> dict[str, ET.Element]:
    root = ET.parse(path).getroot()
    return {c.get("name"): c for c in root.iter(f"{NS}Code")}


def test_export_validates_and_keeps_hierarchy_colours_and_definitions(cli, tmp_path):
    out = tmp_path / "small.qdc"
    r = cli("codebook", "export", SMALL, "--format", "qdc", "--out", out)
    assert r.exit_code == 0, r.stderr
    assert r.stderr == f"Wrote 5 codes to {out}\n"
    data = out.read_bytes()
    assert data.startswith(b'<?xml version="1.0" encoding="utf-8"?>\n<CodeBook xmlns="urn:QDA-XML:codebook:1.0"')
    assert schema_errors(data, "codebook") == []
    found = codes(out)
    parent = found["Rupture and repair"]
    assert parent.get("isCodable") == "false"  # a parent with no keywords of its own
    assert [c.get("name") for c in parent.findall(f"{NS}Code")] == ["Rupture", "Repair"]
    assert found["Bond and trust"].get("isCodable") == "true"
    assert found["Bond and trust"].get("color") == "#2CA02C"
    assert found["Bond and trust"].find(f"{NS}Description").text.startswith("Statements about trusting")
    # a theme without a colour gets one that no other theme uses
    colours = [c.get("color") for c in found.values()]
    assert parent.get("color") and len(set(colours)) == len(colours)


def test_guids_are_stable_and_kept_from_the_yaml(tmp_path, cli):
    from qualcode.refi.xmlsafe import GUID_NAMESPACE

    text = SMALL.read_text(encoding="utf-8").replace(
        "  - id: translation\n", "  - id: translation\n    guid: \"{0F8FAD5B-D9CB-469F-A165-70867728950E}\"\n")
    book = tmp_path / "book.yaml"
    book.write_text(text, encoding="utf-8")
    first, second = tmp_path / "a.qdc", tmp_path / "b.qdc"
    assert cli("codebook", "export", book, "--out", first).exit_code == 0
    assert cli("codebook", "export", book, "--out", second).exit_code == 0
    assert first.read_bytes() == second.read_bytes()
    found = codes(first)
    assert found["Translation accuracy"].get("guid") == "{0F8FAD5B-D9CB-469F-A165-70867728950E}"
    assert found["Rupture"].get("guid") == str(uuid.uuid5(GUID_NAMESPACE, "rupture_repair/rupture"))


def test_parent_with_keywords_is_codable(tmp_path, cli):
    text = SMALL.read_text(encoding="utf-8").replace(
        "    definition: Strains in the alliance and how they are mended.\n",
        "    definition: Strains in the alliance and how they are mended.\n    keywords: [alliance]\n")
    book = tmp_path / "book.yaml"
    book.write_text(text, encoding="utf-8")
    out = tmp_path / "book.qdc"
    assert cli("codebook", "export", book, "--out", out).exit_code == 0
    assert codes(out)["Rupture and repair"].get("isCodable") == "true"


def test_bad_guid_and_colour(tmp_path, cli):
    text = SMALL.read_text(encoding="utf-8").replace(
        "  - id: translation\n", "  - id: translation\n    guid: not-a-guid\n")
    book = tmp_path / "book.yaml"
    book.write_text(text, encoding="utf-8")
    r = cli("codebook", "export", book, "--out", tmp_path / "x.qdc")
    assert r.exit_code == 1
    assert r.stderr == (f"{book}:16: QC414 theme 'translation': guid 'not-a-guid' is not a GUID — write it as "
                        "8-4-4-4-12 hex digits (e.g. 0f8fad5b-d9cb-469f-a165-70867728950e) or remove it\n")
    assert not (tmp_path / "x.qdc").exists()
    # an invalid colour is a codebook error (QC114) before any export
    book.write_text(text.replace("    guid: not-a-guid\n", "").replace('color: "#2ca02c"', 'color: "#2ca02c80"'),
                    encoding="utf-8")
    r = cli("codebook", "export", book, "--out", tmp_path / "x.qdc")
    assert r.exit_code == 1
    assert " QC114 theme 'trust' → color: '#2ca02c80' is not a hex colour" in r.stderr
    assert not (tmp_path / "x.qdc").exists()


def test_import_round_trip_gives_a_valid_codebook(tmp_path, cli):
    qdc = tmp_path / "small.qdc"
    assert cli("codebook", "export", SMALL, "--out", qdc).exit_code == 0
    out = tmp_path / "imported.yaml"
    r = cli("codebook", "import", qdc, "--out", out)
    assert r.exit_code == 0, r.stderr
    assert r.stderr == (f"Wrote 5 themes to {out} (keywords are empty: add some before running 'qualcode code')\n")
    book, diags = check_codebook(out)
    assert {d.code for d in diags if d.severity == "error"} == set()  # valid: warnings only (no keywords, definitions)
    assert [(t.id, t.parent) for t in book.themes] == [
        ("bond_and_trust", None), ("translation_accuracy", None), ("rupture_and_repair", None),
        ("rupture", "rupture_and_repair"), ("repair", "rupture_and_repair")]
    assert all(t.keywords == () for t in book.themes)
    assert book.theme("repair").definition == "An attempt to mend a strain."
    assert book.theme("bond_and_trust").color == "#2CA02C"
    # GUIDs travel in the YAML, so exporting the import gives the same codes
    again = tmp_path / "again.qdc"
    assert cli("codebook", "export", out, "--out", again).exit_code == 0
    assert [(c.get("guid"), c.get("name")) for c in codes(again).values()] == \
           [(c.get("guid"), c.get("name")) for c in codes(qdc).values()]


def test_import_taguette_qdc_with_empty_sets(tmp_path, cli):
    """Taguette writes flat upper-case uuid5 codes and an empty <Sets/> (invalid, but imported)."""
    src = REFI / "taguette.qdc"
    assert schema_errors(src.read_bytes(), "codebook") != []  # the fixture really is Taguette-shaped
    out = tmp_path / "tags.yaml"
    r = cli("codebook", "import", src, "--out", out)
    assert r.exit_code == 0, r.stderr
    book, diags = check_codebook(out)
    assert {d.code for d in diags if d.severity == "error"} == set()  # valid: warnings only (no keywords, definitions)
    assert [(t.id, t.name, t.guid) for t in book.themes] == [
        ("interpreting_accuracy", "interpreting/accuracy", "9F5A6B1E-43D2-5B8C-A1E4-3C2B1A0F9E8D"),
        ("interpreting_role", "interpreting/role", "1C0B2A39-4F5E-5D6C-8B7A-6A5948372615"),
        ("trust", "trust", "7E6D5C4B-3A29-5817-A6F5-E4D3C2B1A098"),
        ("trust_2", "Trust", "0A1B2C3D-4E5F-5A6B-8C7D-8E9FA0B1C2D3")]
    assert r.stderr.endswith("Wrote 4 themes to " + str(out) +
                             " (keywords are empty: add some before running 'qualcode code')\n")


def test_import_atlas_ti_codebook_reports_what_is_dropped(tmp_path, cli):
    """ATLAS.ti 0:4 namespace, braced GUIDs, nested codes, an alpha colour, a set and a code memo."""
    out = tmp_path / "atlas.yaml"
    r = cli("codebook", "import", REFI / "atlas-ti.qdc", "--out", out)
    assert r.exit_code == 0, r.stderr
    src = REFI / "atlas-ti.qdc"
    assert r.stderr.splitlines()[:3] == [
        f"{src}: QC412 warning: code 'Mistranslation': colour '#FF000080' is not #RRGGBB; dropped — set a colour "
        "in the codebook YAML if you want one",
        f"{src}: QC411 warning: 1 memo(s) attached to codes were not carried over — copy them into the themes' "
        "definitions by hand if needed",
        f"{src}: QC411 warning: 1 code set(s) not carried over (qualcode has no sets) — group the themes under "
        "parent themes if you need the sets"]
    book, diags = check_codebook(out)
    assert {d.code for d in diags if d.severity == "error"} == set()  # valid: warnings only (no keywords, definitions)
    assert [(t.id, t.parent, t.color) for t in book.themes] == [
        ("translation", None, "#3366CC"), ("mistranslation", "translation", None),
        ("c_3_cafe_talk", None, "#AABBCC")]
    assert book.theme("translation").guid == "{A1B2C3D4-E5F6-4789-ABCD-EF0123456789}"


def test_import_refuses_to_overwrite_and_bad_files(tmp_path, cli):
    out = tmp_path / "exists.yaml"
    out.write_text("keep me", encoding="utf-8")
    r = cli("codebook", "import", REFI / "taguette.qdc", "--out", out)
    assert r.exit_code == 1
    assert r.stderr == f"{out}: QC417 would overwrite an existing file — choose another --out, or add --force to replace it\n"
    assert out.read_text(encoding="utf-8") == "keep me"
    assert cli("codebook", "import", REFI / "taguette.qdc", "--out", out, "--force").exit_code == 0
    assert out.read_text(encoding="utf-8").startswith("# Imported by qualcode")
    bad = tmp_path / "bad.qdc"
    bad.write_text("<CodeBook><Codes>", encoding="utf-8")
    r = cli("codebook", "import", bad, "--out", tmp_path / "b.yaml")
    assert r.exit_code == 1
    assert r.stderr == (f"{bad}:1:18: QC405 XML is not well-formed (no element found) — the file is damaged or not "
                        "a REFI-QDA file; export it again\n")
    other = tmp_path / "other.qdc"
    other.write_text("<html/>", encoding="utf-8")
    r = cli("codebook", "import", other, "--out", tmp_path / "c.yaml")
    assert r.exit_code == 1
    assert r.stderr.startswith(f"{other}:1: QC407 root element is <html>, not a REFI-QDA <CodeBook>")


def test_import_refuses_entities(tmp_path, cli):
    bomb = tmp_path / "bomb.qdc"
    bomb.write_text('<?xml version="1.0"?>\n<!DOCTYPE CodeBook [<!ENTITY a "aaaaaaaaaa">'
                    '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
                    '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="a1b2c3d4-e5f6-4789-abcd-ef0123456789" '
                    'name="&b;" isCodable="true"/></Codes></CodeBook>', encoding="utf-8")
    r = cli("codebook", "import", bomb, "--out", tmp_path / "b.yaml")
    assert r.exit_code == 1
    assert r.stderr == (f"{bomb}: QC406 XML declares entities or external references (possible XXE or "
                        "entity-expansion attack); refused — REFI-QDA files never need entity declarations: ask the "
                        "sender to export the file again\n")
    assert not (tmp_path / "b.yaml").exists()


def test_import_atlas_ti_8_flattened_names(tmp_path, cli):
    src = tmp_path / "atlas8.qdc"
    src.write_text('<?xml version="1.0" encoding="utf-8"?>\n<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="ATLAS.ti 8.4">'
                   '<Codes><Code guid="A1B2C3D4-E5F6-4789-ABCD-EF0123456781" name="Alliance::Bond" isCodable="true"/>'
                   '<Code guid="A1B2C3D4-E5F6-4789-ABCD-EF0123456782" name="Alliance::Rupture::Withdrawal" isCodable="true"/>'
                   '<Code guid="A1B2C3D4-E5F6-4789-ABCD-EF0123456783" name="Language" isCodable="true"/>'
                   '</Codes></CodeBook>', encoding="utf-8")
    out = tmp_path / "a8.yaml"
    r = cli("codebook", "import", src, "--out", out)
    assert r.exit_code == 0, r.stderr
    book, diags = check_codebook(out)
    assert {d.code for d in diags if d.severity == "error"} == set()  # valid: warnings only (no keywords, definitions)
    assert [(t.id, t.name, t.parent) for t in book.themes] == [
        ("alliance", "Alliance", None), ("bond", "Bond", "alliance"), ("rupture", "Rupture", "alliance"),
        ("withdrawal", "Withdrawal", "rupture"), ("language", "Language", None)]
    assert book.theme("withdrawal").guid == "A1B2C3D4-E5F6-4789-ABCD-EF0123456782"


def test_import_refuses_absurd_nesting(tmp_path, cli):
    deep = tmp_path / "deep.qdc"
    guid = "a1b2c3d4-e5f6-4789-abcd-{:012x}"
    body = "".join(f'<Code guid="{guid.format(i)}" name="c{i}" isCodable="true">' for i in range(41)) + "</Code>" * 41
    deep.write_text(f'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>{body}</Codes></CodeBook>', encoding="utf-8")
    r = cli("codebook", "import", deep, "--out", tmp_path / "d.yaml")
    assert r.exit_code == 1
    assert r.stderr == (f"{deep}: QC404 the codebook has codes nested more than 40 levels deep; refused — this is "
                        "not a usual codebook; check the file\n")
    ok = tmp_path / "ok.qdc"
    ok.write_text(deep.read_text(encoding="utf-8").replace('<Code guid="a1b2c3d4-e5f6-4789-abcd-000000000000" '
                                                           'name="c0" isCodable="true">', "", 1)
                  .replace("</Code></Codes>", "</Codes>"), encoding="utf-8")
    r = cli("codebook", "import", ok, "--out", tmp_path / "ok.yaml")
    assert r.exit_code == 0, r.stderr
    assert len(check_codebook(tmp_path / "ok.yaml")[0].themes) == 40
