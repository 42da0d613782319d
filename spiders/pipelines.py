"""The store pipeline: the spider's records go to SQLite in batches, committed as they come.

Batches keep the reactor responsive and the write cost low; committing every batch means a killed crawl
loses at most one batch and the history stays consistent (the run is then marked interrupted).
"""

from __future__ import annotations

import time
from typing import Any, Self

from scrapy.crawler import Crawler

from auditor.models import Entry, Link, Page
from auditor.store import Store
from spiders.catalogue import Evidence, PageItems

_BATCH = 400
_MAX_WAIT_S = 2.0


class StorePipeline:
    """Writes Page, Entry, Link and PageItems records of one run."""

    def __init__(self, db_path: str, run_id: int) -> None:
        self.db_path = db_path
        self.run_id = run_id
        self.pages: list[Page] = []
        self.entries: list[Entry] = []
        self.links: list[Link] = []
        self.page_items: list[PageItems] = []
        self.last_flush = time.monotonic()
        self.store: Store | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler.settings["XXGK_DB"], crawler.settings.getint("XXGK_RUN_ID"))

    def open_spider(self) -> None:
        self.store = Store(self.db_path)

    def process_item(self, item: Any) -> Any:
        for record in item.records if isinstance(item, Evidence) else (item,):
            if isinstance(record, Page):
                self.pages.append(record)
            elif isinstance(record, Entry):
                self.entries.append(record)
            elif isinstance(record, Link):
                self.links.append(record)
            elif isinstance(record, PageItems):
                self.page_items.append(record)
        pending = len(self.pages) + len(self.entries) + len(self.links) + len(self.page_items)
        if pending >= _BATCH or time.monotonic() - self.last_flush > _MAX_WAIT_S:
            self.flush()
        return item

    def flush(self) -> None:
        assert self.store is not None
        # Pages first: entries and page_items refer to them.
        if self.pages:
            self.store.add_pages(self.run_id, self.pages)
        if self.page_items:
            for p in self.page_items:
                self.store.add_page_items(self.run_id, p.url, p.items)
        if self.entries:
            self.store.add_entries(self.run_id, self.entries)
        if self.links:
            self.store.add_links(self.run_id, self.links)
        self.pages, self.entries, self.links, self.page_items = [], [], [], []
        self.last_flush = time.monotonic()

    def close_spider(self) -> None:
        if self.store is not None:
            self.flush()
            self.store.close()
