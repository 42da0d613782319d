"""A watchdog that ends a crawl which makes no progress, whatever the cause.

Once, on a hostile site, a crawl sat idle for nine minutes (no sockets, no CPU) and ignored the first
SIGTERM; the cause was never reproduced. Every bound we have is per request; this one is per night: when
no response, failure or record arrives for `policy.stall_seconds`, the spider is closed as `stalled` (the
run is stored interrupted, never scored; `auditor` exits 4). If closing itself hangs (a wedged download,
a reader that never answers), the run is marked interrupted in the store and the process exits 4 after
a grace period, so the nightly unit always ends. A Retry-After wait that the retry middleware announced
is not a stall.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import time
from typing import Any, Self

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import create_looping_call

from auditor.models import RunState
from auditor.store import Store

logger = logging.getLogger(__name__)

#: Stats key under which the retry middleware announces how long (monotonic time) it will wait.
WAIT_UNTIL = "xxgk/retry_wait_until"
#: Exit status of a crawl ended by the watchdog, as of any interrupted crawl (auditor/cli.py).
EXIT_INTERRUPTED = 4


class StallWatchdog:
    """Closes the spider after `stall_s` without progress; ends the process `grace_s` later if needed."""

    def __init__(self, crawler: Crawler, stall_s: float, grace_s: float) -> None:
        self.crawler = crawler
        self.stall_s = stall_s
        self.grace_s = grace_s
        self.last = time.monotonic()
        self.closing_since: float | None = None
        self.task: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        stall = crawler.settings.getfloat("XXGK_STALL_SECONDS")
        if stall <= 0:
            raise NotConfigured
        grace = crawler.settings.getfloat("XXGK_STALL_GRACE_SECONDS", 0.0) or min(30.0, stall)
        watchdog = cls(crawler, stall, grace)
        for signal in (signals.response_received, signals.item_scraped, signals.request_left_downloader):
            crawler.signals.connect(watchdog.touch, signal=signal)
        crawler.signals.connect(watchdog.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(watchdog.spider_closed, signal=signals.spider_closed)
        return watchdog

    def touch(self, *args: Any, **kwargs: Any) -> None:
        self.last = time.monotonic()

    def spider_opened(self, spider: Any) -> None:
        self.touch()
        self.task = create_looping_call(self.check)
        self.task.start(max(0.2, min(5.0, self.stall_s / 10)), now=False)

    def spider_closed(self, spider: Any) -> None:
        if self.task is not None and self.task.running:
            self.task.stop()

    def check(self) -> None:
        now = time.monotonic()
        stats = self.crawler.stats
        waiting_until = float(stats.get_value(WAIT_UNTIL, 0.0) or 0.0) if stats else 0.0
        if now < waiting_until:
            self.touch()  # a server asked us to wait (Retry-After, backoff): patience, not a stall
            return
        if self.closing_since is not None:
            if now - self.closing_since > self.grace_s:
                self.hard_stop()
            return
        if now - self.last > self.stall_s:
            logger.error("no progress for %.0f s: closing the crawl as stalled (policy.stall_seconds)", now - self.last)
            self.closing_since = now
            assert self.crawler.engine is not None
            asyncio.ensure_future(self.crawler.engine.close_spider_async(reason="stalled"))

    def hard_stop(self) -> None:
        """Closing hung too: record the run as interrupted ourselves and end the process."""
        settings = self.crawler.settings
        db, run_id = settings.get("XXGK_DB"), settings.getint("XXGK_RUN_ID")
        note = f"抓取停滞超过 {self.stall_s:g} 秒且无法正常结束，已强制终止；本次运行不计分"
        if db and run_id:
            with Store(db) as store:
                store.finish_run(run_id, RunState.INTERRUPTED, note=note)
        print(f"auditor: the crawl made no progress for {self.stall_s:g} s and did not close; ended (run "
              f"{run_id} interrupted)", file=sys.stderr, flush=True)
        os._exit(EXIT_INTERRUPTED)
