"""Tables to files: CSV, XLSX, JSONL and Parquet, written atomically and byte-for-byte reproducibly.

Spreadsheet safety: a text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage
return could run as a formula when a spreadsheet opens the file. In CSV such a cell gets
a leading apostrophe (`=SUM(A1)` is written `'=SUM(A1)`), the escape OWASP recommends. In
XLSX every text cell is stored as a text (shared string) cell, never a formula, so it
keeps its exact value. JSONL and Parquet are data formats and keep values unchanged.
"""
from __future__ import annotations

import importlib.util
import io
import itertools
import re
import zipfile
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from qualcode.errors import Diagnostic, OutputError
from qualcode.export.tables import SegmentRows, Table, column_type
from qualcode.output.write import atomic_write_chunks, csv_chunks, jsonl_chunks

EXPORT_FORMATS = ("csv", "xlsx", "jsonl", "parquet")

#: The workbook that holds one sheet per table.
XLSX_NAME = "tables.xlsx"

#: Rows an XLSX sheet can hold, header included.
XLSX_MAX_ROWS = 1_048_576

#: The fixed time stamp written into XLSX files (zip entries and document properties).
_FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_FIXED_DOC_TIME = b"1980-01-01T00:00:00Z"

_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def csv_bytes(table: Table, *, bom: bool = False) -> bytes:
    """UTF-8 CSV (optionally with a byte-order mark, for Excel), LF line ends, formula-like cells neutralised."""
    return b"".join(csv_pieces(table, bom=bom))


def csv_pieces(table: Table, *, bom: bool = False, header: bool = True) -> Iterator[bytes]:
    """`csv_bytes` in pieces, as they are made (`header=False`: the rows alone)."""
    if isinstance(table.rows, SegmentRows):  # by far the largest table: made straight as CSV text
        pieces = itertools.chain(csv_chunks((), table.columns) if header else (), table.rows.csv_texts())
    else:
        pieces = csv_chunks(([row.get(k) for k in table.columns] for row in table.rows), table.columns,
                            formula_safe=True, header=header)
    if bom:
        yield "\ufeff".encode("utf-8")
    for piece in pieces:
        yield piece.encode("utf-8")


def jsonl_bytes(table: Table) -> bytes:
    """One JSON object per row, keys in column order."""
    return b"".join(jsonl_pieces(table))


def jsonl_pieces(table: Table) -> Iterator[bytes]:
    return (piece.encode("utf-8") for piece in jsonl_chunks(table.rows, table.columns))


def parquet_available() -> bool:
    return importlib.util.find_spec("pyarrow") is not None


def parquet_bytes(table: Table) -> bytes:
    """The table as a Parquet file with explicit column types (needs pyarrow)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    types = {"int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(), "str": pa.string()}
    schema = pa.schema([(c, types[column_type(c)]) for c in table.columns])
    arrays = [pa.array([row.get(c) for row in table.rows], type=schema.field(c).type) for c in table.columns]
    sink = pa.BufferOutputStream()
    pq.write_table(pa.Table.from_arrays(arrays, schema=schema), sink)
    return sink.getvalue().to_pybytes()


def _xlsx_text(value: str) -> str:
    """XML cannot hold most control characters: drop them (tab and newline stay)."""
    return _XML_ILLEGAL.sub("", value)


def xlsx_bytes(tables: Sequence[Table]) -> bytes:
    """A workbook with one sheet per table: header row bold and frozen, a filter on it, text stored as text."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    for table in tables:
        if len(table.rows) + 1 > XLSX_MAX_ROWS:
            raise OutputError(Diagnostic(
                "QC506", f"table '{table.name}' has {len(table.rows):,} rows, more than an XLSX sheet holds",
                XLSX_NAME, hint="export it as csv, jsonl or parquet (--export-format csv)"))
    book = Workbook(write_only=True)
    book.properties.creator = "qualcode"
    bold = Font(bold=True)
    for table in tables:
        sheet = book.create_sheet(table.name)
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(table.columns))}{len(table.rows) + 1}"
        header = []
        for column in table.columns:
            cell = WriteOnlyCell(sheet, value=column)
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        for row in table.rows:
            sheet.append([_xlsx_cell(sheet, row.get(c), WriteOnlyCell) for c in table.columns])
    buffer = io.BytesIO()
    book.save(buffer)
    return _reproducible_zip(buffer.getvalue())


def _xlsx_cell(sheet, value, cell_type):
    if value is None:
        return None
    if isinstance(value, str):
        cell = cell_type(sheet, value=_xlsx_text(value))
        cell.data_type = "s"  # openpyxl would store '=…' as a formula and '#N/A' as an error
        return cell
    return value


def _reproducible_zip(data: bytes) -> bytes:
    """The same zip with fixed time stamps, so the same tables give the same bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:(created|modified)\b[^>]*>)[^<]*(</dcterms:\2>)",
                                 rb"\g<1>" + _FIXED_DOC_TIME + rb"\g<3>", content)
            entry = zipfile.ZipInfo(info.filename, date_time=_FIXED_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, content)
    return out.getvalue()


def check_export_formats(formats: Iterable[str]) -> list[str]:
    """The formats, checked (unknown names, Parquet without pyarrow); an `OutputError` otherwise."""
    formats = list(dict.fromkeys(formats))
    diags = []
    for fmt in formats:
        if fmt not in EXPORT_FORMATS:
            diags.append(Diagnostic("QC505", f"unknown export format '{fmt}'", None,
                                    hint=f"use one or more of: {', '.join(EXPORT_FORMATS)}"))
    if "parquet" in formats and not parquet_available():
        diags.append(Diagnostic("QC505", "Parquet export needs the pyarrow package, which is not installed", None,
                                hint="install it with 'pip install pyarrow', or choose --export-format csv"))
    if diags:
        raise OutputError(diags)
    return formats


def export_names(table_names: Sequence[str], formats: Sequence[str]) -> list[str]:
    """The file names `write_tables` writes, in order."""
    names = []
    for fmt in formats:
        if fmt == "xlsx":
            names.append(XLSX_NAME)
        else:
            names.extend(f"{name}.{fmt}" for name in table_names)
    return names


def write_tables(tables: Sequence[Table], folder: str | Path, *, formats: Sequence[str] = ("csv",),
                 excel: bool = False) -> list[Path]:
    """Write each table in each format into `folder` (`<table>.<format>`, one `tables.xlsx`); each file atomically."""
    folder = Path(folder)
    written = []
    for fmt in check_export_formats(formats):
        if fmt == "xlsx":
            outputs = [(folder / XLSX_NAME, lambda: (xlsx_bytes(tables),))]
        else:
            encode = {"csv": lambda t: csv_pieces(t, bom=excel), "jsonl": jsonl_pieces,
                      "parquet": lambda t: (parquet_bytes(t),)}[fmt]
            outputs = [(folder / f"{t.name}.{fmt}", (lambda t=t: encode(t))) for t in tables]
        for path, make in outputs:
            atomic_write_chunks(path, make())
            written.append(path)
    return written
