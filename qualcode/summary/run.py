"""`summarize`: read the study, get its codings, compute the dyadic summary, write the reports."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from qualcode.errors import WARNING, Diagnostic, QualcodeError, TranscriptError
from qualcode.models import Codebook, Transcript
from qualcode.summary.compute import (Evidence, Summary, dyad_summaries, expand_to_ancestors, theme_infos,
                                      theme_statistics)
from qualcode.summary.quotes import exemplar_quotes
from qualcode.summary.sequences import code_sequences, transitions
from qualcode.summary.study import StudyError, assign_members, expand_paths, natural_key, read_manifest

#: Default window of the sequence analysis, in turns.
DEFAULT_WINDOW = 3


@dataclass(frozen=True)
class StudyCodings:
    """The transcripts read and the codings they carry, with where the codings came from."""

    transcripts: list[Transcript]
    evidence: list[Evidence]
    source: str
    diagnostics: list[Diagnostic]
    #: the codebook the rules used (None when codings were given)
    codebook: Codebook | None = None


def rule_codings(paths: list[Path], codebook: Codebook, *,
                 cache: str | Path | None = None) -> tuple[list[Transcript], list[Evidence]]:
    """Code the transcripts with the codebook's rules as `qualcode code` does: in parallel, reusing
    the results cached in `cache` for unchanged transcripts; then read each transcript for its text."""
    from qualcode.batch import code_corpus

    corpus = code_corpus(paths, codebook=codebook, cache=cache)
    problems = [d for failure in corpus.failures for d in failure.diagnostics]
    if problems:
        raise TranscriptError(problems)
    by_path = {doc.path: doc for doc in corpus.documents}
    transcripts = read_transcripts([Path(p) for p in paths], codebook)
    evidence = [Evidence(s.transcript, s.turn, s.theme, s.start, s.end, s.score)
                for t in transcripts for s in by_path[t.path].suggestions if not s.negated]
    return transcripts, evidence


def read_transcripts(paths: list[Path], codebook: Codebook | None) -> list[Transcript]:
    from qualcode.transcripts import read_transcripts as read_all

    return read_all(paths, speakers=codebook.speakers if codebook else None)


def study_codings(paths: list[Path], *, codebook: Codebook | None, codings: str | Path | None = None,
                  coder: str | None = None, project: str | Path = ".", cache: str | Path | None = None) -> StudyCodings:
    """Transcripts plus codings: a tidy codings CSV, a coder's reviewed codings, or the rules."""
    from qualcode.codings import read_codings_csv

    if codings is not None:
        rows = read_codings_csv(codings)
        coders = sorted({c.coder for c in rows})
        if coder is not None:
            if coder not in coders:
                raise QualcodeError(Diagnostic("QC550", f"codings file has no codings by coder '{coder}'", str(codings),
                                               hint=f"coders in the file: {', '.join(coders) or 'none'}"))
            rows = [c for c in rows if c.coder == coder]
        elif len(coders) > 1:
            raise QualcodeError(Diagnostic("QC550", f"codings file holds {len(coders)} coders ({', '.join(coders)})",
                                           str(codings), hint="choose one with --coder NAME"))
        transcripts = read_transcripts(paths, codebook)
        who = coder or (coders[0] if coders else "none")
        source = f"codings file {codings} (coder {who}, {len(rows)} codings)"
    elif coder is not None:
        from qualcode.review.store import coder_codings

        rows = coder_codings(project, coder)
        transcripts = read_transcripts(paths, codebook)
        source = f"reviewed codings of coder {coder} in project {project} ({len(rows)} codings)"
    else:
        if codebook is None:
            from qualcode.codebook import load_codebook
            codebook = load_codebook(None)
        transcripts, evidence = rule_codings(paths, codebook, cache=cache)
        source = f"rule suggestions from codebook '{codebook.name}' ({codebook.path})"
        return StudyCodings(transcripts, evidence, source, [], codebook)
    evidence, diags = _check_codings(rows, transcripts, str(codings) if codings else None)
    return StudyCodings(transcripts, evidence, source, diags)


