"""Freshness: deadlines on their boundary day, the 20-working-day grace across 调休, editions by title."""

from datetime import date
from pathlib import Path

import pytest
from test_rules_support import (
    Crawl,
    annual_report,
    employment,
    fees,
    findings,
    open_store,
    site_item,
    statutes,
    tenders,
)

from auditor.editions import edition_year, period_label, title_period
from auditor.models import PageKind, Verdict
from checklist.model import MonthDay, Period

RULE = "freshness.current-edition"


def report_column(tmp_path: Path, *editions: tuple[str, date | None]) -> tuple[Crawl, int]:
    crawl = Crawl.begin(open_store(tmp_path))
    crawl.catalogue(6)
    for n, (title, when) in enumerate(editions):
        crawl.entry(6, title, when, n=n, text=title + "全文")
    return crawl, crawl.finish()


@pytest.mark.parametrize(("as_of", "expected"), [(date(2018, 10, 31), Verdict.PASS), (date(2018, 11, 1), Verdict.FAIL)])
def test_annual_report_deadline_boundary_day(tmp_path: Path, as_of: date, expected: Verdict) -> None:
    crawl, run = report_column(tmp_path, ("北京科技大学2016~2017学年信息公开工作年度报告", date(2017, 10, 20)))
    f = findings(crawl.store, run, annual_report(), as_of)[RULE]
    assert f.status is expected
    if expected is Verdict.FAIL:
        assert f.message.startswith("未找到2017~2018学年信息公开工作年度报告（应于2018年10月31日前发布）")


def test_only_an_older_period_names_the_latest_edition_and_its_date(tmp_path: Path) -> None:
    crawl, run = report_column(
        tmp_path,
        ("北京科技大学2015-2016学年信息公开工作年度报告", date(2016, 10, 28)),
        ("北京科技大学2014—2015学年度信息公开工作年度报告", date(2015, 10, 30)),
    )
    f = findings(crawl.store, run, annual_report(), date(2018, 11, 30))[RULE]
    assert f.status is Verdict.FAIL
    assert f.message == ("未找到2017~2018学年信息公开工作年度报告（应于2018年10月31日前发布）；"
                         "最新一期为2015~2016学年（2016-10-28）")
    assert f.evidence["due"] == "2017~2018学年" and f.evidence["deadline"] == "2018-10-31"


@pytest.mark.parametrize(("published", "expected"), [(date(2018, 11, 28), Verdict.PASS), (date(2018, 11, 29), Verdict.WARN)])
def test_published_after_deadline_plus_twenty_working_days_is_late_not_missing(
        tmp_path: Path, published: date, expected: Verdict) -> None:
    # 31 Oct 2018 + 20 working days = 28 Nov 2018
    crawl, run = report_column(tmp_path, ("2017~2018学年信息公开工作年度报告", published))
    f = findings(crawl.store, run, annual_report(), date(2018, 11, 30))[RULE]
    assert f.status is expected
    if expected is Verdict.WARN:
        assert "2018年11月29日" in f.message and "2018年11月28日" in f.message


@pytest.mark.parametrize(("published", "expected"), [
    (date(2018, 10, 29), Verdict.PASS),  # late by a weekday count (26 Oct), on time by the official calendar
    (date(2018, 10, 31), Verdict.PASS),
    (date(2018, 11, 1), Verdict.WARN),
])
def test_grace_counts_the_make_up_weekend_and_skips_national_day(
        tmp_path: Path, published: date, expected: Verdict) -> None:
    crawl = Crawl.begin(open_store(tmp_path))
    crawl.catalogue(32)
    crawl.entry(32, "北京科技大学2018届毕业生就业情况", published, n=1)
    run = crawl.finish()
    # the university's own deadline (Friday 28 Sep) wins over the 清单's 30 Sep
    si = site_item(32, deadline=MonthDay(9, 28))
    f = findings(crawl.store, run, employment(), date(2018, 11, 30), si)[RULE]
    assert f.status is expected, f.message
    assert f.evidence["grace_end"] == "2018-10-31"


def test_edition_dated_by_its_title_only(tmp_path: Path) -> None:
    crawl, run = report_column(tmp_path, ("北京科技大学二〇一七—二〇一八学年度信息公开工作年度报告", None))
    f = findings(crawl.store, run, annual_report(), date(2018, 11, 30))[RULE]
    assert f.status is Verdict.PASS
    assert "dated_by" not in f.evidence


def test_undated_untitled_content_counts_as_not_updated(tmp_path: Path) -> None:
    crawl, run = report_column(tmp_path, ("信息公开工作年度报告", None))
    f = findings(crawl.store, run, annual_report(), date(2018, 11, 30))[RULE]
    assert f.status is Verdict.FAIL and "视为未更新" in f.message


