"""The bundled sample site answers exactly as its manifest says, over real HTTP on 127.0.0.1.

Every request goes through the server as an HTTP proxy (the way the crawler reaches it), except
where a test checks direct (origin-form) access. Nothing here touches the internet.
"""

from __future__ import annotations

import email.message
import hashlib
import http.client
import io
import re
import urllib.error
import urllib.request
import urllib.robotparser
from collections.abc import Iterator
from dataclasses import dataclass
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import docx
import lxml.html
import openpyxl
import pytest
from pdfminer.high_level import extract_text

from auditor.models import PageKind, RuleKind, Verdict
from samplesite import description
from samplesite.build import build
from samplesite.manifest import MANIFEST_PATH, SITE_ROOT, Manifest, Outcome, Role, UrlRecord, load
from samplesite.server import SampleSiteServer, iter_hosts

MAIN = "http://xxgk.ustb.edu.cn"


@dataclass(frozen=True)
class Answer:
    status: int
    headers: email.message.Message
    body: bytes

    def header(self, name: str) -> str:
        return self.headers.get(name, "")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # surface every 3xx so tests see each hop


@pytest.fixture(scope="module")
def manifest() -> Manifest:
    return load()


@pytest.fixture(scope="module")
def server() -> Iterator[SampleSiteServer]:
    with SampleSiteServer() as s:
        yield s


@pytest.fixture()
def site(server: SampleSiteServer) -> SampleSiteServer:
    server.reset()
    return server


def fetch(
    s: SampleSiteServer, url: str, headers: dict[str, str] | None = None, method: str = "GET"
) -> Answer:
    """One request through the sample site as a proxy; redirects are not followed."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": s.proxy_url}), _NoRedirect)
    req = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with opener.open(req, timeout=10) as resp:
            return Answer(resp.status, resp.headers, resp.read())
    except urllib.error.HTTPError as err:
        with err:
            return Answer(err.code, err.headers, err.read())


def page_text(body: bytes, encoding: str = "utf-8") -> str:
    return str(lxml.html.document_fromstring(body.decode(encoding)).text_content())


# The furniture blocks of the site's three templates (samplesite/furniture.py): header and top navigation,
# breadcrumbs, menus of sibling columns, the 最新公开 sidebar, 上一条/下一条, footer.
FURNITURE = (
    "div.top, div.header, div.position, div.left, div.zxgk, div.footer, dl.page, p[align=right]",  # 博达 VSB
    "#header, #nav, div.col_menu, li.col_path, div.col_news_right, div.arti_prenext, #footer",  # WebPlus
    "div.location, div.sidebar, div.prenext",  # hand-made
)


def own_text(body: bytes, encoding: str = "utf-8") -> str:
    """A page's text without its furniture: what the column itself published there."""
    doc = lxml.html.document_fromstring(body.decode(encoding))
    for selector in FURNITURE:
        for node in doc.cssselect(selector):
            node.drop_tree()
    return str(doc.text_content())


def attachment_text(data: bytes, filename: str) -> str:
    if filename.endswith(".pdf"):
        return str(extract_text(io.BytesIO(data)))
    if filename.endswith(".docx"):
        return "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)
    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    cells = [
        str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row if c is not None
    ]
    wb.close()
    return "\n".join(cells)


def follow(s: SampleSiteServer, u: UrlRecord) -> Answer:
    """Fetch a manifest URL the way the manifest says it behaves, checking each step on the way."""
    for _ in range(u.transient):
        first = fetch(s, u.url)
        assert first.status == 503, u.url
        assert first.header("Retry-After") in ("0", "1")
    answer = fetch(s, u.url)
    hop_from = u.url
    for hop in u.redirects:
        code, target = hop.split(" ", 1)
        assert answer.status == int(code), hop_from
        assert answer.header("Location") == target
        hop_from = target
        answer = fetch(s, target)
    return answer


# ------------------------------------------------------------------------------------------ manifest


