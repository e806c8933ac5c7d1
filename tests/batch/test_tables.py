"""The tables' definitions on hand-made records, the writers, and the library API."""
from __future__ import annotations

import sys

import pytest
from batchdata import SMALL_CODEBOOK, STUDY

from qualcode.batch import CodedTranscript, TurnInfo, find_transcripts
from qualcode.codebook import load_codebook
from qualcode.export.tables import build_table, rolled_up
from qualcode.export.write import csv_bytes, xlsx_bytes
from qualcode.models import Suggestion


@pytest.fixture(scope="module")
def book():
    return load_codebook(SMALL_CODEBOOK)


def coded(doc_id: str, hits: list[tuple[int, str, str]], *, turns: int = 6, negated: tuple = ()) -> CodedTranscript:
    """A record with `turns` turns alternating client/therapist (10 words each) and hits (turn, theme, role)."""
    infos = tuple(TurnInfo(n, "A" if n % 2 else "B", "client" if n % 2 else "therapist", 10, n) for n in range(1, turns + 1))
    suggestions = tuple(Suggestion(doc_id, turn, "A", role, theme, theme, 0, 1, turn, "x", "keyword:x", 1.0,
                                   negated=(turn, theme) in negated) for turn, theme, role in hits)
    return CodedTranscript(doc_id, f"{doc_id}.txt", {"dyad": "D9"}, infos, suggestions)


def test_parents_count_their_childrens_turns_once(book):
    assert rolled_up(book)["rupture_repair"] == {"rupture_repair", "rupture", "repair"}
    assert rolled_up(book)["rupture"] == {"rupture"}
    doc = coded("t1", [(1, "rupture", "client"), (1, "repair", "client"), (3, "repair", "client")])
    matrix = {r["theme"]: (r["segments"], r["turns"], r["present"]) for r in build_table("matrix", [doc], book).rows}
    assert matrix == {"trust": (0, 0, 0), "translation": (0, 0, 0), "rupture_repair": (3, 2, 1),
                      "rupture": (1, 1, 1), "repair": (2, 2, 1)}


def test_cooccurrence_counts_pairs_of_turns_within_the_window(book):
    # trust in turns 1 and 2, translation in turns 2 and 4
    doc = coded("t1", [(1, "trust", "client"), (2, "trust", "therapist"), (2, "translation", "therapist"),
                       (4, "translation", "therapist"), (5, "translation", "client")], negated={(5, "translation")})

    def pair(window):
        table = build_table("cooccurrence", [doc, coded("t2", [])], book, window=window)
        return [(r["same_turn"], r["within_window"], r["transcripts"]) for r in table.rows
                if (r["theme_a"], r["theme_b"]) == ("trust", "translation")]

    assert pair(0) == [(1, 1, 1)]  # (trust turn, translation turn): (2, 2)
    assert pair(1) == [(1, 2, 1)]  # + (1, 2)
    assert pair(2) == [(1, 3, 1)]  # + (2, 4)
    assert pair(3) == [(1, 4, 1)]  # + (1, 4); the negated hit in turn 5 never counts
    table = build_table("cooccurrence", [doc], book, window=1)
    assert [(r["theme_a"], r["theme_b"]) for r in table.rows][:4] == [
        ("trust", "translation"), ("trust", "rupture_repair"), ("trust", "rupture"), ("trust", "repair")]
    assert len(table.rows) == 10


def test_cooccurrence_counts_equal_counting_every_pair_of_turns(book):
    """The matrix arithmetic gives exactly what counting each pair of coded turns gives, on random
    transcripts: sparse and dense, turn numbers far from 1 and far apart, windows from 0 to far wider
    than the transcript, negated and counted hits in one turn, a theme the codebook does not have."""
    import random

    rng = random.Random(7)
    themes = [t.id for t in book.themes]
    for case in range(300):
        first, turns = rng.choice([1, 1, 40, 1000]), rng.randint(1, 30)
        numbers = list(range(first, first + turns)) + ([10 ** 6] if rng.random() < 0.2 else [])
        hits = [(rng.choice(numbers), rng.choice(themes + ["not_in_codebook"]), rng.random() < 0.2)
                for _ in range(rng.randint(0, 25))]
        window = rng.choice([0, 1, 2, 5, 100, 2 ** 70])
        suggestions = tuple(Suggestion("t1", turn, "A", "client", theme, theme, 0, 1, 1, "x", "keyword:x", 1.0,
                                       negated=negated) for turn, theme, negated in hits)
        doc = CodedTranscript("t1", "t1.txt", {}, (TurnInfo(1, "A", "client", 10, 1),), suggestions)
        turns_of = {}
        for turn, theme, negated in hits:
            if not negated:
                turns_of.setdefault(theme, set()).add(turn)
        expected = []
        for i, a in enumerate(themes):
            for b in themes[i + 1:]:
                ta, tb = turns_of.get(a, set()), turns_of.get(b, set())
                near = sum(1 for x in ta for y in tb if abs(x - y) <= window)
                expected.append((len(ta & tb), near, 1 if near else 0))
        table = build_table("cooccurrence", [doc], book, window=window)
        assert [(r["same_turn"], r["within_window"], r["transcripts"]) for r in table.rows] == expected, case