def test_last_modified_dates_an_edition_when_nothing_else_does(tmp_path: Path) -> None:
    crawl = Crawl.begin(open_store(tmp_path))
    crawl.catalogue(6)
    url = crawl.entry(6, "信息公开工作年度报告", None, n=1, fetch=False)
    crawl.page(url, 6, title="信息公开工作年度报告", text="年度报告全文",
               last_modified="Tue, 30 Oct 2018 02:00:00 GMT")
    f = findings(crawl.store, crawl.finish(), annual_report(), date(2018, 11, 30))[RULE]
    assert f.status is Verdict.PASS
    assert f.evidence["dated_by"] == "http:last-modified" and f.evidence["date"] == "2018-10-30"


def test_last_years_late_report_is_not_taken_for_this_years(tmp_path: Path) -> None:
    # untitled, published 2017-11-20: within last year's grace (28 Nov 2017), so it is the 2016~2017 report
    crawl, run = report_column(tmp_path, ("信息公开工作年度报告", date(2017, 11, 20)))
    assert findings(crawl.store, run, annual_report(), date(2018, 11, 30))[RULE].status is Verdict.FAIL


def test_editions_published_after_the_as_of_date_did_not_exist_yet(tmp_path: Path) -> None:
    crawl, run = report_column(tmp_path, ("2017~2018学年信息公开工作年度报告", date(2018, 11, 20)),
                               ("2016~2017学年信息公开工作年度报告", date(2017, 10, 25)))
    f = findings(crawl.store, run, annual_report(), date(2018, 11, 5))[RULE]
    assert f.status is Verdict.FAIL and "2016~2017学年（2017-10-25）" in f.message


def test_event_column_silent_past_its_span_warns(tmp_path: Path) -> None:
    crawl = Crawl.begin(open_store(tmp_path))
    crawl.catalogue(18)
    crawl.entry(18, "设备采购公告", date(2018, 7, 1), n=1)
    run = crawl.finish()
    f = findings(crawl.store, run, tenders(), date(2018, 11, 30))["freshness.recent-entries"]
    assert f.status is Verdict.WARN and "152天" in f.message
    assert findings(crawl.store, run, tenders(), date(2018, 9, 1))["freshness.recent-entries"].status is Verdict.PASS


@pytest.mark.parametrize(("when", "expected"), [(date(2016, 9, 1), Verdict.FAIL), (date(2018, 3, 1), Verdict.PASS)])
def test_annual_item_without_a_deadline_fails_after_thirteen_months(
        tmp_path: Path, when: date, expected: Verdict) -> None:
    crawl = Crawl.begin(open_store(tmp_path))
    crawl.catalogue(21)
    crawl.entry(21, "收费公示", when, n=1)
    f = findings(crawl.store, crawl.finish(), fees(), date(2018, 11, 30))["freshness.latest-age"]
    assert f.status is expected


def test_standing_item_without_any_date_passes(tmp_path: Path) -> None:
    crawl = Crawl.begin(open_store(tmp_path))
    crawl.catalogue(2, kind=PageKind.ARTICLE, text="北京科技大学章程（核准稿）全文……" * 3)
    f = findings(crawl.store, crawl.finish(), statutes(), date(2018, 11, 30))["freshness.standing"]
    assert f.status is Verdict.PASS


@pytest.mark.parametrize(("title", "period", "year"), [
    ("北京科技大学2017~2018学年信息公开工作年度报告", Period.ACADEMIC_YEAR, 2018),
    ("2017-2018学年本科教学质量报告", Period.YEAR_OR_ACADEMIC, 2018),
    ("2018年本科教学质量报告", Period.YEAR_OR_ACADEMIC, 2018),
    ("北京科技大学2017年度部门决算", Period.PREVIOUS_YEAR, 2018),
    ("北京科技大学2019年硕士研究生招生简章", Period.NEXT_YEAR, 2018),
    ("北京科技大学2018届毕业生就业质量年度报告", Period.CALENDAR_YEAR, 2018),
    ("二〇一八年部门预算", Period.CALENDAR_YEAR, 2018),
    ("关于2018年10月31日停电的通知", Period.CALENDAR_YEAR, None),
])
def test_title_periods_map_to_the_year_whose_deadline_they_answer(title: str, period: Period, year: int | None) -> None:
    found = title_period(title)
    assert (edition_year(found, period) if found else None) == year


def test_period_labels() -> None:
    assert period_label(2018, Period.ACADEMIC_YEAR) == "2017~2018学年"
    assert period_label(2018, Period.PREVIOUS_YEAR) == "2017年度"
    assert period_label(2018, Period.NEXT_YEAR) == "2019年"
