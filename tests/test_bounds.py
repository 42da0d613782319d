"""Per-page bounds that say so, and findings that never rest on what a bound left out.

The review's attack: a column page with 100,000 links (a 友情链接 directory) or 100,000 rows (a document
index on one page). The crawl records at most `policy.max_links_per_page` links and
`policy.max_entries_per_page` rows of a page, the page's record says "truncated at N of K", and a rule
that would need the rest (no broken link among those checked, this year's edition not among the rows
kept, a required table not found) is inconclusive with the reason: no department is blamed for our
bound, and no clean pass speaks for what nobody checked. A broken link among those checked still counts.
"""

from __future__ import annotations

import json
import re
import sqlite3
import tracemalloc
from datetime import date
from pathlib import Path

from hostile import HostileServer, article_page, html, list_page, run_auditor, write_catalogue
from test_rules_support import Crawl, annual_report, column, fees, findings, open_store, tenders

from auditor.models import Cut, FetchStatus, Page, PageCuts, PageKind, PageRole, Verdict
from auditor.nights import load_history
from spiders.extract import extract_page

AS_OF = date(2018, 11, 30)


def _cut_note(*, links: tuple[int, int] | None = None, entries: tuple[int, int] | None = None,
              furniture_only: bool = False) -> str:
    """The words the spider writes on a cut page (one spelling: auditor.models.PageCuts)."""
    all_links = Cut(*links) if links else None
    content = Cut(links[1] - 5, links[1] - 5) if links and furniture_only else all_links
    return PageCuts(links=all_links, content=content, entries=Cut(*entries) if entries else None).note()


# ------------------------------------------------------------------------------------- the rules


def test_links_cut_on_the_column_make_the_links_rule_inconclusive_not_a_clean_pass(tmp_path: Path) -> None:
    crawl = Crawl.begin(open_store(tmp_path))
    crawl.catalogue(18, kind=PageKind.ARTICLE, title="招标公告", text="招标公告" * 20, published=date(2018, 11, 1),
                    error=_cut_note(links=(3, 10)))
    for i in range(3):
        crawl.link(column(18), f"http://xxgk.ustb.edu.cn/ok{i}.htm")
    run = crawl.finish()
    f = findings(crawl.store, run, tenders(), AS_OF)["links.broken-links"]
    assert f.status is Verdict.INCONCLUSIVE, f.message
    assert "只检查了前 3 个链接（共 10 个）" in f.message and f.evidence["partial"].startswith("只检查了前 3 个")
    # A broken link among those checked is still the column's own evidence: it warns, and says it was partial.
    crawl.link(column(18), "http://xxgk.ustb.edu.cn/gone.htm", FetchStatus.HTTP_ERROR, 404)
    f = findings(crawl.store, run, tenders(), AS_OF)["links.broken-links"]
    assert f.status is Verdict.WARN and "gone.htm" in f.message and "只检查了前 3 个链接" in f.message


def test_furniture_cut_alone_leaves_the_items_links_rule_alone(tmp_path: Path) -> None:
    # Content links come first: when only the menus' links were cut, every link of the column was checked.
    crawl = Crawl.begin(open_store(tmp_path))
    crawl.catalogue(18, kind=PageKind.ARTICLE, title="招标公告", text="招标公告" * 20, published=date(2018, 11, 1),
                    error=_cut_note(links=(100, 3000), furniture_only=True))
    crawl.link(column(18), "http://xxgk.ustb.edu.cn/ok.htm")
    f = findings(crawl.store, crawl.finish(), tenders(), AS_OF)["links.broken-links"]
    assert f.status is Verdict.PASS, f.message


def test_this_years_edition_not_among_the_rows_kept_is_inconclusive_not_missing(tmp_path: Path) -> None:
    def judge(cut: bool) -> dict[str, object]:
        crawl = Crawl.begin(open_store(tmp_path / ("cut" if cut else "whole")))
        crawl.catalogue(6, text="2016~2017学年信息公开工作年度报告",
                        error=_cut_note(entries=(1, 5000)) if cut else "")
        crawl.entry(6, "北京科技大学2016~2017学年信息公开工作年度报告", date(2017, 10, 30), n=1)
        found = findings(crawl.store, crawl.finish(), annual_report(), AS_OF)
        return {rule: (f.status, f.message) for rule, f in found.items()}

    whole, cut = judge(cut=False), judge(cut=True)
    assert whole["freshness.current-edition"][0] is Verdict.FAIL  # the control: the rows are all there
    status, message = cut["freshness.current-edition"]
    assert status is Verdict.INCONCLUSIVE and "只记录了前 1 条（共 5000 条）" in str(message), message
    assert cut["presence.details-reachable"][0] is Verdict.INCONCLUSIVE  # 1 of 5000 opened: no clean pass
    assert cut["presence.not-blank"] == (Verdict.PASS, "栏目共有5000条内容")


