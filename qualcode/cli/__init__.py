"""The `qualcode` command line. Each command module registers itself on `app`."""
from __future__ import annotations

import os
import sys
from typing import Annotated, Optional

import typer

from qualcode import __version__
from qualcode.cli._common import STATE

app = typer.Typer(
    name="qualcode",
    help="Code interview and therapy-session transcripts against a YAML codebook — offline.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode="rich",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"qualcode {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[Optional[bool], typer.Option("--version", callback=_version, is_eager=True,
                                                    help="Show the version and exit.")] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks for errors (may include local paths).")] = False,
) -> None:
    """qualcode: offline, reproducible coding of transcripts against a YAML codebook."""
    STATE["debug"] = debug


# Command modules register themselves on `app` when imported.
from qualcode.cli import code as _code  # noqa: E402,F401
from qualcode.cli import summarize as _summarize  # noqa: E402,F401
from qualcode.cli import transcript as _transcript  # noqa: E402,F401
from qualcode.cli import codebook as _codebook  # noqa: E402,F401
from qualcode.cli import review as _review, agree as _agree  # noqa: E402,F401
from qualcode.cli import train as _train  # noqa: E402,F401

# last: it joins the `codebook`, `export` and `import` groups the modules above create
from qualcode.cli import refi as _refi  # noqa: E402,F401  (after the codebook/export modules: it joins their groups)


def main() -> None:
    """Console-script entry point.

    Once the command has finished (its outputs are written and synced), the process ends at once
    with the command's exit code: tearing down the interpreter (spaCy's tables, every coded
    transcript of a batch) would take a third of a second per million words and change nothing.
    A batch's fork server is ended first, and multiprocessing's clean-up (which `os._exit` skips) run."""
    try:
        app(prog_name="qualcode")
        code = 0
    except SystemExit as exc:
        code = exc.code
    if code is None:
        code = 0
    elif not isinstance(code, int):  # sys.exit("message"): printed, exit status 1
        print(code, file=sys.stderr)
        code = 1
    from qualcode.workers import end_workers  # standard library only; a no-op unless a server was started

    end_workers()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe: nothing more can be said
        pass
    os._exit(code)
