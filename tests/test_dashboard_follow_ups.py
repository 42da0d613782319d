"""Follow-ups on the dashboard, rendered for real and read back with lxml: the ones a run implies by
itself (new, overdue past its working-day deadline) and the stored ones a person has moved on (已通知,
情况说明 …), which the renderer takes as given."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import lxml.html

from auditor.lifecycle import FollowUp, State, StateChange, derived_follow_ups
from auditor.models import RuleKind, Verdict
from auditor.results import AuditResult
from reports.html import render_dashboard
from reports.samples import make_finding, make_result

AS_OF = date(2018, 11, 30)
XSS = '<img src=x onerror="alert(1)">'


def _result() -> AuditResult:
    """Item 19 first seen before 国庆 (deadline 2018-10-17), 12 a month later, 20 this night; 21 fails on
    two rules first seen on different nights."""
    return make_result(
        4, AS_OF,
        findings={
            19: (make_finding(19, Verdict.FAIL, "栏目中找不到2018年部门预算", first_seen=(1, date(2018, 9, 28))),),
            12: (make_finding(12, Verdict.FAIL, f"复试成绩公开不全 {XSS}", first_seen=(3, date(2018, 11, 9)),
                              evidence={"urls": "http://a.example/1.xls\nhttp://a.example/2.xls"}),),
            20: (make_finding(20, Verdict.WARN, "决算缺少一张表", first_seen=(4, AS_OF)),),
            21: (make_finding(21, Verdict.FAIL, "缺少投诉方式", first_seen=(2, date(2018, 10, 26))),
                 make_finding(21, Verdict.WARN, "栏目久未更新", first_seen=(4, AS_OF), kind=RuleKind.FRESHNESS)),
        },
    )


def _page(path: Path) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(path.read_text(encoding="utf-8"))


def _table(page: lxml.html.HtmlElement, table: str) -> list[list[str]]:
    return [[td.text_content().strip() for td in tr.xpath("./td")] for tr in page.xpath(f'//table[@id="{table}"]/tbody/tr')]


def test_derived_follow_ups_count_working_days_from_first_seen() -> None:
    ups = derived_follow_ups(_result(), fix_days=10)
    assert set(ups) == {"19-presence.sample-1", "12-presence.sample-3", "20-presence.sample-4",
                        "21-presence.sample-2", "21-freshness.sample-4"}
    late = ups["19-presence.sample-1"]
    # Ten working days after 2018-09-28 skip 国庆 and count the 调休 Saturday 09-29 and Sunday 09-30.
    assert (late.deadline, late.state, late.days_overdue) == (date(2018, 10, 17), State.OVERDUE, 44)
    assert (late.item, late.department, late.first_seen, late.history) == (19, "财务处", date(2018, 9, 28), ())
    fresh = ups["20-presence.sample-4"]
    assert (fresh.deadline, fresh.state, fresh.days_overdue) == (date(2018, 12, 14), State.NEW, 0)
    # Supporting departments answer to the lead: item 15's lead is 财务处, not 资产管理处.
    shared = derived_follow_ups(make_result(1, AS_OF, {15: Verdict.FAIL}), fix_days=10)
    assert [u.department for u in shared.values()] == ["财务处"]
    # Nothing to follow up on a pass or an inconclusive item.
    assert derived_follow_ups(make_result(1, AS_OF, {33: Verdict.INCONCLUSIVE}), fix_days=10) == {}


def test_overdue_list_is_longest_overdue_first_and_to_fix_soonest_deadline_first(tmp_path: Path) -> None:
    page = _page(render_dashboard(_result(), [], tmp_path))
    overdue = _table(page, "overdue")
    assert [(row[1], row[5]) for row in overdue] == [
        ("(19) 部门预算", "44"), ("(21) 收费项目与投诉方式", "21"), ("(12) 研究生复试成绩", "7")]
    assert overdue[0][0] == "财务处" and overdue[0][3:5] == ["2018-09-28", "2018-10-17"] and overdue[0][6] == "逾期"
    to_fix = _table(page, "to-fix")
    assert [row[1] for row in to_fix] == ["(20) 部门决算", "(21) 收费项目与投诉方式"]
    assert all(row[4] == "2018-12-14" and row[5] == "—" and row[6] == "新发现" for row in to_fix)
    assert page.get_element_by_id("overdue-count").text_content().strip() == "3"
    # Crawled text in a problem stays text, in the table and in the data the script reads.
    assert XSS in page.get_element_by_id("overdue").text_content()
    assert page.xpath("//img") == [] and "<img" not in "".join(page.xpath("//@data-url | //@data-depts"))
    # Each department row counts what it leads, and links its scorecard and its ledger.
    finance = next(tr for tr in page.xpath('//table[@id="department-table"]/tbody/tr') if tr.get("data-name") == "财务处")
    assert finance.get("data-overdue") == "2"
    assert [a.get("href") for a in finance.iter("a")] == [
        "scorecards/06-%E8%B4%A2%E5%8A%A1%E5%A4%84.html", "scorecards/06-%E8%B4%A2%E5%8A%A1%E5%A4%84.xlsx"]
    assert page.get_element_by_id("school-ledger").get("href") == "%E5%85%A8%E6%A0%A1%E6%95%B4%E6%94%B9%E5%8F%B0%E8%B4%A6.xlsx"


def test_stored_follow_ups_are_shown_as_given(tmp_path: Path) -> None:
    """The store's record (who notified, who explained) replaces the derived states."""
    result = _result()
    ups = derived_follow_ups(result, fix_days=10)
    at = datetime(2018, 11, 20, 9, 30, tzinfo=UTC)
    explained = StateChange(at=at, author="张三", state=State.EXPLAINED, note="该栏目已并入招生网", until=date(2019, 6, 30))
    notified = StateChange(at=at, author="督办组", state=State.NOTIFIED, note="", until=None)
    stored: dict[str, FollowUp] = {
        **ups,
        "19-presence.sample-1": replace(ups["19-presence.sample-1"], state=State.EXPLAINED, days_overdue=0,
                                        history=(explained,)),
        "20-presence.sample-4": replace(ups["20-presence.sample-4"], state=State.NOTIFIED, history=(notified,)),
        # reported fixed after its deadline: now the group's turn to re-check, no longer the department's
        "12-presence.sample-3": replace(ups["12-presence.sample-3"], state=State.AWAITING_RECHECK),
    }
    page = _page(render_dashboard(result, [], tmp_path, follow_ups=stored))
    assert [row[1] for row in _table(page, "overdue")] == ["(21) 收费项目与投诉方式"]
    recheck = next(row for row in _table(page, "to-fix") if row[1] == "(12) 研究生复试成绩")
    assert recheck[5:] == ["7", "已整改待复核"]
    settled = _table(page, "settled")
    assert [row[1] for row in settled] == ["(19) 部门预算"]
    assert "情况说明" in settled[0][6] and "张三" in settled[0][6] and "至 2019-06-30" in settled[0][6]
    assert "该栏目已并入招生网" in settled[0][6]
    notified_row = next(row for row in _table(page, "to-fix") if row[1] == "(20) 部门决算")
    assert notified_row[6].startswith("已通知") and "督办组" in notified_row[6]
    # The item rows carry the states the filter picks from.
    assert page.get_element_by_id("item-19").get("data-states") == '["情况说明"]'


def test_a_clean_run_says_there_is_nothing_overdue(tmp_path: Path) -> None:
    page = _page(render_dashboard(make_result(1, AS_OF), [], tmp_path))
    assert "没有逾期事项" in page.get_element_by_id("overdue-section").text_content()
    assert "没有待整改事项" in page.get_element_by_id("to-fix-section").text_content()
    assert page.get_element_by_id("overdue-count").text_content().strip() == "0"
    assert "所有事项均合格" in page.get_element_by_id("details").text_content()
