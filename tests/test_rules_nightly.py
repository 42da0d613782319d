"""The rules only a nightly audit can check, on multi-night histories written into a real Store.

Each night is a run written as the spider would and judged by the engine as of its own date, in order,
exactly as `auditor run --as-of` does night after night. What matters to a clerk: the finding, the two
dates (or the nights) it rests on, and that a night the audit could not read never becomes blame.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

from auditor.evaluate import evaluate
from auditor.models import FetchStatus, Link, LinkVia, PageKind, PageRole, RunState, Verdict
from auditor.results import AuditResult
from auditor.rules.nightly import notice_end
from auditor.store import Store
from checklist.model import Department, Item, KeepPublic, Source
from tests.test_rules_support import (
    HOST,
    Crawl,
    aid,
    checklist,
    column,
    open_store,
    site,
    site_item,
    tenders,
)

OLD = date(2018, 11, 1)  # an entry every night shows: the list reaches back to here


def admitted() -> Item:
    return Item(number=13, category=2, category_name="招生考试信息", wording="拟录取研究生名单", short_name="拟录取名单",
                basis=Source("清单第13项", True), cycle=tenders().cycle, max_age_days=400, privacy_sensitive=True,
                keep_public=KeepPublic(Source("拟录取研究生名单公示不少于10个工作日", True), working_days=10))


Night = Callable[[Crawl], None]


def nights(store: Store, items: tuple[Item, ...], plan: list[tuple[date, Night]], **site_kw: object) -> AuditResult:
    """Write and judge one run per night, in order; the last night's result."""
    cat = checklist(*items)
    s = replace(site(*(site_item(it.number) for it in items)), **site_kw)  # type: ignore[arg-type]
    result: AuditResult | None = None
    for day, write in plan:
        crawl = Crawl.begin(store)
        write(crawl)
        result = evaluate(store, crawl.finish(), s, cat, day)
    assert result is not None
    return result


def listing(item: int, *entries: tuple[str, date | None, int]) -> Night:
    """A night on which the column's list was read and showed these (title, date, n) entries."""
    def write(crawl: Crawl) -> None:
        crawl.catalogue(item)
        for title, when, n in entries:
            crawl.entry(item, title, when, n=n)
    return write


def blocked(item: int) -> Night:
    """A night on which a firewall answered instead of the column: a gap in the history."""
    def write(crawl: Crawl) -> None:
        crawl.catalogue(item, status=FetchStatus.WAF, http_status=412, kind=PageKind.UNKNOWN)
    return write


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def finding(result: AuditResult, item: int, rule: str) -> object:
    return next((f for f in result.item(item).findings if f.rule == rule), None)


# -- back-dated entries ------------------------------------------------------------------------------

