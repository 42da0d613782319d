"""Ten nights of a small university, crawled for real: what only a nightly audit sees, and the site's own
requirements, each on the night it was planted.

A loopback HTTP proxy serves 华东示范大学 (hdsf.edu.cn): the disclosure site on xxgk.hdsf.edu.cn, its
procurement subsite on zcc.hdsf.edu.cn, and the university's own portal on www.hdsf.edu.cn, whose pages
change night by night. Each night is `auditor run --as-of` in a process of its own, as under cron, into
one database. Every assertion reads what that night's run stored and reported.

| night | date  | the university's home page              | planted in the columns                        |
|-------|-------|-----------------------------------------|-----------------------------------------------|
| 1     | 11-21 | links to the disclosure site            |                                               |
| 2     | 11-22 | its 信息公开 page links to it (two clicks) |                                               |
| 3     | 11-23 | leads nowhere near it (3 links, 2 read)  | a 拟录取 list appears, dated 11-23            |
| 4     | 11-24 | its host does not answer                | five columns blank                            |
| 5     | 11-25 | its 信息公开 link answers 503            |                                               |
| 6     | 11-26 | two clicks                              |                                               |
| 7     | 11-27 | two clicks                              | the 拟录取 list taken down (10 working days: 12-07) |
| 8, 9  | 11-28, 11-29 | two clicks                       | zcc.hdsf.edu.cn does not answer               |
| 10    | 11-30 | two clicks                              | a tender claiming 11-01; on zcc, an entry claiming 11-22 |

A 助学金 list whose 公示期 ended on 10-12 stands every night. The home-page check reads two pages one
click away (`policy.max_home_links: 2`), those mentioning 公开 first.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from hostile import article_page, list_page

from auditor.models import FetchStatus, LinkVia, PageRole
from auditor.store import Store

XXGK = "http://xxgk.hdsf.edu.cn"
ZCC = "http://zcc.hdsf.edu.cn"
WWW = "http://www.hdsf.edu.cn"
FIRST = date(2018, 11, 21)
NIGHTS = 10
OWNER = "信息化办公室"
FOOTER = f'<div class="footer"><a href="{WWW}/">学校主页</a> 版权所有 华东示范大学</div>'

# item → (column path, department); every other item shares the 综合 column
COLUMNS: dict[int, tuple[str, str]] = {
    **{n: (f"{XXGK}/jbxx/c{n}/", "党委办公室") for n in range(1, 6)},
    13: (f"{XXGK}/zsks/nlq/", "研究生院"),
    18: (f"{XXGK}/cwzc/zbcg/", "国有资产管理处"),
    23: (f"{ZCC}/cgj/", "国际交流处"),
    37: (f"{XXGK}/xsfw/zzyr/", "学生工作部"),
}
GENERAL = f"{XXGK}/zh/"
HOME_WAYS = {1: "direct", 2: "two-clicks", 3: "none", 4: "down", 5: "hint-fails"}


@dataclass
class Proxy:
    """The three hosts behind one loopback proxy; `pages` (url → (status, html)) is tonight's site."""

    pages: dict[str, tuple[int, str]] = field(default_factory=dict)
    requests: list[tuple[int, str, str]] = field(default_factory=list)  # (night, method, url)
    night: int = 0


def _serve(proxy: Proxy) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            self._answer()

        def do_HEAD(self) -> None:
            self._answer()

        def _answer(self) -> None:
            parts = urlsplit(self.path)
            url = f"http://{parts.hostname}{parts.path or '/'}"
            proxy.requests.append((proxy.night, self.command, url))
            hosts = {urlsplit(u).hostname for u in proxy.pages}
            status, body = proxy.pages.get(url, (404, "<h1>404</h1>"))
            if parts.hostname not in hosts:
                status, body = 502, "<h1>502 Bad Gateway</h1>"  # what a proxy says when the host is gone
            data = body.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command == "GET":
                self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def _column(title: str, rows: list[tuple[str, str, str]]) -> str:
    """A list column whose footer links to the university's home page, as real ones do."""
    return list_page(title, rows, extra=FOOTER)


