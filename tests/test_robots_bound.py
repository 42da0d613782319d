"""A hostile robots.txt costs a bounded amount: 13 MB and 400,000 rules are read as their first 500 KiB
and 5,000 rules, parsed off the event loop (spiders/robots.py)."""

from __future__ import annotations

from pathlib import Path

from hostile import HostileServer, Ran, article_page, html, list_page, run_auditor, write_catalogue

from spiders.robots import MAX_BYTES, MAX_RULES, bounded

PEAK_RSS_MAX = 300 * 1024 * 1024
PAGES = 200


def test_the_bound_cuts_bytes_and_rules_and_says_so() -> None:
    body = b"User-agent: *\nDisallow: /private/\n" + b"".join(b"Disallow: /p%d/\n" % i for i in range(400_000))
    kept, note = bounded(body)
    assert len(kept) <= MAX_BYTES and b"Disallow: /private/" in kept
    assert f"of {len(body)} bytes" in note
    few, note = bounded(b"User-agent: *\n" + b"Allow: /a\n" * (MAX_RULES + 10))
    assert few.count(b"Allow") == MAX_RULES and f"rules truncated at {MAX_RULES} of {MAX_RULES + 10}" in note
    assert bounded(b"User-agent: *\nDisallow: /x/\n") == (b"User-agent: *\nDisallow: /x/\n", "")


def _crawl(tmp: Path, robots: bytes) -> tuple[Ran, HostileServer]:
    with HostileServer() as site:
        site.route("/robots.txt", html(robots, content_type="text/plain"))
        site.route("/col/list.htm", html(list_page("栏目", [(f"/col/a{i}.htm", f"公告{i}", "2018-06-01")
                                                          for i in range(PAGES)] + [("/private/x.htm", "内部", "2018-06-01")])))
        site.route("/col/*", lambda h: h.send(200, article_page("公告", "2018-06-12").encode()))
        urls: dict[int, str | list[str]] = {n: site.url("/col/list.htm") for n in range(1, 51)}
        catalogue = write_catalogue(tmp / "site.yaml", urls, policy={
            "max_pages_per_item": PAGES + 10, "max_download_bytes": 20 * 1024 * 1024})
        ran = run_auditor(["crawl", "--site", str(catalogue), "--db", str(tmp / "a.sqlite"), "--no-polite"],
                          timeout=600)
        return ran, site


def test_a_13_mb_robots_txt_costs_little_more_than_a_small_one(tmp_path: Path) -> None:
    head = b"User-agent: *\nDisallow: /private/\n"
    (tmp_path / "small").mkdir()
    (tmp_path / "huge").mkdir()
    small, _ = _crawl(tmp_path / "small", head)
    huge, site = _crawl(tmp_path / "huge", head + b"".join(b"Disallow: /p%d/x%d*.htm\n" % (i, i)
                                                               for i in range(400_000)))
    assert huge.returncode == small.returncode == 0, huge.stderr[-2000:]
    assert site.hits("/private/x.htm") == 0  # the rule within the bound is still obeyed
    assert site.hits("/col/", prefix=True) >= PAGES
    assert huge.peak_rss < PEAK_RSS_MAX, huge.peak_rss
    assert huge.seconds < 5 * small.seconds + 5, (small.seconds, huge.seconds)  # a ratio, not a time
