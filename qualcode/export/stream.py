"""A batch's tables made transcript by transcript, so that memory does not grow with the study.

As each transcript is coded (in its worker process), `TableMaker.pieces` renders its rows of
`segments` and `matrix` as CSV and JSONL bytes and counts its share of `cooccurrence` and
`frequencies`. In the main process a `TableSpool` appends those bytes to anonymous temporary
files in the output folder and adds up the counts; `write` then joins the transcripts' bytes
in transcript-id order into each table file, atomically. The files are byte for byte what
`write_tables` makes from the whole corpus at once (a test checks it). XLSX and Parquet need
every row at once, so they are made from the records instead (see `qualcode.batch.run_batch`).
"""
from __future__ import annotations

import tempfile
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import IO, TYPE_CHECKING, Iterator, Sequence

from qualcode.errors import Diagnostic, OutputError
from qualcode.export.tables import (COLUMNS, RoleCounts, SegmentRows, Table, add_cooccurrence, cooccurrence_table,
                                    counted_for, frequency_table, theme_pairs, transcript_cooccurrence,
                                    transcript_matrix_rows, transcript_role_counts)
from qualcode.export.write import csv_pieces, jsonl_pieces
from qualcode.models import Codebook
from qualcode.output.write import atomic_write_chunks

if TYPE_CHECKING:  # pragma: no cover
    from qualcode.batch import CodedTranscript

#: The formats made transcript by transcript (the others need the whole table at once).
STREAMED_FORMATS = ("csv", "jsonl")
#: The tables with rows of their own per transcript; the others are sums over transcripts.
PER_TRANSCRIPT_TABLES = ("segments", "matrix")
#: Bytes gathered from the spool before each write into a table file.
WRITE_BYTES = 1 << 20


@dataclass(frozen=True)
class TranscriptPieces:
    """One transcript's part of the tables: rendered rows by (table, format), and its counts."""

    rows: dict[tuple[str, str], bytes]
    cooccurrence: list[tuple[int, int, int]]
    role_counts: RoleCounts


class TableMaker:
    """Renders a transcript's part of the chosen tables in the chosen formats (plain data: sent to workers)."""

    def __init__(self, codebook: Codebook, tables: Sequence[str], formats: Sequence[str], window: int):
        self.codebook = codebook
        self.tables = tuple(tables)
        self.formats = tuple(f for f in formats if f in STREAMED_FORMATS)
        self.window = window

    def __getstate__(self) -> dict:  # the derived lookups are made again where they are used
        return {k: self.__dict__[k] for k in ("codebook", "tables", "formats", "window")}

    @cached_property
    def ancestors(self) -> dict[str, tuple[str, ...]]:
        return counted_for(self.codebook)

    @cached_property
    def pairs(self) -> list[tuple[str, str]]:
        return theme_pairs(self.codebook)

    @cached_property
    def themes(self) -> list[str]:
        return [t.id for t in self.codebook.themes]

    def pieces(self, doc: "CodedTranscript") -> TranscriptPieces:
        rows: dict[tuple[str, str], bytes] = {}
        for name in self.tables:
            if name not in PER_TRANSCRIPT_TABLES or not self.formats:
                continue
            table = Table(name, COLUMNS[name], SegmentRows((doc,)) if name == "segments"
                          else transcript_matrix_rows(doc, self.codebook, self.ancestors))
            for fmt in self.formats:
                parts = csv_pieces(table, header=False) if fmt == "csv" else jsonl_pieces(table)
                rows[name, fmt] = b"".join(parts)
        cooccurrence = (transcript_cooccurrence(doc, self.themes, self.window)
                        if "cooccurrence" in self.tables else [])
        role_counts = (transcript_role_counts(doc, self.ancestors) if "frequencies" in self.tables
                       else RoleCounts())
        return TranscriptPieces(rows, cooccurrence, role_counts)


class TableSpool:
    """Transcripts' pieces as they arrive (in any order), kept on disk; the tables written from them at the end.

    The temporary files are anonymous files in the output folder: they hold the study's quotes,
    so they stay where the tables go, and the system removes them when the run ends, however it ends."""

    def __init__(self, folder: str | Path, maker: TableMaker):
        self.folder = Path(folder)
        self.maker = maker
        self._files: dict[tuple[str, str], IO[bytes]] = {}
        self._spans: dict[int, dict[tuple[str, str], tuple[int, int]]] = {}
        self.cooccurrence = [[0, 0, 0] for _ in maker.pairs]
        self.role_counts = RoleCounts()

    def __enter__(self) -> "TableSpool":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Drop the spool files (never raising: an error on the way out must not hide the one that stopped the run)."""
        for handle in self._files.values():
            try:
                handle.close()
            except OSError:
                pass
        self._files.clear()

    def add(self, index: int, pieces: TranscriptPieces) -> None:
        """Keep the pieces of the transcript that is input number `index`."""
        spans = {}
        try:
            for key, data in pieces.rows.items():
                handle = self._files.get(key)
                if handle is None:
                    handle = self._files[key] = tempfile.TemporaryFile(dir=self.folder, prefix=".qualcode-spool.",
                                                                       suffix=".tmp")
                spans[key] = (handle.seek(0, 2), len(data))
                handle.write(data)
        except OSError as exc:
            raise OutputError(Diagnostic("QC002", f"cannot write output: {exc.strerror}", str(self.folder),
                                         hint="check free disk space and permissions; the previous tables are "
                                              "unchanged")) from None
        self._spans[index] = spans
        add_cooccurrence(self.cooccurrence, pieces.cooccurrence)
        self.role_counts.add(pieces.role_counts)

    def remove(self, index: int, pieces: TranscriptPieces) -> None:
        """Take back transcript `index` (its pieces, made again, give the counts to take away)."""
        del self._spans[index]
        add_cooccurrence(self.cooccurrence, pieces.cooccurrence, sign=-1)
        self.role_counts.add(pieces.role_counts, sign=-1)

    def write(self, order: Sequence[int], fmt: str, *, excel: bool = False) -> list[Path]:
        """Write every table in the streamed format `fmt`, transcripts in `order`; the paths written."""
        written = []
        for name in self.maker.tables:
            path = self.folder / f"{name}.{fmt}"
            atomic_write_chunks(path, self._chunks(name, fmt, order, excel=excel))
            written.append(path)
        return written

    def _chunks(self, name: str, fmt: str, order: Sequence[int], *, excel: bool) -> Iterator[bytes]:
        if name not in PER_TRANSCRIPT_TABLES:
            rows = (cooccurrence_table(self.maker.pairs, self.cooccurrence, self.maker.window)
                    if name == "cooccurrence" else frequency_table(self.role_counts, self.maker.codebook))
            table = Table(name, COLUMNS[name], rows)
            yield from csv_pieces(table, bom=excel) if fmt == "csv" else jsonl_pieces(table)
            return
        if fmt == "csv":  # the header (and byte-order mark) alone
            yield from csv_pieces(Table(name, COLUMNS[name], ()), bom=excel)
        handle = self._files.get((name, fmt))
        block: list[bytes] = []
        size = 0
        for index in order:
            offset, length = self._spans[index][name, fmt]
            handle.seek(offset)
            block.append(handle.read(length))
            size += length
            if size >= WRITE_BYTES:
                yield b"".join(block)
                block, size = [], 0
        if block:
            yield b"".join(block)
