"""Scrapy's HTTP/1.1 download handler, with a refused connection reported when the kernel refuses it.

Scrapy's handler connects through Twisted's `HostnameEndpoint`, which starts one attempt per resolved
address on a 0.3 s `LoopingCall` (happy eyeballs) and sees that they all failed only on a tick: with one
address, the attempt is refused within a millisecond and the failure reported at the next tick, 0.3 s
later (`startConnectionAttempts` in twisted/internet/endpoints.py, Twisted 26.10: `checkDone` waits for
`iterateEndpoint` to find no address left). That was every attempt of every request to a host that is
down (measured: 305 ms, now 1 to 4 ms): the blind nights, whose audit must end inconclusive and quickly.

`DirectEndpoint` connects straight to a host's one address, which a literal is and which our resolver
(`spiders.resolver`, IPv4 `getHostByName`) always answers for a name; a name with several addresses
keeps HostnameEndpoint's staggered attempts, the one case the ticks are for. `DownloadHandler` puts it
where Twisted's Agent would make a HostnameEndpoint (the site, or an HTTP proxy; the HTTPS tunnel
connects to its proxy directly already); TLS, proxies, timeouts, the bind address, the size bounds and
the connection pool stay Scrapy's. Installed for http and https as `DOWNLOAD_HANDLERS` by
`spiders.settings`.

Scrapy offers no hook between its handler and Twisted's endpoints: this subclasses its `_ScrapyAgent`
and copies the dozen lines of `HTTP11DownloadHandler.download_request` that name it (Scrapy 2.19);
`tests/test_download.py` notices when either changes.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler, _ScrapyAgent
from scrapy.exceptions import ResponseDataLossError
from scrapy.http import Request, Response
from scrapy.utils._download_handlers import get_dataloss_msg, wrap_twisted_exceptions
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.address import IPv4Address, IPv6Address
from twisted.internet.defer import Deferred
from twisted.internet.endpoints import HostnameEndpoint, TCP4ClientEndpoint, TCP6ClientEndpoint, wrapClientTLS
from twisted.internet.error import DNSLookupError
from twisted.internet.interfaces import (
    IAddress,
    IHostResolution,
    IProtocol,
    IProtocolFactory,
    IResolutionReceiver,
    IStreamClientEndpoint,
)
from twisted.web.client import URI, Agent, _StandardEndpointFactory
from twisted.web.error import SchemeNotSupported
from zope.interface import implementer

from spiders.gate import literal_address

#: Scrapy's handler's logger: the data-loss warning reads as Scrapy's own, as before.
logger = logging.getLogger(HTTP11DownloadHandler.__module__)


@implementer(IResolutionReceiver)
class _Addresses:
    """Collects what the reactor's name resolver answers, as HostnameEndpoint does."""

    def __init__(self) -> None:
        self.addresses: list[IAddress] = []
        self.done: Deferred[list[IAddress]] = Deferred()

    def resolutionBegan(self, resolutionInProgress: IHostResolution) -> None:
        pass

    def addressResolved(self, address: IAddress) -> None:
        self.addresses.append(address)

    def resolutionComplete(self) -> None:
        self.done.callback(self.addresses)