def _site(night: int) -> dict[str, tuple[int, str]]:
    """The whole site as it stands on `night` (1-based)."""
    pages: dict[str, tuple[int, str]] = {}

    def ok(url: str, html: str) -> None:
        pages[url] = (200, html)

    ok(f"{XXGK}/", _column("华东示范大学信息公开网", [(GENERAL, "信息公开目录", "2018-11-01")]))
    ok(GENERAL, _column("综合信息", [(f"{XXGK}/info/1.htm", "2018年学校基本情况", "2018-10-20")]))
    ok(f"{XXGK}/info/1.htm", article_page("2018年学校基本情况", "2018-10-20"))
    for n in range(1, 6):
        url = COLUMNS[n][0]
        if night == 4:
            ok(url, list_page(f"栏目{n}", [], extra=f'<div class="list">暂无内容</div>{FOOTER}'))
        else:
            ok(url, _column(f"栏目{n}", [(f"{XXGK}/info/1.htm", "2018年学校基本情况", "2018-10-20")]))
    # 13: a 拟录取 list shown 11-23 to 11-26, taken down on 11-27 (10 working days end 12-07)
    admitted = [(f"{XXGK}/info/131.htm", "2018年博士研究生拟录取名单", "2018-06-10")]
    if 3 <= night <= 6:
        admitted.insert(0, (f"{XXGK}/info/132.htm", "2019年推免硕士研究生拟录取名单公示", "2018-11-23"))
        ok(f"{XXGK}/info/132.htm", article_page("2019年推免硕士研究生拟录取名单公示", "2018-11-23"))
    ok(COLUMNS[13][0], _column("拟录取名单", admitted))
    ok(f"{XXGK}/info/131.htm", article_page("2018年博士研究生拟录取名单", "2018-06-10"))
    # 18: on the last night a tender appears claiming 11-01
    tenders = [(f"{XXGK}/info/181.htm", "图书采购项目招标公告", "2018-11-15")]
    ok(f"{XXGK}/info/181.htm", article_page("图书采购项目招标公告", "2018-11-15"))
    if night == NIGHTS:
        tenders.insert(0, (f"{XXGK}/info/182.htm", "实验室设备采购项目中标公示", "2018-11-01"))
        ok(f"{XXGK}/info/182.htm", article_page("实验室设备采购项目中标公示", "2018-11-01"))
    ok(COLUMNS[18][0], _column("招标采购", tenders))
    # 37: a 助学金 list whose notice period ended 10-12, still up
    ok(COLUMNS[37][0], _column("资助育人",
                               [(f"{XXGK}/info/371.htm", "2018年国家助学金获得者名单公示", "2018-10-08")]))
    ok(f"{XXGK}/info/371.htm", article_page("2018年国家助学金获得者名单公示", "2018-10-08",
                                            "以下同学拟获2018年国家助学金。公示期为2018年10月8日至10月12日。张三 冶金学院 2016级"))
    # 23, on zcc.hdsf.edu.cn: gone on nights 8 and 9; on the last night an entry claiming 11-22
    if night not in (8, 9):
        trips = [(f"{ZCC}/info/231.htm", "赴德国学术交流出国公示", "2018-10-15")]
        ok(f"{ZCC}/info/231.htm", article_page("赴德国学术交流出国公示", "2018-10-15"))
        if night == NIGHTS:
            trips.insert(0, (f"{ZCC}/info/232.htm", "赴日本合作研究出国公示", "2018-11-22"))
            ok(f"{ZCC}/info/232.htm", article_page("赴日本合作研究出国公示", "2018-11-22"))
        ok(COLUMNS[23][0], _column("出国公示", trips))
    # the university's own portal: two ordinary links in its menu, then tonight's way to the disclosure site
    way = HOME_WAYS.get(night, "two-clicks")
    if way != "down":
        menu = {"direct": f'<a href="{XXGK}/">信息公开</a>',
                "two-clicks": '<a href="/ggfw/">信息公开</a>',  # read first (it mentions 公开), despite the bound
                "none": '<a href="/xyh/">校友会</a>',  # a third ordinary link: past the bound of two, never read
                "hint-fails": '<a href="/xxgk/">信息公开</a>'}[way]
        ok(f"{WWW}/", f'<html><head><meta charset="utf-8"><title>华东示范大学</title></head><body>'
                      f'<div class="nav"><a href="/">首页</a> <a href="/xxjj/">学校简介</a> <a href="/xw/">新闻</a> '
                      f'{menu}</div><div class="footer"><a href="http://www.moe.gov.cn/">教育部</a></div></body></html>')
        ok(f"{WWW}/xxjj/", article_page("学校简介", "2018-01-01"))
        ok(f"{WWW}/xw/", article_page("新闻", "2018-11-20", '<a href="/xw/1.htm">学校召开教学工作会议</a>'))
        ok(f"{WWW}/xyh/", article_page("校友会", "2018-01-01", f'<a href="{XXGK}/">信息公开网</a>'))
        ok(f"{WWW}/ggfw/", article_page("公共服务", "2018-01-01",
                                        f'<a href="{XXGK}/">信息公开网</a> <a href="/ggfw/xl.htm">校历</a>'
                                        '<a href="http://lib.hdsf.edu.cn/">图书馆</a>'))
        pages[f"{WWW}/xxgk/"] = (503, "<h1>503 Service Unavailable</h1>")
    return pages