def test_committed_site_and_manifest_are_what_the_description_builds(tmp_path: Path) -> None:
    fresh = build(tmp_path / "site", tmp_path / "manifest.yaml")
    assert (tmp_path / "manifest.yaml").read_text(encoding="utf-8") == MANIFEST_PATH.read_text(
        encoding="utf-8"
    )
    for f in fresh.files:
        committed = SITE_ROOT / f.path
        assert committed.is_file(), f.path
        assert (
            hashlib.sha256(committed.read_bytes()).digest()
            == hashlib.sha256((tmp_path / "site" / f.path).read_bytes()).digest()
        ), f.path
    on_disk = {p.relative_to(SITE_ROOT).as_posix() for p in SITE_ROOT.rglob("*") if p.is_file()}
    assert on_disk == {f.path for f in fresh.files}, "stray files under site/"


def test_manifest_covers_all_50_items_at_the_seed_urls(manifest: Manifest) -> None:
    seed = Path(__file__).resolve().parent / "data" / "seed" / "000_074c46209a94675a.txt"
    assert [it.item for it in manifest.items] == list(range(1, 51))
    catalogue = {u.url for u in manifest.urls if u.role is Role.CATALOGUE}
    assert catalogue == {it.catalogue for it in manifest.items}
    seed_urls = re.findall(
        r"http://xxgk\.ustb\.edu\.cn/xinxigongkaimulu/\S+/", seed.read_text(encoding="utf-8")
    )
    assert seed_urls == [it.catalogue for it in manifest.items]
    assert set(manifest.hosts) == set(iter_hosts())


PLANTED = {
    3: {RuleKind.LINKS: Verdict.FAIL},
    6: {RuleKind.FRESHNESS: Verdict.FAIL},
    12: {RuleKind.PRIVACY: Verdict.FAIL},
    18: {RuleKind.LINKS: Verdict.WARN},
    20: {RuleKind.CONTENT: Verdict.FAIL},
    21: {RuleKind.CONTENT: Verdict.FAIL},
    22: {RuleKind.PRESENCE: Verdict.FAIL},
    25: {RuleKind.FRESHNESS: Verdict.WARN},
    28: {RuleKind.FRESHNESS: Verdict.FAIL},
    35: {RuleKind.LINKS: Verdict.FAIL},
    37: {RuleKind.PRIVACY: Verdict.FAIL},
    46: {RuleKind.PRESENCE: Verdict.FAIL},
    44: {RuleKind.PRIVACY: Verdict.FAIL},
    47: {RuleKind.PRESENCE: Verdict.INCONCLUSIVE},
}


def test_expected_verdicts_match_the_planted_defects(manifest: Manifest) -> None:
    for it in manifest.items:
        planted = PLANTED.get(it.item, {})
        for kind, verdict in planted.items():
            assert it.expected.kind(kind) is verdict, (it.item, kind)
        worst = set(planted.values()) or {Verdict.PASS}
        assert it.expected.overall in worst, it.item
        others = [it.expected.kind(k) for k in RuleKind if k not in planted]
        assert all(v in (Verdict.PASS, None) for v in others), it.item
    fails = sorted(it.item for it in manifest.items if it.expected.overall is Verdict.FAIL)
    assert fails == [3, 6, 12, 20, 21, 22, 28, 35, 37, 44, 46]


# ------------------------------------------------------------------------------------------ serving


def test_every_manifest_url_answers_as_the_manifest_says(site: SampleSiteServer, manifest: Manifest) -> None:
    robots: dict[str, urllib.robotparser.RobotFileParser] = {}
    for u in manifest.urls:
        answer = follow(site, u)
        assert answer.status == u.status, u.url
        if u.outcome is Outcome.NOT_FOUND:
            assert u.status == 404
        if u.outcome is Outcome.WAF:
            assert u.status == 412
        if u.outcome is Outcome.OFFSITE:
            assert urlsplit(u.url).hostname not in manifest.allowed_hosts
        host = urlsplit(u.url).hostname or ""
        if host not in robots:
            parser = urllib.robotparser.RobotFileParser()
            parser.parse(fetch(site, f"http://{host}/robots.txt").body.decode().splitlines())
            robots[host] = parser
        assert robots[host].can_fetch("xxgk-auditor", u.url) is (u.outcome is not Outcome.ROBOTS), u.url
        if u.content_type:
            ctype = answer.header("Content-Type")
            assert ctype.split(";")[0] == u.content_type, u.url
            assert ctype == (f"{u.content_type}; charset={u.charset}" if u.charset else u.content_type), u.url
        if u.kind in (PageKind.LIST, PageKind.ARTICLE, PageKind.EMPTY):
            check_html(answer, u)


