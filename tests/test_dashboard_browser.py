"""The 督办 dashboard of a real audit, driven in headless Chromium from file:// with networking off.

The sample site is audited twice by the `auditor` command (as of 2018-06-29, then 2018-11-30), so the
second dashboard holds problems first seen five months earlier (overdue) and one first seen that night
(still to fix). Filters are set the way a supervisor shares a view: in the address
(`index.html#dept=研究生院&q=身份证`), which the page's script reads.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

import lxml.html
import pytest

from auditor.calendar import add_working_days
from reports.scorecard import DEFAULT_FIX_DAYS
from samplesite.server import SampleSiteServer

CHROMIUM = next((p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary on PATH (apt-get install chromium)")

FIRST, SECOND = "2018-06-29", "2018-11-30"
GRAD_SCHOOL = "研究生院"
FILTERED_ROWS = ("overdue", "to-fix", "problem-items", "pass-items", "department-table")


@dataclass
class Audit:
    out: Path
    findings: dict[str, Any]

    @property
    def dashboard(self) -> Path:
        return self.out / "index.html"

    def url(self, fragment: str = "") -> str:
        return self.dashboard.as_uri() + (f"#{fragment}" if fragment else "")

    def problems(self) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        """(item, finding) for every warning or failure of an item."""
        return [(it, f) for it in self.findings["items"] for f in it["findings"] if f["status"] in ("warn", "fail")]


@pytest.fixture(scope="module")
def audit(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Audit]:
    tmp = tmp_path_factory.mktemp("dash")
    with SampleSiteServer() as server:
        env = {**os.environ, "http_proxy": server.proxy_url, "no_proxy": "", "XXGK_STORE_PATH": str(tmp / "a.sqlite"),
               "XXGK_CRAWL_POLITE": "false", "XXGK_CONFIG": ""}
        env.pop("HTTP_PROXY", None)
        for as_of in (FIRST, SECOND):
            proc = subprocess.run(
                [sys.executable, "-m", "auditor", "run", "--site", "ustb", "--as-of", as_of, "--out", str(tmp / as_of)],
                capture_output=True, text=True, env=env, timeout=300, cwd=tmp, check=False)
            assert proc.returncode == 1, proc.stderr[-2000:]  # items fail on the sample site
    out = tmp / SECOND
    yield Audit(out, json.loads((out / "findings.json").read_text(encoding="utf-8")))


def _chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-extensions", "--hide-scrollbars", f"--user-data-dir={tmp_path / 'profile'}",
         "--proxy-server=127.0.0.1:9", "--enable-logging=stderr", "--v=0", *args],
        capture_output=True, text=True, timeout=90, check=False,
    )


def _dom(tmp_path: Path, url: str) -> lxml.html.HtmlElement:
    proc = _chromium(tmp_path, "--dump-dom", url)
    assert proc.returncode == 0 and proc.stdout, proc.stderr[-2000:]
    errors = [line for line in proc.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]
    assert errors == []
    return lxml.html.fromstring(proc.stdout)


def _rows(page: lxml.html.HtmlElement, table: str) -> list[lxml.html.HtmlElement]:
    return list(page.xpath(f'//table[@id="{table}"]/tbody/tr'))


def _shown(rows: list[lxml.html.HtmlElement]) -> list[lxml.html.HtmlElement]:
    return [r for r in rows if r.get("hidden") is None]


def _pdf(tmp_path: Path, url: str, *extra: str) -> tuple[int, list[str], tuple[float, ...]]:
    """Print to PDF as a reader would (no header or footer); the page count, each page's text, the size."""
    from pdfminer.high_level import extract_text
    from pdfminer.pdfpage import PDFPage

    pdf = tmp_path / "dashboard.pdf"
    pdf.unlink(missing_ok=True)
    proc = _chromium(tmp_path, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", *extra, url)
    assert proc.returncode == 0 and pdf.is_file(), proc.stderr[-2000:]
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    with pdf.open("rb") as f:
        pages = list(PDFPage.get_pages(f))
    texts = [extract_text(str(pdf), page_numbers=[i]) for i in range(len(pages))]
    return len(pages), texts, tuple(pages[0].mediabox)


def test_overdue_problems_come_first_oldest_deadline_worst(audit: Audit, tmp_path: Path) -> None:
    page = _dom(tmp_path, audit.url())
    sections = [s.get("id") for s in page.xpath("//main/section")]
    assert sections.index("overdue-section") < sections.index("to-fix-section") < sections.index("departments")
    as_of = date.fromisoformat(SECOND)
    late, due = set(), set()
    for it, f in audit.problems():
        deadline = add_working_days(date.fromisoformat(f["first_seen_at"]), DEFAULT_FIX_DAYS)
        (late if deadline < as_of else due).add((it["item"], (as_of - deadline).days, deadline))
    assert late and due  # the sample site has both, or this test says nothing
    overdue = _rows(page, "overdue")
    assert {(int(r.get("data-item")), int(r.get("data-days"))) for r in overdue} == {(n, d) for n, d, _ in late}
    days = [int(r.get("data-days")) for r in overdue]
    assert days == sorted(days, reverse=True) and min(days) > 0
    cells = [c.text_content().strip() for c in overdue[0].xpath("./td")]
    department, item, _problem, seen, deadline, late_by, state = cells
    assert department and re.match(r"\(\d+\) \S", item)
    assert seen == FIRST and deadline == add_working_days(date(2018, 6, 29), DEFAULT_FIX_DAYS).isoformat()
    assert late_by == str(days[0]) and state == "逾期"
    # What was first seen this night is still to fix, with its deadline and no days overdue.
    to_fix = {int(r.get("data-item")): [c.text_content().strip() for c in r.xpath("./td")] for r in _rows(page, "to-fix")}
    assert set(to_fix) == {n for n, _, _ in due}
    for n, _, deadline_on in due:
        assert to_fix[n][3:] == [SECOND, deadline_on.isoformat(), "—", "新发现"]


def test_choosing_a_department_hides_the_other_departments_rows(audit: Audit, tmp_path: Path) -> None:
    everything = _dom(tmp_path, audit.url())
    page = _dom(tmp_path, audit.url("dept=" + quote(GRAD_SCHOOL)))
    for table in FILTERED_ROWS:
        rows = _rows(page, table)
        shown = _shown(rows)
        assert all(GRAD_SCHOOL in json.loads(r.get("data-depts")) for r in shown), table
        assert all(GRAD_SCHOOL not in json.loads(r.get("data-depts")) for r in rows if r not in shown), table
        assert len(rows) == len(_rows(everything, table))  # hidden, not removed
    departments = _shown(_rows(page, "department-table"))
    assert len(departments) == 1 and departments[0].get("data-name") == GRAD_SCHOOL
    assert _shown(_rows(page, "overdue")) and len(_shown(_rows(page, "overdue"))) < len(_rows(page, "overdue"))
    assert page.get_element_by_id("filters").get("hidden") is None
    assert "逾期" in page.get_element_by_id("filter-status").text_content()


def test_category_and_state_filters(audit: Audit, tmp_path: Path) -> None:
    finance = _dom(tmp_path, audit.url("cat=3"))  # 3. 财务、资产及收费信息
    problems = _rows(finance, "problem-items")
    assert {r.get("data-cat") for r in _shown(problems)} == {"3"} and len(_shown(problems)) < len(problems)
    cells = finance.get_element_by_id("item-grid").xpath("./a")
    assert {c.get("data-cat") for c in cells if "dim" not in c.get("class", "").split()} == {"3"}
    assert len(cells) == 50  # greyed, not removed
    fresh = _dom(tmp_path, audit.url("state=" + quote("新发现")))
    shown = _shown(_rows(fresh, "overdue") + _rows(fresh, "to-fix"))
    assert shown and all(json.loads(r.get("data-states")) == ["新发现"] for r in shown)
    # The overdue table, now empty, is replaced by a sentence saying so.
    assert fresh.get_element_by_id("overdue").get("hidden") is not None
    assert fresh.xpath('//section[@id="overdue-section"]/p[contains(@class,"none-match") and not(@hidden)]')


def test_search_narrows_rows_to_what_mentions_it(audit: Audit, tmp_path: Path) -> None:
    page = _dom(tmp_path, audit.url("q=" + quote("身份证号")))
    leaking = {it["item"] for it, f in audit.problems() if "身份证号" in f["message"]}
    assert leaking  # the sample site plants ID numbers in published lists
    shown = {int(r.get("data-item")) for r in _shown(_rows(page, "overdue") + _rows(page, "to-fix"))}
    assert shown == leaking
    assert len(_rows(page, "overdue")) > len(leaking)
    # Search and department together: both must hold.
    both = _dom(tmp_path, audit.url("dept=" + quote("学生工作处（部）") + "&q=" + quote("身份证号")))
    assert _shown(_rows(both, "overdue") + _rows(both, "to-fix")) == []
    assert both.xpath('//p[contains(@class,"none-match") and not(@hidden)]')


def test_departments_are_worst_first_and_sort_by_score_on_request(audit: Audit, tmp_path: Path) -> None:
    def scores(page: lxml.html.HtmlElement) -> list[float]:
        return [float(r.get("data-score")) for r in _rows(page, "department-table") if r.get("data-score")]

    plain = scores(_dom(tmp_path, audit.url()))
    assert plain == sorted(plain) and plain[0] < plain[-1]
    best_first = _dom(tmp_path, audit.url("sort=-score"))
    assert scores(best_first) == sorted(plain, reverse=True)
    assert best_first.xpath('//th[@data-sort="score"]/@aria-sort') == ["descending"]
    # Unscored departments (the column behind a firewall) stay last either way.
    assert _rows(best_first, "department-table")[-1].get("data-score") == ""


def test_without_javascript_the_whole_page_is_there(audit: Audit, tmp_path: Path) -> None:
    """Scripts off, even a filtered address shows every overdue row, and the controls, useless then, are
    gone. Headless Chromium neither prints nor dumps a page with scripts disabled, so the page is printed
    without its script element, which is the document such a browser lays out."""
    fragment = "dept=" + quote(GRAD_SCHOOL) + "&q=" + quote("身份证号")
    overdue = {f"({it['item']}) {it['short_name']}" for it, f in audit.problems()
               if add_working_days(date.fromisoformat(f["first_seen_at"]), DEFAULT_FIX_DAYS) < date.fromisoformat(SECOND)}
    html = audit.dashboard.read_text(encoding="utf-8")
    bare = audit.out / "index-noscript.html"  # beside the original: the same relative links
    bare.write_text(re.sub(r"<script>.*?</script>", "", html, flags=re.DOTALL), encoding="utf-8")
    try:
        _, texts, _ = _pdf(tmp_path, bare.as_uri() + "#" + fragment)
    finally:
        bare.unlink()
    text = "".join(texts)
    assert {x for x in overdue if x not in text} == set()
    _, filtered, _ = _pdf(tmp_path, audit.url(fragment))
    assert sum(label in "".join(filtered) for label in overdue) < len(overdue)  # the script did filter
    # The page as served: every item in it, problems first, passes folded, the form hidden.
    page = lxml.html.fromstring(html)
    assert page.get_element_by_id("filters").get("hidden") is not None
    problems, passes = _rows(page, "problem-items"), _rows(page, "pass-items")
    assert len(problems) + len(passes) == 50
    assert page.xpath('//details[@id="passes"]//table[@id="pass-items"]') and page.xpath("//details/@open") == []
    assert all(r.get("class", "").startswith("row-pass") for r in passes)
    assert not any(r.get("class", "").startswith("row-pass") for r in problems)
    assert all(r.get("hidden") is None for t in FILTERED_ROWS for r in _rows(page, t))


def test_printed_on_a4_in_at_most_four_pages(audit: Audit, tmp_path: Path) -> None:
    count, texts, box = _pdf(tmp_path, audit.url())
    width, height = box[2] - box[0], box[3] - box[1]
    assert abs(width - 595.3) < 2 and abs(height - 841.9) < 2  # A4 in points
    assert count <= 4, [t[:80] for t in texts]
    assert "逾期事项" in texts[0]
    assert "全部部门" not in "".join(texts)  # no filter controls on paper
    assert "合格事项" in "".join(texts)  # passes summarised in one line


def test_evidence_urls_are_one_per_line(audit: Audit) -> None:
    page = lxml.html.fromstring(audit.dashboard.read_text(encoding="utf-8"))
    multi = [it for it, f in audit.problems() if "\n" in f["evidence"].get("urls", "")]
    assert multi  # e.g. the three dead attachments of item 3
    row = page.get_element_by_id(f"item-{multi[0]['item']}")
    lines = row.xpath('.//span[@class="lines"]/span[@class="line"]')
    assert len(lines) >= 2 and all("http" in line.text_content() for line in lines)


def test_vetoes_stand_first_and_grade_the_site_and_their_lead(audit: Audit, tmp_path: Path) -> None:
    """A published ID-number list is a 单项否决: listed before the overdue problems with its lead department,
    the site graded 不合格 beside its score, and the lead's row in the departments table says so."""
    vetoed = {(it["item"], it["departments"][0]) for it in audit.findings["items"]
              for f in it["findings"] if f.get("veto")}
    assert vetoed  # the sample site publishes ID numbers, or this test says nothing
    page = _dom(tmp_path, audit.url(f"dept={quote(GRAD_SCHOOL)}"))
    sections = [s.get("id") for s in page.xpath("//main/section")]
    assert sections.index("vetoes") < sections.index("overdue-section")
    rows = _rows(page, "veto-table")
    listed = {(int(re.search(r"\((\d+)\)", r.xpath("./td")[1].text_content()).group(1)),
               r.xpath("./td")[0].text_content().strip()) for r in rows}
    assert listed == vetoed
    assert all(GRAD_SCHOOL in r.xpath("./td")[0].text_content() for r in _shown(rows))
    assert page.get_element_by_id("site-grade").text_content() == "不合格"
    leads = {dept for _, dept in vetoed}
    for row in _rows(page, "department-table"):
        graded = "单项否决" in row.xpath("./td")[1].text_content()
        assert graded == (row.get("data-name") in leads), row.get("data-name")
