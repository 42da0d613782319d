"""A DNS resolver that refuses internal answers: the gate's check on the address we actually connect to.

Checking a name before the request and connecting after would leave a window (DNS rebinding: public on
the first lookup, 127.0.0.1 on the second). Scrapy connects through the reactor's resolver, so checking
the answer here, every time, even from the cache, closes it: whatever a name resolves to when we
connect is what was checked. Installed as `TWISTED_DNS_RESOLVER` by `spiders.settings`.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from typing import Any, Self

from scrapy.resolver import CachingThreadedResolver
from twisted.internet.base import ReactorBase
from twisted.internet.defer import Deferred
from twisted.internet.error import DNSLookupError

from spiders.gate import Gate, internal_message, literal_address
from spiders.settings import site_of


class InternalAddressError(DNSLookupError):
    """A name resolved to an internal address the operator did not allow: refused, never connected."""


#: Names refused in this process, with the reason. Twisted's endpoint turns any resolver error into "no
#: results for hostname lookup", so the spider asks here to record a refusal as one, not as a DNS fault.
#: Process-wide like Scrapy's own DNS cache, which the resolver is installed beside.
_REFUSED: dict[str, str] = {}


def refused_reason(host: str) -> str:
    """Why the resolver refused `host` in this process ('' if it did not)."""
    return _REFUSED.get(host.lower().rstrip("."), "")


class GatedResolver(CachingThreadedResolver):
    """Scrapy's caching resolver, with every answer passed through `Gate.address_allowed`."""

    gate: Gate | None = None

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: ReactorBase) -> Self:
        resolver = super().from_crawler(crawler, reactor)
        site = site_of(crawler.settings)
        if site is not None:
            resolver.gate = Gate.for_site(site, crawler.settings.get("XXGK_PROXY") or "")
        return resolver

    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> Deferred[str]:
        return super().getHostByName(name, timeout).addCallback(self._checked, name)

    def _checked(self, address: str, name: str) -> str:
        # A literal in any spelling was judged by the gate already, with its port (allowed_hosts may name
        # "127.0.0.1:8080"); here only what a *name* turned out to be is new.
        if self.gate is not None and literal_address(name) is None:
            try:
                parsed = ipaddress.ip_address(address)
            except ValueError:
                return address
            if not self.gate.address_allowed(name, parsed):
                reason = internal_message(name, parsed)
                _REFUSED[name.lower().rstrip(".")] = reason
                raise InternalAddressError(reason)
        return address
