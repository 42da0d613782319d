"""A list whose pager links the last page ("尾页") before the 下一页 chain reaches it: every page of the
column is still read, and every article on it, not merely link-checked."""

from __future__ import annotations

from pathlib import Path

from hostile import HostileServer, article_page, html, list_page, run_auditor, write_catalogue

from auditor.models import FetchStatus, PageRole
from auditor.store import Store


def _pager(page: int, last: int) -> str:
    links = '<a href="/col/list.htm">首页</a>'
    if page < last:
        links += f'<a href="/col/list{page + 1}.htm">下一页</a>'
    return f'<div class="pager">{links}<a href="/col/list{last}.htm">尾页</a> 第{page}页/共{last}页</div>'


def test_a_page_first_met_as_a_plain_link_is_read_when_it_turns_out_to_be_a_list(tmp_path: Path) -> None:
    last = 3
    with HostileServer() as site:
        for page in range(1, last + 1):
            path = "/col/list.htm" if page == 1 else f"/col/list{page}.htm"
            entries = [(f"/col/a{page}{i}.htm", f"2018年第{page}页第{i}条公告", f"2018-0{page}-1{i}") for i in range(3)]
            site.route(path, html(list_page("通知公告", entries, extra=_pager(page, last))))
            for href, title, day in entries:
                site.route(href, html(article_page(title, day)))
        urls: dict[int, str | list[str]] = {n: site.url("/col/list.htm") for n in range(1, 51)}
        catalogue = write_catalogue(tmp_path / "site.yaml", urls)
        ran = run_auditor(["crawl", "--site", str(catalogue), "--db", str(tmp_path / "a.sqlite"), "--no-polite"],
                          timeout=60)
        assert ran.returncode == 0, ran.stderr
        with Store(tmp_path / "a.sqlite") as store:
            run = store.runs()[-1]
            last_page = store.page(run.id, site.url(f"/col/list{last}.htm"))
            assert last_page is not None and last_page.role is PageRole.LIST
            assert last_page.status is FetchStatus.OK
            read = [p for p in store.pages(run.id) if p.role is PageRole.DETAIL and p.status is FetchStatus.OK]
            assert len(read) == 3 * last
            assert len({e.url for e in store.entries(run.id)}) == 3 * last
        assert "GET" in site.methods(f"/col/list{last}.htm")


def test_links_into_internal_addresses_are_recorded_not_followed(tmp_path: Path) -> None:
    """A hostile page must not turn the crawler into a probe of private networks."""
    with HostileServer() as site:
        internal = "http://127.0.0.2:{port}/admin", "http://[::1]:{port}/metadata"
        links = "".join(f'<a href="{u.format(port=site.port)}">内部</a>' for u in internal)
        links += '<a href="/hop">跳转</a>'  # an allowed URL that redirects into an internal address
        site.route("/col/list.htm", html(article_page("通知", "2018-06-12", body="正文" * 40 + links)))
        site.route("/hop", html("", status=302, headers={"Location": f"http://127.0.0.2:{site.port}/secret"}))
        catalogue = write_catalogue(tmp_path / "site.yaml", {n: site.url("/col/list.htm") for n in range(1, 51)})
        ran = run_auditor(["crawl", "--site", str(catalogue), "--db", str(tmp_path / "a.sqlite"), "--no-polite"],
                          timeout=60)
        assert ran.returncode == 0, ran.stderr
        with Store(tmp_path / "a.sqlite") as store:
            run = store.runs()[-1]
            for url in (*internal, site.url("/hop")):
                page = store.page(run.id, url.format(port=site.port))
                assert page is not None and page.status is FetchStatus.BLOCKED, url
                assert "policy.allow_internal" in page.error, page.error
        assert site.hits("/admin") == 0 and site.hits("/metadata") == 0 and site.hits("/secret") == 0


def test_a_malformed_link_is_a_broken_link_and_the_page_is_still_read(tmp_path: Path) -> None:
    with HostileServer() as site:
        bad = "http://bad.example:99999/x"
        body = "正文" * 40 + f'<a href="{bad}">坏链接</a><a href="/col/ok.htm">好链接</a>'
        site.route("/col/list.htm", html(article_page("通知", "2018-06-12", body=body)))
        site.route("/col/ok.htm", html(article_page("好", "2018-06-12")))
        catalogue = write_catalogue(tmp_path / "site.yaml", {n: site.url("/col/list.htm") for n in range(1, 51)})
        ran = run_auditor(["crawl", "--site", str(catalogue), "--db", str(tmp_path / "a.sqlite"), "--no-polite"],
                          timeout=60)
        assert ran.returncode == 0, ran.stderr
        with Store(tmp_path / "a.sqlite") as store:
            run = store.runs()[-1]
            links = {k.to_url: k for k in store.links(run.id)}
            assert links[bad].status is FetchStatus.HTTP_ERROR
            assert links[site.url("/col/ok.htm")].status is FetchStatus.OK
