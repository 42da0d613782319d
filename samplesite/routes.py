"""The sample site's dynamic routes: everything a static file cannot express.

Redirects, transient 503s, the WAF and the VSB download endpoint come from the manifest rows (so a
page added to the description gets its behaviour with it); the calendar trap is pure code.
`build_routes()` is the one place that lists them; the server tries them in order before it falls
back to static files.
"""

from __future__ import annotations

import hashlib
import html
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, quote, urlsplit

from samplesite.manifest import SITE_ROOT, FileRecord, Manifest, Outcome


@dataclass(frozen=True)
class Request:
    """One request as the site sees it, whether it came as a proxy request or directly."""

    method: str
    host: str
    path: str  # without the query
    query: str
    headers: Mapping[str, str]

    @property
    def target(self) -> str:
        return f"{self.path}?{self.query}" if self.query else self.path

    @property
    def conditional(self) -> bool:
        return "if-none-match" in self.headers or "if-modified-since" in self.headers


@dataclass(frozen=True)
class Response:
    status: int
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""


class State:
    """Per-server mutable state (e.g. how often a flaky URL has failed), shared by handler threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}

    def bump(self, key: str) -> int:
        """Count one more hit on `key`; return the count before this hit."""
        with self._lock:
            before = self._counts.get(key, 0)
            self._counts[key] = before + 1
            return before

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()


class Route(Protocol):
    def respond(self, req: Request, state: State) -> Response | None:
        """A response, or None to let the next route (and finally the static files) answer."""
        ...


def html_response(status: int, title: str, text: str, extra: tuple[tuple[str, str], ...] = ()) -> Response:
    body = (
        f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{html.escape(title)}</title></head>\n'
        f"<body>{text}</body></html>\n"
    ).encode()
    return Response(status, (("Content-Type", "text/html; charset=utf-8"), *extra), body)


def not_found() -> Response:
    return html_response(404, "404 页面不存在", "<h1>404</h1><p>您访问的页面不存在或已被删除。</p>")


@dataclass(frozen=True)
class Redirect:
    host: str
    path: str
    location: str  # absolute URL
    code: int = 301

    def respond(self, req: Request, state: State) -> Response | None:
        if (req.host, req.path) != (self.host, self.path):
            return None
        link = f'<a href="{html.escape(self.location)}">{html.escape(self.location)}</a>'
        return html_response(self.code, "Moved", f"<p>Moved to {link}</p>", (("Location", self.location),))


@dataclass(frozen=True)
class Transient:
    """Answer 503 (with Retry-After) `failures` times per server instance, then let the file answer."""

    host: str
    path: str
    failures: int
    retry_after: int = 0

    def respond(self, req: Request, state: State) -> Response | None:
        if (req.host, req.path) != (self.host, self.path):
            return None
        if state.bump(f"transient {self.host}{self.path}") >= self.failures:
            return None
        return html_response(
            503,
            "503 Service Unavailable",
            "<h1>服务器繁忙，请稍后再试</h1>",
            (("Retry-After", str(self.retry_after)),),
        )


@dataclass(frozen=True)
class Waf:
    """A web application firewall in front of a column: 412, which an audit must call inconclusive."""

    host: str
    prefix: str

    def respond(self, req: Request, state: State) -> Response | None:
        if req.host != self.host or not req.path.startswith(self.prefix):
            return None
        return html_response(
            412,
            "412 Precondition Failed",
            "<h1>访问被拦截</h1><p>您的请求疑似攻击行为，已被网站安全防护系统拦截。</p>",
        )


_MONTH_QUERY = re.compile(r"^(\d{4})-(\d{2})$")
_MONTH_PATH = re.compile(r"^/(\d{4})/(\d{2})/$")


@dataclass(frozen=True)
class CalendarTrap:
    """An endless calendar: every month links to the previous and the next one, in two URL styles."""

    host: str
    prefix: str = "/calendar/"

    def respond(self, req: Request, state: State) -> Response | None:
        if req.host != self.host or not req.path.startswith(self.prefix):
            return None
        rest = req.path[len(self.prefix) - 1 :]
        if rest == "/":
            month = parse_qs(req.query).get("month", ["2018-11"])[0]
            m = _MONTH_QUERY.match(month)
        else:
            m = _MONTH_PATH.match(rest)
        if not m or not (1 <= int(m[2]) <= 12) or not (1 <= int(m[1]) <= 9998):
            return not_found()
        year, mon = int(m[1]), int(m[2])
        prev = (year, mon - 1) if mon > 1 else (year - 1, 12)
        nxt = (year, mon + 1) if mon < 12 else (year + 1, 1)
        links = "".join(
            f'<a href="{self.prefix}?month={y:04d}-{mo:02d}">{label}</a> '
            f'<a href="{self.prefix}{y:04d}/{mo:02d}/">{label}（归档）</a> '
            for label, (y, mo) in (("上个月", prev), ("下个月", nxt))
        )
        text = f"<h2>{year}年{mon}月应急值班安排</h2><p>值班电话：010-62332317</p><p>{links}</p>"
        return html_response(200, f"{year}年{mon}月值班日历", text)


def _etag(data: bytes) -> str:
    return '"' + hashlib.sha256(data).hexdigest()[:16] + '"'


def file_response(
    req: Request, data: bytes, meta: FileRecord, extra: tuple[tuple[str, str], ...] = ()
) -> Response:
    """A static body with validators, or 304 when the client's copy is current."""
    etag = _etag(data)
    modified = meta.last_modified
    headers: tuple[tuple[str, str], ...] = (
        (
            "Content-Type",
            f"{meta.content_type}; charset={meta.charset}" if meta.charset else meta.content_type,
        ),
        ("ETag", etag),
        ("Last-Modified", format_datetime(modified, usegmt=True)),
        *extra,
    )
    if _not_modified(req, etag, modified):
        return Response(304, tuple(h for h in headers if h[0] != "Content-Type"))
    return Response(200, headers, data)


