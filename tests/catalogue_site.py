"""A second, generated disclosure site for the catalogue-drafting tests, named the way universities
really name their columns, served over real HTTP on 127.0.0.1.

华东示范大学 (a made-up university on hdsf.edu.cn) has no 目录 page: its home page's menu lists the
categories, each category page's sidebar lists the columns. Column names are short and local (收费公示,
双代会, 资助育人), never the 清单's wording; one column serves three items (财务信息), one serves two
(就业工作), two items have two columns each, and two columns live on department subdomains
(cwc.hdsf.edu.cn, zcc.hdsf.edu.cn). A link to the ministry (off the domain) and a robots-forbidden
admin page must never be requested.

`TRUTH` is the answer key: item → the column paths that serve it.
"""

from __future__ import annotations

import html
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

HOST = "xxgk.hdsf.edu.cn"
NAME = "华东示范大学"

# category label, slug, [(column label, url, items, department or "")]
_X = f"http://{HOST}"
CATEGORIES: list[tuple[str, str, list[tuple[str, str, tuple[int, ...], str]]]] = [
    ("学校概况", "xxgk", [
        ("学校简介", f"{_X}/xxgk/xxjj/", (1,), "党委办公室"),
        ("大学章程", f"{_X}/xxgk/dxzc/", (2,), "党委办公室"),
        ("规章制度", f"{_X}/xxgk/gzzd/", (2,), ""),
        ("双代会", f"{_X}/xxgk/sdh/", (3,), "工会"),
        ("学术委员会", f"{_X}/xxgk/xswyh/", (4,), "发展规划处"),
        ("规划计划", f"{_X}/xxgk/ghjh/", (5,), "发展规划处"),
        ("年度报告", f"{_X}/xxgk/ndbg/", (6,), "党委办公室"),
    ]),
    ("招生考试", "zsks", [
        ("本科招生", f"{_X}/zsks/bkzs/", (7,), "招生办公室"),
        ("保送生与高水平运动队", f"{_X}/zsks/bss/", (8,), ""),
        ("录取分数", f"{_X}/zsks/lqfs/", (9,), "招生办公室"),
        ("招生监督", f"{_X}/zsks/zsjd/", (10,), ""),
        ("研究生招生", f"{_X}/zsks/yjszs/", (11,), "研究生院"),
        ("复试名单及成绩", f"{_X}/zsks/fscj/", (12,), ""),
        ("拟录取公示", f"{_X}/zsks/nlq/", (13,), ""),
        ("研招监督与申诉", f"{_X}/zsks/yzss/", (14,), ""),
    ]),
    ("财务资产", "cwzc", [
        ("财务信息", f"{_X}/cwzc/cwxx/", (15, 19, 20), "财务处"),
        ("捐赠管理", f"{_X}/cwzc/jzgl/", (16,), "教育基金会"),
        ("资产经营", f"{_X}/cwzc/zcjy/", (17,), ""),
        ("招标采购", "http://zcc.hdsf.edu.cn/zbcg/", (18,), "国有资产管理处"),
        ("收费公示", "http://cwc.hdsf.edu.cn/sfgs/", (21,), "财务处"),
    ]),
    ("人事师资", "rsxx", [
        ("干部兼职", f"{_X}/rsxx/gbjz/", (22,), "组织部"),
        ("出国（境）公示", f"{_X}/rsxx/cgj/", (23,), "国际交流处"),
        ("岗位管理", f"{_X}/rsxx/gwgl/", (24,), "人事处"),
        ("干部任免", f"{_X}/rsxx/gbrm/", (25,), "组织部"),
        ("人才招聘", f"{_X}/rsxx/rczp/", (25,), "人事处"),
        ("人事争议调解", f"{_X}/rsxx/rszy/", (26,), ""),
    ]),
    ("教学质量", "jxzl", [
        ("师资与生源", f"{_X}/jxzl/szsy/", (27,), ""),
        ("本科专业", f"{_X}/jxzl/bkzy/", (28,), "教务处"),
        ("课程建设", f"{_X}/jxzl/kcjs/", (29,), ""),
        ("教授为本科生上课", f"{_X}/jxzl/jsk/", (30,), ""),
        ("就业工作", f"{_X}/jxzl/jygz/", (31, 32), "就业指导中心"),
        ("就业质量", f"{_X}/jxzl/jyzl/", (33,), ""),
        ("艺术教育发展", f"{_X}/jxzl/ysjy/", (34,), "团委"),
        ("本科教学质量", f"{_X}/jxzl/bkjx/", (35,), "教务处"),
    ]),
    ("学生服务", "xsfw", [
        ("学籍学历", f"{_X}/xsfw/xjxl/", (36,), ""),
        ("资助育人", f"{_X}/xsfw/zzyr/", (37,), "学生工作部"),
        ("奖惩管理", f"{_X}/xsfw/jcgl/", (38,), ""),
        ("申诉处理", f"{_X}/xsfw/sscl/", (39,), ""),
    ]),
    ("学风建设", "xfjs", [
        ("学风建设委员会", f"{_X}/xfjs/wyh/", (40,), ""),
        ("学术道德规范", f"{_X}/xfjs/xsdd/", (41,), "科研处"),
        ("科研诚信", f"{_X}/xfjs/kycx/", (42,), ""),
    ]),
    ("学位学科", "xwxk", [
        ("学位授予", f"{_X}/xwxk/xwsy/", (43,), "研究生院"),
        ("同等学力申请", f"{_X}/xwxk/tdxl/", (44,), ""),
        ("授权点审核", f"{_X}/xwxk/sqsh/", (45,), ""),
        ("新增学位点", f"{_X}/xwxk/xzxw/", (46,), ""),
    ]),
    ("对外交流", "dwjl", [
        ("合作办学", f"{_X}/dwjl/hzbx/", (47,), ""),
        ("国际学生", f"{_X}/dwjl/gjxs/", (48,), "国际教育学院"),
    ]),
    ("其他", "qt", [
        ("巡察整改", f"{_X}/qt/xczg/", (49,), "党委办公室"),
        ("安全应急", f"{_X}/qt/aqyj/", (50,), "保卫处"),
    ]),
]

