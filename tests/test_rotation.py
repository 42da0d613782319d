"""Change-driven nights, crawled for real: a night fetches its list pages and what changed, carries the rest
forward from the run that last verified it, and verifies every URL again within `policy.rotation_nights`.

A loopback HTTP proxy serves a small disclosure site (xxgk.hdsf.edu.cn): three columns of 12 articles each,
ten to a list page, every article with one PDF attachment (column 1's also link to column 3's), and the
other items on one 综合 column. Its list pages are dynamic (no ETag, as most CMS lists); articles and files
send an ETag and answer 304 when asked with it. Each night is `auditor run` in a process of its own, into one database; every figure is counted
from the server's own log of requests.

| night | run                  | the site                                                        |
|-------|----------------------|-----------------------------------------------------------------|
| 1     | first night          |                                                                 |
| 2     | unchanged            |                                                                 |
| 3     | `--full`             | unchanged: its findings are night 2's                           |
| 4     | one new entry        | column 1 gains an article at the top (a row moves to page 2)    |
| 5–7   | N = 3 nights         | an old article's attachment of column 2 is deleted              |
| 8     | item 2 awaits 复核    | its department reported a finding fixed: item 2 refetched whole |
| 复核  | `run --items 1`      | item 1 refetched whole                                          |
"""

from __future__ import annotations

import hashlib
import io
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
from hostile import article_page

from auditor.calendar import CHINA
from auditor.models import FetchStatus, PageRole
from auditor.store import Store
from spiders.catalogue import rotation_turn

XXGK = "http://xxgk.hdsf.edu.cn"
GENERAL = f"{XXGK}/zh/"
COLUMNS = {1: f"{XXGK}/c1/", 2: f"{XXGK}/c2/", 3: f"{XXGK}/c3/"}
ROTATION = 3  # policy.rotation_nights
FIRST = date(2018, 11, 21)


# The file deleted before night 5: one of column 2 whose turn is night 4's and night 7's, so that nights 5
# and 6 carry it (still as verified on night 4) and night 7, the third night since, finds it gone.
DELETED = next(f"{XXGK}/files/2-{k}.pdf" for k in range(1, 13)
               if rotation_turn(f"{XXGK}/files/2-{k}.pdf", ROTATION) == 7 % ROTATION)


def _pdf(title: str) -> bytes:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.setFont("STSong-Light", 14)
    c.drawString(72, 760, f"{title} 附件正文")
    c.showPage()
    c.save()
    return buf.getvalue()


@dataclass
class Proxy:
    """One loopback proxy; `pages` (url → (status, body, content type)) is tonight's site."""

    pages: dict[str, tuple[int, bytes, str]] = field(default_factory=dict)
    requests: list[tuple[str, str, str, int]] = field(default_factory=list)  # (night, method, url, status)
    night: str = ""

    def fetched(self, night: str) -> list[str]:
        return [url for n, _method, url, _status in self.requests if n == night]


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
            status, body, kind = proxy.pages.get(url, (404, b"<h1>404</h1>", "text/html; charset=utf-8"))
            etag = ""
            if status == 200 and ("/info/" in url or "/files/" in url):
                etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
                if self.headers.get("If-None-Match") == etag:
                    status, body = 304, b""
            proxy.requests.append((proxy.night, self.command, url, status))
            self.send_response(status)
            self.send_header("Content-Type", kind)
            if etag and status in (200, 304):
                self.send_header("ETag", etag)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command == "GET":
                self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def _list(title: str, rows: list[tuple[str, str, str]], next_page: str = "") -> str:
    items = "\n".join(f'<li><a href="{href}" title="{t}">{t}</a><span>{d}</span></li>' for href, t, d in rows)
    pager = f'<div class="pager"><a href="{next_page}">下一页</a></div>' if next_page else ""
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head><body>'
            f'<div class="header"><a href="/">首页</a></div><div class="list"><h2>{title}</h2><ul>{items}</ul>'
            f'{pager}</div></body></html>')


