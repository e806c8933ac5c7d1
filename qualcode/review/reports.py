"""Gather codings from coder logs and tidy CSVs, then compute agreement or evaluation reports."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from qualcode.codings import Coding, read_codings_csv
from qualcode.errors import Diagnostic, QualcodeError, Report
from qualcode.models import Codebook
from qualcode.review import store


@dataclass
class Sources:
    """Codings of several coders, which transcripts each coded, and the transcripts' turns where known."""

    codings: list[Coding]
    coverage: dict[str, set[str]]
    coders: tuple[str, ...]
    turns: dict[str, int] = field(default_factory=dict)
    turn_spans: dict[tuple[str, int], tuple[int, int]] = field(default_factory=dict)
    #: interviewer turns of interviews: not units unless someone coded them
    interviewer_turns: set[tuple[str, int]] = field(default_factory=set)
    turn_info: dict[tuple[str, int], tuple[str, str]] = field(default_factory=dict)
    report: Report = field(default_factory=Report)


def gather(*, project: str | Path = ".", coders: Sequence[str] = (), codings_files: Sequence[str | Path] = (),
           transcripts: Sequence[str | Path] = (), codebook: Codebook | None = None) -> Sources:
    """Codings from the project's coder logs (`coders`; default: all, when no file is given) and tidy CSV files.

    A coder named in `coders` but found nowhere is an error (QC351); so is a coder found in both a log and a file.
    """
    report = Report()
    codings: list[Coding] = []
    coverage: dict[str, set[str]] = {}
    from_files: list[Coding] = []
    errors: list[Diagnostic] = []
    for path in codings_files:
        try:
            from_files.extend(read_codings_csv(path))
        except QualcodeError as exc:
            errors.extend(exc.diagnostics)
    if errors:
        raise QualcodeError(errors)
    file_coders = {c.coder for c in from_files}
    logged = store.coders(project)
    if coders:
        wanted_logs = [c for c in coders if c in logged and c not in file_coders]
    else:  # every logged coder, unless codings files were given
        wanted_logs = [] if codings_files else list(logged)
    for name in wanted_logs:
        state = store.load_state(project, name, report=report)
        codings.extend(state.codings())
        coverage[name] = set(state.touched)
        for t in sorted(t for t in state.touched if not state.done.get(t)):
            report.add(Diagnostic("QC355", f"coder '{name}' has not decided every suggestion of {t}; undecided ones "
                                  "count as not coded", str(store.log_path(project, name)), severity="warning",
                                  hint=f"finish with `qualcode review TRANSCRIPT --coder {name}`"))
    clash = sorted(file_coders & set(logged) & set(coders))
    for name in clash:
        report.add(Diagnostic("QC352", f"coder '{name}' has a decision log and codings in a file; the file is used",
                              str(store.log_path(project, name)), severity="warning",
                              hint="rename the coder in one of them to compare both"))
    codings.extend(c for c in from_files if not coders or c.coder in coders)
    names = tuple(coders) if coders else tuple(sorted({*wanted_logs, *file_coders}))
    missing = [name for name in names if name not in coverage and name not in file_coders]
    if missing:
        raise QualcodeError([Diagnostic("QC351", f"no codings for coder '{name}'", str(store.decisions_dir(project)),
                                        hint=f"coders with a log here: {', '.join(logged) or 'none'}; "
                                             "or give --codings FILE") for name in missing])
    for c in codings:
        coverage.setdefault(c.coder, set()).add(c.transcript)
    sources = Sources(codings, coverage, names, report=report)
    if transcripts:
        from qualcode.transcripts import read_transcript

        problems: list[Diagnostic] = []
        for path in transcripts:
            try:
                t = read_transcript(path, speakers=codebook.speakers if codebook else None)
            except QualcodeError as exc:
                problems.extend(exc.diagnostics)
                continue
            sources.turns[t.id] = len(t.turns)
            for turn in t.turns:
                sources.turn_spans[(t.id, turn.number)] = (turn.start, turn.end)
                if t.kind == "interview" and turn.role == "interviewer":
                    sources.interviewer_turns.add((t.id, turn.number))
                sources.turn_info[(t.id, turn.number)] = (turn.speaker, " ".join(turn.text.split()))
        if problems:
            raise QualcodeError(problems)
        _keep_given_transcripts(sources)
    return sources


