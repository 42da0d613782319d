"""A real crawl of the bundled sample site, through its proxy, compared with the site's own manifest.

The crawl runs as `auditor crawl` in a subprocess (Scrapy's reactor starts once per process, as under
cron); the evidence is read back from the SQLite file it wrote.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from auditor.models import FetchStatus, PageKind, PageRole, RunState
from auditor.store import Store
from samplesite.manifest import Manifest, Outcome, Role, UrlRecord
from samplesite.server import SampleSiteServer

_ROLES = {
    Role.CATALOGUE: PageRole.CATALOGUE,
    Role.LIST: PageRole.LIST,
    Role.DETAIL: PageRole.DETAIL,
    Role.ATTACHMENT: PageRole.ATTACHMENT,
    Role.LINKED: PageRole.LINKED,
    Role.HOME: PageRole.HOME,
}


def auditor(*args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "auditor", *args], capture_output=True, text=True,
                          timeout=timeout, check=False)


@dataclass
class Crawl:
    server: SampleSiteServer
    manifest: Manifest
    store: Store
    run_id: int
    first_night_bytes: int


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawl]:
    db = tmp_path_factory.mktemp("crawl") / "audit.sqlite"
    with SampleSiteServer() as server:
        proc = auditor("crawl", "--site", "ustb", "--proxy", server.proxy_url, "--no-polite", "--db", str(db))
        assert proc.returncode == 0, proc.stderr
        store = Store(db)
        run = store.runs("ustb")[-1]
        sent = sum(r.bytes_sent for r in server.requests)
        yield Crawl(server, server.manifest, store, run.id, sent)
        store.close()


def _crawled_rows(manifest: Manifest) -> list[UrlRecord]:
    return [r for r in manifest.urls if r.role in _ROLES]


def test_run_is_complete(crawl: Crawl) -> None:
    assert crawl.store.run(crawl.run_id).state is RunState.COMPLETE


def test_every_url_of_the_site_is_recorded_with_its_outcome(crawl: Crawl) -> None:
    missing, wrong = [], []
    for row in _crawled_rows(crawl.manifest):
        page = crawl.store.page(crawl.run_id, row.url)
        if page is None:
            missing.append(row.url)
            continue
        expected = {
            Outcome.OK: FetchStatus.OK,
            Outcome.REDIRECT: FetchStatus.OK,
            Outcome.OFFSITE: FetchStatus.OK,
            Outcome.NOT_FOUND: FetchStatus.HTTP_ERROR,
            Outcome.HTTP_ERROR: FetchStatus.HTTP_ERROR,
            Outcome.ROBOTS: FetchStatus.ROBOTS,
            Outcome.WAF: FetchStatus.WAF,
        }[row.outcome]
        if page.status is not expected:
            wrong.append(f"{row.url}: {page.status} != {expected}")
        if row.outcome is not Outcome.ROBOTS and page.http_status != row.status:
            wrong.append(f"{row.url}: HTTP {page.http_status} != {row.status}")
        if row.role is not Role.LINKED and page.role is not _ROLES[row.role]:
            wrong.append(f"{row.url}: role {page.role} != {row.role}")
        if row.kind is not None and page.status.has_content and page.kind is not row.kind:
            wrong.append(f"{row.url}: kind {page.kind} != {row.kind}")
        if row.items and not set(row.items) <= set(page.items):
            wrong.append(f"{row.url}: items {page.items} lack {row.items}")
    assert not missing, f"{len(missing)} URLs never recorded: {missing[:10]}"
    assert not wrong, "\n".join(wrong[:20])


def test_furniture_brings_no_page_into_another_item(crawl: Crawl) -> None:
    """Menus of sibling columns, the 最新公开 sidebar and 上一条/下一条 link each column to other columns'
    pages: a page serves exactly the items the manifest gives it, and a furniture target serves none."""
    wrong = []
    for row in crawl.manifest.urls:
        page = crawl.store.page(crawl.run_id, row.url)
        if page is None:
            continue
        if row.role is Role.NAVIGATION and page.items:
            wrong.append(f"{row.url}: furniture target counted for items {page.items}")
        elif row.items and set(page.items) != set(row.items):
            wrong.append(f"{row.url}: items {page.items} != {row.items}")
    assert not wrong, "\n".join(wrong[:20])


def test_list_entries_titles_links_and_dates(crawl: Crawl) -> None:
    rows = [r for r in crawl.manifest.urls if r.entries]
    assert rows
    for row in rows:
        list_url = row.url
        got = [e for e in crawl.store.entries(crawl.run_id) if e.list_url == list_url]
        assert [(e.title, e.url, e.date) for e in got if e.item == got[0].item] == [
            (e.title, e.url, e.date) for e in row.entries
        ], list_url


def test_detail_publish_dates(crawl: Crawl) -> None:
    checked = 0
    for row in crawl.manifest.urls:
        if row.role is Role.DETAIL and row.outcome is Outcome.OK:
            page = crawl.store.page(crawl.run_id, row.url)
            assert page is not None
            got = page.publish_date.value if page.publish_date else None
            assert got == row.published, row.url
            checked += 1
    assert checked > 50


def test_attachments_are_read_with_their_names(crawl: Crawl) -> None:
    rows = [r for r in crawl.manifest.urls if r.role is Role.ATTACHMENT and r.outcome is Outcome.OK]
    assert rows
    for row in rows:
        page = crawl.store.page(crawl.run_id, row.url)
        assert page is not None and page.kind is PageKind.FILE, row.url
        assert row.phrase in page.text, (row.url, page.text[:200])
        if row.filename:
            assert page.filename == row.filename


def test_gbk_page_declared_only_in_meta_decodes(crawl: Crawl) -> None:
    rows = [r for r in crawl.manifest.urls if r.encoding.lower() in ("gbk", "gb2312", "gb18030")]
    assert rows
    for row in rows:
        page = crawl.store.page(crawl.run_id, row.url)
        assert page is not None
        assert row.title and row.title in page.title, (page.title, row.title)
        assert "\ufffd" not in page.text


def test_redirect_chain_is_recorded(crawl: Crawl) -> None:
    rows = [r for r in crawl.manifest.urls if r.outcome is Outcome.REDIRECT]
    assert rows
    for row in rows:
        page = crawl.store.page(crawl.run_id, row.url)
        assert page is not None
        assert page.redirects == row.redirects
        assert page.final_url == row.final_url


def test_transient_503_is_retried_until_200(crawl: Crawl) -> None:
    rows = [r for r in crawl.manifest.urls if r.transient]
    assert rows
    for row in rows:
        page = crawl.store.page(crawl.run_id, row.url)
        assert page is not None and page.status is FetchStatus.OK and page.http_status == 200
        path = row.url.split("/", 3)[3]
        hits = [r for r in crawl.server.requests if r.path.lstrip("/") == path and r.method == "GET"]
        assert [h.status for h in hits][: row.transient + 1] == [503] * row.transient + [200]


def test_robots_txt_is_obeyed(crawl: Crawl) -> None:
    rows = [r for r in crawl.manifest.urls if r.outcome is Outcome.ROBOTS]
    assert rows
    for row in rows:
        path = "/" + row.url.split("/", 3)[3]
        assert not [r for r in crawl.server.requests if r.path == path], f"{path} was requested"


def test_crawler_trap_stays_bounded(crawl: Crawl) -> None:
    trap_hits = [r for r in crawl.server.requests if r.path.startswith("/calendar")]
    assert 0 < len(trap_hits) <= 5


def test_the_university_home_page_is_read_one_click_deep_and_no_further(crawl: Crawl) -> None:
    """The home-page check reads www.ustb.edu.cn and the pages it links to, never what those link to
    (the 校历 under 公共服务, the library's host) and never the off-university 教育部 link."""
    home = [r for r in crawl.server.requests if r.host == "www.ustb.edu.cn" and r.path != "/robots.txt"]
    assert {r.path for r in home} == {"/", "/xxjj/", "/xwzx/", "/ggfw/", "/xwzx/1.htm", "/xwzx/2.htm"}
    assert all(r.method == "GET" for r in home)
    assert not [r for r in crawl.server.requests if r.host == "lib.ustb.edu.cn" or r.path == "/ggfw/xl.htm"]
    page = crawl.store.page(crawl.run_id, "http://www.ustb.edu.cn/ggfw/")
    assert page is not None and page.role is PageRole.HOME and page.items == (0,)


def test_offsite_pages_are_checked_not_crawled(crawl: Crawl) -> None:
    offsite = [r for r in crawl.server.requests
               if r.host in ("mp.weixin.qq.com", "www.moe.gov.cn") and r.path != "/robots.txt"]
    assert offsite
    assert all(r.method == "HEAD" for r in offsite)


def test_second_night_uses_conditional_requests(crawl: Crawl, tmp_path: Path) -> None:
    crawl.server.reset()
    # --full: every URL is asked again, conditionally (an ordinary night carries most of them: test_rotation.py)
    proc = auditor("crawl", "--site", "ustb", "--proxy", crawl.server.proxy_url, "--no-polite",
                   "--db", str(crawl.store.path), "--full")
    assert proc.returncode == 0, proc.stderr
    second = crawl.store.runs("ustb")[-1]
    assert second.id != crawl.run_id and second.state is RunState.COMPLETE
    sent = sum(r.bytes_sent for r in crawl.server.requests)
    assert sent < crawl.first_night_bytes * 0.2, (sent, crawl.first_night_bytes)
    first_pages = {p.url: p for p in crawl.store.pages(crawl.run_id)}
    second_pages = {p.url: p for p in crawl.store.pages(second.id)}
    assert set(second_pages) == set(first_pages)
    reused = [p for p in second_pages.values() if p.status is FetchStatus.NOT_MODIFIED]
    assert len(reused) > 100
    for page in reused:
        assert page.text == first_pages[page.url].text
    assert len(crawl.store.entries(second.id)) == len(crawl.store.entries(crawl.run_id))


def test_an_ordinary_night_carries_unchanged_entries_and_asks_for_half_as_much(crawl: Crawl) -> None:
    """After the --full night above: the sample site unchanged, its articles are carried, not requested."""
    crawl.server.reset()
    proc = auditor("crawl", "--site", "ustb", "--proxy", crawl.server.proxy_url, "--no-polite",
                   "--db", str(crawl.store.path))
    assert proc.returncode == 0, proc.stderr
    night = crawl.store.runs("ustb")[-1]
    first = crawl.store.run_stats(crawl.run_id)["downloader_request_count"]
    asked = {f"http://{r.host}{r.path}" for r in crawl.server.requests}
    assert len(crawl.server.requests) < first / 1.5, (len(crawl.server.requests), first)
    first_pages = {p.url: p for p in crawl.store.pages(crawl.run_id)}
    pages = {p.url: p for p in crawl.store.pages(night.id)}
    assert set(pages) == set(first_pages)
    carried = [p for p in pages.values() if p.carried]
    assert len(carried) > 60
    for page in carried:
        assert page.url not in asked and page.text == first_pages[page.url].text
        assert page.role not in (PageRole.CATALOGUE, PageRole.LIST)
