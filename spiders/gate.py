"""One gate for every request: no page may steer the crawl into the operator's own networks.

A crawled page chooses URLs (links, 3xx `Location`, `<meta http-equiv="refresh">`, the robots.txt of
every host it names); an attacker who controls one page would otherwise make us GET the cloud metadata
service or an intranet admin page. Every request passes `Gate.refusal` (the spider before scheduling,
`GateMiddleware` before any download, robots.txt included) and every name resolution passes
`spiders.resolver.GatedResolver`, so a host name that resolves (or re-resolves) to an internal address is
refused as well as a literal one in any spelling (`2130706433`, `0x7f.1`, `[::ffff:127.0.0.1]`).

Refusals are our decision, not a fault of the site: they are recorded `blocked`, never requested, and the
message names the setting that allows them (`policy.allow_internal`), because a campus site may well
resolve to 10.x from inside the campus.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from dataclasses import dataclass
from functools import lru_cache
from typing import Self
from urllib.parse import urlsplit
from urllib.request import getproxies

from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Request

from auditor.models import FetchStatus, PageRole
from checklist.model import Site, host_matches
from spiders.settings import site_of

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

#: What inet_aton could read as an IPv4 address: decimal, octal (0177), hex (0x7f), 1 to 4 parts.
_IPV4_LIKE = re.compile(r"(?:0x[0-9a-f]*|[0-9]+)(?:\.(?:0x[0-9a-f]*|[0-9]+)){0,3}\.?", re.IGNORECASE)
#: Names every resolver answers with loopback, whatever DNS says (RFC 6761).
_LOOPBACK_NAMES = re.compile(r"(?:.*\.)?localhost\.?", re.IGNORECASE)
_LOOPBACK = ipaddress.IPv4Address("127.0.0.1")
SETTING = "policy.allow_internal"
_CRAWLED = frozenset({PageRole.CATALOGUE, PageRole.LIST, PageRole.DETAIL, PageRole.ATTACHMENT})


class Refused(IgnoreRequest):
    """The gate would not send this request; `status` says how to record it (blocked or off-site)."""

    def __init__(self, status: FetchStatus, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class TooManyRedirects(IgnoreRequest):
    """A redirect loop, or more hops than REDIRECT_MAX_TIMES: the site's fault, recorded with the chain."""


@lru_cache(maxsize=4096)
def literal_address(host: str) -> Address | None:
    """The address a host literal means, in every spelling a resolver accepts, or None for a name.
    (Asked for every request and redirect of a crawl about the same few hosts: remembered.)

    `ipaddress` alone knows only dotted quads; getaddrinfo (and so the connection) also reads `127.1`,
    `0177.0.0.1`, `0x7f000001` and `2130706433`, so inet_aton decides what an IPv4 literal is."""
    host = host.strip().strip("[]").lower()
    if not host:
        return None
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        pass
    if not _IPV4_LIKE.fullmatch(host):
        return None
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host.rstrip(".")))
    except OSError:
        return None