def _keep_given_transcripts(sources: Sources) -> None:
    """Only codings of the given transcripts count; turns past a transcript's end are reported and dropped."""
    given = sources.turns
    kept = [c for c in sources.codings if c.transcript in given]
    if sources.codings and not kept:
        raise QualcodeError(Diagnostic(
            "QC357", f"none of the codings belong to these transcripts ({', '.join(sorted(given))})", None,
            hint="a coding names a transcript by its front-matter id, else its file name without extension"))
    beyond = [c for c in kept if c.turn > given[c.transcript]]
    for t, turn in sorted({(c.transcript, c.turn) for c in beyond}):
        sources.report.add(Diagnostic("QC358", f"codings of turn {turn}, but {t} has {given[t]} turns; left out",
                                      None, severity="warning",
                                      hint="the transcript changed since it was coded? check the turn numbers"))
    sources.codings = [c for c in kept if c.turn <= given[c.transcript]]
    sources.coverage = {name: covered & set(given) for name, covered in sources.coverage.items()}


def exclusive_children(codebook: Codebook | None, parent: str) -> list[tuple[str, str]]:
    """(id, path) of the children of `parent` in the codebook; a QC353 error if it has none."""
    if codebook is None:
        return []
    if parent not in codebook.theme_ids:
        raise QualcodeError(Diagnostic("QC353", f"--exclusive: no theme '{parent}' in the codebook", codebook.path,
                                       hint=f"themes with children: {', '.join(_parents(codebook)) or 'none'}"))
    kids = codebook.children(parent)
    if len(kids) < 2:
        raise QualcodeError(Diagnostic("QC353", f"--exclusive: theme '{parent}' has fewer than two children",
                                       codebook.path, hint=f"themes with children: {', '.join(_parents(codebook))}"))
    return [(k.id, k.path) for k in kids]


def _parents(codebook: Codebook) -> list[str]:
    return [t.id for t in codebook.themes if codebook.children(t.id)]


def agreement_report(*, project: str | Path = ".", coders: Sequence[str] = (), codings_files=(), transcripts=(),
                     codebook: Codebook | None = None, exclusive: str | None = None, overlap: float | None = None,
                     uncoded: str = "exclude"):
    """Gather the codings and compute `qualcode.agreement.agreement`; returns (report, turn_info)."""
    from qualcode.agreement import agreement

    sources = gather(project=project, coders=coders, codings_files=codings_files, transcripts=transcripts,
                     codebook=codebook)
    if len(sources.coders) < 2:
        raise QualcodeError(Diagnostic("QC351", f"agreement needs two or more coders, found "
                                       f"{len(sources.coders)} ({', '.join(sources.coders) or 'none'})",
                                       str(store.decisions_dir(project)),
                                       hint="name them with --coder A --coder B, or give --codings FILE"))
    children = exclusive_children(codebook, exclusive) if exclusive else []
    if exclusive and not children and not any(c.theme.startswith(exclusive + "/") for c in sources.codings):
        raise QualcodeError(Diagnostic("QC353", f"--exclusive: no codings of a child of '{exclusive}'", None,
                                       hint="give --codebook so its children are known, or write themes as "
                                            f"{exclusive}/CHILD"))
    themes = None
    if codebook is not None and not exclusive:
        used = {c.theme for c in sources.codings}
        themes = [t for t in codebook.theme_ids if t in used] + sorted(used - set(codebook.theme_ids))
        for theme in sorted(used - set(codebook.theme_ids)):
            sources.report.add(Diagnostic("QC356", f"theme '{theme}' is not in the codebook; compared as it is",
                                          codebook.path, severity="warning",
                                          hint="check for a typo or a renamed theme in the codings"))
    result = agreement(sources.codings, coders=sources.coders, coverage=sources.coverage, themes=themes,
                       turns=sources.turns or None, turn_spans=sources.turn_spans, uncoded=uncoded,
                       skip=sources.interviewer_turns,
                       exclusive=exclusive, children=children, overlap=overlap)
    result.diagnostics[:0] = sources.report.diagnostics
    return result, sources.turn_info


