"""REFI-QDA (QDA-XML 1.0) exchange: `.qdc` codebooks and `.qdpx` projects.

Untrusted input is read with defusedxml and a bounded ZIP reader; exports are validated
against the official XSDs in `schemas/` before they are written.
"""
from qualcode.refi.codebook import codebook_to_qdc, export_qdc, import_qdc, read_qdc, theme_guid
from qualcode.refi.export import build_project, export_project
from qualcode.refi.importer import import_project
from qualcode.refi.xmlsafe import RefiError, schema_errors

__all__ = ["codebook_to_qdc", "export_qdc", "import_qdc", "read_qdc", "theme_guid", "build_project",
           "export_project", "import_project", "RefiError", "schema_errors"]
