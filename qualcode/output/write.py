"""Write files atomically (temporary file, fsync, rename) and serialise rows as CSV or JSONL."""
from __future__ import annotations

import csv
import io
import itertools
import json
import os
import tempfile
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from qualcode.errors import Diagnostic, OutputError


def atomic_write_bytes(path: str | Path, data: bytes, *, durable: bool = True) -> None:
    """Write `data` to `path` so that readers see the old file or the whole new one, never a part.

    `durable=False` skips the fsyncs, for files that may be lost in a power cut (cache entries)."""
    atomic_write_chunks(path, (data,), durable=durable)


def atomic_write_chunks(path: str | Path, chunks: Iterable[bytes], *, durable: bool = True) -> None:
    """`atomic_write_bytes` for data made piece by piece (a large table is never whole in memory).
    If making a chunk fails, the temporary file is removed and the previous file left unchanged."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise OutputError(Diagnostic("QC002", f"cannot write output: {exc.strerror}", str(path),
                                     hint="check the folder exists and is writable")) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.chmod(tmp, _file_mode(path))
        os.replace(tmp, path)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise OutputError(Diagnostic("QC002", f"cannot write output: {exc.strerror}", str(path),
                                     hint="check free disk space and permissions; the previous file is unchanged")) from None
    except BaseException:  # a chunk could not be made: no half-written temporary file stays behind
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    if durable:
        fsync_dir(folder)  # make the rename itself durable


def fsync_dir(folder: str | Path) -> None:
    """Flush a folder's entries (a new or renamed file) to disk; best effort."""
    try:
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        pass


def _file_mode(path: Path) -> int:
    """The mode of the file being replaced, else what the umask allows (mkstemp would give 0600)."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def atomic_write_text(path: str | Path, text: str, *, encoding: str = "utf-8") -> None:
    atomic_write_bytes(path, text.encode(encoding))


#: Text cells starting with one of these could run as a formula in a spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_text(rows: Iterable[dict], columns: Sequence[str], *, formula_safe: bool = False) -> str:
    """CSV with a header, LF line endings, every row in `columns` order; None is empty, booleans are
    true/false. `formula_safe` gives a text cell that starts like a formula a leading apostrophe."""
    return "".join(csv_chunks(([row.get(k) for k in columns] for row in rows), columns, formula_safe=formula_safe))


def csv_cell(value: str, starts) -> str:
    """A text cell as CSV writes it: with a leading apostrophe if it starts with one of `starts`, and
    carriage returns as newlines (the csv module quotes a cell holding a newline, but not one holding
    a lone carriage return, which readers then take for the end of the row)."""
    if value[:1] in starts:
        value = "'" + value
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value


#: Rows per piece of CSV or JSONL made at once.
CHUNK_ROWS = 5000


def csv_chunks(rows: Iterable[Sequence], columns: Sequence[str], *, formula_safe: bool = False,
               header: bool = True) -> Iterator[str]:
    """`csv_text` of rows that are already lists of values in `columns` order, in pieces of CHUNK_ROWS
    rows, the header first (unless `header=False`: rows to append to a table)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if header:
        writer.writerow(columns)
    starts = frozenset(FORMULA_STARTS) if formula_safe else frozenset()
    rows = iter(rows)
    while True:
        block = [[("true" if v else "false") if v.__class__ is bool else csv_cell(v, starts) if v.__class__ is str
                  else v for v in values] for values in itertools.islice(rows, CHUNK_ROWS)]
        writer.writerows(block)
        yield buffer.getvalue()
        if len(block) < CHUNK_ROWS:
            return
        buffer.seek(0)
        buffer.truncate()


def jsonl_text(rows: Iterable[dict], columns: Sequence[str]) -> str:
    return "".join(jsonl_chunks(rows, columns))


def jsonl_chunks(rows: Iterable[dict], columns: Sequence[str]) -> Iterator[str]:
    """One JSON object per row, in pieces of CHUNK_ROWS rows."""
    rows = iter(rows)
    while True:
        block = [json.dumps({k: row.get(k) for k in columns}, ensure_ascii=False) + "\n"
                 for row in itertools.islice(rows, CHUNK_ROWS)]
        if block:
            yield "".join(block)
        if len(block) < CHUNK_ROWS:
            return

