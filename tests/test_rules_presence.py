"""Presence: a column that does not open or is blank fails; a site or network failure never does."""

from datetime import date
from pathlib import Path

from test_rules_support import Crawl, aid, column, findings, open_store, site_item, statutes, tenders

from auditor.models import FetchStatus, PageKind, Verdict

AS_OF = date(2018, 11, 30)


def test_a_404_column_fails_and_nothing_else_is_judged(tmp_path: Path) -> None:
    crawl = Crawl.begin(open_store(tmp_path))
    crawl.catalogue(2, status=FetchStatus.HTTP_ERROR, http_status=404, kind=PageKind.UNKNOWN)
    found = findings(crawl.store, crawl.finish(), statutes(), AS_OF)
    assert list(found) == ["presence.catalogue-reachable"]
    f = found["presence.catalogue-reachable"]
    assert f.status is Verdict.FAIL
    assert "HTTP 404" in f.message and column(2) in f.message
    assert f.evidence["http_status"] == "404"


def test_a_waf_412_column_is_inconclusive_not_fail(tmp_path: Path) -> None:
    crawl = Crawl.begin(open_store(tmp_path))
    # the spider may record the firewall either way: as WAF, or as an HTTP error with code 412
    crawl.catalogue(2, status=FetchStatus.WAF, http_status=412, kind=PageKind.UNKNOWN)
    crawl.catalogue(18, status=FetchStatus.HTTP_ERROR, http_status=412, kind=PageKind.UNKNOWN)
    run = crawl.finish()
    for item in (statutes(), tenders()):
        found = findings(crawl.store, run, item, AS_OF)
        assert [f.status for f in found.values()] == [Verdict.INCONCLUSIVE]
        assert "本次不判定" in found["presence.catalogue-reachable"].message


def test_a_timeout_is_inconclusive(tmp_path: Path) -> None:
    crawl = Crawl.begin(open_store(tmp_path))
    crawl.catalogue(2, status=FetchStatus.TIMEOUT, http_status=None, kind=PageKind.UNKNOWN)
    found = findings(crawl.store, crawl.finish(), statutes(), AS_OF)
    assert found["presence.catalogue-reachable"].status is Verdict.INCONCLUSIVE
    assert "连接超时" in found["presence.catalogue-reachable"].message


def test_placeholder_text_makes_a_blank_column(tmp_path: Path) -> None:
    crawl = Crawl.begin(open_store(tmp_path))
    crawl.catalogue(2, kind=PageKind.ARTICLE, text="领导干部社会兼职\n暂无内容")
    found = findings(crawl.store, crawl.finish(), statutes(), AS_OF)
    assert found["presence.catalogue-reachable"].status is Verdict.PASS
    blank = found["presence.not-blank"]
    assert blank.status is Verdict.FAIL and "暂无内容" in blank.message
    assert "freshness.standing" not in found and "content.required-terms" not in found


def test_a_long_article_that_mentions_construction_is_not_blank(tmp_path: Path) -> None:
    crawl = Crawl.begin(open_store(tmp_path))
    crawl.catalogue(2, kind=PageKind.ARTICLE, text="北京科技大学章程。" + "学校正在建设中的新校区……" * 30)
    found = findings(crawl.store, crawl.finish(), statutes(), AS_OF)
    assert found["presence.not-blank"].status is Verdict.PASS


def test_an_empty_list_is_blank(tmp_path: Path) -> None:
    crawl = Crawl.begin(open_store(tmp_path))
    crawl.catalogue(18, kind=PageKind.EMPTY)
    found = findings(crawl.store, crawl.finish(), tenders(), AS_OF)
    assert found["presence.not-blank"].status is Verdict.FAIL


def test_some_broken_articles_warn_most_fail(tmp_path: Path) -> None:
    def judge(broken: int, total: int, path: Path) -> Verdict:
        crawl = Crawl.begin(open_store(path))
        crawl.catalogue(18)
        for n in range(total):
            bad = n < broken
            crawl.entry(18, f"采购公告{n}", date(2018, 11, 1), n=n,
                        status=FetchStatus.HTTP_ERROR if bad else FetchStatus.OK, http_status=404 if bad else 200)
        return findings(crawl.store, crawl.finish(), tenders(), AS_OF)["presence.details-reachable"].status

    assert judge(0, 4, tmp_path / "a") is Verdict.PASS
    assert judge(1, 4, tmp_path / "b") is Verdict.WARN
    assert judge(3, 4, tmp_path / "c") is Verdict.FAIL


def test_articles_unreachable_by_timeout_are_inconclusive(tmp_path: Path) -> None:
    crawl = Crawl.begin(open_store(tmp_path))
    crawl.catalogue(18)
    crawl.entry(18, "采购公告", date(2018, 11, 1), n=1, status=FetchStatus.TIMEOUT, http_status=None)
    found = findings(crawl.store, crawl.finish(), tenders(), AS_OF)
    assert found["presence.details-reachable"].status is Verdict.INCONCLUSIVE


def test_redirect_to_the_home_page_fails_a_moved_column_passes(tmp_path: Path) -> None:
    crawl = Crawl.begin(open_store(tmp_path))
    crawl.catalogue(2, kind=PageKind.ARTICLE, text="北京科技大学章程全文……" * 5,
                    redirects=("301 http://xxgk.ustb.edu.cn/",), final_url="http://xxgk.ustb.edu.cn/")
    crawl.catalogue(37, kind=PageKind.ARTICLE, text="资助管理办法全文……" * 5,
                    redirects=("301 http://xxgk.ustb.edu.cn/new37/",), final_url="http://xxgk.ustb.edu.cn/new37/")
    run = crawl.finish()
    home = findings(crawl.store, run, statutes(), AS_OF)["presence.catalogue-reachable"]
    assert home.status is Verdict.FAIL and "首页" in home.message
    moved = findings(crawl.store, run, aid(), AS_OF)["presence.catalogue-reachable"]
    assert moved.status is Verdict.PASS and "new37" in moved.message


def test_an_item_without_a_column_fails(tmp_path: Path) -> None:
    crawl = Crawl.begin(open_store(tmp_path))
    found = findings(crawl.store, crawl.finish(), statutes(), AS_OF, site_item(2, urls=()))
    assert found["presence.catalogue-reachable"].status is Verdict.FAIL