def check_html(answer: Answer, u: UrlRecord) -> None:
    """List entries and publish dates in the manifest are really on the page."""
    page_url = u.final_url or u.url
    doc = lxml.html.document_fromstring(answer.body.decode(u.encoding or "utf-8"))
    text = doc.text_content()
    anchors = {
        (urljoin(page_url, a.get("href", "")), a.get("title") or a.text_content()) for a in doc.iter("a")
    }
    for e in u.entries:
        assert (e.url, e.title) in anchors, (u.url, e.title)
        shown = (f"{e.date:%Y-%m-%d}", f"{e.date.year}年{e.date.month:02d}月{e.date.day:02d}日")
        assert any(s in text for s in shown), (u.url, e.date)
    if u.kind is PageKind.LIST:
        assert u.entries, u.url
    if u.title and u.kind is PageKind.ARTICLE:
        assert u.title in text, u.url
    if u.kind is PageKind.ARTICLE and u.role is not Role.NAVIGATION:
        if u.published:
            assert re.search(rf"(时间|日期)：\s*({u.published:%Y-%m-%d}|{u.published.year}年)", text), u.url
        else:
            # the standing regulation without any date: the sidebar beside it shows other columns' dates
            own = own_text(answer.body, u.encoding or "utf-8")
            assert not re.search(r"\d{4}[-年/]\d{1,2}[-月/]\d{1,2}", own), u.url
            assert re.search(r"\d{4}-\d{2}-\d{2}|\[\d{2}-\d{2}\]", text), u.url
    if u.kind is PageKind.EMPTY:
        assert "暂无内容" in text and not u.entries


def test_last_modified_and_etag_are_fixed_per_file(site: SampleSiteServer, manifest: Manifest) -> None:
    for f in manifest.files:
        host, _, rest = f.path.partition("/")
        if "." not in host or not rest.endswith(("index.html", ".htm", ".pdf", ".xlsx", ".docx")):
            continue
        url = f"http://{host}/{rest.removesuffix('index.html')}"
        record = next((u for u in manifest.urls if u.url == url), None)
        if record is not None and (record.transient or record.redirects):
            continue
        answer = fetch(site, url)
        assert answer.status == 200, url
        assert answer.header("Last-Modified") == format_datetime(f.last_modified, usegmt=True), url
        assert answer.header("ETag").startswith('"')
    d6 = manifest.url(f"{MAIN}/xinxigongkaimulu/jibenxinxi/xinxigongkainiandubaogao/")
    assert fetch(site, d6.url).header("Last-Modified") == "Fri, 28 Oct 2016 09:05:12 GMT"


def test_conditional_requests_answer_304_without_a_body(site: SampleSiteServer) -> None:
    url = f"{MAIN}/xinxigongkaimulu/jibenxinxi/jibenxuexiao/"
    first = fetch(site, url)
    etag, modified = first.header("ETag"), first.header("Last-Modified")
    assert fetch(site, url, {"If-None-Match": etag}).status == 304
    assert fetch(site, url, {"If-None-Match": '"stale", ' + etag}).status == 304
    assert fetch(site, url, {"If-Modified-Since": modified}).status == 304
    assert fetch(site, url, {"If-Modified-Since": "Sat, 01 Jan 2000 00:00:00 GMT"}).status == 200
    # a changed ETag wins over a still-valid date
    assert fetch(site, url, {"If-None-Match": '"other"', "If-Modified-Since": modified}).status == 200
    download = (
        f"{MAIN}/system/_content/download.jsp?urltype=news.DownloadAttachUrl&owner=1020&wbfileid=1020001"
    )
    assert fetch(site, download, {"If-None-Match": fetch(site, download).header("ETag")}).status == 304
    not_modified = [r for r in site.requests if r.status == 304]
    assert len(not_modified) == 4 and all(r.conditional and r.bytes_sent == 0 for r in not_modified)
    assert not site.requests[0].conditional and site.requests[0].bytes_sent == len(first.body)


