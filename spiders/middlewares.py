"""Retries with backoff: a struggling server (5xx, 429) gets time to recover, and Retry-After is honoured.

Scrapy's RetryMiddleware retries at once; a disclosure site under load answers 503 again. We wait
`min(cap, base × 2^n)` seconds, or what Retry-After asks (bounded), before the retry is scheduled.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Self

from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
from scrapy.downloadermiddlewares.retry import RetryMiddleware, get_retry_request
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Request, Response
from scrapy.utils.response import response_status_message

from spiders.gate import Gate, Refused, TooManyRedirects
from spiders.watchdog import WAIT_UNTIL

BACKOFF_BASE_S = 0.5
BACKOFF_CAP_S = 30.0


def retry_after_seconds(value: str) -> float | None:
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


class BackoffRetryMiddleware(RetryMiddleware):
    async def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        retries = request.meta.get("retry_times", 0)
        wait = BACKOFF_BASE_S * (2**retries)
        after = retry_after_seconds((response.headers.get(b"Retry-After") or b"").decode("latin-1"))
        if after is not None:
            wait = after
        wait = min(wait, BACKOFF_CAP_S, float(request.meta.get("download_timeout", BACKOFF_CAP_S)))
        assert self.crawler.spider is not None  # a response implies a running spider
        retry = get_retry_request(request, spider=self.crawler.spider, reason=response_status_message(response.status),
                                  max_retry_times=self.max_retry_times, priority_adjust=self.priority_adjust,
                                  give_up_log_level=self.give_up_log_level)
        if retry is None:
            return response
        if wait > 0:
            if self.crawler.stats is not None:  # tell the watchdog: this silence is a wait, not a stall
                until = time.monotonic() + wait + 1.0
                self.crawler.stats.max_value(WAIT_UNTIL, until)
            await asyncio.sleep(wait)
        return retry


class ExplicitProxyMiddleware:
    """Send every request, robots.txt fetches included, through `XXGK_PROXY` when one is given.

    Setting the proxy per Request would miss the requests Scrapy makes itself (robots.txt); without an
    explicit proxy, Scrapy's HttpProxyMiddleware honours http_proxy/https_proxy/no_proxy as usual.
    """

    def __init__(self, proxy: str) -> None:
        self.proxy = proxy

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        proxy = crawler.settings.get("XXGK_PROXY") or ""
        if not proxy:
            raise NotConfigured
        return cls(proxy)

    def process_request(self, request: Request) -> None:
        request.meta.setdefault("proxy", self.proxy)


class GuardedRedirectMiddleware(RedirectMiddleware):
    """Redirects are followed only where the crawl may go.

    A page we read (catalogue, list, article, attachment) that redirects off the catalogue's hosts is
    recorded as moved off-site without fetching the other host; no redirect, of any request, is followed
    into an internal address, in any spelling (the gate, `spiders.gate`). Link checks may otherwise follow redirects anywhere: that is what
    "reachable" means.
    """

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Request | Response:
        """Scrapy's redirect handling, then the gate on the hop it chose (the public hook: a 3xx the gate
        refuses ends here, recorded, and is never scheduled)."""
        try:
            result = super().process_response(request, response)
        except IgnoreRequest as exc:
            if isinstance(exc, Refused):
                raise
            raise TooManyRedirects(str(exc)) from exc  # Scrapy's only reason to ignore here: the hop limit
        site = getattr(self.crawler.spider, "site", None)
        if isinstance(result, Request) and site is not None:
            refused = Gate.for_site(site).refusal(result.url, request.meta.get("role"), redirected=True)
            if refused is not None:
                raise refused
        return result