def _site(*, new_entry: bool = False, deleted: bool = False) -> dict[str, tuple[int, bytes, str]]:
    html = "text/html; charset=utf-8"
    pages: dict[str, tuple[int, bytes, str]] = {
        f"{XXGK}/robots.txt": (200, b"User-agent: *\nDisallow: /admin/\n", "text/plain"),
        f"{XXGK}/": (200, _list("信息公开网", [(GENERAL, "信息公开目录", "2018-11-01")]).encode(), html),
    }
    pages[GENERAL] = (200, _list("综合信息", [(f"{XXGK}/info/0-1.htm", "学校基本情况", "2018-10-20")]).encode(), html)
    pages[f"{XXGK}/info/0-1.htm"] = (200, article_page("学校基本情况", "2018-10-20").encode(), html)
    for c, column in COLUMNS.items():
        rows = []
        for k in range(12, 0, -1):
            if c == 1 and k == 12 and not new_entry:
                continue  # the entry that appears on night 4
            rows.append((f"{XXGK}/info/{c}-{k}.htm", f"第{c}栏第{k}号公告", f"2018-10-{k + 10:02d}"))
            title = f"第{c}栏第{k}号公告"
            body = f'本页公开内容。<a href="/files/{c}-{k}.pdf">附件：{title}.pdf</a>'
            if c == 1:  # column 1's articles link to column 3's: a page met first as a link, then as an entry
                body += f' <a href="/info/3-{k}.htm">相关阅读：第3栏第{k}号公告</a>'
            pages[f"{XXGK}/info/{c}-{k}.htm"] = (200, article_page(title, f"2018-10-{k + 10:02d}", body).encode(),
                                                 html)
            if not (deleted and f"{XXGK}/files/{c}-{k}.pdf" == DELETED):
                pages[f"{XXGK}/files/{c}-{k}.pdf"] = (200, _pdf(title), "application/pdf")
        pages[column] = (200, _list(f"栏目{c}", rows[:10], f"{column}list2.htm").encode(), html)
        pages[f"{column}list2.htm"] = (200, _list(f"栏目{c}", rows[10:]).encode(), html)
    return pages


def _catalogue(path: Path) -> Path:
    items = {str(n): {"url": COLUMNS.get(n, GENERAL), "departments": ["党委办公室"]} for n in range(1, 51)}
    doc = {
        "id": "hdsf", "name": "华东示范大学", "version": "test", "checklist": "qingdan-2014",
        "home": f"{XXGK}/", "allowed_hosts": ["xxgk.hdsf.edu.cn"],
        "policy": {"retries": 0, "timeout_seconds": 5, "delay_seconds": 0, "rotation_nights": ROTATION},
        "departments": [{"name": "党委办公室", "contact": ""}],
        "items": items,
    }
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


@dataclass
class Nights:
    proxy: Proxy
    out: Path
    db: Path
    runs: dict[str, int] = field(default_factory=dict)  # night → run id

    def findings(self, night: str) -> dict[str, Any]:
        doc: dict[str, Any] = json.loads((self.out / night / "findings.json").read_text(encoding="utf-8"))
        return doc

    def verdicts(self, night: str) -> dict[int, tuple[str, tuple[tuple[str, str, str], ...]]]:
        return {it["item"]: (it["status"], tuple(sorted((f["rule"], f["status"], f["url"]) for f in it["findings"])))
                for it in self.findings(night)["items"]}


def _is_list(url: str) -> bool:
    return url == f"{XXGK}/" or url == GENERAL or url.endswith("/robots.txt") \
        or any(url.startswith(c) and "/info/" not in url for c in COLUMNS.values())


@pytest.fixture(scope="module")
def nights(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Nights]:
    tmp = tmp_path_factory.mktemp("rotation")
    catalogue, db = _catalogue(tmp / "hdsf.yaml"), tmp / "audit.sqlite"
    proxy = Proxy()
    server, address = _serve(proxy)
    env = {k: v for k, v in os.environ.items() if k.lower() not in ("http_proxy", "https_proxy", "no_proxy")}
    env.update({"XXGK_CONFIG": os.devnull, "COLUMNS": "200"})
    nights = Nights(proxy, tmp, db)

    def run(night: str, day: int, *extra: str, **site: bool) -> None:
        proxy.night, proxy.pages = night, _site(**site)
        ran = subprocess.run([sys.executable, "-m", "auditor", "run", "--site", str(catalogue), "--db", str(db),
                              "--out", str(tmp / night), "--as-of", (FIRST + timedelta(days=day)).isoformat(),
                              "--proxy", address, "--no-polite", *extra],
                             capture_output=True, text=True, env=env, timeout=300, check=False)
        assert ran.returncode in (0, 1), f"night {night}: {ran.returncode}\n{ran.stderr[-3000:]}"
        with Store(db) as store:
            nights.runs[night] = store.runs("hdsf")[-1].id

    try:
        run("1", 0)
        run("2", 1)
        run("3", 2, "--full")
        run("4", 3, new_entry=True)
        for night in (5, 6, 7):
            run(str(night), night - 1, new_entry=True, deleted=True)
        # Item 2's department reports a finding fixed: the next full night is its 复核.
        with Store(db) as store:
            fid = next(fid for fid, t in sorted(store.tracked("hdsf").items()) if t.item == 2)
        moved = subprocess.run([sys.executable, "-m", "auditor", "finding", "fixed", fid, "--site", str(catalogue),
                                "--db", str(db), "--by", "测试"], capture_output=True, text=True, env=env,
                               timeout=60, check=False)
        assert moved.returncode == 0, moved.stderr
        run("8", 7, new_entry=True, deleted=True)
        run("recheck", 8, "--items", "1", new_entry=True, deleted=True)
        yield nights
    finally:
        server.shutdown()
        server.server_close()


