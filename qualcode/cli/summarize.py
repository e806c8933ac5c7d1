"""`qualcode summarize`: dyadic theme summaries of a study (terminal view, summary.md/.html, CSV tables)."""
from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from qualcode.cli import app
from qualcode.cli._common import err_console, handle_errors, out_console, print_diagnostics, usage_error


class By(str, Enum):
    theme = "theme"
    dyad = "dyad"


@app.command("summarize")
def summarize_cli(
    paths: Annotated[list[Path], typer.Argument(help="The study's transcripts: files, folders or glob patterns.", show_default=False, metavar="PATH")],
    by: Annotated[By, typer.Option("--by", help="Terminal view: 'theme' (dyads per pattern, agreement) or 'dyad' (dyad × theme patterns).")] = By.theme,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Write summary.md, summary.html and the CSV tables into this folder.")] = None,
    manifest: Annotated[Optional[Path], typer.Option("--manifest", help="CSV with one row per transcript: transcript,dyad,role,group,setting,kind (wins over front matter).")] = None,
    codings: Annotated[Optional[Path], typer.Option("--codings", help="Use the codings of this tidy CSV (transcript,turn,theme,coder) instead of the rules.")] = None,
    coder: Annotated[Optional[str], typer.Option("--coder", help="Use this coder's reviewed codings (with --codings: this coder's rows).")] = None,
    project: Annotated[Path, typer.Option("--project", help="Project folder holding the coders' decisions (for --coder).")] = Path("."),
    codebook: Annotated[Optional[Path], typer.Option("--codebook", "-c", help="Codebook YAML. Default: the study codebook.")] = None,
    window: Annotated[int, typer.Option("--window", "-k", help="Sequences: target within this many turns after the given turn.")] = 3,
    quotes: Annotated[int, typer.Option("--quotes", help="Exemplar quotes per dyad, theme and role.", min=0)] = 2,
    include_interviewer: Annotated[bool, typer.Option("--include-interviewer", help="Count the interviewer's turns in interviews.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No warnings or status on stderr.")] = False,
) -> None:
    """Summarise how client, therapist and interpreter each contribute to every theme, dyad by dyad."""
    if window < 1:
        raise usage_error("--window must be at least 1 turn")
    with handle_errors():
        from qualcode.summary import summarize, write_summary

        book = _codebook(codebook, rules=codings is None and coder is None)
        from qualcode.batch import CACHE_DIR

        summary = summarize(paths, codebook=book, codings=codings, coder=coder, project=project, manifest=manifest,
                            window=window, quotes=quotes, include_interviewer=include_interviewer,
                            cache=Path(out) / CACHE_DIR if out else None)
        err = err_console()
        if not quiet:
            print_diagnostics(summary.diagnostics)
            err.print(f"Codings used: {summary.source}", markup=False, soft_wrap=True)
        render_summary(summary, out_console(), by=by.value)
        if out is not None:
            written = write_summary(summary, out)
            if not quiet:
                err.print(f"Wrote {len(written)} files to {out}/ (summary.md, summary.html, CSV tables)", markup=False)
        elif not quiet:
            err.print("Add --out DIR to write summary.md, summary.html and the CSV tables.", markup=False)


def _codebook(path: Path | None, *, rules: bool):
    """The codebook: always needed for the rules; with given codings only when one is named or the default exists."""
    from qualcode.codebook import load_codebook
    from qualcode.codebook.default import default_codebook_path

    if path is None and not rules and not default_codebook_path().is_file():
        return None
    return load_codebook(path)


HEADERS = {"shared": "shared", "client-only": "C", "therapist-only": "T", "interpreter-only": "I",
           "absent": "absent", "missing-perspective": "missing"}
MARKS = {"shared": "S", "client-only": "C", "therapist-only": "T", "interpreter-only": "I", "absent": "·",
         "missing-perspective": "?"}


def render_summary(summary, console: Console, *, by: str = "theme") -> None:
    """The compact terminal view: per kind, either themes × patterns or dyads × themes."""
    from qualcode.summary.compute import PATTERNS
    from qualcode.summary.views import KIND_TITLES, Index, kappa_text, pct

    ix = Index(summary)
    for kind in summary.kinds:
        dyads = summary.dyads(kind)
        if by == "dyad":
            table = Table(title=f"{KIND_TITLES[kind]}: pattern of each theme in each dyad", title_justify="left")
            table.add_column("theme", no_wrap=True)
            for dyad in dyads:
                group = ix.patterns[(kind, dyad, summary.themes[0].id)].group if summary.themes else None
                table.add_column(dyad + (f"\n{group}" if group else ""), justify="center")
            for theme in summary.themes:
                table.add_row("  " * theme.depth + theme.id,
                              *(MARKS[ix.patterns[(kind, dyad, theme.id)].pattern] for dyad in dyads))
        else:
            table = Table(title=f"{KIND_TITLES[kind]}: {len(dyads)} dyad{'s' if len(dyads) != 1 else ''}, counted by pattern", title_justify="left")
            table.add_column("theme", no_wrap=True)
            for p in PATTERNS:
                table.add_column(HEADERS[p], justify="right")
            table.add_column("agree", justify="right")
            table.add_column("κ", justify="right")
            for theme in summary.themes:
                a = ix.agreement.get((kind, "all", "", theme.id))
                table.add_row("  " * theme.depth + theme.id,
                              *(str(ix.counts.get((kind, "all", "", theme.id, p), 0) or "·") for p in PATTERNS),
                              pct(a.percent_agreement) if a else "n/a", kappa_text(a.kappa) if a else "n/a")
        console.print(table)
        if kind == "session":
            top = sorted((s for s in summary.sequences if s.z is not None and s.z >= 1.96 and s.observed >= 2),
                         key=lambda s: (-s.z, s.given, s.target))[:5]
            line = Text(f"Sequences within {summary.window} turns (z ≥ 1.96): ", style="bold")
            line.append("; ".join(f"{s.given} → {s.target} (observed {s.observed}, expected {s.expected:.1f}, "
                                  f"z {s.z:.2f})" for s in top) or "none above chance")
            console.print(line)
    if by == "dyad":
        console.print("S shared · C, T, I raised only by client, therapist, interpreter · · absent · "
                      "? missing perspective", style="dim")
    else:
        console.print("C, T, I: raised only by client, therapist, interpreter · agree, κ: client vs therapist",
                      style="dim")
