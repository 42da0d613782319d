"""`auditor inspect`: one page as the auditor reads it, from a URL (through the sample server, the way the
crawl reaches it) or from a saved file, in a table or as one JSON object; user mistakes are one line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hostile import HostileServer, article_page, html, redirect, write_catalogue

from samplesite.server import SampleSiteServer

PAGES = Path(__file__).parent / "pages"
KEYS = {"url", "kind", "title", "published", "entries", "next_pages", "total_pages", "attachments", "furniture"}


def _inspect(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "auditor", "inspect", *args], capture_output=True, text=True,
                          env=env or {**os.environ, "XXGK_CONFIG": ""}, timeout=60, check=False)


@pytest.fixture(scope="module")
def proxied() -> Iterator[tuple[SampleSiteServer, dict[str, str]]]:
    with SampleSiteServer() as server:
        env = {**os.environ, "http_proxy": server.proxy_url, "no_proxy": "", "XXGK_CONFIG": ""}
        env.pop("HTTP_PROXY", None)
        yield server, env


def test_a_list_column_through_the_sample_server(proxied: tuple[SampleSiteServer, dict[str, str]]) -> None:
    server, env = proxied
    column = next(r for r in server.manifest.urls if r.role.value == "catalogue" and r.kind == "list"
                  and r.outcome.value == "ok" and r.entries)
    proc = _inspect(column.url, "--site", "ustb", "--json", env=env)
    assert proc.returncode == 0, proc.stderr
    page = json.loads(proc.stdout)
    assert KEYS <= set(page)
    assert page["kind"] == "list"
    assert [e["url"] for e in page["entries"]] == [e.url for e in column.entries]
    assert [e["date"] for e in page["entries"]] == [e.date.isoformat() if e.date else None for e in column.entries]


def test_an_article_through_the_sample_server_in_a_table(proxied: tuple[SampleSiteServer, dict[str, str]]) -> None:
    server, env = proxied
    article = next(r for r in server.manifest.urls if r.role.value == "detail" and r.kind == "article"
                   and r.outcome.value == "ok" and r.published)
    proc = _inspect(article.url, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "文章 article" in proc.stdout
    assert article.title in proc.stdout
    assert article.published is not None and article.published.isoformat() in proc.stdout


def test_robots_txt_is_obeyed_unless_told(proxied: tuple[SampleSiteServer, dict[str, str]]) -> None:
    _, env = proxied
    proc = _inspect("http://xxgk.ustb.edu.cn/private/plan.htm", env=env)
    assert proc.returncode == 2 and "robots.txt" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_saved_file_reads_as_it_was_served(tmp_path: Path) -> None:
    proc = _inspect(str(PAGES / "article_sidebar.html"), "--url", "http://example.edu.cn/info/1/12.htm", "--json")
    assert proc.returncode == 0, proc.stderr
    page = json.loads(proc.stdout)
    assert page["url"] == "http://example.edu.cn/info/1/12.htm"
    assert page["kind"] == "article" and page["title"] == "关于调整学生住宿费标准的公示"
    assert page["published"] == "2019-03-01"


@pytest.mark.parametrize(("page", "says"), [
    ("no/such/page.html", "no such file"),
    ("http://[bad", "not a valid address"),
    ("ftp://example.edu.cn/a.htm", "not an http(s) address"),
])
def test_user_mistakes_are_one_line_and_exit_2(page: str, says: str) -> None:
    proc = _inspect(page)
    assert proc.returncode == 2
    assert says in proc.stderr and "Traceback" not in proc.stderr


def test_a_redirect_is_followed_only_through_the_crawls_gate(tmp_path: Path) -> None:
    """A page must not steer `inspect` inward either: each hop passes the same gate as the crawl's."""
    with HostileServer() as site:
        site.route("/moved", redirect(lambda h: "http://169.254.169.254/latest/meta-data/"))
        site.route("/inward", redirect(lambda h: f"http://0x7f.0.0.1:{site.port}/page"))
        site.route("/page", html(article_page("公告", "2018-06-01")))
        for path in ("/moved", "/inward"):
            proc = _inspect(site.url(path), "--ignore-robots")
            assert proc.returncode == 2 and "内网" in proc.stderr, proc.stderr
        assert site.hits("/page") == 0  # the inward hop was never sent
        catalogue = write_catalogue(tmp_path / "site.yaml", {n: site.url("/page") for n in range(1, 51)})
        ok = _inspect(site.url("/page"), "--site", str(catalogue), "--ignore-robots", "--json")
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["title"] == "公告"