def test_a_stale_newest_row_and_missing_terms_are_inconclusive_when_rows_were_cut(tmp_path: Path) -> None:
    crawl = Crawl.begin(open_store(tmp_path))
    crawl.catalogue(21, text="收费公示", error=_cut_note(entries=(2, 900)))
    crawl.entry(21, "2015年收费公示", date(2015, 9, 1), n=1, text="收费项目 收费依据")
    crawl.entry(21, "2014年收费公示", date(2014, 9, 1), n=2, text="收费项目")
    found = findings(crawl.store, crawl.finish(), fees(), AS_OF)
    assert found["freshness.latest-age"].status is Verdict.INCONCLUSIVE, found["freshness.latest-age"].message
    assert "可能有更新的内容" in found["freshness.latest-age"].message
    assert found["content.required-terms"].status is Verdict.INCONCLUSIVE
    assert "收费标准" in found["content.required-terms"].message  # says what it did not find, and why not judged


def test_most_articles_broken_fails_only_when_most_of_the_whole_list_is_broken(tmp_path: Path) -> None:
    crawl = Crawl.begin(open_store(tmp_path))
    crawl.catalogue(18, error=_cut_note(entries=(3, 10)))
    crawl.entry(18, "公告1", date(2018, 11, 1), n=1)
    crawl.entry(18, "公告2", date(2018, 11, 1), n=2, status=FetchStatus.HTTP_ERROR, http_status=404)
    crawl.entry(18, "公告3", date(2018, 11, 1), n=3, status=FetchStatus.HTTP_ERROR, http_status=404)
    f = findings(crawl.store, crawl.finish(), tenders(), AS_OF)["presence.details-reachable"]
    # 2 of the 3 checked are broken, but the list had 10 rows: "most of the articles" is not shown.
    assert f.status is Verdict.WARN and "只记录了前 3 条（共 10 条）" in f.message, f.message


def test_most_articles_broken_still_fails_when_the_broken_ones_are_most_of_all_rows(tmp_path: Path) -> None:
    crawl = Crawl.begin(open_store(tmp_path))
    crawl.catalogue(18, error=_cut_note(entries=(3, 5)))
    for n in (1, 2, 3):
        crawl.entry(18, f"公告{n}", date(2018, 11, 1), n=n, status=FetchStatus.HTTP_ERROR, http_status=404)
    f = findings(crawl.store, crawl.finish(), tenders(), AS_OF)["presence.details-reachable"]
    assert f.status is Verdict.FAIL, f.message  # 3 broken of 5 rows whatever the 2 unread ones are


def test_a_record_written_before_the_content_count_still_reads_as_cut() -> None:
    old = Page(url="http://a/", role=PageRole.CATALOGUE, status=FetchStatus.OK,
               error="链接过多：只记录并检查了前 2000 个（truncated at 2000 of 100003）")
    cuts = PageCuts.of(old)
    assert cuts.links == Cut(2000, 100003) and cuts.content == Cut(2000, 100003) and cuts.entries is None


# ------------------------------------------------------------------------------------- the reader


def _farm(n: int) -> str:
    rows = [(f"/a{i}.htm", f"2018年公告{i}", "2018-06-01") for i in range(n)]
    farm = "".join(f'<li><a href="http://127.0.0.1:9/x{i}">站{i}</a></li>' for i in range(n))
    return list_page("通知公告", rows, extra=f'<ul class="links">{farm}</ul>')


def test_the_reader_keeps_the_bound_and_counts_the_rest() -> None:
    small, big = extract_page(_farm(300), "http://h/l.htm"), extract_page(_farm(300), "http://h/l.htm",
                                                                           max_links=20, max_entries=50)
    assert len(big.entries) == 50 and big.entries == small.entries[:50] and big.entries_found == 300
    assert len(big.links) + len(big.furniture_links) == 20
    assert big.links_found == len(small.links) + len(small.furniture_links)
    assert (big.kind, big.title) == (small.kind, small.title)


def test_reading_a_page_costs_the_bound_not_the_page() -> None:
    """Python objects made while reading a page of 5,000 links and rows against one of 500, under the
    same bounds: the pruning parser drops rows past the bound before any object is made per link."""

    def traced_peak(n: int) -> int:
        page = _farm(n)
        tracemalloc.start()
        try:
            extract_page(page, "http://h/l.htm", max_links=100, max_entries=100)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    small, big = traced_peak(500), traced_peak(5_000)
    assert big < 2 * small, (small, big)  # ten times the page; unbounded, it was about ten times the memory