def _catalogue(path: Path) -> Path:
    items = {str(n): {"url": COLUMNS.get(n, (GENERAL, "党委办公室"))[0],
                      "departments": [COLUMNS.get(n, (GENERAL, "党委办公室"))[1]]} for n in range(1, 51)}
    departments = sorted({d for _, d in COLUMNS.values()} | {"党委办公室"})
    doc = {
        "id": "hdsf", "name": "华东示范大学", "version": "test", "checklist": "qingdan-2014",
        "home": f"{XXGK}/", "allowed_hosts": ["xxgk.hdsf.edu.cn", "zcc.hdsf.edu.cn"],
        "site_owner": {"name": OWNER, "contact": ""}, "university_home": f"{WWW}/",
        "policy": {"retries": 0, "timeout_seconds": 5, "delay_seconds": 0, "max_home_links": 2},
        "departments": [{"name": d, "contact": ""} for d in departments],
        "items": items,
    }
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


@dataclass
class Nights:
    proxy: Proxy
    out: Path

    def findings(self, night: int) -> dict[str, Any]:
        doc: dict[str, Any] = json.loads((self.out / f"night{night}" / "findings.json").read_text(encoding="utf-8"))
        return doc

    def site(self, night: int, rule: str) -> dict[str, Any] | None:
        return next((f for f in self.findings(night)["site_findings"] if f["rule"] == rule), None)

    def item(self, night: int, number: int, rule: str) -> dict[str, Any] | None:
        item = next(it for it in self.findings(night)["items"] if it["item"] == number)
        return next((f for f in item["findings"] if f["rule"] == rule), None)


@pytest.fixture(scope="module")
def nights(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Nights]:
    tmp = tmp_path_factory.mktemp("nights")
    catalogue, db = _catalogue(tmp / "hdsf.yaml"), tmp / "audit.sqlite"
    proxy = Proxy()
    server, address = _serve(proxy)
    env = {k: v for k, v in os.environ.items() if k.lower() not in ("http_proxy", "https_proxy", "no_proxy")}
    env.update({"XXGK_CONFIG": os.devnull, "COLUMNS": "200"})
    try:
        for night in range(1, NIGHTS + 1):
            proxy.night, proxy.pages = night, _site(night)
            day = FIRST + timedelta(days=night - 1)
            ran = subprocess.run([sys.executable, "-m", "auditor", "run", "--site", str(catalogue), "--db", str(db),
                                  "--out", str(tmp / f"night{night}"), "--as-of", day.isoformat(), "--proxy", address,
                                  "--no-polite"], capture_output=True, text=True, env=env, timeout=300, check=False)
            assert ran.returncode in (0, 1), f"night {night}: {ran.returncode}\n{ran.stderr[-3000:]}"
            (tmp / f"night{night}.stdout").write_text(ran.stdout, encoding="utf-8")
        yield Nights(proxy, tmp)
    finally:
        server.shutdown()
        server.server_close()