def _due(url: str, night: int) -> bool:
    """The URL's turn in the rotation on this night (every night here is a full run, one a night)."""
    return rotation_turn(url, ROTATION) == night % ROTATION


def test_an_unchanged_night_fetches_list_pages_and_the_rotation_share_only(nights: Nights) -> None:
    first, second = nights.proxy.fetched("1"), nights.proxy.fetched("2")
    carried = {u for u in first if not _is_list(u)}
    assert len(carried) == 71  # 36 articles and 35 files (the 综合 article has none)
    lists = {u for u in second if _is_list(u)}
    assert lists == {u for u in first if _is_list(u)}  # every list page, every night
    others = [u for u in second if not _is_list(u)]
    # (a column 3 article met first as column 1's link is checked, then read: two requests, as on night 1)
    assert set(others) == {u for u in carried if _due(u, 2)}
    assert 0 < len(set(others)) < len(carried) / 2  # about a third, with N = 3
    print(f"\nnight 1: {len(first)} requests; unchanged night 2: {len(second)} ({len(lists) - 1} list pages "
          f"+ robots.txt, {len(set(others))} of {len(carried)} others in rotation, in {len(others)} requests)")


def test_carried_evidence_is_marked_with_the_run_and_date_that_last_verified_it(nights: Nights) -> None:
    with Store(nights.db) as store:
        run1, run2 = nights.runs["1"], nights.runs["2"]
        article = f"{XXGK}/info/2-3.htm"
        page = store.page(run2, article)
        first = store.page(run1, article)
        assert page is not None and first is not None and first.verified_run is None
        if _due(article, 2):
            assert page.verified_run is None and page.status is FetchStatus.NOT_MODIFIED
        else:
            assert page.carried and page.verified_run == run1 and page.fetched_at == first.fetched_at
            assert page.text == first.text and page.status is FetchStatus.OK and 2 in page.items
        carried = [p for p in store.pages(run2) if p.carried]
        assert carried and all(p.verified_run == run1 for p in carried)
        assert all(p.role not in (PageRole.LIST, PageRole.CATALOGUE) for p in carried)
        # Every page of night 1 is in night 2's evidence, fetched or carried.
        assert {p.url for p in store.pages(run1)} == {p.url for p in store.pages(run2)}


def test_findings_of_an_unchanged_night_equal_those_of_a_full_refetch(nights: Nights) -> None:
    assert set(nights.proxy.fetched("3")) == set(nights.proxy.fetched("1"))  # --full: every URL again
    assert nights.verdicts("2") == nights.verdicts("3")


def test_a_new_entry_fetches_exactly_that_entry_and_its_attachment_besides_the_share(nights: Nights) -> None:
    fourth = nights.proxy.fetched("4")
    others = sorted({u for u in fourth if not _is_list(u)})
    new = [f"{XXGK}/info/1-12.htm", f"{XXGK}/files/1-12.pdf"]  # its link to column 3's article is carried
    # Night 3 verified everything (--full); the share is night 4's turn, the row pushed to page 2 is not in it.
    expected = sorted({*new, *(u for u in nights.proxy.fetched("3") if not _is_list(u) and _due(u, 4))})
    assert others == expected
    assert f"{XXGK}/info/1-2.htm" in others or not _due(f"{XXGK}/info/1-2.htm", 4)
    print(f"\nnight 4 (one new entry): {len(fourth)} requests, {len(others)} besides list pages "
          f"(the new article and its file + {len(others) - 2} in rotation)")