def _not_modified(req: Request, etag: str, modified: datetime) -> bool:
    inm = req.headers.get("if-none-match")
    if inm is not None:
        # If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2)
        tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
        return "*" in tags or etag in tags
    ims = req.headers.get("if-modified-since")
    if ims is None:
        return False
    try:
        since = parsedate_to_datetime(ims)
    except (TypeError, ValueError):
        return False
    return since.tzinfo is not None and int(modified.timestamp()) <= int(since.timestamp())


@dataclass(frozen=True)
class VsbDownload:
    """博达 VSB's download.jsp: the file name travels only in Content-Disposition (RFC 5987)."""

    host: str
    manifest: Manifest
    path: str = "/system/_content/download.jsp"
    root: Path = field(default=SITE_ROOT)

    def respond(self, req: Request, state: State) -> Response | None:
        if (req.host, req.path) != (self.host, self.path):
            return None
        q = parse_qs(req.query)
        try:
            wbfileid = int(q["wbfileid"][0])
        except (KeyError, ValueError):
            return not_found()
        entry = self.manifest.download(wbfileid)
        if entry is None or q.get("urltype") != ["news.DownloadAttachUrl"]:
            return not_found()
        meta = self.manifest.file(entry.file)
        data = (self.root / entry.file).read_bytes()
        if meta is None:
            meta = FileRecord(entry.file, self.manifest.default_last_modified, "application/octet-stream")
        meta = FileRecord(meta.path, meta.last_modified, "application/octet-stream")
        disposition = f"attachment; filename*=UTF-8''{quote(entry.filename, safe='')}"
        return file_response(req, data, meta, (("Content-Disposition", disposition),))


def build_routes(manifest: Manifest) -> tuple[Route, ...]:
    """Every dynamic route of the site, in the order they are tried."""
    routes: list[Route] = [
        CalendarTrap(manifest.main_host),
        VsbDownload(manifest.main_host, manifest),
    ]
    for u in manifest.urls:
        parts = urlsplit(u.url)
        host, path = parts.hostname or "", parts.path
        if u.outcome is Outcome.WAF:
            routes.append(Waf(host, path))
        if u.transient:
            routes.append(Transient(host, path, u.transient))
        hop_from = u.url
        for hop in u.redirects:
            code, target = hop.split(" ", 1)
            src = urlsplit(hop_from)
            routes.append(Redirect(src.hostname or "", src.path, target, int(code)))
            hop_from = target
    return tuple(routes)