# -- the home page ---------------------------------------------------------------------------------------

def test_a_home_page_linking_to_the_disclosure_site_passes_in_one_click(nights: Nights) -> None:
    f = nights.site(1, "site.home-link")
    assert f is not None and f["status"] == "pass" and f["evidence"]["clicks"] == "1"


def test_a_home_page_two_clicks_away_passes_and_names_the_page_between(nights: Nights) -> None:
    f = nights.site(2, "site.home-link")
    assert f is not None and f["status"] == "pass"
    assert f["evidence"]["clicks"] == "2" and f["evidence"]["via"] == f"{WWW}/ggfw/"
    assert "公共服务" in f["message"]


def test_a_home_page_that_leads_nowhere_fails_on_the_site_owners_scorecard_only(nights: Nights) -> None:
    f = nights.site(3, "site.home-link")
    assert f is not None and f["status"] == "fail" and f["url"] == f"{WWW}/"
    assert "找不到信息公开栏目" in f["message"]
    assert "学校主页有3个校内链接，按上限只读取了其中2个" in f["message"]  # says what it did not read
    doc = nights.findings(3)
    assert doc["site_owner"]["name"] == OWNER and OWNER not in {d["name"] for d in doc["departments"]}
    assert all(f["rule"] != "site.home-link" for it in doc["items"] for f in it["findings"])
    cards = nights.out / "night3" / "scorecards"
    assert "找不到信息公开栏目" in (cards / f"00-{OWNER}.html").read_text(encoding="utf-8")
    others = [p for p in cards.glob("*.html") if p.name != f"00-{OWNER}.html"]
    assert others and not [p.name for p in others if "找不到信息公开栏目" in p.read_text(encoding="utf-8")]


def test_an_unreachable_home_page_is_inconclusive_never_a_fail(nights: Nights) -> None:
    f = nights.site(4, "site.home-link")
    assert f is not None and f["status"] == "inconclusive" and "无法打开" in f["message"]


def test_a_disclosure_link_that_fails_to_load_is_no_blame(nights: Nights) -> None:
    f = nights.site(5, "site.home-link")
    assert f is not None and f["status"] == "inconclusive" and f"{WWW}/xxgk/" in f["message"]


def test_the_home_check_reads_one_click_of_the_university_and_nothing_further(nights: Nights) -> None:
    asked = {url for _, _, url in nights.proxy.requests}
    assert {f"{WWW}/", f"{WWW}/ggfw/", f"{WWW}/xxjj/", f"{WWW}/xw/"} <= asked
    assert not asked & {f"{WWW}/ggfw/xl.htm", f"{WWW}/xw/1.htm", "http://lib.hdsf.edu.cn/", "http://www.moe.gov.cn/",
                        f"{WWW}/xyh/"}  # deeper, another host, off the university, past the bound


def test_the_home_page_gives_no_column_evidence(nights: Nights) -> None:
    """Every column page links to 学校主页 in its footer: the home page is read for the site, and no
    department's column counts it among its pages or its links."""
    with Store(nights.out / "audit.sqlite") as store:
        run = store.runs("hdsf")[1]  # night 2
        home = store.page(run.id, f"{WWW}/")
        assert home is not None and home.role is PageRole.HOME and home.items == (0,)
        footer = [k for k in store.links(run.id, via=LinkVia.FURNITURE) if k.to_url == f"{WWW}/"]
        assert footer and all(k.status is FetchStatus.OK for k in footer)  # checked for the site, read once
        assert all(f"{WWW}/" not in {p.url for p in store.pages(run.id, n)} for n in range(1, 51))
    assert [m for n, m, url in nights.proxy.requests if n == 2 and url == f"{WWW}/"].count("GET") == 1
    doc = nights.findings(2)
    general = next(it for it in doc["items"] if it["item"] == 6)
    assert general["status"] != "inconclusive"
    assert all(WWW not in (f.get("url") or "") for it in doc["items"] for f in it["findings"])


