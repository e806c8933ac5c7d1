"""summary.md and summary.html: content, escaping, self-containment; summary.md against a golden file."""
from __future__ import annotations

import os
import re

from summary_support import ROOT

GOLDEN = ROOT / "tests" / "golden" / "summary"


def _normalise(text: str) -> str:
    return text.replace(str(ROOT), "<ROOT>")


def test_markdown_matches_golden(study_summary):
    from qualcode.summary.markdown import render_markdown

    text = _normalise(render_markdown(study_summary))
    golden = GOLDEN / "summary.md"
    if os.environ.get("QUALCODE_UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def test_markdown_dyadic_dialogue_puts_client_beside_therapist(study_summary):
    from qualcode.summary.markdown import render_markdown

    text = render_markdown(study_summary)
    trust = text[text.index("### Bond and trust (`trust`)"):text.index("### Translation accuracy")]
    assert "*Definition.* Trusting or feeling safe with another person in the therapy." in trust
    assert ("| A01 | favorable | face-to-face | shared | 1 turn (33%) | 1 turn (50%) | – |" in trust)
    assert ("| A04 | struggling | online | missing perspective | 1 turn (100%) | no interview | no interview |"
            in trust)
    assert ("| A01 | “At first I was scared. After a few weeks I could trust them both.” (a01-client, line 12) | "
            "“She came to trust me slowly, over months.” (a01-therapist, line 12) |" in trust)
    assert "Client–therapist agreement: 1 of 3 dyads agree (33%), κ = -0.50." in trust
    # transcript text cannot break the table or inject markup
    assert "came back \\<later\\>." in text


def test_html_is_self_contained_and_escaped(study_summary):
    from qualcode.summary.html import render_html

    page = render_html(study_summary)
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page.lower()
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", page, re.I)
    assert "@import" not in page and "url(http" not in page
    assert "I walked out in the third session &amp; came back &lt;later&gt;." in page
    assert "<later>" not in page
    # the heatmap: one cell per dyad × theme of each kind, coloured by pattern
    assert page.count("<rect x=") >= (4 + 2) * 5
    assert 'fill="url(#hatch)"' in page  # A04's missing perspective
    assert "A04 · Bond and trust: missing perspective (raised by client)" in page
