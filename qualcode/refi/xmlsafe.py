"""REFI-QDA XML plumbing shared by codebook and project exchange.

Namespaces, GUIDs and colours; untrusted XML parsed with defusedxml (no DTD entities,
no external references, so neither XXE nor entity-expansion bombs); our own output
checked against the official XSDs (shipped in `schemas/`) before it is written.
"""
from __future__ import annotations

import re
import uuid
from functools import lru_cache
from pathlib import Path
from xml.etree import ElementTree as ET

from qualcode.errors import Diagnostic, QualcodeError

CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
PROJECT_NS = "urn:QDA-XML:project:1.0"
SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"
SCHEMA_FILES = {"codebook": SCHEMA_DIR / "Codebook-mrt2019.xsd", "project": SCHEMA_DIR / "Project-mrt2019.xsd"}

#: Fixed namespace of every GUID qualcode derives (uuid5), so the same input gives the same GUIDs.
GUID_NAMESPACE = uuid.UUID("6f1c5e2a-8b0d-5c3e-9a47-2d8e1b6c4f10")

_GUID = re.compile(r"\{?[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}?")
_COLOR = re.compile(r"#(?:[0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})")
#: Any version of the QDA-XML namespaces, also with the U+2010 hyphen pasted from the PDF.
_QDA_NS = re.compile(r"urn:QDA[-\u2010]XML:(codebook|project):.*", re.I)


class RefiError(QualcodeError):
    """A REFI-QDA file cannot be read, or an export cannot be made."""


_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    """`text` with the characters XML 1.0 cannot hold (most control characters) replaced by U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


def derived_guid(*parts: str) -> str:
    """A stable lower-case GUID for `parts` (uuid5 in qualcode's namespace)."""
    return str(uuid.uuid5(GUID_NAMESPACE, "\x1f".join(parts)))


def is_guid(text: str | None) -> bool:
    return bool(text) and _GUID.fullmatch(text.strip()) is not None


def guid_key(text: str | None) -> str:
    """The form GUIDs are compared in: no braces, no blanks, lower case."""
    return (text or "").strip().strip("{}").strip().lower()


def normalise_color(text: str | None) -> str | None:
    """`#RRGGBB` (upper case) for a valid `#RGB`/`#RRGGBB`, else None."""
    text = (text or "").strip()
    if not _COLOR.fullmatch(text):
        return None
    digits = text[1:]
    if len(digits) == 3:
        digits = "".join(ch * 2 for ch in digits)
    return "#" + digits.upper()


def local(tag: str) -> str:
    """Element name without its namespace."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def namespace(tag: str) -> str:
    return tag[1:].split("}", 1)[0] if isinstance(tag, str) and tag.startswith("{") else ""


def is_qda_namespace(ns: str) -> bool:
    return bool(_QDA_NS.fullmatch(ns))


def children(element: ET.Element | None, name: str | None = None) -> list[ET.Element]:
    """Direct children called `name` (any name if None), whatever their namespace; [] for no element."""
    if element is None:
        return []
    return [child for child in element if name is None or local(child.tag) == name]


def child(element: ET.Element | None, name: str) -> ET.Element | None:
    found = children(element, name)
    return found[0] if found else None


def child_text(element: ET.Element, name: str) -> str:
    found = child(element, name)
    return (found.text or "").strip() if found is not None else ""


def parse_untrusted_xml(data: bytes, path: str) -> ET.Element:
    """The root element of untrusted XML; `RefiError` QC405/QC406 instead of parser exceptions."""
    import defusedxml
    from defusedxml import ElementTree as DET

    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return DET.fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except (defusedxml.EntitiesForbidden, defusedxml.ExternalReferenceForbidden, defusedxml.DTDForbidden):
        raise RefiError(Diagnostic(
            "QC406", "XML declares entities or external references (possible XXE or entity-expansion attack); refused",
            path, hint="REFI-QDA files never need entity declarations: ask the sender to export the file again")) from None
    except ET.ParseError as exc:
        line, col = exc.position
        reason = str(exc).split(":")[0]
        raise RefiError(Diagnostic("QC405", f"XML is not well-formed ({reason})", path, line, col + 1,
                                   hint="the file is damaged or not a REFI-QDA file; export it again")) from None


def xml_bytes(root: ET.Element) -> bytes:
    """UTF-8 XML with a declaration, indented, no BOM."""
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n").encode("utf-8")


@lru_cache(maxsize=2)
def _schema(kind: str):
    import xmlschema

    return xmlschema.XMLSchema(str(SCHEMA_FILES[kind]))


def schema_errors(data: bytes, kind: str) -> list[str]:
    """Why `data` does not validate against the official `kind` ("codebook" or "project") XSD; [] if valid."""
    import io

    schema = _schema(kind)
    return [f"{err.path}: {err.reason}" for err in schema.iter_errors(io.BytesIO(data))]


def check_against_schema(data: bytes, kind: str, path: str) -> None:
    """Refuse to write an export that the official schema rejects (a qualcode bug, never the user's)."""
    errors = schema_errors(data, kind)
    if errors:
        raise RefiError(Diagnostic(
            "QC420", f"the {kind} export does not validate against the REFI-QDA schema: {errors[0]}", path,
            hint="nothing was written; this is a qualcode bug, please report it"))
