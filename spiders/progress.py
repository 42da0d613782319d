"""Crawl progress for people watching: items done, pages fetched, errors, sent to a callback.

An extension, not spider code, so the spider stays about evidence and the display stays swappable
(Rich live display for a terminal, nothing under cron).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Self

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from auditor.models import FetchStatus, Page


@dataclass
class CrawlProgress:
    items_total: int = 0
    items_done: int = 0
    pages: int = 0
    errors: int = 0
    bytes: int = 0
    last_url: str = ""


class ProgressExtension:
    """Counts recorded pages and finished items; calls `XXGK_PROGRESS(progress)` on each change."""

    def __init__(self, crawler: Crawler, callback: Callable[[CrawlProgress], None]) -> None:
        self.crawler = crawler
        self.callback = callback
        self.progress = CrawlProgress()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        callback = crawler.settings.get("XXGK_PROGRESS")
        if callback is None:
            raise NotConfigured
        ext = cls(crawler, callback)
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
