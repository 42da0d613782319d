"""What Scrapy must spend: every URL of the generated site fetched by a bare Scrapy spider, nothing else done.

    .venv/bin/python bench/floor.py bench/out/gen/urls.txt [--concurrency 16]

The floor our crawl is measured against (issue 13: "make the crawl cost what Scrapy must"). The spider is
given the site's whole URL list up front (no discovery, no parsing, an empty callback) and runs with the
leanest configuration Scrapy allows: no downloader or spider middlewares, no extensions but core stats, a
dummy stats collector, no robots.txt, no cookies, no delay. Whatever CPU it spends per URL is the request and
response machinery of Scrapy and Twisted alone; our crawl can approach it, never go below it.
"""

from __future__ import annotations

import argparse
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.http import Response

LEAN_SETTINGS: dict[str, Any] = {
    "LOG_LEVEL": "WARNING",
    "ROBOTSTXT_OBEY": False,
    "COOKIES_ENABLED": False,
    "HTTPERROR_ALLOW_ALL": True,
    "TELNETCONSOLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "DOWNLOADER_MIDDLEWARES_BASE": {},
    "SPIDER_MIDDLEWARES_BASE": {},
    "EXTENSIONS_BASE": {"scrapy.extensions.corestats.CoreStats": 0},
    "DOWNLOADER_STATS": False,
    "STATS_CLASS": "scrapy.statscollectors.DummyStatsCollector",
    "DUPEFILTER_CLASS": "scrapy.dupefilters.BaseDupeFilter",
}


class FloorSpider(scrapy.Spider):
    """Requests every URL once; reads nothing of the answers."""

    name = "floor"

    def __init__(self, urls: list[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.urls = urls

    async def start(self) -> AsyncIterator[Any]:
        for url in self.urls:
            yield scrapy.Request(url, callback=self.parse, errback=self.failed)

    def parse(self, response: Response) -> None:
        return None

    def failed(self, failure: Any) -> None:
        return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("urls", type=Path, help="one URL a line (generate.py's urls.txt)")
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args(argv)
    urls = [u for u in args.urls.read_text(encoding="utf-8").split() if u]
    process = CrawlerProcess({**LEAN_SETTINGS, "CONCURRENT_REQUESTS": args.concurrency,
                              "CONCURRENT_REQUESTS_PER_DOMAIN": args.concurrency})
    process.crawl(FloorSpider, urls=urls)
    process.start()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