@implementer(IStreamClientEndpoint)
class DirectEndpoint:
    """A TCP connection to `host`: at once to its one address, staggered (HostnameEndpoint) among several.

    Names are resolved by the reactor's resolver, as HostnameEndpoint does (ours checks every answer, see
    `spiders.resolver`), and the connection goes to the very address it answered. Literals, in every
    spelling `literal_address` reads, need no resolver; one with an IPv6 zone (`fe80::1%eth0`), which
    `literal_address` would read without its zone, goes the resolver's way, as before."""

    def __init__(self, reactor: Any, host: str, port: int, timeout: float = 30,
                 bind_address: tuple[str, int] | None = None) -> None:
        self.reactor = reactor
        self.host = host
        self.port = port
        self.timeout = timeout
        self.bind_address = bind_address

    def __repr__(self) -> str:
        return f"<DirectEndpoint {self.host}:{self.port}>"

    def connect(self, protocolFactory: IProtocolFactory) -> Deferred[IProtocol]:
        address = None if "%" in self.host else literal_address(self.host)
        if address is not None:
            return self._tcp(str(address), ipv6=address.version == 6).connect(protocolFactory)
        answers = _Addresses()
        self.reactor.nameResolver.resolveHostName(answers, self.host, portNumber=self.port)
        return answers.done.addCallback(self._connect_resolved, protocolFactory)

    def _connect_resolved(self, addresses: list[IAddress], factory: IProtocolFactory) -> Deferred[IProtocol]:
        found = [a for a in addresses if isinstance(a, IPv4Address | IPv6Address)]
        if not found:
            # HostnameEndpoint's error for a name without answers (the spider records it as a DNS fault,
            # or as blocked when our resolver refused the answer).
            raise DNSLookupError(f"no results for hostname lookup: {self.host}")
        if len(found) == 1:
            return self._tcp(found[0].host, ipv6=isinstance(found[0], IPv6Address)).connect(factory)
        # Several addresses: HostnameEndpoint races them (and asks the resolver again, which checks again).
        fallback = HostnameEndpoint(self.reactor, self.host, self.port, self.timeout, self.bind_address)
        return fallback.connect(factory)

    def _tcp(self, address: str, *, ipv6: bool) -> TCP4ClientEndpoint | TCP6ClientEndpoint:
        """A plain TCP endpoint: a refusal fails its connect as soon as the kernel reports it."""
        kind = TCP6ClientEndpoint if ipv6 else TCP4ClientEndpoint
        return kind(self.reactor, address, self.port, self.timeout, self.bind_address)


class DirectEndpointFactory(_StandardEndpointFactory):
    """Twisted's endpoints for an Agent (TCP for http, TLS over it for https, the agent's connect timeout
    and bind address), with a `DirectEndpoint` where Twisted makes a HostnameEndpoint."""

    @classmethod
    def like(cls, standard: _StandardEndpointFactory) -> DirectEndpointFactory:
        """Ours, with everything Scrapy configured on the agent's own factory."""
        return cls(standard._reactor, standard._policyForHTTPS, standard._connectTimeout, standard._bindAddress)

    def endpointForURI(self, uri: URI) -> IStreamClientEndpoint:
        try:
            host = uri.host.decode("ascii")
        except UnicodeDecodeError:
            raise ValueError(f"The host of the provided URI ({uri.host!r}) contains non-ASCII octets") from None
        # (Calling the interface checks that the endpoint provides it; mypy knows no zope declarations.)
        endpoint = IStreamClientEndpoint(DirectEndpoint(
            self._reactor, host, uri.port, 30 if self._connectTimeout is None else self._connectTimeout,
            self._bindAddress))
        if uri.scheme == b"http":
            return endpoint
        if uri.scheme == b"https":
            return wrapClientTLS(self._policyForHTTPS.creatorForNetloc(uri.host, uri.port), endpoint)
        raise SchemeNotSupported(f"Unsupported scheme: {uri.scheme!r}")


class _DirectAgent(_ScrapyAgent):
    """Scrapy's agent, whose Twisted Agent connects through `DirectEndpointFactory`."""

    def _get_agent(self, request: Request, timeout: float) -> Agent:
        agent = super()._get_agent(request, timeout)
        # Every agent Scrapy chooses (direct, HTTP proxy, HTTPS tunnel) keeps its class, pool key and
        # settings; only where it gets endpoints changes (the tunnel makes its own, and reads only the
        # factory's timeout and bind address, which ours keeps).
        agent._endpointFactory = DirectEndpointFactory.like(agent._endpointFactory)
        return agent


class DownloadHandler(HTTP11DownloadHandler):
    """Scrapy's HTTP/1.1 download handler, connecting through `DirectEndpoint`s."""

    async def download_request(self, request: Request) -> Response:
        # HTTP11DownloadHandler.download_request (Scrapy 2.19), with our agent; its deprecated spider
        # attributes (download_maxsize, download_warnsize) are not read: our spider has none.
        agent = _DirectAgent(
            contextFactory=self._contextFactory,
            bindAddress=self._bind_address,
            pool=self._pool,
            maxsize=self._default_maxsize,
            warnsize=self._default_warnsize,
            fail_on_dataloss=self._fail_on_dataloss,
            crawler=self._crawler,
            tls_verbose_logging=self._tls_verbose_logging,
        )
        try:
            with wrap_twisted_exceptions():
                return await maybe_deferred_to_future(agent.download_request(request))
        except ResponseDataLossError:
            if not self._fail_on_dataloss_warned:
                logger.warning(get_dataloss_msg(request.url))
                self._fail_on_dataloss_warned = True
            raise
