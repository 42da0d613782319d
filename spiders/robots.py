"""robots.txt, bounded: a hostile robots.txt must not cost the night its time or memory.

A 13 MB robots.txt of 400,000 rules made a 1,050-page crawl take 290 s instead of 6 s and 810 MB instead
of 94 MB: Scrapy parses it on the event loop, and every request is then matched against every rule. As
Google does, we read the first 500 KiB, keep at most `MAX_RULES` Allow/Disallow lines, and parse in a
worker thread, so that matching stays cheap and the reactor keeps serving other downloads meanwhile.
"""

from __future__ import annotations

import asyncio
import logging

from scrapy import signals
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.http import Request, Response
from scrapy.utils.misc import build_from_crawler
from twisted.internet.defer import Deferred

logger = logging.getLogger(__name__)

#: Google reads the first 500 KiB of a robots.txt; so do we.
MAX_BYTES = 500 * 1024
#: Allow/Disallow lines kept, in order (real sites have tens; a CMS export a few hundred).
MAX_RULES = 5000


def bounded(body: bytes) -> tuple[bytes, str]:
    """The part of a robots.txt we obey, and a note ("" when nothing was cut) saying what was cut."""
    notes = []
    if len(body) > MAX_BYTES:
        notes.append(f"truncated at {MAX_BYTES} of {len(body)} bytes")
        body = body[:MAX_BYTES].rsplit(b"\n", 1)[0]
    kept: list[bytes] = []
    rules = dropped = 0
    for line in body.split(b"\n"):
        if line.lstrip()[:5].lower() in (b"allow", b"disal"):
            rules += 1
            if rules > MAX_RULES:
                dropped += 1
                continue
        kept.append(line)
    if dropped:
        notes.append(f"rules truncated at {MAX_RULES} of {rules}")
        body = b"\n".join(kept)
    return body, "; ".join(notes)


class BoundedRobotsTxtMiddleware(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware with the body bounded and parsed off the event loop."""

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        self._stats.inc_value("robotstxt/response_count")
        self._stats.inc_value(f"robotstxt/response_status_count/{response.status}")
        body, note = bounded(response.body)
        if note:
            logger.warning("robots.txt of %s %s", netloc, note)
            self._stats.inc_value("xxgk/robots_truncated")
        rp = await asyncio.to_thread(build_from_crawler, self._parserimpl, self.crawler, body)
        await self.crawler.signals.send_catch_log_async(signal=signals.robots_parsed, robotparser=rp,
                                                        request=request)
        waiting = self._parsers[netloc]
        assert isinstance(waiting, Deferred)
        self._parsers[netloc] = rp
        waiting.callback(rp)