TRUTH: dict[int, set[str]] = {}
for _label, _slug, _columns in CATEGORIES:
    for _col, _url, _items, _dept in _columns:
        for _n in _items:
            TRUTH.setdefault(_n, set()).add(_url)

FORBIDDEN = f"{_X}/admin/"  # robots.txt disallows it
OFF_SITE = "http://www.moe.gov.cn/"


def _page(title: str, body: str, crumbs: list[tuple[str, str]]) -> str:
    nav = "".join(f'<li><a href="{_X}/{slug}/">{html.escape(lab)}</a></li>' for lab, slug, _ in CATEGORIES)
    trail = " &gt; ".join(f'<a href="{u}">{html.escape(t)}</a>' for t, u in crumbs)
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{html.escape(title)}-{NAME}信息公开网</title>'
        f'</head><body><div class="top"><a href="{_X}/">{NAME}信息公开网</a>'
        f'<ul class="menu"><li><a href="{_X}/">首页</a></li>{nav}<li><a href="{FORBIDDEN}">信息公开目录管理</a></li></ul></div>'
        f'<div class="position">您的位置：<a href="{_X}/">首页</a> &gt; {trail}</div>'
        f'<div class="main">{body}</div>'
        f'<div class="footer"><a href="{OFF_SITE}">教育部信息公开</a> 版权所有 {NAME}</div></body></html>'
    )


def _sidebar(label: str, columns: list[tuple[str, str, tuple[int, ...], str]]) -> str:
    items = "".join(f'<li><a href="{u}">{html.escape(c)}</a></li>' for c, u, _, _ in columns)
    return f'<div class="left"><div class="lm_tit">{html.escape(label)}</div><ul>{items}</ul></div>'


def pages() -> dict[str, str]:
    """URL → HTML of every page of the site."""
    out: dict[str, str] = {}
    news = "".join(
        f'<li><a href="{_X}/info/{i}.htm">关于做好{y}年度信息公开工作的通知</a><span>{y}-0{i}-12</span></li>'
        for i, y in ((1, 2018), (2, 2018), (3, 2017))
    )
    out[f"{_X}/"] = _page("首页", f'<div class="news"><h3>通知公告</h3><ul>{news}</ul></div>', [])
    for label, slug, columns in CATEGORIES:
        cat_url = f"{_X}/{slug}/"
        out[cat_url] = _page(label, _sidebar(label, columns) + '<div class="right">请选择栏目</div>',
                             [(label, cat_url)])
        for col, url, items, dept in columns:
            entries = "".join(
                f'<li><a href="{url}c{n}.htm">{NAME}{col}（{2018 - k}年）</a><span>{2018 - k}-06-0{k + 1}</span></li>'
                for k, n in enumerate((101, 102))
            )
            owner = f'<p class="dept">责任部门：{html.escape(dept)}</p>' if dept else ""
            out[url] = _page(col, _sidebar(label, columns) + f'<div class="right"><h2>{html.escape(col)}</h2>'
                             f'{owner}<ul class="list">{entries}</ul></div>', [(label, cat_url), (col, url)])
    for host in ("xxgk.hdsf.edu.cn", "cwc.hdsf.edu.cn", "zcc.hdsf.edu.cn"):
        out[f"http://{host}/robots.txt"] = "User-agent: *\nDisallow: /admin/\n"
    return out


@dataclass(frozen=True)
class Logged:
    host: str
    path: str
    status: int


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        host = (parts.hostname or self.headers.get("Host", "").split(":")[0]).lower()
        url = f"http://{host}{parts.path or '/'}"
        body = self.server.site.get(url)
        if host not in {urlsplit(u).hostname for u in self.server.site}:
            status, body = 502, "<h1>502 Bad Gateway</h1>"
        elif body is None:
            status, body = 404, "<h1>404</h1>"
        else:
            status = 200
        self.server.log.append(Logged(host, parts.path or "/", status))
        data = body.encode("utf-8")
        self.send_response(status)
        kind = "text/plain" if url.endswith("robots.txt") else "text/html; charset=utf-8"
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, site: dict[str, str]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.site = site
        self.log: list[Logged] = []


@contextmanager
def serve(site: dict[str, str] | None = None) -> Iterator[_Server]:
    """The site behind an HTTP proxy on 127.0.0.1: `server.url` is the proxy address."""
    server = _Server(site if site is not None else pages())
    server.url = f"http://127.0.0.1:{server.server_address[1]}"  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