def test_frequencies_by_role(book):
    docs = [coded("t1", [(1, "trust", "client"), (1, "trust", "client"), (3, "trust", "client"),
                         (2, "trust", "therapist")]),
            coded("t2", [(1, "trust", "client")], turns=2, negated={(1, "trust")})]
    table = build_table("frequencies", docs, book)
    trust = [r for r in table.rows if r["theme"] == "trust"]
    assert trust == [
        {"theme": "trust", "theme_path": "trust", "role": "therapist", "turns_coded": 1, "role_turns": 4,
         "share_of_role_turns": 0.25, "segments": 1, "role_words": 40, "segments_per_1000_words": 25.0},
        {"theme": "trust", "theme_path": "trust", "role": "client", "turns_coded": 2, "role_turns": 4,
         "share_of_role_turns": 0.5, "segments": 3, "role_words": 40, "segments_per_1000_words": 75.0},
    ]


@pytest.mark.parametrize("value, expected", [
    ("=1+1", "'=1+1"), ("+49 30", "'+49 30"), ("-x", "'-x"), ("@SUM(A1)", "'@SUM(A1)"), ("\tcmd", "'\tcmd"),
    ("a=b", "a=b"), ("", ""), (-3, -3), (1.5, 1.5), (True, "true"), (None, ""),
])
def test_csv_neutralises_formula_like_text_only(value, expected):
    from qualcode.export.tables import Table

    text = csv_bytes(Table("t", ("a", "b"), [{"a": value, "b": "x"}])).decode("utf-8")
    assert text.split("\n")[1] == f"{expected},x"


def test_carriage_returns_in_csv_cells_stay_inside_their_row(book):
    import csv
    import io

    # a lone carriage return would end the row for CSV readers; as a newline the cell is quoted
    doc = CodedTranscript("t1", "t1.txt", {"dyad": "\rD1", "group": "a\rb", "setting": "c\r\nd"},
                          (TurnInfo(1, "A", "client", 3, 1),),
                          (Suggestion("t1", 1, "A", "client", "trust", "trust", 0, 5, 1, "I\rtrust", "keyword:x", 1.0),))
    for name in ("segments", "matrix"):
        rows = list(csv.DictReader(io.StringIO(csv_bytes(build_table(name, [doc], book)).decode("utf-8"))))
        assert (rows[0]["dyad"], rows[0]["group"], rows[0]["setting"]) == ("'\nD1", "a\nb", "c\nd"), name
    segment = list(csv.DictReader(io.StringIO(csv_bytes(build_table("segments", [doc], book)).decode("utf-8"))))
    assert [row["quote"] for row in segment] == ["I trust"]


def test_segments_csv_is_what_the_csv_module_writes_for_its_rows(book):
    """The segments table is put together as text: on random rows of awkward text (commas, quotes,
    formula starts, line breaks, NUL, accents, empty cells) it is what csv.writer makes of the rows."""
    import random

    from qualcode.output.rows import SEGMENT_COLUMNS, segment_row
    from qualcode.output.write import csv_text

    rng = random.Random(3)
    bits = ["a", "word", ",", '"', "=", "+", "-", "@", "\t", "\r", "\n", "\r\n", "é", " ", "'", ";"]
    if sys.version_info >= (3, 11):  # Python 3.10's csv module cannot write a NUL without an escapechar
        bits.append("\0")

    def text(most=6):
        return "".join(rng.choice(bits) for _ in range(rng.randint(0, most)))

    for case in range(200):
        meta = {k: text(3) for k in ("dyad", "group", "setting") if rng.random() < 0.7}
        doc_id = rng.choice(["t1", "=t", "t,2", 't"3'])
        suggestions = tuple(Suggestion(doc_id, rng.randint(1, 9), text(3) or "A", rng.choice(["client", "=x", "a,b"]),
                                       rng.choice(["trust", "repair"]), text(3) or "p", rng.randint(0, 99),
                                       rng.randint(0, 99), rng.randint(1, 9), text(12), text(4) or "r",
                                       rng.choice([1.0, 0.9, 0.123456, 2 / 3, 0.0, -0.0, -0.00001, 1]), rng.random() < 0.3,
                                       rng.choice(["rule", "model", "=m"])) for _ in range(rng.randint(0, 8)))
        doc = CodedTranscript(doc_id, "t.txt", meta, (TurnInfo(1, "A", "client", 3, 1),), suggestions)
        expected = csv_text([segment_row(s, doc.facts) for s in suggestions], SEGMENT_COLUMNS, formula_safe=True)
        assert csv_bytes(build_table("segments", [doc], book)).decode("utf-8") == expected, case


