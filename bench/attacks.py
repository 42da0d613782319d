"""Replay the security review's attacks against a local hostile site and print result, wall time and peak
RSS for each: run once on the code before a fix and once after, to compare (loopback traffic only).

    PYTHONPATH=<checkout> python bench/attacks.py [attack ...]
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from hostile import (
    GOOD_LIST,
    HostileServer,
    closed_port,
    html,
    list_page,
    run_auditor,
    standard_routes,
    write_catalogue,
)

Attack = Callable[[HostileServer, Path], str]


def _crawl(site: HostileServer, tmp: Path, first: str, *, policy: dict[str, object] | None = None,
           timeout: float = 600) -> tuple[str, float, int, Path]:
    urls: dict[int, str | list[str]] = {n: site.url(GOOD_LIST) for n in range(1, 51)}
    urls[1] = site.url(first)
    # Ports count (the fix): the inward listeners are other ports of 127.0.0.1. Unfixed code refuses the
    # port form, so it is measured with the bare address (BENCH_BARE_HOST=1).
    hosts = ("127.0.0.1",) if os.environ.get("BENCH_BARE_HOST") else (f"127.0.0.1:{site.port}",)
    catalogue = write_catalogue(tmp / "c.yaml", urls, policy=policy, allowed_hosts=hosts)
    db = tmp / "a.sqlite"
    ran = run_auditor(["crawl", "--site", str(catalogue), "--db", str(db), "--no-polite"], timeout=timeout, cwd=tmp)
    return f"exit {ran.returncode}", ran.seconds, ran.peak_rss, db


def _status(db: Path, url: str) -> str:
    row = sqlite3.connect(db).execute("SELECT status, error FROM pages WHERE url=?", (url,)).fetchone()
    return f"{row[0]} {row[1][:80]!r}" if row else "no record"


def links100k(site: HostileServer, tmp: Path) -> str:
    n = 100_000
    closed = closed_port()  # loopback only: no name is looked up, nothing leaves the machine
    body = list_page("友情链接", [("/ok/article/1", "2018年公告", "2018-06-01")],
                     extra='<ul class="links">' + "".join(f'<li><a href="http://127.0.0.1:{closed}/x{i}">站{i}</a></li>'
                                                          for i in range(n)) + "</ul>")
    site.route("/many/list.htm", html(body))
    status, secs, rss, db = _crawl(site, tmp, "/many/list.htm", policy={"max_download_bytes": 20 * 1024 * 1024})
    links = sqlite3.connect(db).execute("SELECT count(*) FROM links").fetchone()[0]
    started = time.monotonic()
    ran = run_auditor(["evaluate", "--db", str(db), "--out", str(tmp / "f.json")], timeout=300, cwd=tmp)
    return (f"crawl {status} {secs:.1f}s {rss / 1e6:.0f}MB, {links} links stored; "
            f"evaluate exit {ran.returncode} {time.monotonic() - started:.1f}s {ran.peak_rss / 1e6:.0f}MB")


def robots13mb(site: HostileServer, tmp: Path) -> str:
    rules = "".join(f"Disallow: /p{i}/x{i}*.htm\n" for i in range(400_000))
    site.route("/robots.txt", html(b"User-agent: *\n" + rules.encode(), content_type="text/plain"))
    pages = [(f"/ok/article/{i}", f"公告{i}", "2018-06-01") for i in range(1000)]
    site.route("/big/list.htm", html(list_page("大栏目", pages)))
    status, secs, rss, db = _crawl(site, tmp, "/big/list.htm", policy={"max_pages_per_item": 1100})
    fetched = sqlite3.connect(db).execute("SELECT count(*) FROM pages WHERE status='ok'").fetchone()[0]
    return f"crawl {status} {secs:.1f}s {rss / 1e6:.0f}MB, {fetched} pages ok"


def metarefresh(site: HostileServer, tmp: Path) -> str:
    with HostileServer() as inward:
        inward.route("/*", html("secret"))
        target = f"http://0x7f.0.0.1:{inward.port}/latest/meta-data/"
        site.route("/mr/list.htm", html(f'<html><head><meta http-equiv="refresh" content="0;url={target}">'
                                        "</head><body>x</body></html>"))
        status, _secs, _rss, db = _crawl(site, tmp, "/mr/list.htm", timeout=120)
        return f"crawl {status}; inward listener hits {len(inward.requested())}; recorded {_status(db, site.url('/mr/list.htm'))}"


def spellings(site: HostileServer, tmp: Path) -> str:
    with HostileServer() as inward:
        inward.route("/*", html("secret"))
        forms = ["2130706433", "0177.0.0.1", "0x7f.0.0.1", "127.1", "017700000001", "0x7f000001", "localhost"]
        links = "".join(f'<a href="http://{f}:{inward.port}/admin">{f}</a>' for f in forms)
        site.route("/sp/list.htm", html(list_page("链接", [], extra=links)))
        status, _secs, _rss, _db = _crawl(site, tmp, "/sp/list.htm", timeout=120)
        return f"crawl {status}; inward listener hits {sum(1 for _ in inward.requested())} of {len(forms)} forms"


ATTACKS: dict[str, Attack] = {"links100k": links100k, "robots13mb": robots13mb, "metarefresh": metarefresh,
                              "spellings": spellings}


@contextlib.contextmanager
def _tmp() -> Iterator[str]:
    """A scratch folder, kept for a post-mortem when XXGK_KEEP is set."""
    if os.environ.get("XXGK_KEEP"):
        yield tempfile.mkdtemp()
        return
    with tempfile.TemporaryDirectory() as d:
        yield d


def main(names: list[str]) -> None:
    for name in names or list(ATTACKS):
        with _tmp() as d, HostileServer() as site:
            standard_routes(site)
            started = time.monotonic()
            try:
                result = ATTACKS[name](site, Path(d))
            except AssertionError as exc:
                result = f"did not finish: {exc}"
            print(json.dumps({"attack": name, "dir": d, "result": result, "wall_s": round(time.monotonic() - started, 1)},
                             ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
