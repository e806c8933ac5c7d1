"""Tables made transcript by transcript during a batch run are those of the whole corpus at once."""
from __future__ import annotations

import errno

import pytest
from batchdata import SMALL_CODEBOOK, TABLES, output_files
from batchdata import study  # noqa: F401 (a fixture)

from qualcode.batch import CACHE_DIR, code_corpus, run_batch
from qualcode.codebook import load_codebook
from qualcode.errors import Diagnostic, OutputError, QualcodeError
from qualcode.export.tables import build_table
from qualcode.export.write import write_tables


def whole_corpus_tables(study, folder, *, window, excel, formats):
    """The tables made the straightforward way: every record in memory, each table built at once."""
    book = load_codebook(SMALL_CODEBOOK)
    corpus = code_corpus([study], codebook=book, jobs=1)
    write_tables([build_table(name, corpus.documents, book, window=window) for name in TABLES], folder,
                 formats=formats, excel=excel)
    return output_files(folder)


def add_awkward_transcripts(study):
    """A file whose name sorts first but whose id sorts last, one with no coded segment, one that fails."""
    (study / "aaa.txt").write_text("---\nid: zz-last\ndyad: D09\n---\nAmira: I trust you, I trust the "
                                   "interpreter.\nTherapist: The interpreter said it again.\n", encoding="utf-8")
    (study / "quiet.txt").write_text("Amira: Good morning.\nTherapist: Hello.\n", encoding="utf-8")
    (study / "broken.txt").write_bytes(b"\x00\x01\x02" * 50)


@pytest.mark.parametrize("jobs", [1, 2])
def test_streamed_tables_are_byte_for_byte_those_of_the_whole_corpus(tmp_path, study, monkeypatch, jobs):
    add_awkward_transcripts(study)
    monkeypatch.setattr("qualcode.export.stream.WRITE_BYTES", 100)  # many writes per table
    result = run_batch([study], out=tmp_path / "out", codebook=SMALL_CODEBOOK, jobs=jobs, window=2, excel=True,
                       formats=("jsonl", "csv"))
    assert [f.path for f in result.failures] == [str(study / "broken.txt")]
    assert [e.id for e in result.transcripts][-2:] == ["quiet", "zz-last"]
    expected = whole_corpus_tables(study, tmp_path / "whole", window=2, excel=True, formats=("jsonl", "csv"))
    assert output_files(tmp_path / "out") == expected
    assert [p.name for p in result.written] == [f"{t}.{fmt}" for fmt in ("jsonl", "csv") for t in TABLES]
    assert (tmp_path / "out" / "segments.csv").read_bytes().startswith(b"\xef\xbb\xbftranscript,")
    matrix = (tmp_path / "out" / "matrix.csv").read_text(encoding="utf-8-sig").splitlines()
    assert matrix[-1].startswith("zz-last,D09,")  # by id, not by file name


def test_chosen_tables_only_in_the_order_asked(tmp_path, study):
    result = run_batch([study], out=tmp_path / "out", codebook=SMALL_CODEBOOK, jobs=1,
                       tables=("matrix", "segments"))
    assert [p.name for p in result.written] == ["matrix.csv", "segments.csv"]
    assert sorted(output_files(tmp_path / "out")) == ["matrix.csv", "segments.csv"]


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("copy_name", ["sub/copy.txt", "a-copy.txt"])
def test_a_duplicate_id_leaves_the_tables_of_the_study_without_the_file_dropped(tmp_path, study, jobs, copy_name):
    # same id as d01-client, other words: the later input is dropped, and its counts must not stay in the sums
    text = (study / "d01-client.txt").read_text(encoding="utf-8").replace("trust", "translate")
    copy = study / copy_name
    copy.parent.mkdir(exist_ok=True)
    copy.write_text(text, encoding="utf-8")
    dropped = copy if copy_name.startswith("sub/") else study / "d01-client.txt"
    without = tmp_path / "without"
    without.mkdir()
    for path in sorted(study.rglob("*.txt")):
        if path != dropped:
            (without / path.name).write_bytes(path.read_bytes())
    expected = run_batch([without], out=tmp_path / "expected", codebook=SMALL_CODEBOOK, jobs=1)
    for rerun in (False, True):  # coded, then taken from the cache
        result = run_batch([study], out=tmp_path / "out", codebook=SMALL_CODEBOOK, jobs=jobs)
        assert [f.path for f in result.failures] == [str(dropped)]
        assert (result.coded, result.cached) == ((0, 4) if rerun else (4, 0))
        assert output_files(tmp_path / "out") == output_files(tmp_path / "expected")
        assert (result.words, result.segments_counted) == (expected.words, expected.segments_counted)


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


def test_a_cache_that_cannot_be_written_stops_the_run_and_keeps_the_old_tables(tmp_path, study, monkeypatch):
    out = tmp_path / "out"
    run_batch([study], out=out, codebook=SMALL_CODEBOOK, jobs=1)
    before = output_files(out)
    (study / "d01-client.txt").write_text("Amira: I walked out.\n", encoding="utf-8")

    def full_disk(path, data, **kwargs):
        raise OutputError(Diagnostic("QC002", "cannot write output: No space left on device", str(path)))

    monkeypatch.setattr("qualcode.batch.atomic_write_bytes", full_disk)
    with pytest.raises(QualcodeError) as caught:
        run_batch([study], out=out, codebook=SMALL_CODEBOOK, jobs=1, force=True)
    assert caught.value.diagnostics[0].code == "QC002"
    assert output_files(out) == before  # not tables of the few transcripts whose entries were written


def test_a_spool_that_cannot_be_written_is_a_clear_error(cli, tmp_path, study, monkeypatch):
    out = tmp_path / "out"
    assert cli("code", study, "-c", SMALL_CODEBOOK, "--out", out, "-j", "1").exit_code == 0
    before = output_files(out)

    def full_disk(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("qualcode.export.stream.tempfile.TemporaryFile", full_disk)
    r = cli("code", study, "-c", SMALL_CODEBOOK, "--out", out, "-j", "1", "--force")
    assert r.exit_code == 1
    assert r.stderr.strip() == (f"{out}: QC002 cannot write output: No space left on device — check free disk "
                                "space and permissions; the previous tables are unchanged")
    assert output_files(out) == before


def test_front_matter_of_any_yaml_value_reads_back_from_the_cache_as_it_was(tmp_path, study):
    """Cache entries are written by orjson, which has no NaN or infinity and no integer beyond 64 bits:
    the front matter is kept as JSON by the json module, so a run served from the cache writes the
    same tables as the run that coded the study."""
    path = study / "d01-client.txt"
    text = path.read_text(encoding="utf-8")
    assert "\ngroup: favorable\n" in text
    path.write_text(text.replace("\ngroup: favorable\n", "\ngroup: .inf\nconsent: 123456789012345678901234567890\n"
                                 "weight: .nan\nnote: Ärztin «ok»\n", 1), encoding="utf-8")
    first = run_batch([study], out=tmp_path / "out", codebook=SMALL_CODEBOOK, jobs=1)
    coded = output_files(tmp_path / "out")
    again = run_batch([study], out=tmp_path / "out", codebook=SMALL_CODEBOOK, jobs=1)
    assert (first.coded, again.coded, again.cached) == (len(first.transcripts), 0, len(first.transcripts))
    assert output_files(tmp_path / "out") == coded
    assert b"inf" in coded["segments.csv"]  # the group, as the coding run wrote it
