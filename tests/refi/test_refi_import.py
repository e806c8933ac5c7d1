"""`qualcode import qdpx`: round trips, and files shaped like NVivo's, ATLAS.ti's and others'."""
from __future__ import annotations

import pytest
from support import DEFAULT_CODEBOOK, EXAMPLES
from refi_helpers import (SMALL, TRANSCRIPTS, codings, codings_csv, key, make_zip,  # noqa: F401 (fixtures)
                          small_book, transcripts)

from qualcode.codebook.load import check_codebook
from qualcode.codings import read_codings_csv

# A transcript as a Windows tool stores it: CRLF line breaks, emoji, accents.
LINES = ["Interviewer: Wie war die erste Sitzung? 🙂",
         "Amira: I trust her completely. 😊 Ça va.",
         "Interviewer: Und später?",
         "Amira: She translated it wrong, I think — désolé. 🙏 Really."]
RAW = "\r\n".join(LINES) + "\r\n"
TEXT = RAW.replace("\r\n", "\n")
QUOTES = [("I trust her completely", "trust", 2), ("She translated it wrong", "translation", 4),
          ("désolé. 🙏 Really", "translation", 4)]

CODEBOOK = """<CodeBook><Codes>
  <Code guid="{g_trust}" name="Trust" isCodable="true"/>
  <Code guid="{g_group}" name="Language" isCodable="false">
    <Code guid="{g_translation}" name="Translation" isCodable="true"/>
  </Code>
</Codes></CodeBook>"""


def utf16(text: str, index: int) -> int:
    return len(text[:index].encode("utf-16-le")) // 2


def vendor_project(tmp_path, *, origin, ns="urn:QDA-XML:project:1.0", folder="sources", upper=False, braces=False,
                   position=lambda start, end: (start, end), bom=True, raw=RAW, plain_path=None, extra_sources="",
                   extra="", quotes=QUOTES):
    """A .qdpx as another tool writes it; `position` turns code points of TEXT into the tool's numbers."""
    def g(n: int) -> str:
        guid = f"{n:08x}-aaaa-4bbb-8ccc-{n:012x}"
        guid = guid.upper() if upper else guid
        return "{" + guid + "}" if braces else guid

    codes = {"trust": g(1), "translation": g(3)}
    source_guid = g(10).strip("{}")
    selections = []
    for i, (quote, theme, _turn) in enumerate(quotes):
        start = TEXT.index(quote)
        s, e = position(start, start + len(quote))
        user = g(20) if i % 2 == 0 else g(21)
        selections.append(
            f'<PlainTextSelection guid="{g(30 + i)}" name="{quote}" startPosition="{s}" endPosition="{e}" '
            f'creatingUser="{user}"><Coding guid="{g(40 + i)}" creatingUser="{user}"><CodeRef targetGUID="{codes[theme]}"/>'
            '</Coding></PlainTextSelection>')
    path = plain_path or f"internal://{source_guid}.txt"
    qde = (f'<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="{ns}" name="Vendor study" origin="{origin}">'
           f'<Users><User guid="{g(20)}" name="Ana"/><User guid="{g(21)}" name="Ben"/></Users>'
           + CODEBOOK.format(g_trust=g(1), g_group=g(2), g_translation=g(3))
           + f'<Sources><TextSource guid="{g(10)}" name="Interview A.docx" plainTextPath="{path}">'
           + "".join(selections) + "</TextSource>" + extra_sources + "</Sources>" + extra + "</Project>")
    data = (b"\xef\xbb\xbf" if bom else b"") + raw.encode("utf-8")
    return make_zip(tmp_path / "vendor.qdpx", {"project.qde": ("\ufeff" if bom else "") + qde,
                                               f"{folder}/{source_guid}.txt": data})


def expected(coders=("Ana", "Ben", "Ana")):
    out = []
    for (quote, theme, turn), coder in zip(QUOTES, coders):
        start = TEXT.index(quote)
        out.append((coder, "Interview A", turn, theme, start, start + len(quote)))
    return sorted(out)


