"""Serve the generated benchmark site on loopback: nginx with our own config, or Python as a fallback.

Two servers, both on 127.0.0.1: the main host (`http://127.0.0.1:<port>/`) and the off-site host
(`http://localhost:<offsite_port>/`). Every request is logged with its port, method, URI, status and
`$bytes_sent`, so `run.py` can count the distinct URLs each tool asked for and the bytes it cost.
Every response carries a `LinkChecker` header: without it LinkChecker throttles itself to a few requests
per second per host whatever its configuration says, which would measure its politeness, not its speed.

    .venv/bin/python bench/serve.py --site bench/out/gen/site --port 18080 --offsite-port 18081
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

LOG_FORMAT = '$msec $server_port $request_method "$request_uri" $status $bytes_sent "$http_user_agent"'
_UPLOAD_REWRITE = r"^/uploads/.+-([0-2])\.(pdf|xlsx|docx)$"

NGINX_CONF = """\
# Written by bench/serve.py for one benchmark run.
worker_processes 1;
daemon off;
master_process on;
pid {work}/nginx.pid;
error_log {work}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    include {mime};
    default_type application/octet-stream;
    charset utf-8;
    charset_types text/html text/css text/plain;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 65;
    keepalive_requests 1000000;
    server_tokens off;
    log_format bench '{log_format}';
    access_log {work}/access.log bench;
    client_body_temp_path {work}/tmp/body;
    proxy_temp_path {work}/tmp/proxy;
    fastcgi_temp_path {work}/tmp/fastcgi;
    uwsgi_temp_path {work}/tmp/uwsgi;
    scgi_temp_path {work}/tmp/scgi;
    add_header LinkChecker bench always;
    index index.htm;

{sites}    server {{
        listen 127.0.0.1:{offsite_port};
        server_name localhost;
        root {site}/offsite;
    }}
}}
"""
# One generated site on its own port: the main one, and each more of the 20-site night. Every attachment
# has its own URL; a few real files back them all.
SITE_SERVER = """\
    server {{
        listen 127.0.0.1:{port};
        server_name 127.0.0.1;
        root {site}/main;
        location /uploads/ {{
            root {site};
            rewrite "{rewrite}" /files/$1.$2 break;
            return 404;
        }}
    }}
"""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _die_with_parent() -> None:
    """In the child: nginx gets SIGQUIT when its parent dies, even by SIGKILL (Linux only)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGQUIT)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _wait_listening(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout}s")


@dataclass
class Server:
    """A running server pair; `log` is its access log in LOG_FORMAT."""

    kind: str  # "nginx 1.22.1" or "python ThreadingHTTPServer"
    log: Path
    pid: int
    _stop: Any = field(repr=False, default=None)

    def log_offset(self) -> int:
        return self.log.stat().st_size if self.log.exists() else 0

    def stop(self) -> None:
        self._stop()


def start(site: Path, port: int, offsite_port: int, work: Path, *, force_python: bool = False,
          more: list[tuple[Path, int]] | None = None) -> Server:
    """Start serving `site` (the generator's `site/` folder), and each of `more` (other generated sites,
    each on its own port, their off-site host the first's); falls back to Python without nginx."""
    site, work = site.resolve(), work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if nginx and not force_python:
        return _start_nginx(nginx, site, port, offsite_port, work, more or [])
    return _start_python(site, port, offsite_port, work, more or [])


