"""The sample site carries real page furniture, and the cross-column cases it plants are in its manifest.

Column pages and articles carry menus of sibling columns, breadcrumbs, a dated 最新公开 sidebar, 上一条/
下一条 and a footer with a landline, as real VSB and WebPlus sites do (samplesite/furniture.py). The
manifest names the columns planted for cross-column cases, and every healthy sibling of such a column
must be expected to pass. Real HTTP against the sample server, as in test_samplesite.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import lxml.html
import pytest
from test_samplesite import fetch, follow, own_text

from auditor.models import PageKind, RuleKind, Verdict
from checklist.loader import load_checklist
from samplesite import description
from samplesite.manifest import ItemRecord, Manifest, Outcome, Role, UrlRecord, load
from samplesite.server import SampleSiteServer

MAIN = "http://xxgk.ustb.edu.cn"
_FULL_DATE = re.compile(r"^\[?\d{4}-\d{2}-\d{2}\]?$")
_MONTH_DAY = re.compile(r"^\[?\d{2}-\d{2}\]?$")


@pytest.fixture(scope="module")
def manifest() -> Manifest:
    return load()


@pytest.fixture(scope="module")
def shared_server() -> Iterator[SampleSiteServer]:
    with SampleSiteServer() as s:
        yield s


@pytest.fixture()
def server(shared_server: SampleSiteServer) -> SampleSiteServer:
    shared_server.reset()  # transient 503s start again, so `follow` sees each test's first answer
    return shared_server


@dataclass(frozen=True)
class Shown:
    """One served HTML page, parsed, with the manifest row it answers for."""

    row: UrlRecord
    url: str  # the final URL (after the manifest's redirects): relative links resolve against it
    doc: lxml.html.HtmlElement
    body: bytes

    def links(self, selector: str) -> list[tuple[str, str, lxml.html.HtmlElement]]:
        """(absolute URL, text, anchor) of each link inside the blocks `selector` matches."""
        return [
            (urljoin(self.url, a.get("href", "")), a.get("title") or a.text_content().strip(), a)
            for block in self.doc.cssselect(selector)
            for a in block.iter("a")
            if a.get("href") and not a.get("href", "").startswith(("mailto:", "javascript:"))
        ]


def show(server: SampleSiteServer, row: UrlRecord) -> Shown:
    answer = follow(server, row)
    assert answer.status == 200, row.url
    return Shown(
        row,
        row.final_url or row.url,
        lxml.html.document_fromstring(answer.body.decode(row.encoding)),
        answer.body,
    )


def _column_rows(manifest: Manifest) -> list[UrlRecord]:
    """Every served page of a column itself: catalogue pages that answer with HTML, and further list pages."""
    return [
        u
        for u in manifest.urls
        if u.role in (Role.CATALOGUE, Role.LIST)
        and u.outcome in (Outcome.OK, Outcome.REDIRECT)
        and u.kind in (PageKind.LIST, PageKind.ARTICLE, PageKind.EMPTY)
    ]


def _detail_rows(manifest: Manifest) -> list[UrlRecord]:
    return [u for u in manifest.urls if u.role is Role.DETAIL and u.outcome is Outcome.OK]


def _siblings(manifest: Manifest, item: int) -> list[ItemRecord]:
    category = manifest.item(item).category
    return [it for it in manifest.items if it.category == category and it.item != item]


# The furniture blocks, template by template (samplesite/furniture.py): what a reader sees as menus etc.
MENU = "div.left, div.col_menu, div.sidebar > ul.submenu"
CRUMBS = "div.position, li.col_path, div.location"
SIDEBAR = "div.zxgk, div.col_news_right"
FOOTER = "div.footer, #footer"
PREV_NEXT = "dl.page, div.arti_prenext, div.prenext"


# ------------------------------------------------------------------------------------------ furniture


def test_every_column_page_has_menu_breadcrumbs_sidebar_and_footer(
    server: SampleSiteServer, manifest: Manifest
) -> None:
    shapes: set[str] = set()
    sidebar_dates: set[str] = set()
    for row in _column_rows(manifest):
        page = show(server, row)
        item = row.items[0]
        record = manifest.item(item)
        # a menu of the category's columns, each linking its catalogue URL, the current one marked
        menu = page.links(MENU)
        siblings = [it.catalogue for it in manifest.items if it.category == record.category]
        assert [url for url, _, _ in menu] == siblings, row.url
        marked = [
            url
            for url, _, a in menu
            if a.get("id") == "current"
            or "selected" in a.get("class", "")
            or "cur" in (a.getparent().get("class") or "")
        ]
        assert marked == [record.catalogue], row.url
        # breadcrumbs: 首页 > category > this column
        crumbs = [url for url, _, _ in page.links(CRUMBS)]
        assert crumbs == [f"{MAIN}/", f"{MAIN}/xinxigongkaimulu/{record.category}/", record.catalogue], (
            row.url
        )
        assert "当前位置" in " ".join(n.text_content() for n in page.doc.cssselect(CRUMBS))
        # the 最新公开 sidebar: five dated articles of other columns, never this column's own
        side = page.links(SIDEBAR)
        articles = [(url, title) for url, title, _ in side if url != f"{MAIN}/"]
        assert len(articles) == description.SIDEBAR_SIZE, row.url
        for url, _ in articles:
            target = manifest.url(url)
            assert target.role is Role.DETAIL and item not in target.items, (row.url, url)
        block = page.doc.cssselect(SIDEBAR)[0]
        assert "最新公开" in block.text_content()
        dates = [
            n.text_content().strip()
            for n in block.iter("span", "div")
            if re.fullmatch(r"\[?\d{2}(\d{2}-\d{2})?-\d{2}\]?", n.text_content().strip())
        ]
        assert len(dates) == description.SIDEBAR_SIZE, (row.url, dates)
        sidebar_dates.update(
            "full" if _FULL_DATE.match(x) else "month-day"
            for x in dates
            if _FULL_DATE.match(x) or _MONTH_DAY.match(x)
        )
        # a footer with the office's address, landline and 邮编
        footer = " ".join(n.text_content() for n in page.doc.cssselect(FOOTER))
        assert description.LANDLINE in footer and "邮编" in footer and description.ADDRESS in footer, row.url
        shapes.add(record.style)
    assert sidebar_dates == {"full", "month-day"}  # VSB shows 2018-11-26, WebPlus and hand-made pages 11-26
    assert {"vsb", "webplus", "table", "cnlist", "article", "blank"} <= shapes


def test_articles_have_neighbours_of_their_own_column(server: SampleSiteServer, manifest: Manifest) -> None:
    linked = 0
    for row in _detail_rows(manifest):
        page = show(server, row)
        block = " ".join(n.text_content() for n in page.doc.cssselect(PREV_NEXT))
        assert re.search("上一(条|篇)", block) and re.search("下一(条|篇)", block), row.url
        for url, _, _ in page.links(PREV_NEXT):
            target = manifest.url(url)
            assert target.role is Role.DETAIL and target.items == row.items, (row.url, url)
            linked += 1
        record = manifest.item(row.items[0])
        crumbs = [url for url, _, _ in page.links(CRUMBS)]
        assert crumbs == [f"{MAIN}/", f"{MAIN}/xinxigongkaimulu/{record.category}/", record.catalogue], (
            row.url
        )
        if record.style != "webplus":  # WebPlus paths end at the column; VSB and hand-made pages add 正文
            assert "正文" in " ".join(n.text_content() for n in page.doc.cssselect(CRUMBS)), row.url
        assert len(page.links(MENU)) > 1 and len(page.links(SIDEBAR)) >= description.SIDEBAR_SIZE, row.url
        assert description.LANDLINE in " ".join(n.text_content() for n in page.doc.cssselect(FOOTER))
    assert linked > 50


def test_every_link_on_the_site_is_in_the_manifest(server: SampleSiteServer, manifest: Manifest) -> None:
    """Furniture targets included: the crawl meets each of them, and the manifest says how each answers."""
    known = {u.url for u in manifest.urls} | {u.final_url for u in manifest.urls if u.final_url}
    pages = [u for u in manifest.urls if u.kind in (PageKind.LIST, PageKind.ARTICLE, PageKind.EMPTY)]
    pages += [u for u in manifest.urls if u.role is Role.NAVIGATION and u.outcome is Outcome.OK]
    unknown = set()
    for row in pages:
        if urlsplit(row.url).hostname not in manifest.allowed_hosts:
            continue
        for url, _, _ in show(server, row).links("body"):
            if url.split("#")[0] not in known and not url.startswith(f"{MAIN}/calendar/?month=2018-11"):
                unknown.add(url)
    assert not unknown, sorted(unknown)[:10]


def test_furniture_targets_serve_no_item(manifest: Manifest) -> None:
    nav = [u for u in manifest.urls if u.role is Role.NAVIGATION]
    assert all(not u.items for u in nav)
    urls = {u.url: u for u in nav}
    # the site's own stale footer link: a broken link of the site, never of an item
    assert urls[f"{MAIN}/sitemap.htm"].outcome is Outcome.NOT_FOUND
    assert {f"{MAIN}/xxgkzn.htm", f"{MAIN}/ysqgk.htm", "http://yzb.ustb.edu.cn/"} <= set(urls)


def test_gbk_pages_carry_the_same_furniture(server: SampleSiteServer, manifest: Manifest) -> None:
    gbk = [u for u in _column_rows(manifest) + _detail_rows(manifest) if u.encoding == "gbk"]
    assert gbk
    for row in gbk:
        page = show(server, row)
        assert len(page.links(SIDEBAR)) > description.SIDEBAR_SIZE - 1 and page.links(MENU)


# ------------------------------------------------------------------------------------------ cross-column cases


# the rule kind a leak from each planted column would move in its siblings
_CASE_KIND = {
    "privacy-leak": RuleKind.PRIVACY,
    "dead-attachments": RuleKind.LINKS,
    "empty-column": RuleKind.PRESENCE,
    "off-topic-newest": RuleKind.CONTENT,
    "short-list": RuleKind.FRESHNESS,
    "unreachable-column": RuleKind.LINKS,
}


def test_each_cross_column_case_is_planted_with_healthy_siblings(manifest: Manifest) -> None:
    cases: dict[str, list[int]] = {}
    for it in manifest.items:
        if it.cross:
            cases.setdefault(it.cross, []).append(it.item)
    assert set(cases) == set(_CASE_KIND), cases
    for case, items in cases.items():
        for item in items:
            siblings = _siblings(manifest, item)
            assert siblings, item
            assert any(sib.expected.overall is Verdict.PASS for sib in siblings), (case, item)
            for sib in siblings:
                if not sib.defect:
                    assert sib.expected.overall is Verdict.PASS, (case, item, sib.item)
            # the kind a leak would move: every sibling without a defect of that very kind passes it
            kind = _CASE_KIND[case]
            for sib in siblings:
                if sib.cross != case and sib.expected.kind(kind) not in (Verdict.PASS, None):
                    assert sib.defect, (case, item, sib.item)
    assert {44, 12} <= set(cases["privacy-leak"]) and 3 in cases["dead-attachments"]
    assert cases["empty-column"] == [22] and cases["off-topic-newest"] == [16]


def test_privacy_leak_is_linked_from_every_sibling(server: SampleSiteServer, manifest: Manifest) -> None:
    leak = next(u for u in manifest.urls_for(44) if u.role is Role.DETAIL)
    text = own_text(fetch(server, leak.url).body)
    ids = [m for m in re.findall(r"(?<!\d)\d{17}[\dX](?!\d)", text) if description.gb11643(m[:17]) == m]
    assert len(ids) == 3
    assert manifest.item(44).expected.privacy is Verdict.FAIL
    for sib in _siblings(manifest, 44):
        rows = [u for u in _column_rows(manifest) if sib.item in u.items]
        for row in rows:
            page = show(server, row)
            assert manifest.item(44).catalogue in [url for url, _, _ in page.links(MENU)]
            assert leak.url in [url for url, _, _ in page.links(SIDEBAR)], row.url
        assert sib.expected.privacy in (Verdict.PASS, None), sib.item


def test_dead_attachments_beside_healthy_siblings(server: SampleSiteServer, manifest: Manifest) -> None:
    dead = [u for u in manifest.urls_for(3) if u.role is Role.ATTACHMENT]
    assert len(dead) == 3 and all(
        u.outcome is Outcome.NOT_FOUND and fetch(server, u.url).status == 404 for u in dead
    )
    assert manifest.item(3).expected.links is Verdict.FAIL
    for sib in _siblings(manifest, 3):
        assert sib.expected.links in (Verdict.PASS, None), sib.item
    # item 35's dead report is the fourth-newest article of the site: every other column's sidebar links it
    report = next(
        u
        for u in manifest.urls_for(35)
        if u.role is Role.DETAIL and u.published and u.published.isoformat() == "2018-11-16"
    )
    assert any(a.parent == report.url and a.outcome is Outcome.NOT_FOUND for a in manifest.urls_for(35))
    page = show(server, next(u for u in _column_rows(manifest) if 29 in u.items))
    assert report.url in [url for url, _, _ in page.links(SIDEBAR)]


def test_empty_column_sits_among_full_siblings(server: SampleSiteServer, manifest: Manifest) -> None:
    row = next(u for u in _column_rows(manifest) if 22 in u.items)
    assert row.kind is PageKind.EMPTY and not row.entries
    page = show(server, row)
    assert "暂无内容" in own_text(page.body)
    assert len(page.links(SIDEBAR)) > description.SIDEBAR_SIZE - 1  # five dated articles beside 暂无内容
    assert manifest.item(22).expected.presence is Verdict.FAIL
    for sib in _siblings(manifest, 22):
        assert sib.expected.presence is Verdict.PASS, sib.item


def test_off_topic_newest_entry_above_the_required_document(
    server: SampleSiteServer, manifest: Manifest
) -> None:
    item = load_checklist().item(16)
    terms = [t for rule in item.required for t in rule.terms]
    catalogue = manifest.url(manifest.item(16).catalogue)
    newest, below, *_ = catalogue.entries

    def article(url: str) -> str:  # WebPlus: the article's own text
        doc = lxml.html.document_fromstring(fetch(server, url).body.decode())
        return " ".join(n.text_content() for n in doc.cssselect("h1.arti_title, div.wp_articlecontent"))

    assert not any(t in article(newest.url) for t in terms)
    assert any(t in article(below.url) for t in terms)
    assert manifest.item(16).expected.content is Verdict.PASS
    # the off-topic notice names a complaint line, and every other column's sidebar links it: item 21,
    # whose own page names none, must still fail content
    notice = own_text(fetch(server, newest.url).body)
    assert "投诉" in notice
    fee_page = show(server, catalogue_row(manifest, 21))
    assert newest.url in [url for url, _, _ in fee_page.links(SIDEBAR)]
    assert manifest.item(21).expected.content is Verdict.FAIL


def catalogue_row(manifest: Manifest, item: int) -> UrlRecord:
    return manifest.url(manifest.item(item).catalogue)


@pytest.mark.parametrize("item", [28, 29])
def test_short_list_beside_a_full_sidebar(server: SampleSiteServer, manifest: Manifest, item: int) -> None:
    lists = [u for u in manifest.urls_for(item) if u.kind is PageKind.LIST]
    own = [e for u in lists for e in u.entries]
    assert 1 <= len(own) <= 3
    page = show(server, lists[0])
    side = [url for url, _, _ in page.links(SIDEBAR) if url != f"{MAIN}/"]
    assert len(side) == description.SIDEBAR_SIZE and not {e.url for e in own} & set(side)
    newest_side = max(manifest.url(u).published for u in side if manifest.url(u).published)
    assert newest_side is not None and newest_side > max(e.date for e in own)
    # item 28's own newest edition is stale; the sidebar's fresh dates are not its own
    assert manifest.item(28).expected.freshness is Verdict.FAIL
    assert manifest.item(29).expected.overall is Verdict.PASS


def test_menus_link_to_unreachable_sibling_columns(server: SampleSiteServer, manifest: Manifest) -> None:
    for item, status in ((46, 404), (47, 412)):
        assert manifest.item(item).cross == "unreachable-column"
        assert fetch(server, manifest.item(item).catalogue).status == status
        for sib in _siblings(manifest, item):
            for row in (u for u in _column_rows(manifest) if sib.item in u.items):
                assert manifest.item(item).catalogue in [url for url, _, _ in show(server, row).links(MENU)]
            assert sib.expected.links in (Verdict.PASS, None), sib.item