def test_head_sends_headers_only(site: SampleSiteServer) -> None:
    get = fetch(site, f"{MAIN}/")
    head = fetch(site, f"{MAIN}/", method="HEAD")
    assert head.status == 200 and head.body == b""
    assert head.header("Content-Length") == str(len(get.body))
    assert head.header("ETag") == get.header("ETag")
    assert site.requests[-1].method == "HEAD" and site.requests[-1].bytes_sent == 0


def test_gbk_page_declares_its_charset_only_in_meta(site: SampleSiteServer) -> None:
    answer = fetch(site, f"{MAIN}/xinxigongkaimulu/renshishizi/xiaojilingdao/")
    assert answer.header("Content-Type") == "text/html"
    with pytest.raises(UnicodeDecodeError):
        answer.body.decode("utf-8")
    text = answer.body.decode("gbk")
    assert 'charset=gb2312"' in text and "校领导因公出国（境）公示（2018年第6批）" in text
    assert "2018年11月12日" in text


def test_503_twice_then_200_per_server_instance(site: SampleSiteServer) -> None:
    url = f"{MAIN}/xinxigongkaimulu/zhaoshengkaoshi/zhaoshengzixun/"
    assert [fetch(site, url).status for _ in range(4)] == [503, 503, 200, 200]
    site.reset()
    assert fetch(site, url).status == 503
    with SampleSiteServer() as other:  # the counter belongs to one server instance
        assert fetch(other, url).status == 503


def test_calendar_trap_is_endless_but_each_page_is_small(site: SampleSiteServer) -> None:
    url = f"{MAIN}/calendar/?month=2018-11"
    seen = set()
    for _ in range(40):
        answer = fetch(site, url)
        assert answer.status == 200 and len(answer.body) < 2048
        seen.add(url)
        doc = lxml.html.document_fromstring(answer.body.decode())
        nexts = [urljoin(url, a.get("href")) for a in doc.iter("a") if a.text_content() == "下个月"]
        url = nexts[0]
    assert len(seen) == 40 and url.endswith("month=2022-03")
    archive = fetch(site, f"{MAIN}/calendar/2030/01/")
    assert archive.status == 200 and b"/calendar/2029/12/" in archive.body
    assert fetch(site, f"{MAIN}/calendar/?month=2018-13").status == 404


def test_redirect_to_the_columns_new_path(site: SampleSiteServer) -> None:
    answer = fetch(site, f"{MAIN}/xinxigongkaimulu/renshishizi/gangweishezhi/")
    assert answer.status == 301
    assert answer.header("Location") == f"{MAIN}/xinxigongkaimulu/renshishizi/gangweishezhiguanli/"
    assert "岗位设置管理与聘用办法" in page_text(fetch(site, answer.header("Location")).body)


def test_missing_and_waf_columns(site: SampleSiteServer) -> None:
    assert fetch(site, f"{MAIN}/xinxigongkaimulu/xueweixueke/nixinzengxuewei/").status == 404
    waf = fetch(site, f"{MAIN}/xinxigongkaimulu/duiwaijiaoliu/zhongwaihezuobanxueqingkuang/")
    assert waf.status == 412 and "拦截" in waf.body.decode()
    assert (
        fetch(site, f"{MAIN}/xinxigongkaimulu/duiwaijiaoliu/zhongwaihezuobanxueqingkuang/list.htm").status
        == 412
    )


def test_unknown_hosts_https_and_connect_get_502(site: SampleSiteServer) -> None:
    assert fetch(site, "http://lib.ustb.edu.cn/").status == 502  # www.ustb.edu.cn is served: the university home
    assert fetch(site, "http://example.invalid/x").status == 502
    conn = http.client.HTTPConnection("127.0.0.1", site.port, timeout=5)
    try:
        conn.request("CONNECT", "xxgk.ustb.edu.cn:443")
        assert conn.getresponse().status == 502
    finally:
        conn.close()
    conn = http.client.HTTPConnection("127.0.0.1", site.port, timeout=5)
    try:
        conn.request("GET", "https://xxgk.ustb.edu.cn/")
        assert conn.getresponse().status == 502
    finally:
        conn.close()
    assert {r.status for r in site.requests} == {502}


