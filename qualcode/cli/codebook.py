"""`qualcode codebook validate | test | schema | show`: the codebook as checked, tested code."""
from __future__ import annotations

import os
from enum import Enum
from pathlib import Path
from typing import Annotated, List, Optional

import typer

from qualcode.cli import app
from qualcode.cli._common import err_console, handle_errors, out_console, write_stdout

codebook_app = typer.Typer(help="Check, test, describe and document codebooks (made for CI and pre-commit).",
                           no_args_is_help=True, add_completion=False, rich_markup_mode="rich")
app.add_typer(codebook_app, name="codebook")


class ReportFormat(str, Enum):
    text = "text"
    github = "github"
    json = "json"


class ShowFormat(str, Enum):
    tree = "tree"
    markdown = "markdown"


PathsArg = Annotated[Optional[List[Path]], typer.Argument(
    help="Codebook YAML files. Default: the study codebook.", show_default=False, metavar="PATH")]
FormatOpt = Annotated[Optional[ReportFormat], typer.Option(
    "--format", "-f", help="text (file:line:col: CODE message — hint), github (workflow annotations; the default "
                           "when GITHUB_ACTIONS=true) or json.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No summary line on stderr.")]


def _paths(paths: list[Path] | None) -> list[Path]:
    if paths:
        return list(paths)
    from qualcode.codebook.default import default_codebook_path

    return [default_codebook_path()]


def _format(fmt: ReportFormat | None) -> ReportFormat:
    if fmt is not None:
        return fmt
    return ReportFormat.github if os.environ.get("GITHUB_ACTIONS") == "true" else ReportFormat.text


def _emit(diagnostics, fmt: ReportFormat) -> None:
    from qualcode.codebook.report import github_lines, text_lines

    write_stdout((github_lines if fmt is ReportFormat.github else text_lines)(diagnostics))


@codebook_app.command("validate")
def validate_cli(
    paths: PathsArg = None,
    fmt: FormatOpt = None,
    strict: Annotated[bool, typer.Option("--strict", help="Warnings fail too (exit 1). Use this in CI.")] = False,
    quiet: QuietOpt = False,
) -> None:
    """Check codebooks and report every problem at once. Exit 0 valid, 1 problems, 2 unreadable file."""
    fmt = _format(fmt)
    with handle_errors():
        from qualcode.codebook.report import json_text, validate_codebooks

        report = validate_codebooks(_paths(paths))
        if fmt is ReportFormat.json:
            write_stdout(json_text(report, strict=strict))
        else:
            _emit(report.diagnostics, fmt)
        code = report.exit_code(strict=strict)
        if not quiet:
            err_console().print(report.summary(strict=strict), style="red" if code else "green", markup=False)
    raise typer.Exit(code)


@codebook_app.command("test")
def test_cli(
    paths: PathsArg = None,
    fmt: FormatOpt = None,
    pipeline: Annotated[Optional[str], typer.Option("--pipeline", help="An installed trained spaCy pipeline (needed when patterns use POS, TAG, DEP…).")] = None,
    quiet: QuietOpt = False,
) -> None:
    """Run each codebook's examples as tests: positives must be suggested for their theme, negatives not."""
    fmt = _format(fmt)
    with handle_errors():
        from qualcode.codebook.examples import examples_json, test_codebook
        from qualcode.codebook.report import unreadable

        reports = [test_codebook(p, pipeline=pipeline) for p in _paths(paths)]
        diagnostics = [d for r in reports for d in r.diagnostics]
        if fmt is ReportFormat.json:
            write_stdout(examples_json(reports))
        else:
            _emit(diagnostics, fmt)
        if not quiet:
            for r in reports:
                err_console().print(r.summary(), style="red" if r.diagnostics else "green", markup=False)
    raise typer.Exit(2 if any(unreadable(d) for d in diagnostics) else 1 if diagnostics else 0)


@codebook_app.command("schema")
def schema_cli(
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Write the schema to this file (atomically) instead of stdout.")] = None,
) -> None:
    """Print the JSON Schema of the codebook format (for editors: completion and checks as you type)."""
    with handle_errors():
        from qualcode.codebook.schema import codebook_schema_text

        text = codebook_schema_text()
        if out is None or str(out) == "-":
            write_stdout(text)
        else:
            from qualcode.output.write import atomic_write_text

            atomic_write_text(out, text)
            err_console().print(f"Wrote the codebook schema to {out}", markup=False, soft_wrap=True)


@codebook_app.command("show")
def show_cli(
    path: Annotated[Optional[Path], typer.Argument(help="Codebook YAML. Default: the study codebook.", show_default=False, metavar="PATH")] = None,
    fmt: Annotated[ShowFormat, typer.Option("--format", "-f", help="tree (terminal view) or markdown (a codebook appendix for a paper).")] = ShowFormat.tree,
) -> None:
    """Show the theme tree with definitions, keyword, pattern and example counts."""
    with handle_errors():
        from qualcode.codebook import load_codebook

        book = load_codebook(path)
        if fmt is ShowFormat.markdown:
            from qualcode.codebook.show import codebook_markdown

            write_stdout(codebook_markdown(book))
            return
        from qualcode.cli.codebook_view import codebook_tree

        out_console().print(codebook_tree(book))


__all__ = ["codebook_app"]
