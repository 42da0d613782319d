"""A refused connection is reported when the kernel refuses it, not at Twisted's next 0.3 s tick
(spiders/download.py): a night the site is down ends inconclusive without waiting on every attempt.

Speed is asserted structurally, never with a clock that a loaded machine would skew: on Twisted's fake
reactor (`MemoryReactorClock`) a failure that arrives while the fake clock stands still came without
waiting, and HostnameEndpoint's failure needs the clock moved 0.3 s. One subprocess then downloads from a
closed port through the handler the crawl installs, direct and through proxies, with real sockets: each
failure is the refusal the web team reads (`refused`, 连接被拒绝).
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
import scrapy
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.settings import Settings
from scrapy.utils.misc import load_object
from twisted.internet.address import IPv4Address, IPv6Address
from twisted.internet.defer import CancelledError
from twisted.internet.endpoints import HostnameEndpoint
from twisted.internet.error import ConnectingCancelledError, ConnectionRefusedError, DNSLookupError
from twisted.internet.interfaces import IResolutionReceiver, IStreamClientEndpoint
from twisted.internet.protocol import Factory, Protocol
from twisted.internet.ssl import optionsForClientTLS
from twisted.internet.testing import MemoryReactorClock
from twisted.python.failure import Failure
from twisted.web.client import URI, Agent
from twisted.web.iweb import IPolicyForHTTPS
from zope.interface import implementer

from checklist.model import CrawlPolicy
from spiders.download import DirectEndpoint, DirectEndpointFactory, DownloadHandler
from spiders.settings import BASE_SETTINGS, crawl_settings

ROOT = Path(__file__).resolve().parents[1]
PORT = 8181
#: sha256 of Scrapy 2.19.0's HTTP11DownloadHandler.download_request, which spiders/download.py copies.
SCRAPY_DOWNLOAD_REQUEST = "ad8db3068e7983cfc6bc235bf3fe8a8b2cae743d51299e3ca94760de7e8573c6"


class Resolver:
    """The reactor's name resolver, answering each name with the addresses given (and noting the names)."""

    def __init__(self, answers: dict[str, Sequence[str]], *, slow: bool = False) -> None:
        self.answers = answers
        self.asked: list[str] = []
        self.slow = slow  # answer only when `answer()` is called
        self.pending: list[tuple[IResolutionReceiver, str, int]] = []

    def resolveHostName(self, receiver: IResolutionReceiver, hostName: str, portNumber: int = 0,
                        addressTypes: object = None, transportSemantics: str = "TCP") -> None:
        self.asked.append(hostName)
        self.pending.append((receiver, hostName, portNumber))
        if not self.slow:
            self.answer()

    def answer(self) -> None:
        while self.pending:
            receiver, name, port = self.pending.pop(0)
            for address in self.answers.get(name, ()):
                kind = IPv6Address if ":" in address else IPv4Address
                receiver.addressResolved(kind("TCP", address, port))
            receiver.resolutionComplete()


def fake_reactor(answers: dict[str, Sequence[str]] | None = None, *, slow: bool = False) -> MemoryReactorClock:
    reactor = MemoryReactorClock()
    reactor.nameResolver = Resolver(answers or {}, slow=slow)
    return reactor


def refuse(reactor: MemoryReactorClock, attempt: int = 0) -> None:
    """The kernel's answer to connection attempt `attempt`: refused."""
    _, _, factory, _, _ = reactor.tcpClients[attempt]
    factory.clientConnectionFailed(reactor.connectors[attempt], Failure(ConnectionRefusedError()))


class Attempt:
    """A connection attempt, and what it has ended with so far."""

    def __init__(self, endpoint: IStreamClientEndpoint) -> None:
        self.ended: list[object] = []
        self.deferred = endpoint.connect(Factory.forProtocol(Protocol))
        self.deferred.addBoth(self.ended.append)

    def refused(self) -> bool:
        """Has it failed, and with the refusal?"""
        return bool(self.ended) and isinstance(self.ended[0], Failure) and bool(
            self.ended[0].check(ConnectionRefusedError))


def test_the_crawl_downloads_http_and_https_through_our_handler() -> None:
    for settings in (Settings(BASE_SETTINGS), Settings(crawl_settings(CrawlPolicy()))):
        handlers = settings.getdict("DOWNLOAD_HANDLERS")
        assert {scheme: load_object(handlers[scheme]) for scheme in ("http", "https")} == {
            "http": DownloadHandler, "https": DownloadHandler}


@pytest.mark.parametrize(("host", "address"), [("127.0.0.1", "127.0.0.1"), ("2130706433", "127.0.0.1"),
                                               ("0x7f.1", "127.0.0.1"), ("203.0.113.9", "203.0.113.9"),
                                               ("::1", "::1")])