def test_direct_origin_form_requests(site: SampleSiteServer) -> None:
    with urllib.request.urlopen(f"http://127.0.0.1:{site.port}/xinxigongkaimulu/jibenxinxi/", timeout=5) as r:
        assert "学校章程及规章制度" in r.read().decode()
    conn = http.client.HTTPConnection("127.0.0.1", site.port, timeout=5)
    try:
        conn.request("GET", "/", headers={"Host": "yzb.ustb.edu.cn"})
        assert "研究生招生网" in conn.getresponse().read().decode()
        conn.request("GET", "/", headers={"Host": "elsewhere.example"})
        assert conn.getresponse().status == 502
    finally:
        conn.close()
    assert [r.host for r in site.requests] == ["xxgk.ustb.edu.cn", "yzb.ustb.edu.cn", "elsewhere.example"]


def test_robots_txt_per_host(site: SampleSiteServer, manifest: Manifest) -> None:
    for host in manifest.hosts:
        answer = fetch(site, f"http://{host}/robots.txt")
        assert answer.status == 200 and answer.body.startswith(b"User-agent: *")
    assert b"Disallow: /private/" in fetch(site, f"{MAIN}/robots.txt").body
    assert fetch(site, f"{MAIN}/private/plan.htm").status == 200  # robots is advice; the page exists


def test_download_jsp_names_the_file_only_in_content_disposition(
    site: SampleSiteServer, manifest: Manifest
) -> None:
    downloads = [u for u in manifest.urls if "download.jsp" in u.url and u.outcome is Outcome.OK]
    assert len(downloads) == len(manifest.downloads) >= 3
    never_uploaded = [u for u in manifest.urls if "download.jsp" in u.url and u.outcome is not Outcome.OK]
    assert len(never_uploaded) == 3 and all(fetch(site, u.url).status == 404 for u in never_uploaded)
    for u in downloads:
        answer = fetch(site, u.url)
        assert answer.header("Content-Type") == "application/octet-stream"
        disposition = answer.header("Content-Disposition")
        assert disposition.startswith("attachment; filename*=UTF-8''")
        assert unquote(disposition.split("''", 1)[1]) == u.filename
        assert not re.search(r"\.(pdf|docx|xlsx)$", urlsplit(u.url).path)
    bad = f"{MAIN}/system/_content/download.jsp?urltype=news.DownloadAttachUrl&owner=1020&wbfileid=1"
    assert fetch(site, bad).status == 404


# ------------------------------------------------------------------------------------------ content


def _ok_attachments(manifest: Manifest) -> list[UrlRecord]:
    return [u for u in manifest.urls if u.role is Role.ATTACHMENT and u.outcome is Outcome.OK]


def test_attachments_open_with_their_libraries_and_hold_the_phrase(
    site: SampleSiteServer, manifest: Manifest
) -> None:
    kinds = set()
    for u in _ok_attachments(manifest):
        text = attachment_text(fetch(site, u.url).body, u.filename)
        assert u.phrase in text, u.url
        kinds.add(u.filename.rsplit(".", 1)[1])
    assert kinds == {"pdf", "docx", "xlsx"}


def test_budget_tables_only_in_pdf_and_final_accounts_lack_one(
    site: SampleSiteServer, manifest: Manifest
) -> None:
    tables = ("收支预算总表", "收入预算表", "支出预算表", "财政拨款支出预算表")
    budget_pdf = next(u for u in _ok_attachments(manifest) if 19 in u.items)
    pdf_text = attachment_text(fetch(site, budget_pdf.url).body, budget_pdf.filename)
    assert all(t in pdf_text for t in tables)
    for u in manifest.urls_for(19):
        if u.kind in (PageKind.LIST, PageKind.ARTICLE):
            body = follow(site, u).body.decode()
            assert not any(t in body for t in tables), u.url
            if u.kind is PageKind.ARTICLE and u.published and u.published.year == 2018:
                assert f"pdfsrc='{budget_pdf.url.removeprefix(MAIN)}'" in body
    final = next(u for u in _ok_attachments(manifest) if 20 in u.items)
    final_text = attachment_text(fetch(site, final.url).body, final.filename)
    assert "收支决算总表" in final_text and "财政拨款支出决算表" not in final_text
    for u in manifest.urls_for(20):
        if u.kind is PageKind.ARTICLE:
            assert "财政拨款支出决算表" not in fetch(site, u.url).body.decode()