def run_import(cli, path, out, *extra):
    r = cli("import", "qdpx", path, "--out", out, *extra)
    codings = read_codings_csv(out / "codings.csv") if (out / "codings.csv").exists() else []
    return r, sorted(map(key, codings))


# -- round trip ------------------------------------------------------------------------

def test_round_trip_keeps_every_coding(cli, tmp_path, codings, codings_csv):
    qdpx = tmp_path / "study.qdpx"
    assert cli("export", "qdpx", TRANSCRIPTS, "--codebook", SMALL, "--codings", codings_csv, "--out", qdpx,
               "--quiet").exit_code == 0
    out = tmp_path / "back"
    r, back = run_import(cli, qdpx, out, "--codebook", SMALL)
    assert r.exit_code == 0, r.stderr
    assert r.stderr == f"Wrote 2 transcripts, 5 themes and 9 codings (ana, ben) to {out}\n"
    assert back == sorted(map(key, codings))
    memos = {c.memo for c in read_codings_csv(out / "codings.csv")}
    assert memos == {"", "rendering, not meaning", "with the emoji"}
    for name in ("d09-session.txt", "d09-client.txt"):
        assert (out / "transcripts" / name).read_bytes() == (TRANSCRIPTS / name).read_bytes()
    book, diags = check_codebook(out / "codebook.yaml")
    assert {d.code for d in diags if d.severity == "error"} == set()  # valid: warnings only (no keywords, definitions)
    assert book.theme_ids == ("trust", "translation", "rupture_repair", "rupture", "repair")
    assert book.speakers == {"dr. meyer": "therapist", "th.": "therapist", "amira": "client", "hassan": "interpreter"}


def test_round_trip_without_codebook_names_themes_from_codes(cli, tmp_path, codings, codings_csv):
    qdpx = tmp_path / "study.qdpx"
    assert cli("export", "qdpx", TRANSCRIPTS, "--codebook", SMALL, "--codings", codings_csv, "--out", qdpx).exit_code == 0
    r, back = run_import(cli, qdpx, tmp_path / "back")
    assert r.exit_code == 0, r.stderr
    ids = {"trust": "bond_and_trust", "translation": "translation_accuracy", "rupture": "rupture", "repair": "repair"}
    assert back == sorted((c, t, n, ids[th], s, e) for c, t, n, th, s, e in map(key, codings))


def test_import_refuses_to_overwrite(cli, tmp_path, codings_csv):
    qdpx = tmp_path / "study.qdpx"
    assert cli("export", "qdpx", TRANSCRIPTS, "--codebook", SMALL, "--codings", codings_csv, "--out", qdpx).exit_code == 0
    out = tmp_path / "back"
    (out / "transcripts").mkdir(parents=True)
    (out / "transcripts" / "d09-client.txt").write_text("my edits", encoding="utf-8")
    r, _ = run_import(cli, qdpx, out)
    assert r.exit_code == 1
    assert r.stderr == (f"{out / 'transcripts' / 'd09-client.txt'}: QC417 would overwrite an existing file — import "
                        "into an empty folder, or add --force to replace the files\n")
    assert (out / "transcripts" / "d09-client.txt").read_text(encoding="utf-8") == "my edits"
    assert not (out / "codings.csv").exists()
    r, back = run_import(cli, qdpx, out, "--force")
    assert r.exit_code == 0 and len(back) == 9


# -- other tools' conventions ---------------------------------------------------------

def test_nvivo_utf16_positions_crlf_and_bom(cli, tmp_path):
    """NVivo counts UTF-16 units on the stored text (emoji 2, CRLF 2) and writes `Sources/`."""
    qdpx = vendor_project(tmp_path, origin="NVivo 12.6 (Windows)", folder="Sources",
                          position=lambda s, e: (utf16(RAW, _raw(s)), utf16(RAW, _raw(e))))
    out = tmp_path / "out"
    r, back = run_import(cli, qdpx, out)
    assert r.exit_code == 0, r.stderr
    assert back == expected()
    assert (out / "transcripts" / "Interview A.txt").read_text(encoding="utf-8") == TEXT


