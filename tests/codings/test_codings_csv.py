"""The tidy codings CSV as spreadsheets save it."""
from __future__ import annotations

import pytest

from qualcode.codings import CodingsError, read_codings_csv


@pytest.mark.parametrize("text, encoding", [
    ("transcript,turn,theme,coder,memo\nd01,2,trust,ana,café\n", "utf-8"),
    ("\ufefftranscript;turn;theme;coder;memo\r\nd01;2;trust;ana;café\r\n", "utf-8"),  # Excel, European locale
    ("Transcript,Turn,Theme,Coder,Memo\nd01,2,trust,ana,café\n", "cp1252"),
])
def test_codings_csv_variants(tmp_path, text, encoding):
    path = tmp_path / "c.csv"
    path.write_bytes(text.encode(encoding))
    [c] = read_codings_csv(path)
    assert (c.transcript, c.turn, c.theme, c.coder, c.memo) == ("d01", 2, "trust", "ana", "café")


def test_every_bad_row_is_reported(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("transcript,turn,theme,coder\nd01,0,trust,ana\nd01,x,trust,ana\n,3,trust,ana\n", encoding="utf-8")
    with pytest.raises(CodingsError) as exc:
        read_codings_csv(path)
    assert [(d.code, d.line) for d in exc.value.diagnostics] == [("QC301", 2), ("QC301", 3), ("QC302", 4)]
