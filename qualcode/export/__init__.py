"""Analysis tables of a coded corpus (segments, matrix, cooccurrence, frequencies) and their file formats."""
from qualcode.export.tables import TABLE_NAMES, Table, build_table
from qualcode.export.write import EXPORT_FORMATS, write_tables

__all__ = ["TABLE_NAMES", "EXPORT_FORMATS", "Table", "build_table", "write_tables"]
