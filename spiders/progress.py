"""Crawl progress for people watching: items done, pages fetched, errors, sent as a Scrapy signal.

An extension, not spider code, so the spider stays about evidence and the display stays swappable: a
Rich live display connects to `progress_changed` on a terminal, nothing does under cron.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Self

from scrapy import signals
from scrapy.crawler import Crawler

from auditor.models import FetchStatus, Page


@dataclass
class CrawlProgress:
    items_total: int = 0
    items_done: int = 0
    pages: int = 0
    errors: int = 0
    bytes: int = 0
    last_url: str = ""


#: Sent with `progress=CrawlProgress` whenever a page is recorded (handlers must not keep the object).
progress_changed = object()


class ProgressExtension:
    """Counts recorded pages and finished items; sends `progress_changed` on each change."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.progress = CrawlProgress()

    def callback(self, progress: CrawlProgress) -> None:
        self.crawler.signals.send_catch_log(progress_changed, progress=progress)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        ext = cls(crawler)
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        return ext

    def spider_opened(self, spider: Any) -> None:
        self.progress.items_total = len(getattr(spider, "item_numbers", []))
        self.callback(self.progress)

    def item_scraped(self, item: Any, spider: Any) -> None:
        pages = [r for r in getattr(item, "records", (item,)) if isinstance(r, Page)]
        if not pages:
            return
        p = self.progress
        for page in pages:
            p.pages += 1
            p.bytes += page.size
            p.last_url = page.url
            if not page.status.has_content and page.status not in (FetchStatus.ROBOTS, FetchStatus.BOUNDED):
                p.errors += 1
        outstanding = getattr(spider, "outstanding", {})
        p.items_done = sum(1 for n in getattr(spider, "item_numbers", []) if outstanding.get(n, 0) <= 0)
        self.callback(p)