def test_a_literal_is_connected_to_at_once_and_its_refusal_reported_at_once(host: str, address: str) -> None:
    reactor = fake_reactor()
    attempt = Attempt(DirectEndpoint(reactor, host, PORT, timeout=7, bind_address=("127.0.0.2", 0)))
    assert reactor.nameResolver.asked == []  # a literal in any spelling is its own address
    assert [(h, p, t, b) for h, p, _, t, b in reactor.tcpClients] == [(address, PORT, 7, ("127.0.0.2", 0))]
    refuse(reactor)
    assert attempt.refused(), attempt.ended
    assert reactor.seconds() == 0 and reactor.getDelayedCalls() == []  # no tick waited for, none left


def test_hostname_endpoint_reports_the_same_refusal_only_at_its_next_tick() -> None:
    """Why spiders/download.py exists. Should Twisted report at once one day, this fails: the handler
    can then go, and Scrapy's own serve again."""
    reactor = fake_reactor({"127.0.0.1": ["127.0.0.1"]})
    attempt = Attempt(HostnameEndpoint(reactor, "127.0.0.1", PORT))
    refuse(reactor)
    assert attempt.ended == []
    reactor.advance(HostnameEndpoint._DEFAULT_ATTEMPT_DELAY)
    assert attempt.refused(), attempt.ended


def test_a_name_with_one_address_is_connected_to_that_address_at_once() -> None:
    reactor = fake_reactor({"xxgk.uni.example": ["203.0.113.9"]})
    attempt = Attempt(DirectEndpoint(reactor, "xxgk.uni.example", PORT))
    assert reactor.nameResolver.asked == ["xxgk.uni.example"]  # our resolver's check stays on the way
    assert [(h, p) for h, p, *_ in reactor.tcpClients] == [("203.0.113.9", PORT)]  # the address it checked
    refuse(reactor)
    assert attempt.refused(), attempt.ended
    assert reactor.seconds() == 0 and reactor.getDelayedCalls() == []


def test_a_name_with_several_addresses_keeps_happy_eyeballs() -> None:
    reactor = fake_reactor({"xxgk.uni.example": ["2001:db8::9", "203.0.113.9"]})
    attempt = Attempt(DirectEndpoint(reactor, "xxgk.uni.example", PORT))
    assert [h for h, *_ in reactor.tcpClients] == ["2001:db8::9"]  # the next one waits for the tick
    reactor.advance(HostnameEndpoint._DEFAULT_ATTEMPT_DELAY)
    assert [h for h, *_ in reactor.tcpClients] == ["2001:db8::9", "203.0.113.9"]
    refuse(reactor, 0)
    refuse(reactor, 1)
    reactor.advance(HostnameEndpoint._DEFAULT_ATTEMPT_DELAY)
    assert attempt.refused(), attempt.ended


def test_a_name_without_addresses_fails_as_hostname_endpoint_does() -> None:
    """The spider records it as a DNS fault, or as blocked when our resolver refused the answer."""
    reactor = fake_reactor()
    attempt = Attempt(DirectEndpoint(reactor, "gone.uni.example", PORT))
    failure = attempt.ended[0]
    assert isinstance(failure, Failure) and failure.check(DNSLookupError), failure
    assert "no results for hostname lookup: gone.uni.example" in str(failure.value)
    assert reactor.tcpClients == []


def test_a_literal_with_an_ipv6_zone_goes_the_resolvers_way_as_before() -> None:
    reactor = fake_reactor({"fe80::1%eth0": ["fe80::1"]})
    Attempt(DirectEndpoint(reactor, "fe80::1%eth0", PORT))
    assert reactor.nameResolver.asked == ["fe80::1%eth0"]


def test_the_download_timeout_cancels_a_connection_attempt_or_the_lookup_before_it() -> None:
    """Scrapy cancels a download past DOWNLOAD_TIMEOUT (a port a firewall drops answers nothing at all)."""
    reactor = fake_reactor({"xxgk.uni.example": ["203.0.113.9"]}, slow=True)
    looking_up = Attempt(DirectEndpoint(reactor, "xxgk.uni.example", PORT))
    looking_up.deferred.cancel()
    reactor.nameResolver.answer()  # the answer arrives after all: nothing is connected, nothing raises
    assert reactor.tcpClients == [] and isinstance(looking_up.ended[0], Failure)
    assert looking_up.ended[0].check(CancelledError)

    connecting = Attempt(DirectEndpoint(reactor, "203.0.113.9", PORT))
    connecting.deferred.cancel()
    assert isinstance(connecting.ended[0], Failure) and connecting.ended[0].check(ConnectingCancelledError)
    assert reactor.connectors[0].stoppedConnecting


@implementer(IPolicyForHTTPS)
class _Policy:
    """An HTTPS policy that notes which netloc it made a TLS connection creator for."""

    def __init__(self) -> None:
        self.asked: list[tuple[bytes, int]] = []

    def creatorForNetloc(self, hostname: bytes, port: int) -> object:
        self.asked.append((hostname, port))
        return optionsForClientTLS(hostname.decode())


