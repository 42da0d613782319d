"""The crawl and the rules survive a hostile site: one real `auditor crawl` subprocess against every
misbehaviour in `tests/hostile.py` at once, then `auditor evaluate` on what it stored.

Each catalogue item points at one hostile path (the rest at a healthy list). The assertions are what a
user would notice: the run finishes, quickly and in bounded memory; each URL is recorded with the status
that tells the web team what happened; traps and bounds stop the crawl before the server is flooded; and
an item the site or the network made unreadable is *inconclusive*, never *fail*.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hostile import (
    CASES,
    GOOD_LIST,
    SITE_FAULTS,
    TIGHT_POLICY,
    HostileServer,
    Ran,
    closed_port,
    run_auditor,
    standard_routes,
    write_catalogue,
)

from auditor.models import FetchStatus, Page, PageKind, PageRole, RunState
from auditor.store import Store

REFUSED = "/refused"  # on a port where nothing listens
#: Whole crawl of ~30 hostile columns with 4 s timeouts and one retry: about 10 s on a laptop.
CRAWL_SECONDS_MAX = 45
#: The bombs inflate to 256–300 MB; a crawl that inflated any of them would pass this.
PEAK_RSS_MAX = 350 * 1024 * 1024


@dataclass
class Crawled:
    site: HostileServer
    tmp: Path
    catalogue: Path
    db: Path
    ran: Ran
    run_id: int
    pages: dict[str, Page]  # by path?query (loopback URLs of this server), or the full URL otherwise
    item_of: dict[str, int]  # catalogue path -> item number

    def page(self, path: str) -> Page:
        assert path in self.pages, f"{path}: no page recorded at all (lost)"
        return self.pages[path]


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawled]:
    tmp = tmp_path_factory.mktemp("hostile")
    with HostileServer() as site:
        standard_routes(site)
        urls: dict[int, str | list[str]] = {}
        item_of: dict[str, int] = {}
        for number, path in enumerate([*CASES, REFUSED], start=1):
            urls[number] = (f"http://127.0.0.1:{closed_port()}{REFUSED}" if path == REFUSED else site.url(path))
            item_of[path] = number
        for number in range(1, 51):
            urls.setdefault(number, site.url(GOOD_LIST))  # shared: fetched once, serves every item
        # "localhost" plays the off-site host here: allowed explicitly, as a campus site would be.
        # 4 s downloads: the bombs must reach their size bound before a loaded CI machine times them out.
        catalogue = write_catalogue(tmp / "hostile.yaml", urls,
                                    policy={"allow_internal": "localhost", "timeout_seconds": 4})
        db = tmp / "audit.sqlite"
        ran = run_auditor(["crawl", "--site", str(catalogue), "--db", str(db), "--no-polite"],
                          timeout=CRAWL_SECONDS_MAX * 2, cwd=tmp)
        with Store(db) as store:
            runs = store.runs()
            assert runs, f"no run stored; stderr:\n{ran.stderr[-3000:]}"
            run_id = runs[-1].id
            prefix = site.url("")
            pages = {
                (p.url.removeprefix(prefix)): p for p in store.pages(run_id)
            }
        for p in list(pages.values()):
            if p.url.endswith(REFUSED):
                pages[REFUSED] = p
        yield Crawled(site, tmp, catalogue, db, ran, run_id, pages, item_of)


# -- the run as a whole --------------------------------------------------------------------------


def test_the_crawl_finishes_complete_in_bounded_time_and_memory(crawled: Crawled) -> None:
    ran = crawled.ran
    assert ran.returncode == 0, f"exit {ran.returncode}\nstdout:\n{ran.stdout[-2000:]}\nstderr:\n{ran.stderr[-3000:]}"
    assert "Traceback" not in ran.stderr, ran.stderr[-3000:]
    with Store(crawled.db) as store:
        run = store.run(crawled.run_id)
    assert run.state is RunState.COMPLETE, run.note
    assert ran.seconds < CRAWL_SECONDS_MAX, f"the crawl took {ran.seconds:.1f} s"
    assert 0 < ran.peak_rss < PEAK_RSS_MAX, f"peak memory {ran.peak_rss / 1e6:.0f} MB"


def test_no_spider_error_is_swallowed(crawled: Crawled) -> None:
    """A callback that raised leaves its URL unrecorded; Scrapy only logs it. None may have raised."""
    assert "Spider error processing" not in crawled.ran.stderr, crawled.ran.stderr[-3000:]
    with Store(crawled.db) as store:
        stats = store.run_stats(crawled.run_id)
    assert not {k: v for k, v in stats.items() if k.startswith("spider_exceptions")}, stats


# -- one status per URL ----------------------------------------------------------------------------


@pytest.mark.parametrize("path", [*CASES, REFUSED])
def test_each_hostile_column_is_recorded_with_the_status_that_says_what_happened(crawled: Crawled, path: str) -> None:
    expected_status, expected_http = CASES.get(path, ("refused", None))
    page = crawled.page(path)
    assert page.role is PageRole.CATALOGUE
    assert (page.status.value, page.http_status if expected_http else None) == (expected_status, expected_http), (
        f"{path}: recorded {page.status.value} (HTTP {page.http_status}, {page.error[:200]!r})"
    )
    if page.status.is_site_fault or page.status is FetchStatus.TOO_LARGE:
        assert page.error, "a failure must say why, for the web team"


def test_pages_beyond_the_bounds_are_recorded_as_bounded_and_never_requested(crawled: Crawled) -> None:
    bounded = [p for p in crawled.pages.values() if p.status is FetchStatus.BOUNDED]
    assert bounded, "the calendar and query-string traps should have run into the bounds"
    requested = {f"{path}" for host, path in crawled.site.requested() if host == "127.0.0.1"}
    prefix = crawled.site.url("")
    leaked = [p.url for p in bounded if p.url.startswith(prefix) and p.url[len(prefix):] in requested]
    assert not leaked, f"recorded as bounded but requested anyway: {leaked[:5]}"
    assert all(p.error for p in bounded), "a bounded page must say which bound"


@pytest.mark.parametrize("trap", ["/calendar/", "/qs/"])
def test_endless_url_spaces_are_cut_at_the_per_item_bound(crawled: Crawled, trap: str) -> None:
    site = crawled.site
    requests = site.hits(trap, host="127.0.0.1", prefix=True)
    assert requests <= int(TIGHT_POLICY["max_pages_per_item"]), f"{trap}: {requests} requests"  # type: ignore[call-overload]
    list_pages = {p for h, p in site.requested() if p.startswith(trap + "?")}
    assert len(list_pages) <= 1 + int(TIGHT_POLICY["max_list_pages"]), sorted(list_pages)  # type: ignore[call-overload]


def test_robots_txt_is_obeyed(crawled: Crawled) -> None:
    assert crawled.site.hits("/private/", prefix=True) == 0


def test_redirect_chains_stop_at_the_redirect_limit(crawled: Crawled) -> None:
    assert crawled.site.hits("/redirect/chain/", prefix=True) <= 9  # the first request and 8 redirects
    assert crawled.site.hits("/redirect/loop/", prefix=True) <= 9


# -- politeness towards a struggling server ----------------------------------------------------------

RETRY_PATHS = ("/flaky/503", "/flaky/503-retry-after", "/flaky/429-retry-after", "/always/429-long-retry-after",
               "/always/503", "/always/500")


@pytest.fixture(scope="module")
def retried(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostileServer]:
    """A crawl of the retry cases alone: in the big crawl, stalled downloads hold the slots and delay
    retries by accident, which would hide a missing backoff."""
    tmp = tmp_path_factory.mktemp("retry")
    with HostileServer() as site:
        standard_routes(site)
        urls: dict[int, str | list[str]] = {n: site.url(p) for n, p in enumerate(RETRY_PATHS, start=1)}
        for n in range(1, 51):
            urls.setdefault(n, site.url(GOOD_LIST))
        cat = write_catalogue(tmp / "retry.yaml", urls)
        ran = run_auditor(["crawl", "--site", str(cat), "--db", str(tmp / "retry.sqlite"), "--no-polite"],
                          timeout=60, cwd=tmp)
        assert ran.returncode == 0, ran.stderr[-2000:]
        yield site


def _gap(site: HostileServer, path: str) -> float:
    times = site.times(path)
    assert len(times) == 2, f"{path}: {len(times)} requests, expected the first and one retry"
    return times[1] - times[0]


def test_a_503_is_retried_once_after_a_backoff(retried: HostileServer) -> None:
    assert _gap(retried, "/flaky/503") >= 0.4  # BACKOFF_BASE_S = 0.5, less scheduling jitter


@pytest.mark.parametrize("path", ["/flaky/503-retry-after", "/flaky/429-retry-after"])
def test_retry_after_is_honoured(retried: HostileServer, path: str) -> None:
    assert _gap(retried, path) >= 0.9  # Retry-After: 1


def test_an_absurd_retry_after_is_capped_not_obeyed(retried: HostileServer) -> None:
    """Retry-After: 3600 must not stall the night: the wait is capped at the download timeout."""
    assert _gap(retried, "/always/429-long-retry-after") <= float(TIGHT_POLICY["timeout_seconds"]) + 1.5  # type: ignore[arg-type]


def test_a_persistent_error_is_retried_exactly_as_often_as_the_policy_says(retried: HostileServer) -> None:
    for path in ("/always/503", "/always/500"):
        assert retried.hits(path) == 1 + int(TIGHT_POLICY["retries"]), path  # type: ignore[call-overload]


# -- off-site --------------------------------------------------------------------------------------


def test_offsite_pages_are_never_crawled_only_link_checked(crawled: Crawled) -> None:
    site = crawled.site
    offsite = {path: site.methods(path, host=site.OFFSITE_HOST) for h, path in site.requested()
               if h == site.OFFSITE_HOST and path != "/robots.txt"}
    # A column that redirects off-site is recorded as moved there; the other host is not fetched at all.
    assert "/elsewhere/list.htm" not in offsite, offsite
    moved = crawled.page("/redirect/offsite")
    assert moved.status is FetchStatus.OFFSITE and "elsewhere/list.htm" in moved.error
    # The off-site list the redirect led to links three articles: none may be requested.
    assert not any(p.startswith("/elsewhere/article/") and p != "/elsewhere/article/9" for p in offsite), offsite
    # Links and attachments on other hosts are checked for reachability with HEAD, never downloaded.
    for path in ("/elsewhere/article/9", "/elsewhere/file.pdf"):
        assert offsite.get(path) == ["HEAD"], (path, offsite.get(path))
        page = crawled.page(site.offsite_url(path))
        assert page.role is PageRole.LINKED and page.status is FetchStatus.OK and not page.text


# -- files ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "error"), [
    ("/bomb/budget.docx", "zip bomb"),
    ("/bomb/accounts.xlsx", "zip bomb"),
    ("/bomb/report.pdf", "malformed pdf"),
])
def test_hostile_attachments_are_refused_with_a_reason_not_inflated(crawled: Crawled, path: str, error: str) -> None:
    page = crawled.page(path)
    assert page.status is FetchStatus.OK and page.kind is PageKind.FILE
    assert error in page.error, page.error
    assert page.text == ""


# -- markup and encodings -----------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/charset/none-gbk", "/charset/meta-gbk-header-latin1",
                                  "/charset/wrong-header-utf8"])
def test_gbk_pages_are_read_as_chinese_whatever_the_header_claims(crawled: Crawled, path: str) -> None:
    """Old subsites send GBK with no charset, Tomcat's ISO-8859-1 default, or a wrong UTF-8: the title and
    text must still be Chinese, or every content rule fails on mojibake."""
    page = crawled.page(path)
    assert page.title == "2018年部门预算公开", page.title
    assert "收支预算总表" in page.text


@pytest.mark.parametrize("path", ["/junk/binary", "/junk/deep", "/junk/broken"])
def test_junk_served_as_html_is_recorded_without_crashing(crawled: Crawled, path: str) -> None:
    page = crawled.page(path)
    assert page.status is FetchStatus.OK
    assert len(page.text) < 200_000


def test_broken_markup_still_yields_the_entry_it_has(crawled: Crawled) -> None:
    with Store(crawled.db) as store:
        entries = store.entries(crawled.run_id, crawled.item_of["/junk/broken"])
    assert any("/ok/article/1" in e.url for e in entries) or crawled.site.hits("/ok/article/1") >= 1


# -- judging what was stored ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def findings(crawled: Crawled) -> dict[int, dict[str, object]]:
    out = crawled.tmp / "out"
    ran = run_auditor(["evaluate", "--run", str(crawled.run_id), "--as-of", "2018-11-30", "--db", str(crawled.db),
                       "--site", str(crawled.catalogue), "--out", str(out)], timeout=60, cwd=crawled.tmp)
    if ran.returncode == 2 and "evaluate" in ran.stderr and not (out / "findings.json").exists():
        pytest.skip(f"auditor evaluate is not usable yet (rule engine unfinished): {ran.stderr[-300:]}")
    assert ran.returncode in (0, 1, 3), f"exit {ran.returncode}\n{ran.stderr[-3000:]}"
    assert "Traceback" not in ran.stderr, ran.stderr[-3000:]
    data = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    assert data["schema"].startswith("xxgk-audit/findings@")
    return {int(it["item"]): it for it in data["items"]}


@pytest.mark.parametrize("path", [*SITE_FAULTS, REFUSED])
def test_an_item_the_site_made_unreadable_is_inconclusive_never_fail(
    crawled: Crawled, findings: dict[int, dict[str, object]], path: str
) -> None:
    item = findings[crawled.item_of[path]]
    failing = [f["message"] for f in item["findings"] if f["status"] == "fail"]  # type: ignore[attr-defined,index]
    assert item["status"] == "inconclusive", f"{path}: item {item['item']} is {item['status']}: {failing}"


def test_the_healthy_shared_column_is_judged_on_its_content(crawled: Crawled,
                                                          findings: dict[int, dict[str, object]]) -> None:
    """The items that point at the healthy list are judged normally: the hostile neighbours did not make
    the run an outage."""
    healthy = [it for n, it in findings.items() if n not in crawled.item_of.values()]
    assert healthy and all(it["status"] != "inconclusive" for it in healthy)


def test_a_redirect_loop_keeps_its_chain_in_the_evidence(crawled: Crawled) -> None:
    page = crawled.page("/redirect/loop/a")
    assert page.status is FetchStatus.REDIRECT_LOOP and page.status.is_site_fault
    hops = [hop.split(" ", 1)[1] for hop in page.redirects]
    assert crawled.site.url("/redirect/loop/b") in hops and crawled.site.url("/redirect/loop/a") in hops, page.redirects