def test_an_entry_that_appears_tonight_claiming_a_date_weeks_ago_is_back_dated(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    old = ("2018年教材采购招标公告", OLD, 1)
    plan = [(d, listing(18, old)) for d in days(date(2018, 11, 26), date(2018, 11, 29))]
    plan.append((date(2018, 11, 30), listing(18, ("实验室设备采购中标公示", date(2018, 11, 5), 2), old)))
    result = nights(store, (tenders(),), plan)
    f = next(f for f in result.item(18).findings if f.rule == "freshness.backdated")
    assert f.status is Verdict.FAIL and result.item(18).status is Verdict.FAIL
    assert "倒填日期" in f.message and "2018-11-05" in f.message and "2018-11-30" in f.message
    assert f.evidence["claimed"] == "2018-11-05"
    assert f.evidence["absent_on"] == "2018-11-29" and f.evidence["first_seen"] == "2018-11-30"
    assert f.url.endswith("/info/2.htm")
    assert f.first_seen_at == date(2018, 11, 30)


def test_an_entry_dated_within_a_few_working_days_of_its_first_night_is_not_back_dated(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    old = ("2018年教材采购招标公告", OLD, 1)
    plan = [(d, listing(18, old)) for d in days(date(2018, 11, 26), date(2018, 11, 29))]
    plan.append((date(2018, 11, 30), listing(18, ("实验室设备采购中标公示", date(2018, 11, 26), 2), old)))
    f = finding(nights(store, (tenders(),), plan), 18, "freshness.backdated")
    assert f is not None and f.status is Verdict.PASS  # type: ignore[attr-defined]


def test_a_gap_before_the_first_night_never_becomes_a_back_dating_blame(tmp_path: Path) -> None:
    """Seen absent on 11-05 (within 5 working days of its date), then a firewall for ten nights: the entry
    may have appeared on 11-06. Inconclusive, and the message says why."""
    store = open_store(tmp_path)
    old = ("2018年教材采购招标公告", OLD, 1)
    plan: list[tuple[date, Night]] = [(date(2018, 11, 5), listing(18, old))]
    plan += [(d, blocked(18)) for d in days(date(2018, 11, 6), date(2018, 11, 15))]
    plan.append((date(2018, 11, 16), listing(18, ("实验室设备采购中标公示", date(2018, 11, 2), 2), old)))
    result = nights(store, (tenders(),), plan)
    f = next(f for f in result.item(18).findings if f.rule == "freshness.backdated")
    assert f.status is Verdict.INCONCLUSIVE and result.item(18).status is not Verdict.FAIL
    assert "空缺" in f.message and "10晚未能读取栏目" in f.message


def test_the_first_night_of_a_history_judges_nothing_over_time(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    result = nights(store, (tenders(),), [(date(2018, 11, 30), listing(18, ("旧公告", OLD, 1)))])
    assert not [f for f in result.item(18).findings if f.rule.startswith(("freshness.backdated", "presence.kept"))]


# -- minimum publication periods -----------------------------------------------------------------------

def test_an_admission_list_removed_before_ten_working_days_fails_with_the_nights_it_was_seen(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    kept = ("2018年博士研究生拟录取名单（第一批）", OLD, 1)
    short = ("2018年硕士研究生拟录取名单（补录）", date(2018, 11, 19), 2)
    plan = [(d, listing(13, short, kept)) for d in days(date(2018, 11, 19), date(2018, 11, 23))]
    plan.append((date(2018, 11, 26), listing(13, kept)))
    result = nights(store, (admitted(),), plan)
    f = next(f for f in result.item(13).findings if f.rule == "presence.kept-public")
    assert f.status is Verdict.FAIL and "公示不少于10个工作日" in f.message and "补录" in f.message
    assert f.evidence["nights"].splitlines() == [d.isoformat() for d in days(date(2018, 11, 19), date(2018, 11, 23))]
    assert f.evidence["gone_on"] == "2018-11-26" and f.evidence["required_until"] == "2018-12-03"
    assert "第一批" not in f.evidence["entries"]  # the list that stayed is not blamed


def test_a_list_removed_after_its_period_passes(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    kept = ("2018年博士研究生拟录取名单（第一批）", OLD, 1)
    short = ("2018年硕士研究生拟录取名单（补录）", date(2018, 11, 5), 2)
    plan = [(d, listing(13, short, kept)) for d in days(date(2018, 11, 19), date(2018, 11, 23))]
    plan.append((date(2018, 11, 26), listing(13, kept)))
    f = finding(nights(store, (admitted(),), plan), 13, "presence.kept-public")
    assert f is not None and f.status is Verdict.PASS  # type: ignore[attr-defined]


def test_a_night_that_could_not_read_the_list_is_no_evidence_of_removal(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    kept = ("2018年博士研究生拟录取名单（第一批）", OLD, 1)
    short = ("2018年硕士研究生拟录取名单（补录）", date(2018, 11, 19), 2)
    plan: list[tuple[date, Night]] = [(d, listing(13, short, kept)) for d in days(date(2018, 11, 19), date(2018, 11, 21))]
    plan += [(d, blocked(13)) for d in days(date(2018, 11, 22), date(2018, 11, 26))]
    result = nights(store, (admitted(),), plan)
    assert finding(result, 13, "presence.kept-public") is None  # blocked tonight: nothing judged
    assert result.item(13).status is Verdict.INCONCLUSIVE


def test_an_undated_list_whose_start_is_unknown_is_inconclusive_not_blamed(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    kept = ("2018年博士研究生拟录取名单（第一批）", OLD, 1)
    undated = ("2018年硕士研究生拟录取名单（补录）", None, 2)
    plan = [(date(2018, 11, 19), listing(13, undated, kept)), (date(2018, 11, 20), listing(13, kept))]
    f = finding(nights(store, (admitted(),), plan), 13, "presence.kept-public")
    assert f is not None and f.status is Verdict.INCONCLUSIVE and "无法确定" in f.message  # type: ignore[attr-defined]


# -- 公示 lists with names kept too long ------------------------------------------------------------------

def test_an_aid_list_still_online_long_after_its_notice_period_warns(tmp_path: Path) -> None:
    store = open_store(tmp_path)

    def night(crawl: Crawl) -> None:
        crawl.catalogue(37)
        crawl.entry(37, "2018年国家助学金获得者名单公示", date(2018, 10, 8), n=1,
                    text="以下同学拟获2018年国家助学金。公示期为2018年10月8日至10月12日。张三 冶金学院 2016级")
    result = nights(store, (aid(),), [(date(2018, 11, 29), night), (date(2018, 11, 30), night)])
    f = next(f for f in result.item(37).findings if f.rule == "privacy.notice-overstay")
    assert f.status is Verdict.WARN and "公示期至2018-10-12" in f.message
    assert f.evidence["notice_ends"] == "2018-10-12" and f.evidence["days_over"] == "49"


def test_notice_periods_are_read_as_ranges_or_as_working_days_from_the_publish_date() -> None:
    assert notice_end("公示时间：2018年6月1日至6月7日", None) == date(2018, 6, 7)
    assert notice_end("公示期为2018-10-08至2018-10-12", None) == date(2018, 10, 12)
    assert notice_end("公示期5个工作日", date(2018, 10, 8)) == date(2018, 10, 15)
    assert notice_end("公示期为七天", date(2018, 10, 8)) == date(2018, 10, 15)
    assert notice_end("请于公示期内反映", date(2018, 10, 8)) is None


# -- the site's own requirements -------------------------------------------------------------------------

OWNER = Department("网络信息中心", "nic@ustb.edu.cn")


def test_five_blank_columns_fail_the_whole_site_on_the_owners_record_not_a_department(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    items = tuple(replace(tenders(), number=n, short_name=f"栏目{n}") for n in range(1, 7))

    def night(crawl: Crawl) -> None:
        for n in range(1, 6):
            crawl.catalogue(n, kind=PageKind.EMPTY, text="暂无内容")
        crawl.catalogue(6)
        crawl.entry(6, "公告", date(2018, 11, 20), n=1)
    result = nights(store, items, [(date(2018, 11, 30), night)], site_owner=OWNER)
    veto = next(f for f in result.site_findings if f.rule == "site.blank-columns")
    assert veto.status is Verdict.FAIL and veto.item == 0 and "5个空白栏目" in veto.message
    assert veto.evidence["blank"] == "5"
    assert result.site_owner == OWNER
    assert OWNER.name not in {d.name for d in result.departments}
    assert all(f.rule != "site.blank-columns" for it in result.items for f in it.findings)


def test_four_blank_columns_do_not_fail_the_site(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    items = tuple(replace(tenders(), number=n) for n in range(1, 6))

    def night(crawl: Crawl) -> None:
        for n in range(1, 5):
            crawl.catalogue(n, kind=PageKind.EMPTY, text="暂无内容")
        crawl.catalogue(5)
        crawl.entry(5, "公告", date(2018, 11, 20), n=1)
    result = nights(store, items, [(date(2018, 11, 30), night)])
    assert next(f for f in result.site_findings if f.rule == "site.blank-columns").status is Verdict.PASS


UNI = "http://www.ustb.edu.cn/"


def home(*links: tuple[str, str], second: tuple[str, str] | None = None, down: bool = False,
         error: str = "") -> Night:
    """The university's home page (recorded under item 0, as the crawl's home check records it) linking to
    `links`; `second` is a page one click away and the page it links to. The same cases over real crawls:
    tests/test_site_nights_crawl.py."""
    def write(crawl: Crawl) -> None:
        crawl.catalogue(18)
        crawl.entry(18, "公告", date(2018, 11, 20), n=1)
        if down:
            crawl.page(UNI, 0, PageRole.HOME, status=FetchStatus.TIMEOUT, http_status=None, kind=PageKind.UNKNOWN)
            return
        crawl.page(UNI, 0, PageRole.HOME, kind=PageKind.LIST, title="北京科技大学", error=error)
        crawl.store.add_links(crawl.run_id, [Link(UNI, to, FetchStatus.OK, 200, text, via=LinkVia.HOME)
                                             for text, to in links])
        if second:
            crawl.page(second[0], 0, PageRole.HOME, title="公共服务", parent=UNI)
            crawl.store.add_links(crawl.run_id, [Link(second[0], second[1], FetchStatus.OK, 200, "信息公开",
                                                      via=LinkVia.HOME)])
    return write


def test_a_home_page_that_does_not_lead_to_the_disclosure_site_fails(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    result = nights(store, (tenders(),), [(date(2018, 11, 30), home(("新闻", "http://news.ustb.edu.cn/")))],
                    university_home=UNI)
    f = next(f for f in result.site_findings if f.rule == "site.home-link")
    assert f.status is Verdict.FAIL and "找不到信息公开" in f.message and f.url == UNI


def test_a_home_page_cut_by_the_link_bound_is_inconclusive_not_failed(tmp_path: Path) -> None:
    """The link may stand among those the reader's bound left unread: the site owner is not blamed."""
    store = open_store(tmp_path)
    night = home(("新闻", "http://news.ustb.edu.cn/"), error="链接过多（truncated at 2000 of 2600）")
    result = nights(store, (tenders(),), [(date(2018, 11, 30), night)], university_home=UNI)
    f = next(f for f in result.site_findings if f.rule == "site.home-link")
    assert f.status is Verdict.INCONCLUSIVE and "2000" in f.message and "2600" in f.message


def test_a_home_page_that_leads_there_in_two_clicks_passes(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    night = home(("公共服务", "http://www.ustb.edu.cn/ggfw/"), second=("http://www.ustb.edu.cn/ggfw/", HOST + "/"))
    result = nights(store, (tenders(),), [(date(2018, 11, 30), night)], university_home=UNI)
    f = next(f for f in result.site_findings if f.rule == "site.home-link")
    assert f.status is Verdict.PASS and f.evidence["clicks"] == "2"


def test_a_home_page_that_times_out_is_inconclusive(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    result = nights(store, (tenders(),), [(date(2018, 11, 30), home(down=True))], university_home=UNI)
    assert next(f for f in result.site_findings if f.rule == "site.home-link").status is Verdict.INCONCLUSIVE


def two_columns(refused: bool) -> Night:
    def write(crawl: Crawl) -> None:
        for n in (18, 21):
            if refused:
                crawl.catalogue(n, status=FetchStatus.REFUSED, http_status=None, kind=PageKind.UNKNOWN)
            else:
                crawl.catalogue(n)
                crawl.entry(n, "公告", date(2018, 11, 20), n=1)
    return write


def test_a_host_failing_two_nights_of_seven_is_unreachable_and_no_department_is_blamed(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    items = (tenders(), replace(tenders(), number=21, short_name="收费"))
    plan = [(d, two_columns(refused=d.day in (26, 28))) for d in days(date(2018, 11, 24), date(2018, 11, 30))]
    result = nights(store, items, plan, site_owner=OWNER)
    f = next(f for f in result.site_findings if f.rule == "site.availability")
    assert f.status is Verdict.FAIL and "xxgk.ustb.edu.cn" in f.message
    assert "2018-11-26、2018-11-28" in f.message
    assert f.evidence["nights"] == "7" and f.evidence["failed"] == "4" and f.evidence["probes"] == "24"
    assert result.scored and all(d.score == 100.0 for d in result.departments)
    outage_night = next(r for r in store.runs("ustb") if r.as_of == date(2018, 11, 26))
    assert outage_night.state is RunState.INCONCLUSIVE  # that night blamed nobody either


def test_availability_is_not_judged_before_a_week_of_nights(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    plan = [(d, two_columns(refused=d.day == 26)) for d in days(date(2018, 11, 25), date(2018, 11, 30))]
    result = nights(store, (tenders(), replace(tenders(), number=21)), plan)
    assert not [f for f in result.site_findings if f.rule == "site.availability"]


def test_rejudging_an_old_night_does_not_see_its_future(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    old = ("2018年教材采购招标公告", OLD, 1)
    plan = [(d, listing(18, old)) for d in days(date(2018, 11, 26), date(2018, 11, 29))]
    plan.append((date(2018, 11, 30), listing(18, ("实验室设备采购中标公示", date(2018, 11, 5), 2), old)))
    nights(store, (tenders(),), plan)
    first = store.runs("ustb")[0]
    again = evaluate(store, first.id, site(site_item(18)), checklist(tenders()), date(2018, 11, 26))
    assert all(f.rule != "freshness.backdated" for f in again.item(18).findings)
    assert column(18) == again.item(18).url