def _start_nginx(nginx: str, site: Path, port: int, offsite_port: int, work: Path,
                 more: list[tuple[Path, int]]) -> Server:
    (work / "tmp").mkdir(exist_ok=True)
    log = work / "access.log"
    log.unlink(missing_ok=True)
    conf = work / "nginx.conf"
    conf.write_text(
        NGINX_CONF.format(
            work=work,
            site=site,
            offsite_port=offsite_port,
            log_format=LOG_FORMAT,
            mime="/etc/nginx/mime.types",
            sites="".join(SITE_SERVER.format(port=p, site=s.resolve(), rewrite=_UPLOAD_REWRITE)
                          for s, p in [(site, port), *more]),
        ),
        encoding="utf-8",
    )
    version = (
        subprocess.run([nginx, "-v"], capture_output=True, text=True, check=False)
        .stderr.strip()
        .split("/")[-1]
    )
    # -e: the error log before the config is read (else nginx tries /var/log/nginx); -p: our prefix.
    # preexec_fn is safe here: the harness starts the server before it starts any thread.
    proc = subprocess.Popen(
        [nginx, "-p", str(work), "-e", str(work / "error.log"), "-c", str(conf)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
        preexec_fn=_die_with_parent,  # noqa: PLW1509
    )
    try:
        for p in (port, offsite_port, *(p for _, p in more)):
            _wait_listening(p)
    except RuntimeError:
        proc.kill()
        err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        raise RuntimeError(f"nginx did not start: {err}") from None

    def stop() -> None:
        if proc.poll() is None:
            proc.send_signal(signal.SIGQUIT)  # graceful: finish requests, flush the log
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    return Server(kind=f"nginx {version}", log=log, pid=proc.pid, _stop=stop)


# ------------------------------------------------------------------ fallback: Python's own server


def _handler(
    root: Path, files: Path, log_lock: threading.Lock, log_file: Any
) -> type[SimpleHTTPRequestHandler]:
    import re

    upload = re.compile(_UPLOAD_REWRITE)

    class Handler(SimpleHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        sent = 0

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(root), **kwargs)

        def translate_path(self, path: str) -> str:
            m = upload.match(path.split("?", 1)[0])
            if m:
                return str(files / f"{m.group(1)}.{m.group(2)}")
            if path.split("?", 1)[0].startswith("/uploads/"):
                return str(root / "__missing__")
            return super().translate_path(path)

        def end_headers(self) -> None:
            self.send_header("LinkChecker", "bench")
            super().end_headers()

        def send_head(self) -> Any:
            # ETag as nginx makes it, so conditional requests behave alike on both servers.
            path = self.translate_path(self.path)
            if os.path.isdir(path):
                path = os.path.join(path, "index.htm")
            if os.path.isfile(path):
                st = os.stat(path)
                etag = f'"{int(st.st_mtime):x}-{st.st_size:x}"'
                if self.headers.get("If-None-Match") == etag or _not_modified_since(
                    self.headers, st.st_mtime
                ):
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return None
            return super().send_head()

        def send_response(self, code: int, message: str | None = None) -> None:
            self._code = code
            super().send_response(code, message)
            if code == 200:
                path = self.translate_path(self.path)
                if os.path.isdir(path):
                    path = os.path.join(path, "index.htm")
                if os.path.isfile(path):
                    st = os.stat(path)
                    self.send_header("ETag", f'"{int(st.st_mtime):x}-{st.st_size:x}"')

        def log_request(self, code: Any = "-", size: Any = "-") -> None:
            pass

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def handle_one_request(self) -> None:
            counter = _Counter(self.wfile)
            self.wfile = counter  # type: ignore[assignment]
            super().handle_one_request()
            self.wfile = counter.raw  # type: ignore[assignment]
            if getattr(self, "command", None) and getattr(self, "_code", None):
                port = self.server.server_address[1]
                line = (
                    f'{time.time():.3f} {port} {self.command} "{self.path}" {self._code} {counter.n} '
                    f'"{self.headers.get("User-Agent", "")}"\n'
                )
                with log_lock:
                    log_file.write(line)
                    log_file.flush()
                self._code = None

    return Handler


class _Counter:
    def __init__(self, raw: Any) -> None:
        self.raw, self.n = raw, 0

    def write(self, b: bytes) -> int:
        self.n += len(b)
        return int(self.raw.write(b))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.raw, name)


def _not_modified_since(headers: Any, mtime: float) -> bool:
    value = headers.get("If-Modified-Since")
    if not value or headers.get("If-None-Match"):
        return False
    try:
        return int(parsedate_to_datetime(value).timestamp()) >= int(mtime)
    except (TypeError, ValueError):
        return False


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client closing a keep-alive connection is no news


def _start_python(site: Path, port: int, offsite_port: int, work: Path, more: list[tuple[Path, int]]) -> Server:
    log = work / "access.log"
    log.unlink(missing_ok=True)
    log_file = log.open("a", encoding="utf-8")
    lock = threading.Lock()
    servers = []
    served = [(port, site / "main", site / "files"), (offsite_port, site / "offsite", site / "files")]
    served += [(p, s / "main", s / "files") for s, p in more]
    for p, root, files in served:
        httpd = _QuietServer(("127.0.0.1", p), _handler(root, files, lock, log_file))
        httpd.daemon_threads = True
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        servers.append(httpd)

    def stop() -> None:
        for httpd in servers:
            httpd.shutdown()
            httpd.server_close()
        log_file.close()

    return Server(kind="python ThreadingHTTPServer (nginx unavailable)", log=log, pid=os.getpid(), _stop=stop)


def _raise_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=Path(__file__).resolve().parent / "out" / "gen" / "site")
    parser.add_argument("--port", type=int, default=18080)
    parser.add_argument("--offsite-port", type=int, default=18081)
    parser.add_argument("--work", type=Path, default=Path(__file__).resolve().parent / "out" / "server")
    parser.add_argument("--python", action="store_true", help="use Python's server even if nginx is there")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _raise_interrupt)  # `kill`/`timeout` must stop nginx too
    server = start(args.site, args.port, args.offsite_port, args.work, force_python=args.python)
    print(
        f"{server.kind}: http://127.0.0.1:{args.port}/ and http://localhost:{args.offsite_port}/ "
        f"(log {server.log}); Ctrl-C stops"
    )
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