# -- blank columns -----------------------------------------------------------------------------------------

def test_five_blank_columns_fail_the_site_apart_from_the_departments(nights: Nights) -> None:
    veto = nights.site(4, "site.blank-columns")
    assert veto is not None and veto["status"] == "fail" and veto["evidence"]["blank"] == "5"
    assert nights.site(3, "site.blank-columns") is None  # no blank column that night: nothing to count
    doc = nights.findings(4)
    blank = [it for it in doc["items"] if it["item"] in range(1, 6)]
    assert all(it["status"] == "fail" for it in blank)  # each column's own verdict stays its department's
    assert all(f["rule"] != "site.blank-columns" for it in doc["items"] for f in it["findings"])
    said = "".join((nights.out / "night4.stdout").read_text(encoding="utf-8").split())  # the terminal wraps
    assert "网站本身：空白栏目总数" in said and "网站总体评定为不合格" in said  # the closing summary says why


# -- availability --------------------------------------------------------------------------------------------

def test_a_week_without_failures_is_available(nights: Nights) -> None:
    f = nights.site(7, "site.availability")
    assert f is not None and f["status"] == "pass" and f["evidence"]["failed"] == "0"
    assert nights.site(6, "site.availability") is None  # six nights: not judged yet


def test_a_host_failing_two_nights_of_seven_is_unreachable_and_named(nights: Nights) -> None:
    f = nights.site(10, "site.availability")
    assert f is not None and f["status"] == "fail"
    assert "zcc.hdsf.edu.cn" in f["message"] and "2018-11-28、2018-11-29" in f["message"]
    assert "xxgk.hdsf.edu.cn" not in f["message"]  # the host that never failed is not blamed
    assert any(line.startswith("xxgk.hdsf.edu.cn: 0/") for line in f["evidence"]["hosts"].splitlines())
    doc = nights.findings(10)
    assert all(f["rule"] != "site.availability" for it in doc["items"] for f in it["findings"])


# -- the rules that compare nights ---------------------------------------------------------------------------

def test_a_list_taken_down_before_ten_working_days_fails_with_the_nights_it_was_seen(nights: Nights) -> None:
    f = nights.item(10, 13, "presence.kept-public")
    assert f is not None and f["status"] == "fail" and "推免" in f["message"]
    assert f["evidence"]["nights"].splitlines() == ["2018-11-23", "2018-11-24", "2018-11-25", "2018-11-26"]
    assert f["evidence"]["gone_on"] == "2018-11-27" and f["evidence"]["required_until"] == "2018-12-07"


def test_an_entry_claiming_a_date_weeks_before_it_appeared_is_back_dated(nights: Nights) -> None:
    f = nights.item(10, 18, "freshness.backdated")
    assert f is not None and f["status"] == "fail" and "实验室设备" in f["message"]
    assert (f["evidence"]["claimed"], f["evidence"]["absent_on"], f["evidence"]["first_seen"]) \
        == ("2018-11-01", "2018-11-29", "2018-11-30")


def test_an_entry_after_nights_the_list_could_not_be_read_is_never_blamed(nights: Nights) -> None:
    f = nights.item(10, 23, "freshness.backdated")
    assert f is not None and f["status"] == "inconclusive" and "空缺" in f["message"]
    item = next(it for it in nights.findings(10)["items"] if it["item"] == 23)
    assert item["status"] != "fail"
    office = next(d for d in nights.findings(10)["departments"] if d["name"] == "国际交流处")
    assert office["counts"]["fail"] == 0 and office["score"] is None  # its one item unjudged: not scored


def test_a_list_with_names_kept_long_after_its_notice_period_warns(nights: Nights) -> None:
    f = nights.item(10, 37, "privacy.notice-overstay")
    assert f is not None and f["status"] == "warn" and f["evidence"]["notice_ends"] == "2018-10-12"