# ------------------------------------------------------------------------------------- a real crawl


def test_a_crawl_records_bounded_rows_and_links_and_blames_nobody_for_the_rest(tmp_path: Path) -> None:
    rows, links, max_entries, max_links = 1500, 400, 40, 100
    with HostileServer() as site:
        # item 6: this year's report is listed, but after the 40 rows the bound keeps
        old = [(f"/a/{i}.htm", f"2010年公告{i}", "2010-06-01") for i in range(rows - 1)]
        site.route("/report/list.htm", html(list_page("信息公开年度报告", [
            *old, ("/a/report.htm", "2017~2018学年信息公开工作年度报告", "2018-10-30")])))
        site.route("/a/*", html(article_page("公告", "2010-06-01")))
        # item 18: an article whose body links 400 pages; only the last ones are broken
        body = "".join(f'<a href="/ok/{i}.htm">公告{i}</a>' for i in range(links - 10))
        body += "".join(f'<a href="/gone/{i}.htm">旧公告{i}</a>' for i in range(10))
        site.route("/tender/index.htm", html(article_page("招标公告", "2018-11-01", body="招标公告正文。" * 20 + body)))
        site.route("/ok/*", html(article_page("公告", "2018-11-01")))
        site.route("/col/list.htm", html(list_page("栏目", [("/ok/x.htm", "2018年公告", "2018-11-01")])))
        urls: dict[int, str | list[str]] = {n: site.url("/col/list.htm") for n in range(1, 51)}
        urls[6], urls[18] = site.url("/report/list.htm"), site.url("/tender/index.htm")
        catalogue = write_catalogue(tmp_path / "c.yaml", urls, policy={
            "max_entries_per_page": max_entries, "max_links_per_page": max_links, "max_pages_per_item": 200})
        db = tmp_path / "a.sqlite"
        ran = run_auditor(["crawl", "--site", str(catalogue), "--db", str(db), "--no-polite"], timeout=120)
        assert ran.returncode == 0, ran.stderr[-2000:]
        requested = {path for _host, path in site.requested()}
    assert not any(p.startswith("/gone/") for p in requested)  # past the bound: never requested
    assert sum(p.startswith("/a/") for p in requested) == max_entries  # the rows kept, and no more
    with sqlite3.connect(db) as con:
        entries = con.execute("SELECT count(*) FROM entries WHERE list_url LIKE '%/report/list.htm'").fetchone()[0]
        report_error = con.execute("SELECT error FROM pages WHERE url LIKE '%/report/list.htm'").fetchone()[0]
        tender_error = con.execute("SELECT error FROM pages WHERE url LIKE '%/tender/index.htm'").fetchone()[0]
    assert entries == max_entries
    said = re.search(r"entries truncated at (\d+) of (\d+)", report_error)
    assert said is not None and (int(said[1]), int(said[2])) == (max_entries, rows), report_error
    said = re.search(r"truncated at (\d+) of (\d+); content links (\d+) of (\d+)", tender_error)
    assert said is not None and int(said[1]) == max_links and int(said[4]) == links, tender_error

    out = tmp_path / "out"
    ran = run_auditor(["evaluate", "--db", str(db), "--as-of", AS_OF.isoformat(), "--out", str(out)], timeout=120)
    assert ran.returncode in (0, 1, 3), ran.stderr[-2000:]
    doc = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    by = {(item["item"], f["rule"]): f for item in doc["items"] for f in item["findings"]}
    edition = by[(6, "freshness.current-edition")]
    assert edition["status"] == "inconclusive" and f"只记录了前 {max_entries} 条（共 {rows} 条）" in edition["message"]
    broken = by[(18, "links.broken-links")]
    assert broken["status"] == "inconclusive", broken["message"]
    assert f"只检查了前 {max_links} 个链接（共 {links} 个）" in broken["message"]


def test_a_night_that_read_a_cut_list_did_not_read_all_of_it(tmp_path: Path) -> None:
    """The rules that compare nights take an entry missing from a list as evidence only on a night that read
    the list whole (or back to the entry's date): a list cut by the bound is no such night."""
    nights = {}
    for cut in (False, True):
        crawl = Crawl.begin(open_store(tmp_path / str(cut)))
        crawl.catalogue(13, error=_cut_note(entries=(2, 900)) if cut else "")
        crawl.entry(13, "2018年拟录取名单", date(2018, 5, 20), n=1)
        run = crawl.finish()
        history = load_history(crawl.store, "ustb", run, AS_OF, [13])
        nights[cut] = history.items[13].tonight
    assert nights[False].complete and nights[False].covers(date(2010, 1, 1))
    assert not nights[True].complete and not nights[True].covers(date(2018, 5, 1))  # older than the rows kept
