"""A DNS resolver that refuses internal answers: the gate's check on the address we actually connect to.

Checking a name before the request and connecting after would leave a window (DNS rebinding: public on
the first lookup, 127.0.0.1 on the second). Scrapy connects through the reactor's resolver, so checking
the answer here, every time, even from the cache, closes it: whatever a name resolves to when we
connect is what was checked. Installed as `TWISTED_DNS_RESOLVER` by `spiders.settings`.

The resolver is one per process, and a night of several universities shares the process: it cannot tell
which site asked. A name is then allowed an internal answer when one site's gate allows it for a host of
that site's own (its catalogue hosts, its university's domain, its allowed internal hosts): one site's
`policy.allow_internal` network never opens the door to names another site's pages lead to.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from typing import Any, Self

from scrapy.resolver import CachingThreadedResolver
from twisted.internet.base import ReactorBase
from twisted.internet.defer import Deferred
from twisted.internet.error import DNSLookupError

from checklist.model import host_matches
from spiders.gate import Gate, internal_message, is_internal, literal_address
from spiders.settings import sites_of


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

    gates: tuple[Gate, ...] = ()

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: ReactorBase) -> Self:
        resolver = super().from_crawler(crawler, reactor)
        proxy = crawler.settings.get("XXGK_PROXY") or ""
        resolver.gates = tuple(Gate.for_site(site, proxy) for site in sites_of(crawler.settings))
        return resolver

    def allowed(self, name: str, address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
        """May `name` connect to `address`: by the one site's gate, or by one of several sites' gates for
        a host of that site's own (see the module's note)."""
        if len(self.gates) == 1:
            return self.gates[0].address_allowed(name, address)
        if not is_internal(address):
            return True
        host = name.lower().rstrip(".")
        return any(gate.address_allowed(name, address) and host_matches(_own_hosts(gate), host)
                   for gate in self.gates)

    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> Deferred[str]:
        return super().getHostByName(name, timeout).addCallback(self._checked, name)

    def _checked(self, address: str, name: str) -> str:
        # A literal in any spelling was judged by the gate already, with its port (allowed_hosts may name
        # "127.0.0.1:8080"); here only what a *name* turned out to be is new.
        if self.gates and literal_address(name) is None:
            try:
                parsed = ipaddress.ip_address(address)
            except ValueError:
                return address
            if not self.allowed(name, parsed):
                reason = internal_message(name, parsed)
                _REFUSED[name.lower().rstrip(".")] = reason
                raise InternalAddressError(reason)
        return address


def _own_hosts(gate: Gate) -> tuple[str, ...]:
    """A site's own host patterns, without ports (the resolver does not know the port)."""
    patterns = (*gate.allowed_hosts, *gate.home_hosts, *gate.internal_hosts, *gate.proxy_hosts)
    return tuple(p.rpartition(":")[0] if p.count(":") == 1 else p for p in patterns)
