"""A real HTTP server for the sample site, reached as an HTTP proxy so crawls keep the real URLs.

The crawl asks for `http://xxgk.ustb.edu.cn/...` through this server (absolute-URI requests);
it routes by host and path and answers every host itself, so nothing ever leaves the machine:
known hosts are folders under `site/`, any other host gets 502 (what a proxy says when DNS fails),
and CONNECT (TLS tunnels) gets 502 too. Origin-form requests (a browser pointed at the port) serve
the main site.
"""

from __future__ import annotations

import posixpath
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Self
from urllib.parse import unquote, urlsplit

from samplesite.manifest import SITE_ROOT, FileRecord, Manifest, guess_content_type, load
from samplesite.nightly import NightlyScenario
from samplesite.routes import (
    Request,
    Response,
    Route,
    State,
    build_routes,
    file_response,
    html_response,
    not_found,
)

_LOCAL_NAMES = frozenset({"127.0.0.1", "localhost", "::1", ""})


@dataclass(frozen=True)
class LoggedRequest:
    """What a test needs to know about one request the server answered."""

    method: str
    host: str
    path: str  # with the query, as requested
    status: int
    bytes_sent: int  # body bytes (0 for HEAD and 304)
    conditional: bool  # carried If-None-Match or If-Modified-Since


@lru_cache(maxsize=512)
def _read(path: Path) -> bytes:
    # the site is immutable while served; caching keeps ETag hashing off the hot path
    return path.read_bytes()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # idle keep-alive connections must not hold up shutdown

    def __init__(self, address: tuple[str, int], site: SampleSiteServer) -> None:
        super().__init__(address, _Handler)
        self.site = site

    def handle_error(self, request: object, client_address: tuple[str, int]) -> None:
        # A client that hangs up mid-answer (a killed crawl, a HEAD that stops early) is no server fault.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "VSB-sample/1.0"
    timeout = 10  # drop idle keep-alive connections
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass  # quiet: tests read SampleSiteServer.requests instead

    def do_GET(self) -> None:
        self._serve(head=False)

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def do_CONNECT(self) -> None:
        # no TLS anywhere in the sample site; refusing the tunnel keeps https:// off the network too
        host = self.path.rsplit(":", 1)[0]
        self._send(Request("CONNECT", host, self.path, "", {}), _bad_gateway(host), head=False)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        req = Request("POST", "", self.path, "", {})
        self._send(
            req,
            html_response(405, "405", "<h1>405 Method Not Allowed</h1>", (("Allow", "GET, HEAD"),)),
            False,
        )

    def _serve(self, head: bool) -> None:
        site = self.server.site
        headers = {k.lower(): v for k, v in self.headers.items()}
        target = self.path
        if target.startswith(("http://", "https://")):
            parts = urlsplit(target)
            host = (parts.hostname or "").lower()
            if parts.scheme == "https":
                host = f"https:{host}"  # never known: the site has no TLS
            if host in _LOCAL_NAMES:
                host = site.manifest.main_host
        else:
            parts = urlsplit(target)
            host = headers.get("host", "").rsplit(":", 1)[0].strip("[]").lower()
            if host in _LOCAL_NAMES:
                host = site.manifest.main_host
        req = Request(self.command, host, parts.path or "/", parts.query, headers)
        if site.delay:
            time.sleep(site.delay)
        self._send(req, site.respond(req), head)

    def _send(self, req: Request, resp: Response, head: bool) -> None:
        body = b"" if head or resp.status == 304 else resp.body
        # log before answering, so a client that has its answer always finds it in the log
        self.server.site._log(
            LoggedRequest(req.method, req.host, req.target, resp.status, len(body), req.conditional)
        )
        self.send_response(resp.status)
        for name, value in resp.headers:
            self.send_header(name, value)
        if resp.status != 304:
            self.send_header("Content-Length", str(len(resp.body)))
        self.end_headers()
        if body:
            self.wfile.write(body)


def _bad_gateway(host: str) -> Response:
    return html_response(
        502, "502 Bad Gateway", f"<h1>502 Bad Gateway</h1><p>DNS lookup failed for {host}</p>"
    )


class SampleSiteServer:
    """The sample site on 127.0.0.1 in a daemon thread: `with SampleSiteServer() as s: ... s.proxy_url`."""

    def __init__(
        self, port: int = 0, manifest: Manifest | None = None, root: Path = SITE_ROOT, delay: float = 0.0,
        scenario: NightlyScenario | None = None,
    ) -> None:
        self.delay = delay  # seconds before every answer: a slow site, for tests that interrupt a crawl
        self.scenario = scenario  # night-by-night changes (auditor demo --nights); None: the site never changes
        self.manifest = manifest or load()
        self.root = root
        self.routes: tuple[Route, ...] = build_routes(self.manifest)
        self.hosts = frozenset(self.manifest.hosts)
        self._state = State()
        self._log_lock = threading.Lock()
        self._requests: list[LoggedRequest] = []
        self._wanted_port = port
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle

    def start(self) -> SampleSiteServer:
        self._httpd = _Server(("127.0.0.1", self._wanted_port), self)
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="samplesite", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # -- what tests look at

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("server not started")
        return int(self._httpd.server_address[1])

    @property
    def proxy_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def requests(self) -> tuple[LoggedRequest, ...]:
        with self._log_lock:
            return tuple(self._requests)

    def reset(self) -> None:
        """Forget the request log and per-instance state (transient-error counters start again)."""
        self._state.reset()
        with self._log_lock:
            self._requests.clear()

    def _log(self, entry: LoggedRequest) -> None:
        with self._log_lock:
            self._requests.append(entry)

    # -- answering

    def respond(self, req: Request) -> Response:
        if req.host not in self.hosts:
            return _bad_gateway(req.host)
        if self.scenario is not None and (changed := self.scenario.respond(req, self._state)) is not None:
            return changed
        for route in self.routes:
            resp = route.respond(req, self._state)
            if resp is not None:
                return resp
        return self._static(req)

    def _static(self, req: Request) -> Response:
        path = unquote(req.path)
        rel = posixpath.normpath(path).lstrip("/")
        if rel == ".":
            rel = ""
        if path.endswith("/"):
            rel = f"{rel}/index.html".lstrip("/")
        if rel.startswith("..") or "\\" in rel:
            return not_found()
        file = self.root / req.host / rel
        if not file.is_file():
            return not_found()
        key = f"{req.host}/{rel}"
        meta = self.manifest.file(key) or _default_meta(key, self.manifest)
        data = _read(file)
        if self.scenario is not None:
            data = self.scenario.rewrite("/" + rel, data) if req.host == self.manifest.main_host else data
        return file_response(req, data, meta)


def _default_meta(key: str, manifest: Manifest) -> FileRecord:
    ctype = guess_content_type(key)
    charset = "utf-8" if ctype.startswith("text/") else ""
    return FileRecord(key, manifest.default_last_modified, ctype, charset)


def iter_hosts(root: Path = SITE_ROOT) -> Iterator[str]:
    """The host folders under site/ (names with a dot; other folders are not hosts)."""
    for p in sorted(root.iterdir()):
        if p.is_dir() and "." in p.name:
            yield p.name
