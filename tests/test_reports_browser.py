"""The dashboard in a real headless Chromium, loaded from file:// with networking off: it must render the
50-cell grid with no console errors and no request leaving the machine."""

from __future__ import annotations

import shutil
import struct
import subprocess
from datetime import date
from pathlib import Path

import lxml.html
import pytest

from auditor.models import RunState, Verdict
from reports.html import render_dashboard, render_scorecards
from reports.samples import make_finding, make_result

CHROMIUM = next((p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary on PATH (apt-get install chromium)")

WIDTH, HEIGHT = 1280, 2000


def _chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    profile = tmp_path / "profile"
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-extensions", "--hide-scrollbars", f"--user-data-dir={profile}",
         # Anything that tries to reach the network fails loudly instead of waiting.
         "--proxy-server=127.0.0.1:9", "--enable-logging=stderr", "--v=0", *args],
        capture_output=True, text=True, timeout=90, check=False,
    )


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    history = [make_result(1, date(2018, 9, 28), {19: Verdict.FAIL, 6: Verdict.WARN}),
               make_result(2, date(2018, 10, 26), state=RunState.INTERRUPTED),
               make_result(3, date(2018, 11, 9), {19: Verdict.FAIL, 12: Verdict.FAIL})]
    current = make_result(
        4, date(2018, 11, 30), {19: Verdict.WARN, 21: Verdict.FAIL, 33: Verdict.INCONCLUSIVE, 45: Verdict.WARN},
        findings={21: (make_finding(21, Verdict.FAIL, "标题 <script>console.error('xss')</script> 缺少投诉方式"),)})
    render_scorecards(current, history, out)
    return render_dashboard(current, history, out)


def test_dom_has_the_grid_and_no_console_errors(dashboard: Path, tmp_path: Path) -> None:
    proc = _chromium(tmp_path, "--dump-dom", dashboard.as_uri())
    assert proc.returncode == 0, proc.stderr[-2000:]
    page = lxml.html.fromstring(proc.stdout)
    cells = page.get_element_by_id("item-grid").xpath("./a[contains(@class,'cell')]")
    assert len(cells) == 50
    assert [c.get("data-status") for c in cells].count("fail") == 1
    console = [line for line in proc.stderr.splitlines() if "CONSOLE" in line or "Failed to load resource" in line]
    assert console == []
    assert "console.error('xss')" in page.text_content()  # shown as text, never run


def test_screenshot_is_a_real_picture(dashboard: Path, tmp_path: Path) -> None:
    shot = tmp_path / "dashboard.png"
    proc = _chromium(tmp_path, f"--screenshot={shot}", f"--window-size={WIDTH},{HEIGHT}", dashboard.as_uri())
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == (WIDTH, HEIGHT)
    assert len(data) > 30_000  # a blank or error page compresses to a few kilobytes
    try:
        from PIL import Image
    except ImportError:
        return
    with Image.open(shot) as img:
        colours = img.convert("RGB").getcolors(maxcolors=1_000_000) or []
    # The status colours of the grid are actually painted.
    painted = {rgb for _, rgb in colours}
    assert (0x2E, 0x7D, 0x32) in painted and (0xC6, 0x28, 0x28) in painted