def test_atlas_ti_braced_upper_guids_old_namespace_crlf_as_one(cli, tmp_path):
    qdpx = vendor_project(tmp_path, origin="ATLAS.ti 23.4.0 (Windows)", ns="urn:QDA-XML:project:0:4",
                          folder="Sources", upper=True, braces=True)
    r, back = run_import(cli, qdpx, tmp_path / "out")
    assert r.exit_code == 0, r.stderr
    assert "QC421" not in r.stderr  # 0:4 is a known namespace version
    assert back == expected()


def test_unknown_tool_positions_are_guessed(cli, tmp_path):
    qdpx = vendor_project(tmp_path, origin="SomeTool 2.0",
                          position=lambda s, e: (utf16(RAW, _raw(s)), utf16(RAW, _raw(e))))
    r, back = run_import(cli, qdpx, tmp_path / "a")
    assert r.exit_code == 0, r.stderr
    assert back == expected()
    qdpx = vendor_project(tmp_path, origin="SomeTool 2.0", position=lambda s, e: (_raw(s), _raw(e)))
    r, back = run_import(cli, qdpx, tmp_path / "b")
    assert back == expected()
    # and the user can say how the file counts
    r, back = run_import(cli, qdpx, tmp_path / "c", "--positions", "codepoints")
    assert back == expected()


def test_bare_path_and_inline_text(cli, tmp_path):
    """qc 1.3 wrote `plainTextPath="Interview A.txt"`; some tools inline the text."""
    qdpx = vendor_project(tmp_path, origin="qc 1.3.2", plain_path="Sources/0000000A-AAAA-4BBB-8CCC-00000000000A.TXT",
                          bom=False, raw=TEXT)
    r, back = run_import(cli, qdpx, tmp_path / "a")
    assert r.exit_code == 0, r.stderr
    assert back == expected()
    inline = ('<TextSource guid="00000011-aaaa-4bbb-8ccc-000000000011" name="notes.txt">'
              "<PlainTextContent>Amira: Hello.</PlainTextContent></TextSource>")
    qdpx = vendor_project(tmp_path, origin="qc 1.3.2", extra_sources=inline, bom=False, raw=TEXT)
    r, _ = run_import(cli, qdpx, tmp_path / "b")
    assert r.exit_code == 0, r.stderr
    assert (tmp_path / "b" / "transcripts" / "notes.txt").read_text(encoding="utf-8") == "Amira: Hello."


def test_out_of_range_positions_are_reported_not_crashed_on(cli, tmp_path):
    start = TEXT.index("She translated")
    positions = iter([(TEXT.index("I trust"), TEXT.index("I trust") + 22), (start, 10_000), (5_000, 6_000)])
    qdpx = vendor_project(tmp_path, origin="QualCoder 3.6", bom=False, raw=TEXT,
                          position=lambda s, e: next(positions))
    r, back = run_import(cli, qdpx, tmp_path / "out")
    assert r.exit_code == 0, r.stderr
    where = f"{qdpx}:project.qde"
    assert r.stderr.splitlines()[:2] == [
        f"{where}: QC409 warning: source 'Interview A.docx': selection {start}-10000 lies outside the text "
        f"({len(TEXT)} characters); clipped — check this coding by hand; the project may be damaged",
        f"{where}: QC409 warning: source 'Interview A.docx': selection 5000-6000 lies outside the text "
        f"({len(TEXT)} characters); clipped — check this coding by hand; the project may be damaged"]
    assert back == sorted([("Ana", "Interview A", 2, "trust", TEXT.index("I trust"), TEXT.index("I trust") + 22),
                           ("Ben", "Interview A", 4, "translation", None, None)])  # clipped to the whole turn