def test_fee_page_names_no_complaint_channel(site: SampleSiteServer, manifest: Manifest) -> None:
    body = fetch(site, manifest.item(21).catalogue).body
    text = own_text(body)
    assert all(t in text for t in ("收费项目", "收费依据", "收费标准")) and "投诉" not in text
    # the footer's 意见与投诉 mailbox is the site's, not the fee page's complaint channel
    assert "投诉" in page_text(body)
    assert "申诉" in page_text(fetch(site, manifest.item(14).catalogue).body)


_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
_ID18 = re.compile(r"(?<![\dXx])\d{17}[\dXx](?![\dXx])")


def _valid_id(candidate: str) -> bool:
    return description.gb11643(candidate[:17]) == candidate.upper()


def test_privacy_defects_are_exactly_the_planted_ones(site: SampleSiteServer, manifest: Manifest) -> None:
    ids: set[int] = set()
    mobiles: set[int] = set()
    for u in manifest.urls:
        if u.outcome not in (Outcome.OK, Outcome.REDIRECT, Outcome.OFFSITE) or u.transient:
            continue
        body = follow(site, u).body
        text = (
            attachment_text(body, u.filename)
            if u.role is Role.ATTACHMENT
            else body.decode(u.encoding or "utf-8")
        )
        if any(_valid_id(m) for m in _ID18.findall(text)):
            ids.update(u.items)
        if _MOBILE.search(text):
            mobiles.update(u.items)
    assert ids == {12, 44}
    assert mobiles == {37}
    masked = page_text(fetch(site, next(u.url for u in manifest.urls_for(13) if u.role is Role.DETAIL)).body)
    assert re.search(r"\d{6}\*{8}\d{4}", masked) and description.LANDLINE in masked


def test_lists_paginate_the_way_their_cms_does(site: SampleSiteServer, manifest: Manifest) -> None:
    tenders = [u for u in manifest.urls_for(18) if u.kind is PageKind.LIST]
    assert [u.url.rsplit("/", 1)[1] for u in tenders] == ["", "2.htm", "1.htm"]
    first = fetch(site, tenders[0].url).body.decode()
    assert "共25条" in first and "1/3" in first and 'id="line_u6_0"' in first
    assert max(e.date for u in tenders for e in u.entries).isoformat() == "2018-11-20"
    regulations = [u for u in manifest.urls_for(2) if u.kind is PageKind.LIST]
    assert len(regulations) >= 2 and sum(len(u.entries) for u in regulations) == 24
    webplus = [u for u in manifest.urls_for(17) if u.kind is PageKind.LIST]
    assert [u.final_url or u.url for u in webplus][-1].endswith("/list2.htm")


def test_special_links_are_recorded(manifest: Manifest) -> None:
    linked = {u.url: u for u in manifest.urls if u.role is Role.LINKED}
    assert linked[f"{MAIN}/private/plan.htm"].outcome is Outcome.ROBOTS
    assert linked[f"{MAIN}/calendar/?month=2018-11"].trap
    assert linked[f"{MAIN}/info/1018/9999.htm"].outcome is Outcome.NOT_FOUND
    wechat = [u for u in manifest.urls_for(44) if u.outcome is Outcome.OFFSITE]
    assert len(wechat) == 2 and all(u.url.startswith("http://mp.weixin.qq.com/s/") for u in wechat)
    broken = [u for u in manifest.urls_for(35) if u.role is Role.ATTACHMENT]
    assert [u.status for u in broken] == [404]
