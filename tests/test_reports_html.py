"""Scorecards (HTML + XLSX) and the dashboard, rendered for real and read back with lxml and openpyxl."""

from __future__ import annotations

import zipfile
from dataclasses import replace
from datetime import date
from pathlib import Path
from urllib.parse import unquote

import lxml.html
import openpyxl
import pytest

from auditor.models import RunState, Verdict
from auditor.results import SCORE_FORMULA, AuditResult, department_results, score
from reports.html import render_dashboard, render_scorecards
from reports.samples import make_finding, make_result

XSS = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://evil.example/","点我")'
BUDGET_URL = "http://xxgk.example.edu.cn/caiwu/yusuan/list.htm"
DASHBOARD_JS = (Path(__file__).resolve().parents[1] / "reports" / "static" / "dashboard.js").read_text(encoding="utf-8")


def _history_and_current() -> tuple[list[AuditResult], AuditResult]:
    history = [
        make_result(1, date(2018, 9, 28), {19: Verdict.FAIL}),  # 19 first seen just before 国庆
        make_result(2, date(2018, 10, 26), state=RunState.INTERRUPTED),
        make_result(3, date(2018, 11, 9), {19: Verdict.FAIL, 12: Verdict.FAIL}),
    ]
    current = make_result(
        4, date(2018, 11, 30), {12: Verdict.PASS, 20: Verdict.WARN},
        findings={
            19: (make_finding(19, Verdict.FAIL, "栏目中找不到2018年部门预算", url=BUDGET_URL,
                              evidence={"最新条目": "2017年部门预算", "HTTP": "200"}),),
            21: (make_finding(21, Verdict.FAIL, f"页面标题 {XSS} 缺少“投诉方式”",
                              evidence={"标题": XSS}),),
        },
        titles={21: FORMULA},
    )
    return history, current


@pytest.fixture()
def rendered(tmp_path: Path) -> tuple[AuditResult, list[Path]]:
    history, current = _history_and_current()
    return current, render_scorecards(current, history, tmp_path)


def _page(path: Path) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(path.read_text(encoding="utf-8"))


def test_one_html_and_one_xlsx_per_department_with_safe_names(rendered: tuple[AuditResult, list[Path]]) -> None:
    result, paths = rendered
    assert len(paths) == 2 * len(result.departments)
    names = {p.name for p in paths}
    assert "06-财务处.html" in names and "06-财务处.xlsx" in names
    assert all(p.parent.name == "scorecards" for p in paths)


def test_scorecard_shows_score_by_the_formula_failures_links_and_fix_by_dates(
        rendered: tuple[AuditResult, list[Path]]) -> None:
    result, paths = rendered
    page = _page(next(p for p in paths if p.name == "06-财务处.html"))
    # 财务处 owns 15 (pass), 19 (fail), 20 (warn), 21 (fail): (100 + 60) / 4.
    expected = score([Verdict.PASS, Verdict.FAIL, Verdict.WARN, Verdict.FAIL])
    assert expected == 40.0 == result.department("财务处").score
    assert page.get_element_by_id("score").text_content().strip() == "40.0"
    assert SCORE_FORMULA in page.get_element_by_id("formula").text_content()
    row = page.get_element_by_id("item-19")
    assert "不合格" in row.text_content() and "栏目中找不到2018年部门预算" in row.text_content()
    assert BUDGET_URL in [a.get("href") for a in row.iter("a")]
    assert "最新条目：2017年部门预算" in row.text_content()
    # First seen in run 1 on 2018-09-28; ten working days skip 国庆 and count the 调休 Saturdays 9-29/9-30.
    assert "第 1 次" in row.text_content() and "2018-09-28" in row.text_content()
    assert "2018-10-17" in row.text_content() and "已逾期" in row.text_content()
    # Failing rows come before passing ones.
    order = [tr.get("id") for tr in page.get_element_by_id("items").iter("tr") if tr.get("id")]
    assert order.index("item-15") > order.index("item-20")
    # Trend: earlier scored runs, the interrupted run marked unscored, the current one.
    trend = page.get_element_by_id("trend").text_content()
    assert "#2" in trend and "不计分" in trend and "40.0" in trend


def test_new_problem_is_first_seen_in_the_current_run(rendered: tuple[AuditResult, list[Path]]) -> None:
    _, paths = rendered
    row = _page(next(p for p in paths if p.name == "06-财务处.html")).get_element_by_id("item-20")
    assert "第 4 次" in row.text_content() and "2018-11-30" in row.text_content()
    assert "2018-12-14" in row.text_content() and "已逾期" not in row.text_content()


def test_fix_days_is_configurable(tmp_path: Path) -> None:
    history, current = _history_and_current()
    paths = render_scorecards(current, history, tmp_path, fix_days=3)
    row = _page(next(p for p in paths if p.name == "06-财务处.html")).get_element_by_id("item-20")
    assert "2018-12-05" in row.text_content()


def test_crawled_markup_is_text_in_every_html_report(tmp_path: Path) -> None:
    history, current = _history_and_current()
    paths = render_scorecards(current, history, tmp_path)
    dashboard = render_dashboard(current, history, tmp_path)
    for path in [dashboard, next(p for p in paths if p.name == "06-财务处.html")]:
        raw = path.read_text(encoding="utf-8")
        assert XSS not in raw
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in raw
        page = lxml.html.fromstring(raw)
        # The dashboard's one script is our static file, byte for byte: no crawled text ever reaches it.
        scripts = [s.text for s in page.xpath("//script")]
        assert scripts == ([DASHBOARD_JS] if path == dashboard else [])
        assert XSS in page.text_content()