def test_what_cannot_be_carried_over_is_reported(cli, tmp_path):
    media = ('<AudioSource guid="00000050-aaaa-4bbb-8ccc-000000000050" path="relative:///a.mp3"/>'
             '<TextSource guid="00000051-aaaa-4bbb-8ccc-000000000051" name="gone.txt" '
             'plainTextPath="absolute:///C:/gone.txt"/>'
             '<TextSource guid="00000052-aaaa-4bbb-8ccc-000000000052" name="prose.txt">'
             '<PlainTextContent>no speakers here at all</PlainTextContent>'
             '<PlainTextSelection guid="00000053-aaaa-4bbb-8ccc-000000000053" startPosition="0" endPosition="2">'
             '<Coding guid="00000054-aaaa-4bbb-8ccc-000000000054"><CodeRef targetGUID="00000001-aaaa-4bbb-8ccc-000000000001"/>'
             '</Coding></PlainTextSelection></TextSource>')
    extra = ('<Sets><Set guid="00000060-aaaa-4bbb-8ccc-000000000060" name="s"/></Sets>')
    qdpx = vendor_project(tmp_path, origin="MAXQDA 2022", extra_sources=media, extra=extra)
    out = tmp_path / "out"
    r, back = run_import(cli, qdpx, out)
    assert r.exit_code == 0, r.stderr
    where = f"{qdpx}:project.qde"
    assert r.stderr.splitlines() == [
        f"{where}: QC408 warning: source 'gone.txt' is stored outside the project (absolute:///C:/gone.txt); not "
        "carried over — export the project with its sources embedded",
        f"{where}: QC408 warning: 1 audio source(s) not carried over (qualcode reads text only)",
        f"{where}: QC411 warning: 1 set(s) not carried over",
        f"{where}: QC416 warning: source 'prose.txt': no speaker turns found; its 1 coding(s) could not be mapped "
        f"to turns — label the speaker turns in {out / 'transcripts' / 'prose.txt'} and import again",
        f"Wrote 2 transcripts, 3 themes and 3 codings (Ana, Ben) to {out}"]
    assert back == expected()


def _raw(index: int) -> int:
    """Code-point index in TEXT -> index in RAW (each earlier line break gained a CR)."""
    return index + TEXT.count("\n", 0, index)


def test_a_selection_over_several_turns_codes_each_turn(cli, tmp_path):
    quote = "completely. 😊 Ça va.\nInterviewer: Und später?\nAmira: She translated"
    qdpx = vendor_project(tmp_path, origin="QualCoder 3.6", bom=False, raw=TEXT, quotes=[(quote, "trust", 2)])
    r, back = run_import(cli, qdpx, tmp_path / "out")
    assert r.exit_code == 0, r.stderr
    start, end = TEXT.index(quote), TEXT.index(quote) + len(quote)
    turn2_end, turn4_start = TEXT.index(" 😊 Ça va.") + len(" 😊 Ça va."), TEXT.index("She translated")
    assert back == [("Ana", "Interview A", 2, "trust", start, turn2_end),
                    ("Ana", "Interview A", 3, "trust", None, None),
                    ("Ana", "Interview A", 4, "trust", turn4_start, end)]


@pytest.mark.skipif(not (EXAMPLES.is_dir() and DEFAULT_CODEBOOK.exists()), reason="the example study is not here")
def test_example_study_round_trip(cli, tmp_path):
    """Export the example study with the rules' suggestions, import it back: the same codings and texts."""
    from qualcode.refi.export import gather_codings, read_transcripts

    qdpx = tmp_path / "study.qdpx"
    r = cli("export", "qdpx", EXAMPLES, "--codebook", DEFAULT_CODEBOOK, "--suggestions", "--out", qdpx, "--quiet")
    assert r.exit_code == 0, r.stderr
    out = tmp_path / "back"
    r, back = run_import(cli, qdpx, out, "--codebook", DEFAULT_CODEBOOK)
    assert r.exit_code == 0, r.stderr
    from qualcode.codebook import load_codebook

    book = load_codebook(DEFAULT_CODEBOOK)
    original = gather_codings(read_transcripts([EXAMPLES], book), book, codings_file=None, coders=(), project=".",
                              suggestions=True)
    assert back and back == sorted(map(key, original))
    for path in sorted(EXAMPLES.glob("*.txt")):
        assert (out / "transcripts" / path.name).read_bytes() == path.read_bytes().replace(b"\r\n", b"\n")