def _check_codings(rows, transcripts: list[Transcript], path: str | None) -> tuple[list[Evidence], list[Diagnostic]]:
    """Codings that fit the transcripts; unknown transcripts are warned about, turns out of range are errors."""
    by_id = {t.id: t for t in transcripts}
    errors, warnings, unknown = [], [], {}
    evidence = []
    for c in rows:
        t = by_id.get(c.transcript)
        if t is None:
            unknown[c.transcript] = unknown.get(c.transcript, 0) + 1
            continue
        if c.turn > len(t.turns):
            errors.append(Diagnostic("QC549", f"coding of transcript '{c.transcript}' names turn {c.turn}, but it has "
                                     f"{len(t.turns)} turns", path or t.path,
                                     hint="turns count from 1 in file order; check the 'turn' column"))
            continue
        evidence.append(Evidence(c.transcript, c.turn, c.theme, c.start, c.end, 1.0))
    for tid, n in sorted(unknown.items()):
        warnings.append(Diagnostic("QC548", f"{n} coding(s) of transcript '{tid}', which is not among the PATHs; "
                                   "left out", path, hint="add that transcript to the PATHs, or check its id",
                                   severity=WARNING))
    if errors:
        raise QualcodeError(errors)
    return evidence, warnings


def summarize(paths: list[str | Path], *, codebook: Codebook | None = None, codings: str | Path | None = None,
              coder: str | None = None, project: str | Path = ".", manifest: str | Path | None = None,
              window: int = DEFAULT_WINDOW, quotes: int = 2, include_interviewer: bool = False,
              cache: str | Path | None = None) -> Summary:
    """The dyadic summary of a study's transcripts (see the README's 'Dyadic theme summaries').

    With rule codings, `cache` is a folder of coded results reused for unchanged transcripts."""
    if window < 1:
        raise StudyError(Diagnostic("QC555", f"window must be at least 1 turn, got {window}",
                                    hint="use --window 1 for the next turn only"))
    files = expand_paths(list(paths))
    manifest_rows = read_manifest(manifest) if manifest is not None else None
    data = study_codings(files, codebook=codebook, codings=codings, coder=coder, project=project, cache=cache)
    return build_summary(data, codebook=codebook or data.codebook, manifest_rows=manifest_rows,
                         manifest_path=str(manifest) if manifest else None, window=window, quotes=quotes,
                         include_interviewer=include_interviewer)


def build_summary(data: StudyCodings, *, codebook: Codebook | None, manifest_rows=None, manifest_path=None,
                  window: int = DEFAULT_WINDOW, quotes: int = 2, include_interviewer: bool = False) -> Summary:
    """Compute every table of the summary from transcripts and codings already read."""
    members, warnings = assign_members(data.transcripts, manifest=manifest_rows, manifest_path=manifest_path)
    diags = [d for t in data.transcripts for d in t.diagnostics] + list(data.diagnostics) + warnings
    themes = theme_infos(codebook, [e.theme for e in data.evidence])
    if codebook is not None:
        for theme in themes:
            if not theme.in_codebook:
                diags.append(Diagnostic("QC551", f"theme '{theme.id}' is not in the codebook; shown under its id",
                                        codebook.path, hint="check the theme id, or add it to the codebook",
                                        severity=WARNING))
    evidence = expand_to_ancestors(data.evidence, themes)
    roles, patterns = dyad_summaries(members, evidence, themes, include_interviewer=include_interviewer)
    counts, agreement = theme_statistics(patterns, themes)
    coded: dict[tuple[str, int], set[str]] = {}
    for e in data.evidence:
        coded.setdefault((e.transcript, e.turn), set()).add(e.theme)
    sequences = transitions(code_sequences(members, coded), window=window)
    return Summary(themes=themes, members=tuple(sorted(members, key=lambda m: (natural_key(m.dyad), m.kind, m.id))), roles=roles,
                   patterns=patterns, pattern_counts=counts, agreement=agreement,
                   quotes=exemplar_quotes(members, evidence, per_role=quotes, include_interviewer=include_interviewer),
                   sequences=sequences, window=window, include_interviewer=include_interviewer, source=data.source,
                   diagnostics=diags)


def write_summary(summary: Summary, out_dir: str | Path) -> list[Path]:
    """Write summary.md, summary.html and the CSV tables into `out_dir` (atomically); the paths written."""
    from qualcode.output.write import atomic_write_text
    from qualcode.summary.html import render_html
    from qualcode.summary.markdown import render_markdown
    from qualcode.summary.tables import TABLE_COLUMNS, table_csv

    out = Path(out_dir)
    files = {"summary.md": render_markdown(summary), "summary.html": render_html(summary)}
    for table in TABLE_COLUMNS:
        files[f"{table}.csv"] = table_csv(summary, table)
    written = []
    for name, text in files.items():
        atomic_write_text(out / name, text)
        written.append(out / name)
    return written
