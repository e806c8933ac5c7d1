"""Tables made transcript by transcript during a batch run are those of the whole corpus at once."""
from __future__ import annotations

import pytest
from batchdata import SMALL_CODEBOOK, TABLES, output_files
from batchdata import study  # noqa: F401 (a fixture)

from qualcode.batch import CACHE_DIR, code_corpus, run_batch
from qualcode.codebook import load_codebook
from qualcode.errors import OutputError
from qualcode.export.tables import build_table
from qualcode.export.write import write_tables


def whole_corpus_tables(study, folder, *, window, excel, formats):
    """The tables made the straightforward way: every record in memory, each table built at once."""
    book = load_codebook(SMALL_CODEBOOK)
    corpus = code_corpus([study], codebook=book, jobs=1)
    write_tables([build_table(name, corpus.documents, book, window=window) for name in TABLES], folder,
                 formats=formats, excel=excel)
    return output_files(folder)


@pytest.mark.parametrize("jobs", [1, 2])
def test_streamed_tables_are_byte_for_byte_those_of_the_whole_corpus(tmp_path, study, monkeypatch, jobs):
    monkeypatch.setattr("qualcode.export.stream.WRITE_BYTES", 100)  # many writes per table
    result = run_batch([study], out=tmp_path / "out", codebook=SMALL_CODEBOOK, jobs=jobs, window=2, excel=True,
                       formats=("jsonl", "csv"))
    expected = whole_corpus_tables(study, tmp_path / "whole", window=2, excel=True, formats=("jsonl", "csv"))
    assert output_files(tmp_path / "out") == expected
    assert [p.name for p in result.written] == [f"{t}.{fmt}" for fmt in ("jsonl", "csv") for t in TABLES]
    assert (tmp_path / "out" / "segments.csv").read_bytes().startswith(b"\xef\xbb\xbftranscript,")


def test_a_duplicate_id_leaves_the_tables_of_the_study_without_it(tmp_path, study):
    clean = run_batch([study], out=tmp_path / "clean", codebook=SMALL_CODEBOOK, jobs=1)
    (study / "sub").mkdir()
    (study / "sub" / "copy.txt").write_text((study / "d01-client.txt").read_text())
    # coded after the file it copies, its counts are added to the running sums, then taken out again
    copied = run_batch([study], out=tmp_path / "copied", codebook=SMALL_CODEBOOK, jobs=1)
    assert [f.path for f in copied.failures] == [str(study / "sub" / "copy.txt")]
    assert output_files(tmp_path / "copied") == output_files(tmp_path / "clean")
    assert (copied.words, copied.segments_counted) == (clean.words, clean.segments_counted)


def test_the_result_reads_its_corpus_back_from_the_cache(tmp_path, study):
    result = run_batch([study], out=tmp_path / "out", codebook=SMALL_CODEBOOK, jobs=1)
    assert result.corpus().documents == code_corpus([study], codebook=SMALL_CODEBOOK, jobs=1).documents
    assert [e.id for e in result.transcripts] == ["d01-client", "d01-session", "d02-session", "d02-therapist"]
    for entry in (tmp_path / "out" / CACHE_DIR).glob("*.json"):
        entry.unlink()
    with pytest.raises(OutputError) as caught:
        result.corpus()
    assert caught.value.diagnostics[0].code == "QC509"


def test_xlsx_alongside_csv_is_made_from_the_cached_records(tmp_path, study):
    result = run_batch([study], out=tmp_path / "out", codebook=SMALL_CODEBOOK, jobs=1, formats=("csv", "xlsx"))
    expected = whole_corpus_tables(study, tmp_path / "whole", window=1, excel=False, formats=("csv", "xlsx"))
    assert output_files(tmp_path / "out") == expected
    assert [p.name for p in result.written][-1] == "tables.xlsx"