def test_the_agents_endpoints_keep_its_timeout_bind_address_and_tls() -> None:
    reactor = fake_reactor()
    policy = _Policy()
    standard = Agent(reactor, contextFactory=policy, connectTimeout=9, bindAddress=("127.0.0.2", 0))
    endpoints = DirectEndpointFactory.like(standard._endpointFactory)
    assert endpoints._bindAddress == ("127.0.0.2", 0)  # Scrapy's pool key reads it from the factory
    plain = endpoints.endpointForURI(URI.fromBytes(f"http://127.0.0.1:{PORT}/".encode()))
    assert isinstance(plain, DirectEndpoint)
    Attempt(endpoints.endpointForURI(URI.fromBytes(f"https://127.0.0.1:{PORT}/".encode())))
    assert policy.asked == [(b"127.0.0.1", PORT)]  # TLS for the URL's host, over a direct connection
    assert [(h, p, t, b) for h, p, _, t, b in reactor.tcpClients] == [("127.0.0.1", PORT, 9, ("127.0.0.2", 0))]


def test_the_copy_of_scrapys_download_request_is_of_the_scrapy_installed() -> None:
    """DownloadHandler.download_request is Scrapy's with our agent (Scrapy names its class inside). When
    this fails, Scrapy changed it: bring the copy in spiders/download.py up to date, then this digest."""
    source = inspect.getsource(HTTP11DownloadHandler.download_request)
    assert hashlib.sha256(source.encode()).hexdigest() == SCRAPY_DOWNLOAD_REQUEST, scrapy.__version__


#: Builds the handler from the crawl's settings on the crawl's reactor and downloads from a closed port:
#: directly (a literal and a name), through an HTTP proxy and through an HTTPS tunnel, both refused.
_DOWNLOADS = r"""
import asyncio, json, socket, sys, time
from scrapy.utils.reactor import install_reactor
install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")
from scrapy import Request
from scrapy.utils.misc import build_from_crawler, load_object
from scrapy.utils.test import get_crawler
from twisted.internet import reactor
from twisted.internet.defer import Deferred
from twisted.web.client import URI
from spiders.download import _DirectAgent
from spiders.outcomes import classify_failure
from spiders.settings import BASE_SETTINGS

with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
closed = f"127.0.0.1:{port}"
cases = {"literal": ("http://" + closed + "/", None), "name": (f"http://localhost:{port}/", None),
         "http proxy": ("http://xxgk.uni.example/", "http://" + closed),
         "https tunnel": ("https://xxgk.uni.example/", "http://" + closed)}

async def main():
    crawler = get_crawler(settings_dict=BASE_SETTINGS)
    handler = build_from_crawler(load_object(crawler.settings.getwithbase("DOWNLOAD_HANDLERS")["http"]), crawler)
    results = {"handler": type(handler).__name__}
    for case, (url, proxy) in cases.items():
        request = Request(url, meta={"proxy": proxy} if proxy else {})
        agent = _DirectAgent(contextFactory=handler._contextFactory, crawler=crawler)._get_agent(request, 10)
        # The endpoint it connects through: to the HTTP proxy, or (a tunnel) to the site by way of it.
        endpoint = agent._getEndpoint(URI.fromBytes((proxy if proxy and url.startswith("http:") else url).encode()))
        started = time.monotonic()
        try:
            await handler.download_request(request)
            results[case] = ["answered?!"]
        except Exception as exc:
            status, text = classify_failure(exc, "xxgk.uni.example")
            results[case] = [status.value, text, type(endpoint).__name__, time.monotonic() - started]
    await handler.close()
    print(json.dumps(results, ensure_ascii=False))

failures = []
done = Deferred.fromFuture(asyncio.ensure_future(main()))
done.addErrback(lambda f: failures.append(f.getTraceback()))
done.addBoth(lambda _: reactor.stop())
reactor.run()
sys.exit("".join(failures) or None)
"""


def test_a_closed_port_is_recorded_as_refused_directly_and_through_proxies() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XXGK_CONFIG": ""}
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"):
        env.pop(name, None)
    ran = subprocess.run([sys.executable, "-c", _DOWNLOADS], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=120, check=False)
    assert ran.returncode == 0, ran.stderr[-3000:]
    results = json.loads(ran.stdout.strip().splitlines()[-1])
    assert results.pop("handler") == "DownloadHandler"
    endpoints = {case: r[2] for case, r in results.items()}
    # The tunnel is Scrapy's own TCP endpoint to its proxy; the others ours, where Twisted makes a
    # HostnameEndpoint. (The seconds each took are in `results`, for a person; not asserted.)
    assert endpoints == {"literal": "DirectEndpoint", "name": "DirectEndpoint", "http proxy": "DirectEndpoint",
                         "https tunnel": "_TunnelingTCP4ClientEndpoint"}, results
    for case, (status, text, *_) in results.items():
        assert status == "refused" and text.startswith("连接被拒绝："), (case, results[case])