def test_a_deleted_attachment_is_found_within_rotation_nights(nights: Nights) -> None:
    found = []
    with Store(nights.db) as store:
        for night in ("5", "6", "7"):
            page = store.page(nights.runs[night], DELETED)
            assert page is not None
            found.append(page.status is FetchStatus.HTTP_ERROR)
            if not found[-1]:
                assert page.carried  # an OK record of a deleted file is only ever a carried one
    assert found == [False, False, True], "the deleted attachment must be found on night 7, N nights on"
    night = 5 + found.index(True)
    assert (DELETED in nights.proxy.fetched(str(night))) and not any(
        DELETED in nights.proxy.fetched(str(n)) for n in range(5, night))
    item = next(it for it in nights.findings(str(night))["items"] if it["item"] == 2)
    assert any(f["status"] in ("fail", "warn") and DELETED in json.dumps(f, ensure_ascii=False)
               for f in item["findings"])
    print(f"\nthe attachment deleted before night 5 was found on night {night} (N = {ROTATION})")


def test_a_recheck_refetches_its_item_fully(nights: Nights) -> None:
    fetched = set(nights.proxy.fetched("recheck"))
    for k in range(1, 13):
        assert f"{XXGK}/info/1-{k}.htm" in fetched and f"{XXGK}/files/1-{k}.pdf" in fetched
    assert not any("/info/2-" in u for u in fetched)
    with Store(nights.db) as store:
        assert not any(p.carried for p in store.pages(nights.runs["recheck"]))


def test_a_finding_on_carried_evidence_says_when_it_was_last_verified(nights: Nights) -> None:
    with Store(nights.db) as store:
        carried = {p.url: p for p in store.pages(nights.runs["2"]) if p.carried}
    on_carried = [f for it in nights.findings("2")["items"] for f in it["findings"] if f["url"] in carried]
    assert on_carried, "some finding of night 2 rests on a carried page"
    for f in on_carried:
        fetched = carried[f["url"]].fetched_at
        assert fetched is not None
        assert f["evidence"]["verified"] == fetched.astimezone(CHINA).date().isoformat()
    fetched_tonight = [f for it in nights.findings("3")["items"] for f in it["findings"]]
    assert not any("verified" in f["evidence"] for f in fetched_tonight)  # --full: nothing carried
    day = on_carried[0]["evidence"]["verified"]
    assert f"最后核实：{day}" in (nights.out / "2" / "index.html").read_text(encoding="utf-8")  # the dashboard


def test_a_full_night_refetches_an_item_awaiting_its_recheck_whole(nights: Nights) -> None:
    fetched = set(nights.proxy.fetched("8"))
    for k in range(1, 13):
        assert f"{XXGK}/info/2-{k}.htm" in fetched and f"{XXGK}/files/2-{k}.pdf" in fetched
    others = {u for u in fetched if "/info/3-" in u or "/files/3-" in u}
    assert others == {u for u in nights.proxy.fetched("1") if ("/info/3-" in u or "/files/3-" in u) and _due(u, 8)}


def test_an_unchanged_night_stores_what_it_learned_not_the_site_again(nights: Nights) -> None:
    """The history grows by what a night fetched: a carried or 304 page refers to the run that read it for
    its texts, dates and links (storing a link only if its answer changed), yet reads back whole, as the
    full night's records of it."""

    def evidence(run_id: int) -> tuple[object, ...]:
        pages = {p.url: (p.role, p.kind, p.title, p.text, p.dates, p.publish_date, p.items) for p in store.pages(run_id)}
        links = {(k.from_url, k.to_url, k.via, k.text, k.status.has_content) for k in store.links(run_id)}
        return pages, links

    with Store(nights.db) as store:
        first, unchanged, full = nights.runs["1"], nights.runs["2"], nights.runs["3"]
        not_read = {p.url for p in store.pages(unchanged) if p.carried or p.status is FetchStatus.NOT_MODIFIED}
        rows = store.db.execute("SELECT url, title, dates, text_sha FROM pages WHERE run_id=? AND content_run=?",
                                (unchanged, first)).fetchall()
        assert {url for url, *_ in rows} == not_read and len(not_read) > 40
        assert {tuple(content) for _, *content in rows} == {("", "[]", None)}  # nothing stored twice
        links = store.db.execute("SELECT from_url FROM links WHERE run_id=?", (unchanged,)).fetchall()
        assert links and not {url for (url,) in links} & not_read  # only the lists' links, read tonight
        assert evidence(unchanged) == evidence(full) == evidence(first)
