"""Codebooks as REFI-QDA `.qdc` files: export a qualcode codebook, import one from another tool.

Export: every theme becomes a `Code` with a stable GUID (the theme's `guid:` from the YAML,
else uuid5 of a fixed namespace and the theme path), a `#RRGGBB` colour and its definition
as `Description`; parents are non-codable unless they have keywords or patterns of their own.
Import: codes become themes (keywords empty, definitions and GUIDs kept, ids slugified and
unique), with warnings for what qualcode cannot carry over.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree as ET

from qualcode import __version__
from qualcode.errors import WARNING, Diagnostic
from qualcode.models import Codebook, Theme
from qualcode.refi.xmlsafe import (CODEBOOK_NS, RefiError, check_against_schema, child, child_text, children,
                                   derived_guid, guid_key, is_guid, is_qda_namespace, local, namespace,
                                   normalise_color, parse_untrusted_xml, xml_bytes, xml_safe)

#: Colours for themes without one (matplotlib's tab10), assigned in codebook order.
PALETTE = ("#1F77B4", "#FF7F0E", "#2CA02C", "#D62728", "#9467BD",
           "#8C564B", "#E377C2", "#7F7F7F", "#BCBD22", "#17BECF")

#: Largest .qdc read, in bytes; most codes and deepest nesting imported (the YAML must stay loadable).
MAX_QDC_BYTES = 20_000_000
MAX_CODES = 20_000
MAX_CODE_DEPTH = 40


def theme_guid(theme: Theme) -> str:
    """The theme's GUID: its `guid:` from the YAML if given, else derived from its path."""
    return theme.guid.strip() if theme.guid else derived_guid(theme.path or theme.id)


def is_codable(theme: Theme, codebook: Codebook) -> bool:
    """Leaves are codable; a parent only if it has keywords or patterns of its own."""
    return not codebook.children(theme.id) or bool(theme.keywords or theme.patterns)


def code_elements(codebook: Codebook, tag, diagnostics: list[Diagnostic]) -> list[ET.Element]:
    """Nested `Code` elements for the codebook's themes (`tag(name)` gives the namespaced tag)."""
    bad = [t for t in codebook.themes if t.guid and not is_guid(t.guid)]
    if bad:
        raise RefiError([Diagnostic(
            "QC414", f"theme '{t.id}': guid {t.guid!r} is not a GUID", codebook.path, t.line, None,
            hint="write it as 8-4-4-4-12 hex digits (e.g. 0f8fad5b-d9cb-469f-a165-70867728950e) or remove it")
            for t in bad])
    seen: dict[str, str] = {}
    for theme in codebook.themes:
        key = guid_key(theme_guid(theme))
        if key in seen:
            raise RefiError(Diagnostic("QC414", f"theme '{theme.id}' has the same guid as theme '{seen[key]}'",
                                       codebook.path, theme.line, None, hint="give every theme its own guid"))
        seen[key] = theme.id

    explicit = {normalise_color(t.color) for t in codebook.themes} - {None}
    spare = [c for c in PALETTE if c not in explicit] or list(PALETTE)

    def build(theme: Theme, index: int) -> ET.Element:
        color = normalise_color(theme.color)
        if theme.color and color is None:
            diagnostics.append(Diagnostic(
                "QC412", f"theme '{theme.id}': colour {theme.color!r} is not #RRGGBB; a default colour was used",
                codebook.path, theme.line, None, hint="write colours as \"#1f77b4\"", severity=WARNING))
        element = ET.Element(tag("Code"), {
            "guid": theme_guid(theme), "name": xml_safe(theme.name or theme.id),
            "isCodable": "true" if is_codable(theme, codebook) else "false",
            "color": color or spare[index % len(spare)]})
        if theme.definition:
            ET.SubElement(element, tag("Description")).text = xml_safe(theme.definition)
        return element

    elements: dict[str, ET.Element] = {}
    top: list[ET.Element] = []
    for index, theme in enumerate(codebook.themes):
        element = build(theme, index)
        elements[theme.id] = element
        parent = elements.get(theme.parent) if theme.parent else None
        if parent is not None:
            parent.append(element)
        else:
            top.append(element)
    return top


def codebook_to_qdc(codebook: Codebook) -> tuple[bytes, list[Diagnostic]]:
    """The `.qdc` bytes of a codebook (validated against Codebook.xsd) and warnings."""
    diagnostics: list[Diagnostic] = []

    def tag(name: str) -> str:
        return f"{{{CODEBOOK_NS}}}{name}"

    ET.register_namespace("", CODEBOOK_NS)
    root = ET.Element(tag("CodeBook"), {"origin": f"qualcode {__version__}"})
    codes = ET.SubElement(root, tag("Codes"))
    codes.extend(code_elements(codebook, tag, diagnostics))
    data = xml_bytes(root)
    check_against_schema(data, "codebook", codebook.path)
    return data, diagnostics


