"""Reading the CSV files people make in spreadsheets: UTF-8 (BOM or not) or Windows-1252, any line ends,
commas or (as many European locales save them) semicolons."""
from __future__ import annotations

import csv
import io
from pathlib import Path

from qualcode.errors import Diagnostic, QualcodeError


def read_csv_text(path: str | Path, *, what: str, error: type[QualcodeError] = QualcodeError) -> str:
    """The file's text with LF line ends; `error` (QC001) if it is missing or unreadable."""
    name = str(path)
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise error(Diagnostic("QC001", f"{what} not found", name, hint="check the path")) from None
    except OSError as exc:
        raise error(Diagnostic("QC001", f"cannot read {what}: {exc.strerror}", name)) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:  # a spreadsheet saved in the Windows encoding
        text = raw.decode("cp1252", errors="replace")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def dict_reader(text: str) -> tuple[csv.DictReader, list[str]]:
    """A DictReader over `text` with its delimiter guessed from the header, and the header's
    column names stripped and lower-cased (set as the reader's field names)."""
    header = text.split("\n", 1)[0]
    delimiter = ";" if header.count(";") > header.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    columns = [c.strip().lower() for c in (reader.fieldnames or [])]
    reader.fieldnames = columns
    return reader, columns
