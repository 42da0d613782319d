"""The engine: outages are inconclusive, declared absences pass until they expire, findings are
deterministic, and a fault remembers the run where it began."""

from datetime import date
from pathlib import Path

from test_rules_support import (
    Crawl,
    annual_report,
    checklist,
    fees,
    open_store,
    site,
    site_item,
    statutes,
    tenders,
)

from auditor.evaluate import evaluate
from auditor.models import FetchStatus, PageKind, RunState, Verdict
from auditor.store import Store
from checklist.model import Absence

AS_OF = date(2018, 11, 30)
ITEMS = (statutes(), annual_report(), tenders(), fees())


def full_site(absent: Absence | None = None):  # type: ignore[no-untyped-def]
    return site(site_item(2), site_item(6, departments=("党办、校办", "信息中心")),
                site_item(18, departments=("招标办",)), site_item(21, departments=("财务处",), absent=absent))


def healthy_crawl(store: Store, *, report: bool = True) -> int:
    crawl = Crawl.begin(store)
    crawl.catalogue(2, kind=PageKind.ARTICLE, text="北京科技大学章程全文……" * 5)
    crawl.catalogue(6)
    if report:
        crawl.entry(6, "2017~2018学年信息公开工作年度报告", date(2018, 10, 30), n=1, text="信息公开工作年度报告")
    else:
        crawl.entry(6, "2015~2016学年信息公开工作年度报告", date(2016, 10, 28), n=1, text="信息公开工作年度报告")
    crawl.catalogue(18)
    crawl.entry(18, "设备采购公告", date(2018, 11, 1), n=1, text="招标公告")
    crawl.catalogue(21, kind=PageKind.ARTICLE, text="收费项目、收费依据、收费标准；投诉电话010-62332317",
                    published=date(2018, 9, 1))
    return crawl.finish()


def test_site_wide_outage_is_inconclusive_and_unscored(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    crawl = Crawl.begin(store)
    for n in (2, 6, 18, 21):
        crawl.catalogue(n, status=FetchStatus.TIMEOUT, http_status=None, kind=PageKind.UNKNOWN)
    run = crawl.finish()
    result = evaluate(store, run, full_site(), checklist(*ITEMS), AS_OF)
    assert result.run.state is RunState.INCONCLUSIVE and store.run(run).state is RunState.INCONCLUSIVE
    assert {it.status for it in result.items} == {Verdict.INCONCLUSIVE}
    assert not result.scored and result.overall_score is None
    assert all(d.score is None for d in result.departments)
    assert "网站整体无法访问" in result.item(6).note


def test_one_unreachable_column_is_not_an_outage(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    crawl = Crawl.begin(store)
    crawl.catalogue(2, kind=PageKind.ARTICLE, text="北京科技大学章程全文……" * 5)
    crawl.catalogue(6, status=FetchStatus.WAF, http_status=412, kind=PageKind.UNKNOWN)
    crawl.catalogue(18, status=FetchStatus.HTTP_ERROR, http_status=404, kind=PageKind.UNKNOWN)
    crawl.catalogue(21, status=FetchStatus.HTTP_ERROR, http_status=404, kind=PageKind.UNKNOWN)
    run = crawl.finish()
    result = evaluate(store, run, full_site(), checklist(*ITEMS), AS_OF)
    assert result.run.state is RunState.COMPLETE
    assert [it.status for it in result.items] == [Verdict.PASS, Verdict.INCONCLUSIVE, Verdict.FAIL, Verdict.FAIL]
    assert result.overall_score == round(100 / 3, 1)  # the inconclusive item is left out


def test_declared_absence_passes_until_it_expires(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    crawl = Crawl.begin(store)
    crawl.catalogue(21, kind=PageKind.EMPTY)
    for n in (2, 6, 18):
        crawl.catalogue(n, kind=PageKind.ARTICLE, text="内容" * 20)
    run = crawl.finish()
    absence = Absence(reason="本年度学校未设立收费项目调整", until=date(2018, 12, 31))
    before = evaluate(store, run, full_site(absence), checklist(*ITEMS), AS_OF).item(21)
    assert before.status is Verdict.PASS
    assert "已声明本期无此类信息" in before.note and "2018年12月31日" in before.note
    after = evaluate(store, run, full_site(absence), checklist(*ITEMS), date(2019, 1, 1)).item(21)
    assert after.status is Verdict.FAIL
    assert "到期" in after.note
    assert [f.rule for f in after.findings][:3] == ["presence.declared-absence", "presence.catalogue-reachable",
                                                   "presence.not-blank"]


def test_evaluating_twice_gives_identical_findings(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    run = healthy_crawl(store, report=False)
    first = evaluate(store, run, full_site(), checklist(*ITEMS), AS_OF)
    stored = store.findings(run)
    second = evaluate(store, run, full_site(), checklist(*ITEMS), AS_OF)
    assert first.items == second.items
    assert store.findings(run) == stored
    assert [f.item for f in stored] == sorted(f.item for f in stored)


def test_first_seen_reaches_back_to_where_the_fault_began(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    runs = []
    # run 1 healthy; runs 2, 4, 5 miss the report; run 3 (interrupted, evaluated all the same) in between
    for n, state in enumerate([RunState.COMPLETE, RunState.COMPLETE, RunState.INTERRUPTED, RunState.COMPLETE,
                               RunState.COMPLETE]):
        if state is RunState.COMPLETE:
            run = healthy_crawl(store, report=n == 0)
        else:
            run = Crawl.begin(store).finish(state)
        evaluate(store, run, full_site(), checklist(*ITEMS), date(2018, 11, 20 + n))
        runs.append(run)

    def missing(run: int):  # type: ignore[no-untyped-def]
        return next(f for f in store.findings(run) if f.rule == "freshness.current-edition")

    assert missing(runs[0]).status is Verdict.PASS and missing(runs[0]).first_seen_run is None
    began = missing(runs[1])
    assert began.status is Verdict.FAIL and began.first_seen_run == runs[1]
    assert began.first_seen_at == date(2018, 11, 21)
    for later in (runs[3], runs[4]):
        assert missing(later).first_seen_run == runs[1]
        assert missing(later).first_seen_at == date(2018, 11, 21)


def test_departments_are_scored_with_their_contacts(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    run = healthy_crawl(store, report=False)
    result = evaluate(store, run, full_site(), checklist(*ITEMS), AS_OF)
    office = result.department("党办、校办")
    assert office.items == (2, 6) and office.score == 50.0 and office.contact == "5@ustb.edu.cn"
    assert result.department("信息中心").score == 0.0
    assert result.item(6).status is Verdict.FAIL
