"""Builders shared by the rule tests: 清单 items and catalogue entries by hand, evidence in a real Store.

Items are written out here (not loaded from checklist/data) so each test states the facts it relies on:
item 6's deadline of 31 October, item 19's four tables, item 37 being privacy-sensitive.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from auditor.evaluate import judge
from auditor.evidence import learn_template, load_evidence
from auditor.models import Entry, FetchStatus, Finding, FoundDate, Link, Page, PageKind, PageRole, RunState
from auditor.rules import RuleContext
from auditor.store import Store
from checklist.model import (
    Absence,
    Checklist,
    Cycle,
    Department,
    Item,
    MonthDay,
    Period,
    Site,
    SiteItem,
    Source,
    TermMode,
    TermRule,
)

HOST = "http://xxgk.ustb.edu.cn"
BASIS = Source("教办函〔2014〕23号", True)


def column(number: int) -> str:
    return f"{HOST}/col{number}/"


def annual_report() -> Item:
    return Item(number=6, category=1, category_name="基本信息", wording="信息公开年度报告", short_name="年度报告",
                basis=BASIS, cycle=Cycle.ANNUAL_DEADLINE, deadline=MonthDay(10, 31), period=Period.ACADEMIC_YEAR,
                required=(TermRule(TermMode.PATTERN, ("信息公开(工作)?年度报告",), "信息公开年度报告"),),
                edition_name="信息公开工作年度报告")


def budget() -> Item:
    return Item(number=19, category=4, category_name="财务、资产及收费信息",
                wording="收支预算总表、收入预算表、支出预算表、财政拨款支出预算表", short_name="预算", basis=BASIS,
                cycle=Cycle.ANNUAL_DEADLINE, deadline=MonthDay(5, 31), period=Period.CALENDAR_YEAR,
                required=(TermRule(TermMode.ALL, ("收支预算总表", "收入预算表", "支出预算表", "财政拨款支出预算表"),
                                   "预算四张表"),),
                edition_name="部门预算")


def fees() -> Item:
    return Item(number=21, category=4, category_name="财务、资产及收费信息",
                wording="收费项目、收费依据、收费标准及投诉方式", short_name="收费", basis=BASIS,
                cycle=Cycle.ANNUAL, max_age_days=395,
                required=(TermRule(TermMode.ALL, ("收费项目", "收费依据", "收费标准"), "收费项目、依据和标准"),
                          TermRule(TermMode.ANY, ("投诉", "举报"), "投诉方式")),
                edition_name="收费公示")


def employment() -> Item:
    return Item(number=32, category=7, category_name="学生管理服务信息", wording="毕业生的规模、结构、就业率、就业流向",
                short_name="毕业生就业", basis=BASIS, cycle=Cycle.ANNUAL_DEADLINE, deadline=MonthDay(9, 30),
                period=Period.CALENDAR_YEAR, edition_name="毕业生就业情况")


def tenders() -> Item:
    return Item(number=18, category=4, category_name="财务、资产及收费信息", wording="招投标", short_name="招投标",
                basis=BASIS, cycle=Cycle.EVENT, max_age_days=92, edition_name="招投标信息")


def aid() -> Item:
    return Item(number=37, category=7, category_name="学生管理服务信息", wording="奖学金、助学金评选公示",
                short_name="奖助学金", basis=BASIS, cycle=Cycle.STANDING, privacy_sensitive=True)


def statutes() -> Item:
    return Item(number=2, category=1, category_name="基本信息", wording="学校章程及规章制度",
                short_name="章程与规章制度", basis=BASIS, cycle=Cycle.STANDING,
                required=(TermRule(TermMode.ANY, ("章程",), "学校章程"),))


def site_item(number: int, *, departments: tuple[str, ...] = ("党办、校办",), absent: Absence | None = None,
              deadline: MonthDay | None = None, urls: tuple[str, ...] | None = None) -> SiteItem:
    return SiteItem(number=number, urls=urls if urls is not None else (column(number),), departments=departments,
                    absent=absent, deadline=deadline)


def checklist(*items: Item) -> Checklist:
    return Checklist(version="qingdan-2014", title="高等学校信息公开事项清单", issued_by="教育部办公厅",
                     publish_within_working_days=20, items=tuple(items))


def site(*items: SiteItem) -> Site:
    names = sorted({d for it in items for d in it.departments})
    return Site(id="ustb", name="北京科技大学", version="1", checklist_version="qingdan-2014", home=HOST + "/",
                allowed_hosts=("xxgk.ustb.edu.cn",),
                departments=tuple(Department(n, f"{len(n)}@ustb.edu.cn") for n in names), items=tuple(items))


def dated(d: date) -> FoundDate:
    return FoundDate(d, d.isoformat(), "label:发布时间")


@dataclass
class Crawl:
    """One run's evidence, written into a real Store as the spider would."""

    store: Store
    run_id: int
    pages: list[Page] = field(default_factory=list)

    @classmethod
    def begin(cls, store: Store) -> Crawl:
        run = store.begin_run("ustb", tool_version="test", checklist_version="qingdan-2014", catalogue_version="1")
        return cls(store, run.id)

    def page(self, url: str, item: int, role: PageRole = PageRole.DETAIL, *, status: FetchStatus = FetchStatus.OK,
             http_status: int | None = 200, kind: PageKind = PageKind.ARTICLE, title: str = "", text: str = "",
             published: date | None = None, last_modified: str = "", parent: str = "",
             redirects: tuple[str, ...] = (), final_url: str = "", error: str = "") -> Page:
        page = Page(url=url, role=role, status=status, items=(item,), http_status=http_status, kind=kind,
                    title=title, text=text, publish_date=dated(published) if published else None,
                    last_modified=last_modified, parent=parent, redirects=redirects, final_url=final_url,
                    error=error)
        self.store.add_pages(self.run_id, [page])
        return page

    def catalogue(self, item: int, *, kind: PageKind = PageKind.LIST, status: FetchStatus = FetchStatus.OK,
                  http_status: int | None = 200, text: str = "", title: str = "",
                  published: date | None = None, **kw: object) -> Page:
        return self.page(column(item), item, PageRole.CATALOGUE, status=status, http_status=http_status, kind=kind,
                         text=text, title=title, published=published, **kw)  # type: ignore[arg-type]

    def entry(self, item: int, title: str, when: date | None, *, n: int, text: str = "",
              status: FetchStatus = FetchStatus.OK, http_status: int | None = 200,
              role: PageRole = PageRole.DETAIL, fetch: bool = True, url: str = "") -> str:
        url = url or f"{column(item)}info/{n}.htm"
        self.store.add_entries(self.run_id, [Entry(item=item, list_url=column(item), title=title, url=url,
                                                   position=n, date_shown=when.isoformat() if when else "",
                                                   date=when)])
        if fetch:
            self.page(url, item, role, status=status, http_status=http_status,
                      kind=PageKind.ARTICLE if status.has_content else PageKind.UNKNOWN,
                      title=title, text=text or title, parent=column(item))
        return url

    def link(self, from_url: str, to_url: str, status: FetchStatus = FetchStatus.OK,
             http_status: int | None = 200) -> None:
        self.store.add_links(self.run_id, [Link(from_url, to_url, status, http_status)])

    def finish(self, state: RunState = RunState.COMPLETE) -> int:
        self.store.finish_run(self.run_id, state)
        return self.run_id


def open_store(tmp_path: Path) -> Store:
    return Store(tmp_path / "audit.sqlite")


def findings(store: Store, run_id: int, item: Item, as_of: date, si: SiteItem | None = None) -> dict[str, Finding]:
    """Judge one item through the engine's own `judge` and index its findings by rule id."""
    evidence = load_evidence(store, run_id, item.number, learn_template(store, run_id))
    ctx = RuleContext(item=item, site_item=si or site_item(item.number), evidence=evidence, as_of=as_of)
    return {f.rule: f for f in judge(ctx, outage=False)}
