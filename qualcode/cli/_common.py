"""What every command shares: consoles, error handling, option types."""
from __future__ import annotations

import sys
import traceback
from contextlib import contextmanager
from enum import Enum
from typing import Iterator

import typer
from rich.console import Console

from qualcode.errors import WARNING, Diagnostic, QualcodeError

STATE = {"debug": False, "quiet": False}


def out_console() -> Console:
    """Data and views go to stdout."""
    return Console(highlight=False, soft_wrap=False)


def err_console() -> Console:
    """Status, progress, warnings and errors go to stderr."""
    return Console(stderr=True, highlight=False)


class Format(str, Enum):
    table = "table"
    csv = "csv"
    jsonl = "jsonl"


def print_diagnostics(diagnostics: list[Diagnostic], *, console: Console | None = None) -> None:
    console = console or err_console()
    for d in diagnostics:
        style = "yellow" if d.severity == WARNING else "red"
        console.print(d.format(), style=style, markup=False, highlight=False, soft_wrap=True)


def usage_error(message: str) -> typer.Exit:
    """Print a usage problem and return the exit (code 2) to raise."""
    err_console().print(f"Usage error: {message}", style="red", markup=False, soft_wrap=True)
    return typer.Exit(code=2)


@contextmanager
def handle_errors() -> Iterator[None]:
    """Turn qualcode errors into one line each and exit 1; never show a traceback unless --debug."""
    try:
        yield
    except QualcodeError as exc:
        if STATE["debug"]:
            raise
        print_diagnostics(exc.diagnostics)
        raise typer.Exit(code=1) from None
    except (typer.Exit, typer.Abort, SystemExit):
        raise
    except KeyboardInterrupt:
        err_console().print("Interrupted.", style="yellow")
        raise typer.Exit(code=130) from None
    except Exception as exc:  # a bug: say where, not what data it held
        if STATE["debug"]:
            raise
        frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
        where = f" at {frame.filename.rsplit('/', 1)[-1]}:{frame.lineno}" if frame else ""
        err_console().print(
            f"qualcode: internal error ({type(exc).__name__}{where}). This is a bug: please report it; "
            "rerun with --debug to see the traceback.", style="red", markup=False, soft_wrap=True)
        raise typer.Exit(code=1) from None


def is_stdout(path) -> bool:
    return path is None or str(path) == "-"


def write_stdout(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()