def export_qdc(codebook: Codebook, out: str | Path) -> list[Diagnostic]:
    """Write the codebook as a `.qdc` file (atomically); returns warnings."""
    from qualcode.output.write import atomic_write_bytes

    data, diagnostics = codebook_to_qdc(codebook)
    atomic_write_bytes(out, data)
    return diagnostics


# -- import ---------------------------------------------------------------------------

@dataclass
class ImportedCode:
    """A REFI code read from a file, before it becomes a theme."""

    guid: str
    name: str
    codable: bool
    color: str | None
    description: str
    children: list["ImportedCode"] = field(default_factory=list)
    id: str = ""


def slugify(text: str) -> str:
    """A theme id from a code name: ASCII lower case, digits and underscores."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")
    if not slug:
        return "code"
    return f"c_{slug}" if slug[0].isdigit() else slug


def read_codes(codes_parent: ET.Element | None, path: str, diagnostics: list[Diagnostic]) -> list[ImportedCode]:
    """The (nested) codes under a `Codes` element; invalid colours and code memos reported."""
    out: list[ImportedCode] = []
    if codes_parent is None:
        return out
    dropped_notes = 0
    count = 0

    def walk(element: ET.Element, depth: int = 1) -> ImportedCode:
        nonlocal dropped_notes, count
        count += 1
        if depth > MAX_CODE_DEPTH or count > MAX_CODES:
            what = f"codes nested more than {MAX_CODE_DEPTH} levels deep" if depth > MAX_CODE_DEPTH else \
                f"more than {MAX_CODES:,} codes"
            raise RefiError(Diagnostic("QC404", f"the codebook has {what}; refused", path,
                                       hint="this is not a usual codebook; check the file"))
        name = (element.get("name") or "").strip()
        raw_color = element.get("color")
        color = normalise_color(raw_color)
        if raw_color and color is None:
            diagnostics.append(Diagnostic("QC412", f"code '{name}': colour {raw_color!r} is not #RRGGBB; dropped",
                                          path, hint="set a colour in the codebook YAML if you want one",
                                          severity=WARNING))
        dropped_notes += len(children(element, "NoteRef"))
        code = ImportedCode(guid=(element.get("guid") or "").strip(), name=name,
                            codable=(element.get("isCodable") or "true").strip().lower() in ("true", "1"),
                            color=color, description=child_text(element, "Description"))
        code.children = [walk(sub, depth + 1) for sub in children(element, "Code")]
        return code

    out = unflatten([walk(code) for code in children(codes_parent, "Code")])
    if dropped_notes:
        diagnostics.append(Diagnostic("QC411", f"{dropped_notes} memo(s) attached to codes were not carried over",
                                      path, hint="copy them into the themes' definitions by hand if needed",
                                      severity=WARNING))
    return out


def unflatten(codes: list[ImportedCode]) -> list[ImportedCode]:
    """Rebuild the hierarchy ATLAS.ti 8 flattens into names such as `Coke::diet Coke`.

    Each missing parent becomes a non-codable code with a GUID derived from its path.
    """
    out: list[ImportedCode] = []
    parents: dict[tuple[str, ...], ImportedCode] = {}
    for code in codes:
        parts = [p.strip() for p in code.name.split("::")]
        if len(parts) < 2 or code.children or not all(parts):
            out.append(code)
            continue
        siblings = out
        for depth in range(1, len(parts)):
            path = tuple(parts[:depth])
            parent = parents.get(path)
            if parent is None:
                parent = parents[path] = ImportedCode(guid=derived_guid("code-folder", *path), name=path[-1],
                                                      codable=False, color=None, description="")
                siblings.append(parent)
            siblings = parent.children
        code.name = parts[-1]
        siblings.append(code)
    return out


def assign_ids(codes: list[ImportedCode], *, taken: dict[str, str] | None = None) -> dict[str, str]:
    """Give every code a unique slug id (by GUID where a known theme matches, see `taken`); guid key -> id."""
    taken = dict(taken or {})
    used = set(taken.values())
    ids: dict[str, str] = {}

    def walk(code: ImportedCode) -> None:
        key = guid_key(code.guid)
        if key and key in taken:
            code.id = taken[key]
        else:
            base = slugify(code.name)
            candidate, n = base, 1
            while candidate in used:
                n += 1
                candidate = f"{base}_{n}"
            code.id = candidate
            used.add(candidate)
        if key:
            ids.setdefault(key, code.id)
        for sub in code.children:
            walk(sub)

    for code in codes:
        walk(code)
    return ids


def codebook_yaml(codes: list[ImportedCode], *, name: str, source: str, description: str = "",
                  speakers: dict[str, list[str]] | None = None) -> str:
    """A qualcode codebook YAML for imported codes: keywords empty, definitions and GUIDs kept."""
    import yaml

    def theme(code: ImportedCode) -> dict:
        data: dict = {"id": code.id, "name": code.name or code.id}
        if code.guid:
            data["guid"] = code.guid
        if code.color:
            data["color"] = code.color
        data["definition"] = code.description
        data["keywords"] = []
        if code.children:
            data["themes"] = [theme(sub) for sub in code.children]
        return data

    doc: dict = {"version": 1, "name": name}
    if description:
        doc["description"] = description
    if speakers:
        doc["speakers"] = speakers
    doc["themes"] = [theme(code) for code in codes]
    header = (f"# Imported by qualcode {__version__} from {Path(source).name}.\n"
              "# Keywords are empty: add keywords or patterns to a theme before qualcode can suggest it.\n")
    return header + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)


def read_qdc(path: str | Path) -> tuple[list[ImportedCode], str, list[Diagnostic]]:
    """(codes, codebook name, warnings) from a `.qdc` (or the CodeBook of a `.qde`)."""
    name = str(path)
    path = Path(path)
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise RefiError(Diagnostic("QC001", "is a folder, not a .qdc file", name, hint="name a .qdc file"))
        if size > MAX_QDC_BYTES:
            raise RefiError(Diagnostic("QC404", f"file is {size:,} bytes, more than the {MAX_QDC_BYTES:,} a codebook may have",
                                       name, hint="check you named the right file"))
        data = path.read_bytes()
    except FileNotFoundError:
        raise RefiError(Diagnostic("QC001", "codebook file not found", name, hint="check the path")) from None
    except OSError as exc:
        raise RefiError(Diagnostic("QC001", f"cannot read file: {exc.strerror}", name)) from None
    root = parse_untrusted_xml(data, name)
    diagnostics: list[Diagnostic] = []
    kind = local(root.tag)
    if kind not in ("CodeBook", "Project"):
        raise RefiError(Diagnostic("QC407", f"root element is <{kind}>, not a REFI-QDA <CodeBook>", name, 1, None,
                                   hint="export the codebook from your QDA software as REFI-QDA (.qdc)"))
    warn_namespace(root, name, diagnostics)
    codebook = root if kind == "CodeBook" else child(root, "CodeBook")
    codes = read_codes(child(codebook, "Codes") if codebook is not None else None, name, diagnostics)
    if not codes:
        raise RefiError(Diagnostic("QC407", "the file holds no codes", name,
                                   hint="export a codebook that has at least one code"))
    sets = children(child(root, "Sets"), "Set")
    if sets:
        diagnostics.append(Diagnostic("QC411", f"{len(sets)} code set(s) not carried over (qualcode has no sets)",
                                      name, hint="group the themes under parent themes if you need the sets",
                                      severity=WARNING))
    book_name = (root.get("name") if kind == "Project" else None) or path.stem
    return codes, book_name, diagnostics


def warn_namespace(root: ET.Element, path: str, diagnostics: list[Diagnostic]) -> None:
    ns = namespace(root.tag)
    if not is_qda_namespace(ns):
        diagnostics.append(Diagnostic(
            "QC421", f"unexpected XML namespace {ns!r}; read as REFI-QDA anyway" if ns else
            "no XML namespace; read as REFI-QDA anyway", path, severity=WARNING,
            hint="check the file comes from a REFI-QDA export"))


def import_qdc(path: str | Path, out: str | Path, *, force: bool = False) -> tuple[int, list[Diagnostic]]:
    """Write a qualcode codebook YAML from a `.qdc` (atomically); (number of themes, warnings)."""
    from qualcode.codebook.load import check_codebook_text
    from qualcode.output.write import atomic_write_text

    if Path(out).exists() and not force:
        raise RefiError(Diagnostic("QC417", "would overwrite an existing file", str(out),
                                   hint="choose another --out, or add --force to replace it"))

    codes, name, diagnostics = read_qdc(path)
    assign_ids(codes)
    text = codebook_yaml(codes, name=name, source=str(path))
    book, problems = check_codebook_text(text, str(out))
    errors = [d for d in problems if d.severity != WARNING]
    if book is None or errors:  # our own YAML must load; if not, it is a bug
        raise RefiError([Diagnostic("QC420", f"the imported codebook does not load: {d.message}", str(out),
                                    hint="nothing was written; this is a qualcode bug, please report it")
                         for d in errors[:3]])
    atomic_write_text(out, text)
    return len(book.themes), diagnostics