def test_csv_neutralises_but_jsonl_keeps_values(book):
    doc = CodedTranscript("t1", "t1.txt", {"group": "=cmd"}, (TurnInfo(1, "A", "client", 3, 1),), ())
    table = build_table("matrix", [doc], book)
    assert csv_bytes(table).decode().splitlines()[1].startswith("t1,,'=cmd,,session,,trust,")


def test_xlsx_drops_characters_xml_cannot_hold(book):
    from io import BytesIO

    from openpyxl import load_workbook

    doc = CodedTranscript("t1", "t1.txt", {"group": "a\x01b\tc"}, (TurnInfo(1, "A", "client", 3, 1),), ())
    sheet = load_workbook(BytesIO(xlsx_bytes([build_table("matrix", [doc], book)])))["matrix"]
    assert sheet["C2"].value == "ab\tc"


def test_find_transcripts_skips_hidden_and_excluded_folders(tmp_path):
    for name in ("b.txt", "a.md", "sub/c.txt", ".hidden/d.txt", "out/e.txt", "f.csv", "README.md", "sub/NOTICE.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("A: x\n")
    files, failures = find_transcripts([tmp_path, tmp_path / "b.txt"], exclude=[tmp_path / "out"])
    assert [p.relative_to(tmp_path).as_posix() for p in files] == ["a.md", "b.txt", "sub/c.txt"]
    assert failures == []


def test_code_corpus_returns_dataframes(book):
    from qualcode import code_corpus

    corpus = code_corpus([STUDY], codebook=book, jobs=1)
    assert corpus.failures == () and corpus.coded == 4 and corpus.cached == 0
    segments = corpus.segments()
    assert list(segments.columns)[:3] == ["transcript", "dyad", "group"]
    assert len(segments) == 30 and int((~segments["negated"]).sum()) == 25
    assert str(segments["turn"].dtype) == "int64" and str(segments["negated"].dtype) == "bool"
    wide = corpus.matrix(wide="present")
    assert list(wide.index) == ["trust", "translation", "rupture_repair", "rupture", "repair"]
    assert wide.loc["trust"].to_dict() == {"d01-client": 1, "d01-session": 1, "d02-session": 0, "d02-therapist": 1}
    assert corpus.cooccurrence(window=0)["within_window"].tolist() == corpus.cooccurrence(window=0)["same_turn"].tolist()
    freq = corpus.frequencies()
    assert freq.loc[(freq.theme == "translation") & (freq.role == "interpreter"), "turns_coded"].tolist() == [2]


def test_a_coded_record_survives_the_trip_from_a_worker():
    import pickle

    record = coded("t1", [(1, "trust", "client"), (3, "repair", "client")], negated={(3, "repair")})
    back = pickle.loads(pickle.dumps(record))
    assert back == record and back.suggestions[1].negated and back.turns[2].role == "client"


def test_coding_a_corpus_leaves_the_garbage_collector_as_it_was(book, monkeypatch):
    import gc

    import qualcode.batch
    from qualcode import code_corpus

    frozen = []
    monkeypatch.setattr(qualcode.batch, "FREEZE_EVERY", 1)  # freeze after every record
    monkeypatch.setattr(gc, "freeze", lambda real=gc.freeze: (real(), frozen.append(gc.get_freeze_count())))
    corpus = code_corpus([STUDY], codebook=book, jobs=1)
    assert corpus.coded == 4 and len(frozen) == 4 and frozen[-1] > 0
    assert gc.get_freeze_count() == 0  # unfrozen at the end: library callers' collections are unchanged


def test_a_callers_own_frozen_objects_stay_frozen(book):
    import gc

    from qualcode import code_corpus

    gc.freeze()  # as a server does before it forks
    try:
        before = gc.get_freeze_count()
        assert code_corpus([STUDY], codebook=book, jobs=1).coded == 4
        assert gc.get_freeze_count() > before // 2  # still frozen (a few frozen objects may have been freed)
    finally:
        gc.unfreeze()


def test_progress_bar_shows_files_words_rate_and_time_left():
    import io

    from rich.console import Console

    from qualcode.batch import Progress
    from qualcode.cli.code import _ProgressBar

    stream = io.StringIO()
    console = Console(file=stream, force_terminal=True, width=120, no_color=True)
    with _ProgressBar(console, enabled=True) as bar:
        bar.update(Progress(0, 4, 0, 0, 1000, ""))
        bar.update(Progress(2, 4, 1234, 500, 1000, "a.txt"))
        bar.progress.refresh()
    text = stream.getvalue()
    assert "2/4 files · 1,234 words · " in text and " words/s · " in text and " left" in text
    quiet = io.StringIO()
    with _ProgressBar(Console(file=quiet, force_terminal=True), enabled=False) as bar:
        bar.update(Progress(2, 4, 1234, 500, 1000, "a.txt"))
    assert quiet.getvalue() == ""


def test_importing_the_cli_and_api_loads_no_heavy_library():
    import subprocess
    import sys

    from batchdata import ROOT

    code = ("import sys, qualcode, qualcode.cli, qualcode.batch, qualcode.export; "
            "print(sorted(m for m in ('spacy', 'pandas', 'openpyxl', 'pyarrow', 'filelock') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.stdout.strip() == "[]", done.stderr


def test_parquet_without_pyarrow_and_oversized_xlsx_are_clear_errors(monkeypatch, book, tmp_path):
    from qualcode.errors import OutputError
    from qualcode.export import write

    monkeypatch.setattr(write, "parquet_available", lambda: False)
    with pytest.raises(OutputError) as err:
        write.check_export_formats(["csv", "parquet"])
    assert [d.format() for d in err.value.diagnostics] == [
        "qualcode: QC505 Parquet export needs the pyarrow package, which is not installed — "
        "install it with 'pip install pyarrow', or choose --export-format csv"]
    monkeypatch.setattr(write, "XLSX_MAX_ROWS", 5)
    doc = coded("t1", [(1, "trust", "client")] * 5)
    with pytest.raises(OutputError) as err:
        write.write_tables([build_table("segments", [doc], book)], tmp_path, formats=["xlsx"])
    assert err.value.diagnostics[0].format() == (
        "tables.xlsx: QC506 table 'segments' has 5 rows, more than an XLSX sheet holds — "
        "export it as csv, jsonl or parquet (--export-format csv)")
    assert list(tmp_path.iterdir()) == []


def test_parquet_keeps_types_and_values(book, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    from qualcode.export.write import write_tables

    doc = coded("t1", [(1, "trust", "client"), (2, "repair", "therapist")], negated={(2, "repair")})
    write_tables([build_table("segments", [doc], book)], tmp_path, formats=["parquet"])
    table = pq.read_table(tmp_path / "segments.parquet")
    assert [str(t) for t in table.schema.types][6:10] == ["int64", "int64", "int64", "int64"]
    assert table.column("negated").to_pylist() == [False, True]
    assert table.column("score").to_pylist() == [1.0, 1.0]


def test_tables_written_in_pieces_are_the_same_bytes(book, tmp_path, monkeypatch):
    import qualcode.output.write as out
    from qualcode.export.write import jsonl_bytes, write_tables

    docs = [coded(f"t{i}", [(1, "trust", "client"), (2, "=cmd", "therapist"), (3, "repair", "client")])
            for i in range(3)]
    table = build_table("segments", docs, book)
    whole_csv, whole_jsonl = csv_bytes(table, bom=True), jsonl_bytes(table)
    monkeypatch.setattr(out, "CHUNK_ROWS", 2)  # 9 rows: pieces of 2, 2, 2, 2, 1
    assert csv_bytes(table, bom=True) == whole_csv and jsonl_bytes(table) == whole_jsonl
    assert whole_csv.count(b"\n") == 10 and b"'=cmd" in whole_csv
    written = write_tables([table], tmp_path, formats=["csv", "jsonl"], excel=True)
    assert [p.read_bytes() for p in written] == [whole_csv, whole_jsonl]


def test_a_table_that_fails_while_written_leaves_the_old_file(tmp_path):
    from qualcode.output.write import atomic_write_chunks

    target = tmp_path / "segments.csv"
    target.write_bytes(b"old\n")

    def pieces():
        yield b"new,"
        raise RuntimeError("a row could not be made")

    with pytest.raises(RuntimeError):
        atomic_write_chunks(target, pieces())
    assert target.read_bytes() == b"old\n" and sorted(p.name for p in tmp_path.iterdir()) == ["segments.csv"]
