"""summary.html in a real headless browser: it renders from disk without console errors, and the
screenshot is kept under test-output/summary/ for a person to look at."""
from __future__ import annotations

import shutil
import subprocess

import pytest

from summary_support import OUTPUT

CHROMIUM = next((shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome")
                 if shutil.which(name)), None)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no Chromium installed (Debian: apt-get install chromium), so summary.html is not "
                             "rendered in a browser")

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]


def _chromium(args: list[str], profile) -> subprocess.CompletedProcess:
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True, text=True,
                          timeout=90)


def test_summary_html_renders_without_console_errors(study_summary, tmp_path):
    from qualcode.summary.html import render_html

    OUTPUT.mkdir(parents=True, exist_ok=True)
    page = OUTPUT / "summary.html"
    page.write_text(render_html(study_summary), encoding="utf-8")
    shot = OUTPUT / "summary-screenshot.png"
    shot.unlink(missing_ok=True)
    r = _chromium(["--enable-logging=stderr", "--v=0", f"--screenshot={shot}", "--window-size=1400,2000",
                   page.as_uri()], tmp_path / "profile")
    assert r.returncode == 0, r.stderr[-2000:]
    assert shot.stat().st_size > 20_000  # a page with charts, not a blank one
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    console = [line for line in r.stderr.splitlines() if ":CONSOLE(" in line or "Uncaught" in line]
    assert console == []
    dom = _chromium(["--dump-dom", page.as_uri()], tmp_path / "profile2")
    assert dom.returncode == 0
    assert "<h1>Dyadic theme summary</h1>" in dom.stdout
    assert "came back &lt;later&gt;." in dom.stdout  # transcript text stays text
    assert dom.stdout.count("<svg") == 4  # heatmap and role bars, for interviews and sessions