def is_internal(address: Address) -> bool:
    """Loopback, private, link-local, multicast, unspecified, reserved or shared: anything not on the
    public internet, including IPv4 hidden in IPv6 (mapped `::ffff:a.b.c.d`, 6to4, NAT64)."""
    if isinstance(address, ipaddress.IPv6Address):
        inner = address.ipv4_mapped or (address.sixtofour if address.sixtofour else None)
        if inner is not None:
            return is_internal(inner)
        if address in ipaddress.IPv6Network("64:ff9b::/96"):
            return is_internal(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return (not address.is_global or address.is_private or address.is_loopback or address.is_link_local
            or address.is_multicast or address.is_unspecified or address.is_reserved)


def parse_allowances(value: str) -> tuple[tuple[str, ...], tuple[Network, ...]]:
    """`policy.allow_internal` ("xxgk.example.edu.cn, 10.8.0.0/16") as host patterns and networks.

    Raises ValueError naming the entry that is neither."""
    hosts: list[str] = []
    networks: list[Network] = []
    for raw in value.split(","):
        entry = raw.strip().lower()
        if not entry:
            continue
        if "/" in entry or literal_address(entry) is not None:
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                address = literal_address(entry)
                if address is None:
                    raise ValueError(f"'{raw.strip()}' is neither a host name nor a network (10.0.0.0/8)") from None
                networks.append(ipaddress.ip_network(address))
            continue
        if not re.fullmatch(r"(\*\.)?[a-z0-9]([a-z0-9.-]*[a-z0-9])?", entry):
            raise ValueError(f"'{raw.strip()}' is neither a host name nor a network (10.0.0.0/8)")
        hosts.append(entry)
    return tuple(hosts), tuple(networks)


def effective_port(url: str) -> int:
    parts = urlsplit(url)
    return parts.port or (443 if parts.scheme == "https" else 80)


@dataclass(frozen=True)
class Gate:
    """Who may be asked: the catalogue's hosts (ports count when given), and no internal address unless
    the operator allowed that host or network explicitly."""

    allowed_hosts: tuple[str, ...]
    internal_hosts: tuple[str, ...] = ()
    internal_networks: tuple[Network, ...] = ()
    proxy_hosts: tuple[str, ...] = ()  # the proxies we were told to use: they may well be on loopback
    # The university's own domain: the home-page check's requests (and their redirects) may go there,
    # no other request may.
    home_hosts: tuple[str, ...] = ()

    @classmethod
    def for_site(cls, site: Site, proxy: str = "") -> Self:
        hosts, networks = parse_allowances(site.policy.allow_internal)
        return cls(site.allowed_hosts, hosts, networks, proxy_hosts(proxy), site.university_hosts)

    def address_allowed(self, host: str, address: Address, port: int | None = None) -> bool:
        """May `host` be reached at `address`? Public addresses always; internal ones only when allowed:
        a host or network in `policy.allow_internal`, our proxy, or the very literal (and port, when
        given) listed in allowed_hosts ("127.0.0.1:8080", the loopback test site)."""
        if not is_internal(address):
            return True
        host = host.lower().rstrip(".").strip("[]")
        if host in self.proxy_hosts or host_matches(self.internal_hosts, host):
            return True
        if any(address in n for n in self.internal_networks):
            return True
        if literal_address(host) != address:
            return False
        for pattern in self.allowed_hosts:
            name, _, wanted = pattern.rpartition(":") if pattern.count(":") == 1 else (pattern, "", "")
            if literal_address(name) == address and (not wanted or int(wanted) == port):
                return True
        return False

    def refusal(self, url: str, role: PageRole | None = None, *, redirected: bool = False) -> Refused | None:
        """Why this URL must not be requested (None when it may be). Names are resolved later, by the
        resolver; literals in every spelling, and names every resolver maps to loopback, are judged here."""
        try:
            parts = urlsplit(url)
            host = parts.hostname or ""
            port = effective_port(url)
        except ValueError:
            return Refused(FetchStatus.BLOCKED, f"地址格式错误，不访问：{url}")
        if parts.scheme not in ("http", "https") or not host:
            return Refused(FetchStatus.BLOCKED, f"只访问 http/https 地址，不访问：{url}")
        address = literal_address(host)
        if address is None and _LOOPBACK_NAMES.fullmatch(host):
            address = _LOOPBACK
        if address is not None and not self.address_allowed(host, address, port):
            return Refused(FetchStatus.BLOCKED, internal_message(host, address))
        if redirected and role in _CRAWLED and not host_matches(self.allowed_hosts, host, port):
            return Refused(FetchStatus.OFFSITE, f"off-site redirect to {url}")
        if role is PageRole.HOME and not (host_matches(self.home_hosts, host, port)
                                          or host_matches(self.allowed_hosts, host, port)):
            return Refused(FetchStatus.OFFSITE, f"学校域名以外的地址，学校主页检查不访问：{url}")
        return None


def internal_message(host: str, address: Address) -> str:
    shown = host if str(address) == host.strip("[]") else f"{host}（即 {address}）"
    return (f"内网、本机或保留地址 {shown}：为安全起见不访问；如确属本校站点，"
            f"在目录的 {SETTING} 中列出该主机或网段（如 {address}/32）")


def proxy_hosts(explicit: str = "") -> tuple[str, ...]:
    """Hosts of the proxies in use (explicit, or http_proxy/https_proxy): connecting to them is intended."""
    hosts = []
    for proxy in (explicit, *getproxies().values()):
        if proxy and proxy != "no":
            try:
                host = urlsplit(proxy if "://" in proxy else f"http://{proxy}").hostname
            except ValueError:
                continue
            if host:
                hosts.append(host.lower())
    return tuple(hosts)


class GateMiddleware:
    """Every request Scrapy is about to download, whoever made it (the spider, a 3xx, a meta refresh,
    robots.txt), passes the gate; a refused one fails with `Refused` and is recorded, never sent."""

    def __init__(self, gate: Gate) -> None:
        self.gate = gate

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        site = site_of(crawler.settings)
        if site is None:
            raise NotConfigured
        return cls(Gate.for_site(site, crawler.settings.get("XXGK_PROXY") or ""))

    def process_request(self, request: Request) -> None:
        refused = self.gate.refusal(request.url, request.meta.get("role"),
                                    redirected=bool(request.meta.get("redirect_urls")))
        if refused is not None:
            raise refused