def test_xlsx_scorecard_holds_values_and_never_formulas(rendered: tuple[AuditResult, list[Path]]) -> None:
    _, paths = rendered
    path = next(p for p in paths if p.name == "06-财务处.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb["成绩单"]
    assert ws["B3"].value == 40.0
    assert SCORE_FORMULA in str(ws["A4"].value)
    rows = {r[0].value: r for r in ws.iter_rows(min_row=8) if isinstance(r[0].value, int)}
    assert set(rows) == {15, 19, 20, 21}
    assert rows[19][3].value == "不合格" and rows[19][4].value == "栏目中找不到2018年部门预算"
    assert rows[19][5].value == BUDGET_URL and rows[19][5].hyperlink.target == BUDGET_URL
    assert rows[19][9].value.date() == date(2018, 10, 17)
    assert XSS in rows[21][4].value
    title = rows[21][2]
    assert title.value == FORMULA and title.data_type == "s" and title.quotePrefix
    with zipfile.ZipFile(path) as z:
        assert "<f>" not in z.read("xl/worksheets/sheet1.xml").decode()


def test_unscored_run_says_so_and_shows_no_score(tmp_path: Path) -> None:
    history, _ = _history_and_current()
    broken = make_result(5, date(2018, 12, 7), state=RunState.INCONCLUSIVE)
    paths = render_scorecards(broken, history, tmp_path)
    page = _page(next(p for p in paths if p.name == "06-财务处.html"))
    assert "不计分" in page.get_element_by_id("unscored").text_content()
    assert page.xpath('//*[@id="score"]') == []
    ws = openpyxl.load_workbook(next(p for p in paths if p.name == "06-财务处.xlsx"))["成绩单"]
    assert ws["B3"].value == "不计分"
    index = lxml.html.fromstring(render_dashboard(broken, history, tmp_path).read_text(encoding="utf-8"))
    assert index.get_element_by_id("score").text_content().strip() == "—"
    assert "不计分" in index.get_element_by_id("unscored").text_content()


def test_any_department_name_yields_a_file_inside_the_folder(tmp_path: Path) -> None:
    _, current = _history_and_current()
    odd = "../../etc/财务:处*?"
    items = tuple(replace(it, departments=(odd,)) if it.item == 19 else it for it in current.items)
    weird = replace(current, items=items, departments=department_results(items, {}, True))
    paths = render_scorecards(weird, [], tmp_path / "out")
    mine = [p for p in paths if "财务" in p.name and "处" in p.name and p.name.count("-") == 1]
    assert paths and all(p.resolve().parent == (tmp_path / "out" / "scorecards").resolve() for p in paths)
    assert any("etc_财务_处" in p.name for p in mine)


def test_dashboard_grid_scores_changes_and_links(tmp_path: Path) -> None:
    history, current = _history_and_current()
    render_scorecards(current, history, tmp_path)
    page = _page(render_dashboard(current, history, tmp_path))
    cells = page.get_element_by_id("item-grid").xpath("./a")
    assert len(cells) == 50
    by_item = {int(c.get("data-item")): c for c in cells}
    assert by_item[19].get("data-status") == "fail" and "不合格" in by_item[19].text_content()
    assert by_item[20].get("data-status") == "warn" and "部门决算" in by_item[20].text_content()
    assert "栏目中找不到2018年部门预算" in by_item[19].get("title")
    assert by_item[19].get("href") == "#item-19" and "栏目中找不到" in page.get_element_by_id("item-19").text_content()
    # Overall score is the formula over all 50 items: 47 pass, 1 warn, 2 fail.
    assert page.get_element_by_id("score").text_content().strip() == f"{(47 * 100 + 60) / 50:.1f}"
    assert page.get_element_by_id("pass-rate").text_content().strip() == "94.0%"
    # Department table links to the scorecard files that exist.
    links = {a.text_content(): a.get("href") for a in page.get_element_by_id("departments").iter("a")}
    assert (tmp_path / unquote(links["财务处"])).exists()
    assert "40.0" in page.get_element_by_id("departments").text_content()
    assert "65.7" in page.get_element_by_id("categories").text_content()  # 财务类: (4×100+60+0+0)/7
    # Compared with run 3 (the interrupted run 2 is skipped): 20, 21 new; 12 fixed; 19 still open.
    new = page.get_element_by_id("new-problems").text_content()
    assert "(20)" in new and "(21)" in new and "(19)" not in new
    assert "(12)" in page.get_element_by_id("fixed").text_content()
    assert "(19)" in page.get_element_by_id("persisting").text_content()
    # No resource is fetched from anywhere: the page works offline.
    assert page.xpath("//link[@href] | //script[@src] | //img[@src] | //iframe") == []
    assert len(page.xpath("//svg[contains(@class,'trend')]//*[local-name()='circle']")) == 4


def test_every_site_check_has_a_name_people_read() -> None:
    from auditor.rules.site import SITE_RULES
    from reports.common import SITE_CHECK_NAMES

    assert {r.id for r in SITE_RULES} == set(SITE_CHECK_NAMES)
