"""A hostile disclosure site on 127.0.0.1: every way a real university CMS, its WAF or its network can
misbehave, scriptable per path, with a count of every request it received.

Real HTTP over a real socket (a `ThreadingHTTPServer`), so the crawler meets the misbehaviour at the
protocol level: stalls mid-body, connection resets, Content-Length lies, gzip bombs. Nothing here
touches the internet; "off-site" hosts are other names for loopback (``localhost``), told apart by the
Host header, so a test can prove that the crawl did (or did not) go there.

Every wait is bounded and interruptible: `close()` wakes stalled handlers, so a test never hangs on the
server. Behaviours are plain functions of the request handler; `standard_routes()` installs one path
per hostile case, which the tests point catalogue items at.

    with HostileServer() as site:
        site.route("/x", lambda h: h.send(200, b"<html>..."))
        url = site.url("/x")
        ...
        assert site.hits("/x") == 1
"""

from __future__ import annotations

import gzip
import io
import socket
import struct
import threading
import time
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import date, timedelta
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self
from urllib.parse import parse_qs, urlsplit

Behaviour = Callable[["Handler"], None]

#: The longest any handler waits (stalls, slow answers); tests use timeouts far below it.
MAX_STALL_S = 20.0


class _Reset(Exception):
    """Raised by a behaviour after it has reset the connection: nothing more may be written."""


class Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.0"  # one request per connection: misbehaviour stays per request

    # -- the HTTP verbs: all go through the route table ------------------------------------------

    def do_GET(self) -> None:
        self._dispatch()

    def do_HEAD(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        owner = self.server.owner
        parts = urlsplit(self.path)
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0]
        owner._record(host, self.command, parts.path, parts.query)
        behaviour = owner._find(host, parts.path)
        try:
            if behaviour is None:
                self.send(404, b"<html><body>404 Not Found</body></html>")
            else:
                behaviour(self)
        except _Reset:
            self.close_connection = True
        except (TimeoutError, BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            self.close_connection = True  # the crawler gave up on us: that is the point of most cases

    def log_message(self, format: str, *args: object) -> None:
        pass

    # -- helpers for behaviours ------------------------------------------------------------------

    @property
    def query(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}

    @property
    def path_only(self) -> str:
        return urlsplit(self.path).path

    def send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None,
             content_type: str = "text/html; charset=utf-8") -> None:
        """A complete, well-formed answer (the body is left out for HEAD)."""
        self.send_response(status)
        hdrs = {"Content-Type": content_type, "Content-Length": str(len(body))}
        hdrs.update(headers or {})
        for k, v in hdrs.items():
            if v is not None:
                self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def raw(self, data: bytes) -> None:
        """Bytes straight onto the socket, no framing."""
        self.wfile.write(data)
        self.wfile.flush()

    def wait(self, seconds: float) -> None:
        """Sleep, but wake at once when the server closes."""
        self.server.owner.stopping.wait(min(seconds, MAX_STALL_S))

    def reset(self) -> None:
        """Abort the connection with a TCP RST (SO_LINGER 0), as a crashing proxy or a WAF does."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        raise _Reset


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128
    owner: HostileServer

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # broken pipes from a crawler that gave up are expected, not news


class HostileServer:
    """The scriptable server. Routes are matched on the path (query ignored): exact, then the longest
    registered prefix ending in ``*``. Hits are counted per (host, path?query) and per path."""

    OFFSITE_HOST = "localhost"  # loopback under a name the catalogue does not allow

    def __init__(self) -> None:
        self.stopping = threading.Event()
        self._routes: dict[str, Behaviour] = {}
        self._prefixes: list[tuple[str, Behaviour]] = []
        self._lock = threading.Lock()
        self._hits: Counter[tuple[str, str]] = Counter()  # (host, path?query)
        self._methods: dict[tuple[str, str], list[str]] = defaultdict(list)
        self._times: dict[str, list[float]] = defaultdict(list)  # path -> monotonic times of requests
        self._server = _Server(("127.0.0.1", 0), Handler)
        self._server.owner = self
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True, name="hostile-site")

    # -- lifecycle -------------------------------------------------------------------------------

    def start(self) -> HostileServer:
        self._thread.start()
        return self

    def close(self) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- scripting -------------------------------------------------------------------------------

    def route(self, path: str, behaviour: Behaviour) -> None:
        if path.endswith("*"):
            self._prefixes.append((path[:-1], behaviour))
            self._prefixes.sort(key=lambda p: -len(p[0]))
        else:
            self._routes[path] = behaviour

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def offsite_url(self, path: str) -> str:
        return self.url(path, host=self.OFFSITE_HOST)

    def _find(self, host: str, path: str) -> Behaviour | None:
        behaviour = self._routes.get(path)
        if behaviour is not None:
            return behaviour
        for prefix, b in self._prefixes:
            if path.startswith(prefix):
                return b
        return None

    # -- what the crawler did ----------------------------------------------------------------------

    def _record(self, host: str, method: str, path: str, query: str) -> None:
        key = (host, path + ("?" + query if query else ""))
        with self._lock:
            self._hits[key] += 1
            self._methods[key].append(method)
            self._times[path].append(time.monotonic())

    def hits(self, path: str, host: str | None = None, *, prefix: bool = False) -> int:
        """Requests for `path`: exactly that path and query if it has one, else the path with any query;
        every path starting with it if `prefix`. On any host unless `host` is given."""
        def matches(p: str) -> bool:
            if prefix:
                return p.startswith(path)
            return p == path if "?" in path else p.split("?", 1)[0] == path

        with self._lock:
            return sum(n for (h, p), n in self._hits.items() if (host is None or h == host) and matches(p))

    def methods(self, path_and_query: str, host: str = "127.0.0.1") -> list[str]:
        with self._lock:
            return list(self._methods.get((host, path_and_query), []))

    def times(self, path: str) -> list[float]:
        with self._lock:
            return list(self._times.get(path, []))

    def requested(self) -> set[tuple[str, str]]:
        with self._lock:
            return set(self._hits)

    def reset_counts(self) -> None:
        with self._lock:
            self._hits.clear()
            self._methods.clear()
            self._times.clear()


# =================================================================================================
# Pages and payloads


def list_page(title: str, entries: list[tuple[str, str, str]], extra: str = "", charset: str = "utf-8") -> str:
    """A VSB-like list column: entries are (href, title, YYYY-MM-DD)."""
    rows = "\n".join(
        f'<li id="line_u6_{i}"><a href="{href}" title="{t}">{t}</a><span>{d}</span></li>'
        for i, (href, t, d) in enumerate(entries)
    )
    return (
        f'<!DOCTYPE html><html><head><meta charset="{charset}"><title>{title}</title></head><body>'
        f'<div class="header"><a href="/">首页</a></div>'
        f'<div class="list"><h2>{title}</h2><ul>{rows}</ul></div>{extra}</body></html>'
    )


def article_page(title: str, day: str, body: str = "", charset: str = "utf-8") -> str:
    body = body or ("本页公开内容。" * 30)
    return (
        f'<!DOCTYPE html><html><head><meta charset="{charset}"><title>{title}</title></head><body>'
        f'<div class="article"><h1>{title}</h1><div class="info">发布时间：{day} 10:00:00</div>'
        f'<div class="v_news_content"><p>{body}</p></div></div></body></html>'
    )


def days_back(n: int, start: date = date(2018, 11, 1)) -> str:
    return (start - timedelta(days=n)).isoformat()


@cache
def gzip_bomb(inflated: int = 256 * 1024 * 1024) -> bytes:
    """A gzip stream of `inflated` zero bytes (about 1/1000 of that on the wire)."""
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=1) as gz:
        chunk = b"\0" * (1 << 20)
        for _ in range(inflated // len(chunk)):
            gz.write(chunk)
    return out.getvalue()


@cache
def zip_bomb(kind: str, inflated: int = 300 * 1024 * 1024) -> bytes:
    """A DOCX or XLSX whose main part inflates to `inflated` bytes of whitespace (well-formed XML)."""
    main = "word/document.xml" if kind == "docx" else "xl/worksheets/sheet1.xml"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        if kind == "xlsx":
            zf.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets><sheet name="S" sheetId="1"/></sheets></workbook>')
        with zf.open(main, "w", force_zip64=True) as member:
            member.write(b'<?xml version="1.0"?><root>')
            chunk = b" " * (1 << 20)
            for _ in range(inflated // len(chunk)):
                member.write(chunk)
            member.write(b"</root>")
    return out.getvalue()


def malformed_pdf() -> bytes:
    return b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n" + bytes(range(256)) * 40 + b"\ntrailer <<>>\n"


@cache
def binary_junk(size: int = 256 * 1024) -> bytes:
    import random

    rnd = random.Random(1234)  # the same junk every time: reproducible failures
    return bytes(rnd.getrandbits(8) for _ in range(size))


def deep_nesting(depth: int = 100_000) -> bytes:
    return (
        b"<html><head><title>\xe6\xb7\xb1\xe5\xb1\x82\xe5\xb5\x8c\xe5\xa5\x97</title></head><body>"
        + b"<div>" * depth + "深层内容 2018-06-12".encode() + b"</div>" * depth + b"</body></html>"
    )


def broken_markup() -> bytes:
    return (
        "<html><head><title>残缺页面<body><div class='list'><ul>"
        "<li><a href='/ok/article/1'>2018年部门预算<span>2018-04-20</span>"
        "<li><a href=\"/ok/article/2>未闭合属性 <span>2018-03-01</li></ul></div></div></div></span>"
        "<table><tr><td><p><b><i>交错</b></i></td></tr><tr></table></table>"
        "<a href='javascript:void(0)'>js</a><a href='mailto:a@b'>mail</a><a href='http://[::1'>bad</a>"
        "<a href='http://127.0.0.1:99999/x'>bad port</a><!-- unterminated comment"
    ).encode()


# =================================================================================================
# Behaviours


def html(body: str | bytes, status: int = 200, content_type: str = "text/html; charset=utf-8",
         headers: dict[str, str] | None = None) -> Behaviour:
    data = body.encode("utf-8") if isinstance(body, str) else body
    return lambda h: h.send(status, data, headers, content_type)


def slow_headers(seconds: float) -> Behaviour:
    """Say nothing for `seconds`, then answer."""
    def behaviour(h: Handler) -> None:
        h.wait(seconds)
        h.send(200, article_page("迟到的页面", "2018-06-12").encode())
    return behaviour


def stall_mid_body(h: Handler) -> None:
    """Headers and a first part of the body, then silence."""
    body = article_page("中途停顿", "2018-06-12").encode() * 50
    h.send_response(200)
    h.send_header("Content-Type", "text/html; charset=utf-8")
    h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    h.raw(body[:1000])
    h.wait(MAX_STALL_S)


def reset_connection(h: Handler) -> None:
    h.reset()


def truncated_body(h: Handler) -> None:
    """Content-Length promises more than is sent, then the connection closes."""
    body = article_page("截断的页面", "2018-06-12").encode()
    h.send_response(200)
    h.send_header("Content-Type", "text/html; charset=utf-8")
    h.send_header("Content-Length", str(len(body) * 10))
    h.end_headers()
    h.raw(body)
    h.close_connection = True


def flaky(status: int, failures: int, retry_after: str | None = None) -> Behaviour:
    """`status` for the first `failures` requests to this path, then a good page."""
    seen: Counter[str] = Counter()
    lock = threading.Lock()

    def behaviour(h: Handler) -> None:
        with lock:
            seen[h.path_only] += 1
            n = seen[h.path_only]
        if n <= failures:
            headers = {"Retry-After": retry_after} if retry_after is not None else {}
            h.send(status, b"<html><body>busy</body></html>", headers)
        else:
            h.send(200, article_page(f"恢复后的页面 {h.path_only}", "2018-06-12").encode())
    return behaviour


def redirect(to: Callable[[Handler], str], status: int = 302) -> Behaviour:
    return lambda h: h.send(status, b"", {"Location": to(h)})


def redirect_chain(h: Handler) -> None:
    """/redirect/chain/N -> /redirect/chain/N+1, forever."""
    n = int(h.path_only.rsplit("/", 1)[-1] or 0)
    h.send(302, b"", {"Location": f"/redirect/chain/{n + 1}"})


def endless_calendar(h: Handler) -> None:
    """A dated list whose sidebar calendar always has a next month (» link): a classic crawler trap."""
    month = h.query.get("month", "2018-11")
    y, m = (int(x) for x in month.split("-"))
    nxt = f"{y + (m // 12)}-{m % 12 + 1:02d}"
    entries = [(f"/calendar/event?month={month}&d={d}", f"{month}月第{d}条通知", f"{month}-{d:02d}")
               for d in range(1, 6)]
    cal = (f'<div class="calendar"><span>{month}</span> <a href="/calendar/?month={nxt}">»</a></div>')
    h.send(200, list_page(f"日历 {month}", entries, cal).encode())


def endless_queries(h: Handler) -> None:
    """Every page links to a next page and to fresh sort/filter variants: an infinite URL space."""
    q = h.query
    page = int(q.get("page", "1"))
    sort = q.get("sort", "date")
    entries = [(f"/qs/detail?id={page * 100 + i}&sort={sort}", f"第{page}页 公告{i}", days_back(page * 10 + i))
               for i in range(10)]
    extra = (
        f'<div class="pager"><a href="/qs/?page={page + 1}&sort={sort}">下一页</a></div>'
        + "".join(f'<a href="/qs/?page={page}&sort={s}{page}">排序{s}</a>' for s in ("title", "hits", "size"))
    )
    h.send(200, list_page(f"无尽查询 第{page}页", entries, extra).encode())


def huge_page(declared: bool) -> Behaviour:
    """Far more HTML than any bound: 64 MB, with or without a Content-Length that says so."""
    def behaviour(h: Handler) -> None:
        total = 64 * 1024 * 1024
        chunk = ("<p>" + "很长的页面" * 200 + "</p>\n").encode()
        h.send_response(200)
        h.send_header("Content-Type", "text/html; charset=utf-8")
        if declared:
            h.send_header("Content-Length", str(total))
        h.end_headers()
        if h.command == "HEAD":
            return
        h.raw(b"<html><body>")
        sent = 0
        while sent < total and not h.server.owner.stopping.is_set():
            h.raw(chunk)
            sent += len(chunk)
    return behaviour


def gzip_bomb_page(h: Handler) -> None:
    h.send(200, gzip_bomb(), {"Content-Encoding": "gzip"})


def file_answer(data: bytes, content_type: str, filename: str) -> Behaviour:
    return lambda h: h.send(200, data, {"Content-Disposition": f'attachment; filename="{filename}"'}, content_type)


WAF_CHALLENGE = (
    "<html><head><title></title></head><body><script>"
    "document.cookie='__jsl_clearance=1543123456.789|0|abc;max-age=3600;path=/';"
    "location.href=location.pathname+location.search</script></body></html>"
)

#: Healthy pages every hostile site also has: a list whose details are articles.
GOOD_LIST = "/ok/list.htm"

_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def standard_routes(site: HostileServer) -> None:
    """One path per hostile case (see `CASES` for what each should be recorded as)."""
    r = site.route
    # healthy
    r(GOOD_LIST, html(list_page("正常栏目", [(f"/ok/article/{i}", f"2018年公告{i}", days_back(i * 7))
                                              for i in range(1, 6)])))
    r("/ok/article/*", lambda h: h.send(200, article_page(f"文章 {h.path_only}", "2018-06-12").encode()))
    r("/private/*", html(list_page("不该抓取", [("/ok/article/99", "禁止", "2018-06-01")])))
    r("/robots.txt", html(b"User-agent: *\nDisallow: /private/\n", content_type="text/plain"))
    # slow, stalled, reset, truncated, refused
    r("/slow", slow_headers(MAX_STALL_S))
    r("/stall", stall_mid_body)
    r("/reset", reset_connection)
    r("/truncated", truncated_body)
    # intermittent and persistent 5xx / 429
    r("/flaky/503", flaky(503, 1))
    r("/flaky/503-retry-after", flaky(503, 1, retry_after="1"))
    r("/flaky/429-retry-after", flaky(429, 1, retry_after="1"))
    r("/always/503", flaky(503, 10**6))
    r("/always/429-long-retry-after", flaky(429, 10**6, retry_after="3600"))
    r("/always/500", flaky(500, 10**6))
    # redirects
    r("/redirect/loop/a", redirect(lambda h: "/redirect/loop/b"))
    r("/redirect/loop/b", redirect(lambda h: "/redirect/loop/a", 301))
    r("/redirect/chain/*", redirect_chain)
    r("/redirect/offsite", redirect(lambda h: site.offsite_url("/elsewhere/list.htm")))
    r("/elsewhere/list.htm", html(list_page("站外栏目", [(f"/elsewhere/article/{i}", f"站外文章{i}", days_back(i))
                                                      for i in range(1, 4)])))
    r("/elsewhere/*", lambda h: h.send(200, article_page("站外", "2018-06-12").encode()))
    r("/offsite-links", html(list_page("链接到站外", [
        (site.offsite_url("/elsewhere/article/9"), "站外文章九", "2018-06-01"),
        ("/ok/article/77", "站内文章", "2018-06-02"),
    ], extra=f'<a href="{site.offsite_url("/elsewhere/file.pdf")}">附件.pdf</a>')))
    # traps
    r("/calendar/", endless_calendar)
    r("/calendar/event", lambda h: h.send(200, article_page("日历事件", "2018-06-12").encode()))
    r("/qs/", endless_queries)
    r("/qs/detail", lambda h: h.send(200, article_page("查询详情", "2018-06-12").encode()))
    # WAF
    r("/waf/challenge", html(WAF_CHALLENGE))
    r("/waf/412", html(b"<html><body>Precondition Failed</body></html>", 412))
    r("/waf/521", html(b"<html><body>Web server is down</body></html>", 521))
    # size
    r("/huge/declared", huge_page(declared=True))
    r("/huge/undeclared", huge_page(declared=False))
    r("/bomb/gzip", gzip_bomb_page)
    r("/bomb/list.htm", html(list_page("炸弹附件", [
        ("/bomb/budget.docx", "2018年部门预算.docx", "2018-04-20"),
        ("/bomb/accounts.xlsx", "2017年决算.xlsx", "2018-07-20"),
        ("/bomb/report.pdf", "年度报告.pdf", "2018-10-20"),
    ])))
    r("/bomb/budget.docx", lambda h: h.send(200, zip_bomb("docx"), None, _DOCX))
    r("/bomb/accounts.xlsx", lambda h: h.send(200, zip_bomb("xlsx"), None, _XLSX))
    r("/bomb/report.pdf", lambda h: h.send(200, malformed_pdf(), None, "application/pdf"))
    # encodings and junk
    gbk_title = "2018年部门预算公开"
    gbk_article = article_page(gbk_title, "2018-04-20", body="收支预算总表、收入预算表、支出预算表。" * 5)
    r("/charset/none-gbk", html(gbk_article.replace('<meta charset="utf-8">', "").encode("gbk"),
                                content_type="text/html"))
    r("/charset/meta-gbk-header-latin1", html(gbk_article.replace("utf-8", "gbk").encode("gbk"),
                                              content_type="text/html; charset=ISO-8859-1"))
    r("/charset/wrong-header-utf8", html(gbk_article.replace('<meta charset="utf-8">', "").encode("gbk"),
                                         content_type="text/html; charset=utf-8"))
    r("/junk/binary", html(binary_junk()))
    r("/junk/deep", html(deep_nesting()))
    r("/junk/broken", html(broken_markup()))


#: What the crawl must record for each hostile catalogue URL. Values: a FetchStatus value, and the
#: HTTP status when one is expected. The tests build a catalogue from these.
CASES: dict[str, tuple[str, int | None]] = {
    GOOD_LIST: ("ok", 200),
    "/slow": ("timeout", None),
    "/stall": ("timeout", None),
    "/reset": ("refused", None),
    "/truncated": ("network", None),
    "/flaky/503": ("ok", 200),
    "/flaky/503-retry-after": ("ok", 200),
    "/flaky/429-retry-after": ("ok", 200),
    "/always/503": ("http-error", 503),
    "/always/429-long-retry-after": ("http-error", 429),
    "/always/500": ("http-error", 500),
    "/redirect/loop/a": ("redirect-loop", None),
    "/redirect/chain/0": ("redirect-loop", None),
    "/waf/challenge": ("waf", 200),
    "/waf/412": ("waf", 412),
    "/waf/521": ("waf", 521),
    "/huge/declared": ("too-large", None),
    "/huge/undeclared": ("too-large", None),
    "/bomb/gzip": ("too-large", None),
    "/junk/binary": ("ok", 200),
    "/junk/deep": ("ok", 200),
    "/junk/broken": ("ok", 200),
    "/charset/none-gbk": ("ok", 200),
    "/charset/meta-gbk-header-latin1": ("ok", 200),
    "/charset/wrong-header-utf8": ("ok", 200),
    "/bomb/list.htm": ("ok", 200),
    "/calendar/?month=2018-11": ("ok", 200),
    "/qs/?page=1&sort=date": ("ok", 200),
    "/offsite-links": ("ok", 200),
    "/redirect/offsite": ("offsite", None),
    "/private/column.htm": ("robots", None),
}

#: Catalogue URLs whose failure is the site's or the network's, never the department's: the items they
#: serve must be judged *inconclusive*, never *fail* (DESIGN.md, "Infrastructure failure is not
#: non-compliance").
SITE_FAULTS = (
    "/slow", "/stall", "/reset", "/truncated", "/waf/challenge", "/waf/412", "/waf/521", "/huge/declared",
    "/huge/undeclared", "/bomb/gzip", "/always/503", "/always/429-long-retry-after", "/redirect/offsite",
    "/redirect/loop/a", "/redirect/chain/0",  # a loop or an endless chain is the site's fault, not a blank column
)


# =================================================================================================
# Driving the real `auditor` command against the hostile site

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

AUDITOR = str(Path(sys.executable).with_name("auditor"))

#: Tight bounds so a hostile crawl takes seconds (timeouts, retries, pages, bytes).
TIGHT_POLICY: dict[str, object] = {
    "obey_robots": True,
    "timeout_seconds": 2,
    "retries": 1,
    "delay_seconds": 0,
    "max_depth": 2,
    "max_list_pages": 3,
    "max_pages_per_item": 12,
    "max_pages_total": 2000,
    "max_download_bytes": 4 * 1024 * 1024,
}


def write_catalogue(path: Path, urls: dict[int, str | list[str]], *, policy: dict[str, object] | None = None,
                    site_id: str = "hostile", allowed_hosts: tuple[str, ...] = ("127.0.0.1",)) -> Path:
    """A catalogue file for all 50 items (JSON is YAML): `urls` maps item number to its URL(s)."""
    missing = set(range(1, 51)) - set(urls)
    if missing:
        raise ValueError(f"items without a URL: {sorted(missing)}")
    items = {}
    for n in range(1, 51):
        u = urls[n]
        items[str(n)] = {"urls": u, "departments": ["党办、校办"]} if isinstance(u, list) else {
            "url": u, "departments": ["党办、校办"]}
    doc = {
        "id": site_id,
        "name": "敌意测试大学",
        "version": "test",
        "checklist": "qingdan-2014",
        "home": urls[1] if isinstance(urls[1], str) else urls[1][0],
        "allowed_hosts": list(allowed_hosts),
        "policy": {**TIGHT_POLICY, **(policy or {})},
        "departments": [{"name": "党办、校办", "contact": ""}],
        "items": items,
    }
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


@dataclass(frozen=True)
class Ran:
    """A finished `auditor` subprocess: how it ended and what it cost."""

    returncode: int
    stdout: str
    stderr: str
    seconds: float
    peak_rss: int  # bytes, the child and its children at the worst moment sampled


def run_auditor(args: list[str], *, timeout: float, cwd: Path | None = None,
                env: dict[str, str] | None = None) -> Ran:
    """Run `auditor ARGS` as a real subprocess, sampling its memory; kill it (and fail) past `timeout`."""
    import psutil

    full_env = {**os.environ, "XXGK_CONFIG": os.devnull, "NO_COLOR": "1", "COLUMNS": "200", **(env or {})}
    started = time.monotonic()
    proc = subprocess.Popen([AUDITOR, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd,
                            env=full_env, text=True)
    peak = 0
    out: list[str] = []
    err: list[str] = []
    readers = [threading.Thread(target=lambda s=s, b=b: b.append(s.read()), daemon=True)
               for s, b in ((proc.stdout, out), (proc.stderr, err))]
    for t in readers:
        t.start()
    try:
        ps = psutil.Process(proc.pid)
        while proc.poll() is None:
            if time.monotonic() - started > timeout:
                proc.kill()
                proc.wait()
                raise AssertionError(f"auditor {' '.join(args)} did not finish within {timeout} s")
            try:
                rss = ps.memory_info().rss + sum(c.memory_info().rss for c in ps.children(recursive=True))
                peak = max(peak, rss)
            except psutil.Error:
                pass
            time.sleep(0.05)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for t in readers:
            t.join(timeout=5)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
    return Ran(proc.returncode, "".join(out), "".join(err), time.monotonic() - started, peak)


def closed_port() -> int:
    """A loopback port with nothing listening (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
