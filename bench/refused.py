"""How long a refused connection takes to be reported: Twisted's endpoints, then a Scrapy crawl.

    .venv/bin/python bench/refused.py [--requests 10] [--stock]

A loopback port with nothing listening. First each endpoint alone (the median of 5 connects):
HostnameEndpoint, a plain TCP4ClientEndpoint and our DirectEndpoint, to `127.0.0.1` and to `localhost`.
Then a bare spider with our crawl settings (no add-on, no retries, one request at a time) asks the port
`--requests` times by address and as many by name: each request's time from the downloader to its
errback, and the whole crawl's. `--stock` uses Scrapy's own HTTP/1.1 handler instead of ours
(spiders/download.py), which is where the 0.3 s came from.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import time
from collections.abc import AsyncIterator
from typing import Any, ClassVar

import scrapy
from scrapy.crawler import Crawler, CrawlerRunner
from scrapy.utils.reactor import install_reactor
from twisted.internet import defer
from twisted.internet.endpoints import HostnameEndpoint, TCP4ClientEndpoint
from twisted.internet.protocol import Factory, Protocol
from twisted.python.failure import Failure

from spiders.download import DirectEndpoint
from spiders.settings import BASE_SETTINGS


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def failure_seconds(endpoint: Any) -> tuple[float, str]:
    started = time.monotonic()
    try:
        await endpoint.connect(Factory.forProtocol(Protocol))
    except Exception as exc:  # noqa: BLE001  (the refusal is what is measured)
        return time.monotonic() - started, type(exc).__name__
    return time.monotonic() - started, "connected"


class Refused(scrapy.Spider):
    name = "refused"
    port = 0
    requests = 10
    seconds: ClassVar[dict[str, list[float]]] = {}
    errors: ClassVar[dict[str, set[str]]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Refused:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.reached, signal=scrapy.signals.request_reached_downloader)
        return spider

    def reached(self, request: scrapy.Request) -> None:
        request.meta["reached"] = time.monotonic()

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for host in ("127.0.0.1", "localhost"):
            for i in range(self.requests):
                yield scrapy.Request(f"http://{host}:{self.port}/{i}", errback=self.failed, meta={"host": host},
                                     dont_filter=True)

    def failed(self, failure: Failure) -> None:
        meta = failure.request.meta  # type: ignore[attr-defined]
        self.seconds.setdefault(meta["host"], []).append(time.monotonic() - meta["reached"])
        self.errors.setdefault(meta["host"], set()).add(type(failure.value).__name__)


async def main(reactor: Any, requests: int, stock: bool) -> None:
    port = closed_port()
    for label, endpoint in [
        ("HostnameEndpoint 127.0.0.1", HostnameEndpoint(reactor, "127.0.0.1", port)),
        ("HostnameEndpoint localhost", HostnameEndpoint(reactor, "localhost", port)),
        ("TCP4ClientEndpoint 127.0.0.1", TCP4ClientEndpoint(reactor, "127.0.0.1", port)),
        ("DirectEndpoint 127.0.0.1", DirectEndpoint(reactor, "127.0.0.1", port)),
        ("DirectEndpoint localhost", DirectEndpoint(reactor, "localhost", port)),
    ]:
        runs = [await failure_seconds(endpoint) for _ in range(5)]
        print(f"{label:30s} median {statistics.median(s for s, _ in runs) * 1000:7.1f} ms  ({runs[0][1]})")
    settings = {**BASE_SETTINGS, "ADDONS": {}, "RETRY_ENABLED": False, "ROBOTSTXT_OBEY": False,
                "CONCURRENT_REQUESTS": 1, "DOWNLOAD_TIMEOUT": 10}
    if stock:
        settings["DOWNLOAD_HANDLERS"] = {}
    print("handler:", "Scrapy's HTTP11DownloadHandler" if stock else settings["DOWNLOAD_HANDLERS"]["http"])
    Refused.port, Refused.requests = port, requests
    started = time.monotonic()
    await CrawlerRunner(settings).crawl(Refused)
    took = time.monotonic() - started
    for host in ("127.0.0.1", "localhost"):
        seconds = Refused.seconds[host]
        print(f"crawl, {host:10s} n={len(seconds)} median {statistics.median(seconds) * 1000:7.1f} ms  "
              f"max {max(seconds) * 1000:7.1f} ms  {sorted(Refused.errors[host])}")
    print(f"crawl of {2 * requests} refused requests, one at a time: {took:.2f} s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=10)
    parser.add_argument("--stock", action="store_true", help="Scrapy's own HTTP/1.1 handler, not ours")
    args = parser.parse_args()
    install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")  # the crawl's, as in a night
    from twisted.internet import reactor
    done = defer.ensureDeferred(main(reactor, args.requests, args.stock))
    done.addErrback(lambda failure: failure.printTraceback())
    done.addBoth(lambda _: reactor.stop())
    reactor.run()
