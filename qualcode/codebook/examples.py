"""A codebook's examples are its unit tests: every positive example must be suggested for its
theme, every negative example must not.

"Suggested for its theme" means a hit that is not negated, for the theme or one of its
descendants (a hit for 'rupture' is a hit inside 'rupture_repair'). Role restrictions do not
apply: an example has no speaker. The same matcher as `qualcode code` is used.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from qualcode.codebook.load import CodebookCheck, inspect_codebook
from qualcode.errors import Diagnostic

#: Longest piece of an example text quoted in a failure message.
QUOTE_CHARS = 60


@dataclass(frozen=True)
class ExampleResult:
    """One example tried: which theme and kind, where it is, whether it passed, what fired."""

    theme: str
    kind: str  # "positive" | "negative"
    number: int  # 1-based among the theme's examples of this kind
    text: str
    line: int | None
    col: int | None
    passed: bool
    fired: tuple[str, ...]  # "theme (rule 'span')" for every hit, negated ones marked


@dataclass
class ExampleReport:
    """The examples of one codebook, tried; `diagnostics` holds the failures (and any errors)."""

    path: str
    results: list[ExampleResult] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def failed(self) -> list[ExampleResult]:
        return [r for r in self.results if not r.passed]

    def summary(self) -> str:
        """'path: 14 of 16 examples pass' (or 'not tested', 'no examples')."""
        if self.results:
            return f"{self.path}: {len(self.results) - len(self.failed)} of {len(self.results)} examples pass"
        return f"{self.path}: {'not tested' if self.diagnostics else 'no examples'}"


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return f'"{text}"' if len(text) <= QUOTE_CHARS else f'"{text[:QUOTE_CHARS - 1]}…"'


def _covers(theme_id: str, hit_theme: str, paths: dict[str, str]) -> bool:
    """Is a hit for `hit_theme` a hit for `theme_id` (itself or a descendant)?"""
    return hit_theme == theme_id or f"/{theme_id}/" in f"/{paths.get(hit_theme, hit_theme)}"


def test_examples(check: CodebookCheck, *, pipeline: str | None = None) -> ExampleReport:
    """Try every example of a checked codebook. A codebook with errors is not tried: its errors are
    returned instead (so are patterns that need a trained pipeline when none is given)."""
    report = ExampleReport(check.path)
    if check.codebook is None or check.errors:
        report.diagnostics = check.errors or check.diagnostics
        return report
    if pipeline is None:
        needs = [d for d in check.diagnostics if d.code == "QC123"]
        if needs:
            report.diagnostics = [Diagnostic(d.code, d.message, d.path, d.line, d.col,
                                             "test with --pipeline NAME (an installed trained spaCy pipeline)")
                                  for d in needs]
            return report
    from qualcode.engine.match import compile_codebook, match_doc

    codebook = check.codebook
    compiled = compile_codebook(codebook, pipeline=pipeline)
    paths = {t.id: t.path for t in codebook.themes}
    cases = []
    for index, theme in enumerate(codebook.themes):
        for kind, texts in (("positive", theme.positive_examples), ("negative", theme.negative_examples)):
            for i, text in enumerate(texts):
                cases.append((index, theme, kind, i, text))
    docs = compiled.make_docs(text for *_, text in cases)
    for (index, theme, kind, i, text), doc in zip(cases, docs):
        hits = match_doc(doc, compiled)
        mine = [h for h in hits if _covers(theme.id, h.theme, paths)]
        suggested = [h for h in mine if not h.negated]
        passed = bool(suggested) if kind == "positive" else not suggested
        fired = tuple(f"{h.theme}{' (negated)' if h.negated else ''} by {h.rule} at '{text[h.start:h.end]}'"
                      for h in hits)
        line, col = check.example_position(index, kind, i)
        report.results.append(ExampleResult(theme.id, kind, i + 1, text, line, col, passed, fired))
        if passed:
            continue
        where = f"theme '{theme.id}' → examples → {kind}[{i + 1}]"
        if kind == "positive":
            if mine:
                message = f"{where}: {_quote(text)} was suggested only as negated ({'; '.join(fired)})"
                hint = "a negation cue (not, never, no…) stands just before the hit; rephrase the example"
            else:
                also = f"; fired instead: {'; '.join(fired)}" if fired else "; nothing fired"
                message = f"{where}: {_quote(text)} was not suggested{also}"
                hint = "add a keyword or pattern that matches it, or move it to another theme"
            code = "QC130"
        else:
            message = f"{where}: {_quote(text)} was suggested ({'; '.join(f for f, h in zip(fired, hits) if h in suggested)})"
            hint = "make the keyword or pattern more specific, or remove the example"
            code = "QC131"
        report.diagnostics.append(Diagnostic(code, message, check.path, line, col, hint))
    return report


def test_codebook(path: str | Path, *, pipeline: str | None = None) -> ExampleReport:
    """Check and test one codebook file."""
    return test_examples(inspect_codebook(path), pipeline=pipeline)


def examples_json(reports: list[ExampleReport]) -> str:
    """Every example tried, as one JSON document with fixed keys."""
    import json
    from dataclasses import asdict

    from qualcode.codebook.report import diagnostic_record

    data = {"version": 1, "passed": not any(r.diagnostics for r in reports),
            "files": [{"path": r.path, "examples": len(r.results), "failed": len(r.failed),
                       "results": [asdict(x) | {"fired": list(x.fired)} for x in r.results]} for r in reports],
            "diagnostics": [diagnostic_record(d) for r in reports for d in r.diagnostics]}
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


test_examples.__test__ = False  # not a pytest test, despite the name
test_codebook.__test__ = False

__all__ = ["ExampleReport", "ExampleResult", "examples_json", "test_codebook", "test_examples"]
