"""Links: broken attachments fail, other broken links warn, unchecked links are not broken."""

from datetime import date
from pathlib import Path

from test_rules_support import Crawl, column, findings, open_store, tenders

from auditor.models import FetchStatus, PageKind, PageRole, Verdict

AS_OF = date(2018, 11, 30)


def tender_column(tmp_path: Path) -> tuple[Crawl, str]:
    crawl = Crawl.begin(open_store(tmp_path))
    crawl.catalogue(18)
    return crawl, crawl.entry(18, "实验设备采购公告", date(2018, 11, 1), n=1)


def test_broken_attachment_fails_with_its_url(tmp_path: Path) -> None:
    crawl, detail = tender_column(tmp_path)
    pdf = f"{column(18)}files/zb.pdf"
    crawl.page(pdf, 18, PageRole.ATTACHMENT, status=FetchStatus.HTTP_ERROR, http_status=404,
               kind=PageKind.UNKNOWN, parent=detail)
    crawl.link(detail, pdf, FetchStatus.HTTP_ERROR, 404)
    found = findings(crawl.store, crawl.finish(), tenders(), AS_OF)
    f = found["links.attachments"]
    assert f.status is Verdict.FAIL and pdf in f.message and f.evidence["broken"] == "1"
    assert found["links.broken-links"].status is Verdict.PASS  # the PDF is not counted twice


def test_broken_page_link_warns_robots_and_offsite_are_not_broken(tmp_path: Path) -> None:
    crawl, detail = tender_column(tmp_path)
    crawl.link(detail, "http://xxgk.ustb.edu.cn/withdrawn.htm", FetchStatus.HTTP_ERROR, 404)
    crawl.link(detail, "http://xxgk.ustb.edu.cn/private/plan.htm", FetchStatus.ROBOTS, None)
    crawl.link(detail, "https://mp.weixin.qq.com/s/abc", FetchStatus.OFFSITE, None)
    crawl.link(detail, "http://xxgk.ustb.edu.cn/ok.htm")
    f = findings(crawl.store, crawl.finish(), tenders(), AS_OF)["links.broken-links"]
    assert f.status is Verdict.WARN
    assert f.evidence["broken"] == "1" and f.evidence["urls"] == "HTTP 404 http://xxgk.ustb.edu.cn/withdrawn.htm"


def test_only_robots_and_offsite_links_pass(tmp_path: Path) -> None:
    crawl, detail = tender_column(tmp_path)
    crawl.link(detail, "http://xxgk.ustb.edu.cn/private/plan.htm", FetchStatus.ROBOTS, None)
    f = findings(crawl.store, crawl.finish(), tenders(), AS_OF)["links.broken-links"]
    assert f.status is Verdict.PASS and f.evidence["skipped"] == "1"


def test_timeouts_are_inconclusive_only_when_nothing_else_can_be_said(tmp_path: Path) -> None:
    crawl, detail = tender_column(tmp_path)
    crawl.link(detail, "http://slow.ustb.edu.cn/a.htm", FetchStatus.TIMEOUT, None)
    run = crawl.finish()
    assert findings(crawl.store, run, tenders(), AS_OF)["links.broken-links"].status is Verdict.INCONCLUSIVE
    crawl.link(detail, "http://xxgk.ustb.edu.cn/ok.htm")
    assert findings(crawl.store, run, tenders(), AS_OF)["links.broken-links"].status is Verdict.PASS
    crawl.link(detail, "http://xxgk.ustb.edu.cn/gone.htm", FetchStatus.HTTP_ERROR, 410)
    assert findings(crawl.store, run, tenders(), AS_OF)["links.broken-links"].status is Verdict.WARN