def evaluation_report(*, transcripts: Sequence[str | Path], gold: str, predicted: str | None = None,
                      model: str | Path | None = None, project: str | Path = ".", codebook: Codebook | None = None,
                      pipeline: str | None = None):
    """Score rule suggestions (default), a model (`model`) or a coder/file (`predicted`) against `gold`."""
    from qualcode.evaluate import evaluate

    gold_sources = _one_coder(gold, project, transcripts, codebook, "--gold")
    gold_coder = gold_sources.coders[0]
    if predicted is not None:
        pred_codings = _one_coder(predicted, project, (), codebook, "--predicted").codings
    elif model is not None:
        pred_codings = model_codings(model, transcripts, codebook=codebook)
    else:
        from qualcode.coding import code_transcript
        from qualcode.codings import suggestions_as_codings
        from qualcode.engine.match import compile_codebook

        compiled = compile_codebook(codebook, pipeline=pipeline)
        pred_codings = []
        for path in transcripts:
            result = code_transcript(path, codebook=codebook, compiled=compiled)
            pred_codings.extend(suggestions_as_codings(result.suggestions))
    themes = None
    if codebook is not None:
        used = {c.theme for c in gold_sources.codings} | {c.theme for c in pred_codings}
        themes = [t for t in codebook.theme_ids if t in used] + sorted(used - set(codebook.theme_ids))
    covered = gold_sources.coverage.get(gold_coder, set())
    if gold_sources.turns:
        covered &= set(gold_sources.turns)
    coded = {(c.transcript, c.turn) for c in (*pred_codings, *gold_sources.codings)}
    units = [u for u in gold_sources.turn_spans if u not in gold_sources.interviewer_turns or u in coded]
    result = evaluate(predicted=pred_codings, gold=gold_sources.codings, units=units,
                      transcripts=covered, themes=themes)
    result.diagnostics[:0] = gold_sources.report.diagnostics
    if gold_sources.turns and not covered:
        raise QualcodeError(Diagnostic("QC354", f"the gold coder '{gold_coder}' coded none of these transcripts", None,
                                       hint="check the transcript ids match the gold codings"))
    return result


def _one_coder(name: str, project, transcripts, codebook, option: str) -> Sources:
    if name.lower().endswith(".csv") or Path(name).is_file():
        sources = gather(codings_files=[name], transcripts=transcripts, codebook=codebook, project=project)
    else:
        sources = gather(project=project, coders=[name], transcripts=transcripts, codebook=codebook)
    if len(sources.coders) != 1:
        raise QualcodeError(Diagnostic("QC351", f"{option} file holds {len(sources.coders)} coders "
                                       f"({', '.join(sources.coders)}); it must hold one", name,
                                       hint="split the file, or filter it to one coder"))
    return sources


def model_codings(model_dir: str | Path, transcripts: Sequence[str | Path], *,
                  codebook: Codebook | None) -> list[Coding]:
    """Codings predicted by a model from `qualcode train` (at its thresholds), one per turn and theme."""
    from qualcode.codings import suggestions_as_codings
    from qualcode.model.modeldir import load_model
    from qualcode.model.predict import predict
    from qualcode.transcripts import read_transcript

    model = load_model(model_dir)
    out: list[Coding] = []
    for path in transcripts:
        transcript = read_transcript(path, speakers=codebook.speakers if codebook else None)
        out.extend(suggestions_as_codings(predict(transcript, model), coder="model"))
    return out
