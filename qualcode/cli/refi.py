"""REFI-QDA exchange with NVivo, ATLAS.ti, MAXQDA and QualCoder.

`qualcode codebook export|import` (on the `codebook_exchange` Typer, attached to the `codebook`
group), `qualcode export qdpx` and `qualcode import qdpx`.
"""
from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, List, Optional

import typer

from qualcode.cli import app
from qualcode.cli._common import err_console, handle_errors, print_diagnostics

codebook_exchange = typer.Typer(help="Exchange codebooks with other QDA tools (REFI-QDA .qdc).")


class CodebookFormat(str, Enum):
    qdc = "qdc"


class Positions(str, Enum):
    auto = "auto"
    codepoints = "codepoints"
    utf16 = "utf16"
    lf = "lf"


class ExportPositions(str, Enum):
    codepoints = "codepoints"
    utf16 = "utf16"


def _group(name: str, help_text: str) -> typer.Typer:
    """The sub-Typer `name` of the app, created if no other command module made it yet."""
    for info in app.registered_groups:
        group = info.typer_instance
        if group is not None and name in (info.name, group.info.name):
            return group
    group = typer.Typer(help=help_text, no_args_is_help=True)
    app.add_typer(group, name=name)
    return group


def _status(message: str, quiet: bool) -> None:
    if not quiet:
        err_console().print(message, markup=False, highlight=False, soft_wrap=True)


@codebook_exchange.command("export")
def codebook_export_cli(
    codebook: Annotated[Path, typer.Argument(help="Codebook YAML to export.", show_default=False)],
    out: Annotated[Path, typer.Option("--out", "-o", help="The .qdc file to write.", show_default=False)],
    fmt: Annotated[CodebookFormat, typer.Option("--format", "-f", help="Exchange format (REFI-QDA codebook).")] = CodebookFormat.qdc,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No warnings or status on stderr.")] = False,
) -> None:
    """Export a CODEBOOK as a REFI-QDA .qdc file for NVivo, ATLAS.ti, MAXQDA or QualCoder."""
    with handle_errors():
        from qualcode.codebook import load_codebook
        from qualcode.refi import export_qdc

        book = load_codebook(codebook)
        diagnostics = export_qdc(book, out)
        if not quiet:
            print_diagnostics(diagnostics)
        _status(f"Wrote {len(book.themes)} codes to {out}", quiet)


@codebook_exchange.command("import")
def codebook_import_cli(
    qdc: Annotated[Path, typer.Argument(help="REFI-QDA codebook (.qdc) from another tool.", show_default=False)],
    out: Annotated[Path, typer.Option("--out", "-o", help="The codebook YAML to write.", show_default=False)],
    force: Annotated[bool, typer.Option("--force", help="Replace --out if it exists.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No warnings or status on stderr.")] = False,
) -> None:
    """Import a REFI-QDA .qdc codebook as a qualcode codebook YAML (keywords left empty)."""
    with handle_errors():
        from qualcode.refi import import_qdc

        count, diagnostics = import_qdc(qdc, out, force=force)
        if not quiet:
            print_diagnostics(diagnostics)
        _status(f"Wrote {count} themes to {out} (keywords are empty: add some before running 'qualcode code')", quiet)


export_group = _group("export", "Export transcripts, codings and results.")
import_group = _group("import", "Import projects from other tools.")


@export_group.command("qdpx")
def export_qdpx_cli(
    paths: Annotated[List[Path], typer.Argument(help="Transcript files or folders of .txt/.md transcripts.", show_default=False)],
    out: Annotated[Path, typer.Option("--out", "-o", help="The .qdpx project to write.", show_default=False)],
    codebook: Annotated[Optional[Path], typer.Option("--codebook", "-c", help="Codebook YAML. Default: the study codebook.")] = None,
    codings: Annotated[Optional[List[Path]], typer.Option("--codings", help="Tidy codings CSV (transcript,turn,theme,coder[,start,end,memo]); repeatable.")] = None,
    coder: Annotated[Optional[List[str]], typer.Option("--coder", help="Include this coder's reviewed codings from the project (repeatable).")] = None,
    project: Annotated[Path, typer.Option("--project", help="Project folder holding the coders' decisions.")] = Path("."),
    suggestions: Annotated[bool, typer.Option("--suggestions", help="Also export the rules' suggestions, as user 'qualcode-rules'.")] = False,
    name: Annotated[Optional[str], typer.Option("--name", help="Project name shown in the QDA tool. Default: --out's file name.")] = None,
    positions: Annotated[ExportPositions, typer.Option("--positions", help="codepoints (the standard) or utf16 (NVivo; differs only on emoji).")] = ExportPositions.codepoints,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No warnings or status on stderr.")] = False,
) -> None:
    """Export transcripts and their codings as a REFI-QDA .qdpx project."""
    with handle_errors():
        from qualcode.refi import export_project

        result = export_project(paths, out=out, codebook=codebook, codings_file=codings or None, coders=coder or (),
                                project=project, suggestions=suggestions, name=name,
                                positions=positions.value)
        if not quiet:
            print_diagnostics(result.diagnostics)
        users = ", ".join(result.users) or "no coders"
        _status(f"Wrote {result.sources} sources and {result.selections} codings ({users}) to {out}", quiet)


@import_group.command("qdpx")
def import_qdpx_cli(
    qdpx: Annotated[Path, typer.Argument(help="REFI-QDA project (.qdpx) from another tool.", show_default=False)],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write transcripts/, codebook.yaml and codings.csv into.", show_default=False)],
    codebook: Annotated[Optional[Path], typer.Option("--codebook", "-c", help="Map codes to this codebook's theme ids (by GUID, then name).")] = None,
    positions: Annotated[Positions, typer.Option("--positions", help="How the file counts text positions. auto: by the tool that made it.")] = Positions.auto,
    force: Annotated[bool, typer.Option("--force", help="Replace files that already exist in --out.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No warnings or status on stderr.")] = False,
) -> None:
    """Import a REFI-QDA .qdpx project: its text sources, codes and codings (one coder per user)."""
    with handle_errors():
        from qualcode.refi import import_project

        result = import_project(qdpx, out=out, codebook=codebook, positions=positions.value, force=force)
        if not quiet:
            print_diagnostics(result.diagnostics)
        coders = ", ".join(result.coders) or "no coders"
        _status(f"Wrote {len(result.transcripts)} transcripts, {result.themes} themes and {len(result.codings)} "
                f"codings ({coders}) to {out}", quiet)


# Attach `codebook export|import` to the `codebook` group (made by the codebook commands if loaded first).
_group("codebook", "Check, show and exchange codebooks.").registered_commands.extend(codebook_exchange.registered_commands)
