"""How the auditor reads one page, for catalogue authors and bug reports (`auditor inspect`).

A page is fetched the way the crawl would fetch it (robots.txt, proxy, User-Agent, the download bound,
the catalogue's hosts) or read from a saved file, decoded with the crawl's own charset rules, and put
through the very `extract_page` the crawl runs. One fetch outside the crawl is what `requests` is for:
starting Scrapy's reactor for a single page would cost more than the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import requests
from protego import Protego

from auditor.models import PageRole
from checklist.model import CrawlPolicy, Selectors, Site
from spiders.attachments import decode_with_encoding
from spiders.extract import PageExtract, canonical_url, extract_page
from spiders.gate import Gate, effective_port, proxy_hosts
from spiders.settings import user_agent

__all__ = ["InspectError", "Inspected", "inspect_file", "inspect_url"]

_TIMEOUT_S = 15.0
_MAX_REDIRECTS = 8  # as the crawl's REDIRECT_MAX_TIMES


class InspectError(Exception):
    """The page could not be read: a one-line reason a person can act on."""


@dataclass(frozen=True)
class Inspected:
    """One page as the auditor reads it."""

    url: str
    source: str  # the URL fetched (and where it ended) or the file read
    encoding: str
    extract: PageExtract

    def to_json(self) -> dict[str, Any]:
        """The `auditor inspect --json` object: stable keys for scripts and bug reports."""
        x = self.extract
        return {
            "url": self.url,
            "source": self.source,
            "encoding": self.encoding,
            "kind": x.kind.value,
            "title": x.title,
            "published": x.publish_date.value.isoformat() if x.publish_date else None,
            "published_shown": x.publish_date.shown if x.publish_date else None,
            "published_from": x.publish_date.source if x.publish_date else None,
            "entries": [
                {"title": e.title, "url": e.url, "date": e.date.isoformat() if e.date else None,
                 "date_shown": e.date_shown}
                for e in x.entries
            ],
            "next_pages": list(x.next_pages),
            "total_pages": x.total_pages,
            "total_entries": x.total_entries,
            "attachments": [{"url": a.url, "name": a.name} for a in (*x.attachments, *x.embedded)],
            "links": [{"url": k.url, "text": k.text} for k in x.links],
            "furniture": list(x.furniture),
            "furniture_links": [{"url": k.url, "text": k.text} for k in x.furniture_links],
        }


def _selectors(site: Site | None, url: str) -> Selectors | None:
    """The catalogue's selectors for the item whose column this URL is (the crawl applies the same)."""
    if site is None:
        return None
    key = canonical_url(url)
    for item in site.items:
        if any(canonical_url(u) == key for u in item.urls):
            return item.selectors
    return None


def inspect_file(path: Path, url: str, site: Site | None = None) -> Inspected:
    """Read a saved page; `url` is the address it was saved from (links resolve against it)."""
    try:
        body = path.read_bytes()
    except OSError as exc:
        raise InspectError(f"{path}: {exc.strerror or exc}") from exc
    text, encoding = decode_with_encoding(body, "")
    return Inspected(url, str(path), encoding, extract_page(text, url, _selectors(site, url)))


def _robots_allow(session: requests.Session, url: str, user_agent: str, timeout: float) -> bool:
    parts = urlsplit(url)
    robots_url = urlunsplit((parts.scheme, parts.netloc, "/robots.txt", "", ""))
    try:
        answer = session.get(robots_url, timeout=timeout, allow_redirects=True)
    except requests.RequestException:
        return True  # as Scrapy does: an unreachable robots.txt forbids nothing
    if answer.status_code >= 400:
        return True
    return bool(Protego.parse(answer.text[:500_000]).can_fetch(url, user_agent))


def _gate(site: Site | None, proxy: str) -> Gate:
    """The crawl's gate: the catalogue's hosts and no internal address (without a catalogue, only the
    latter, and only for the hops the page chose)."""
    return Gate.for_site(site, proxy) if site is not None else Gate((), proxy_hosts=proxy_hosts(proxy))


def _follow(session: requests.Session, url: str, gate: Gate, gate_first: bool, timeout: float) -> requests.Response:
    """GET `url`, following redirects one hop at a time through the gate, as the crawl does: a page may
    not steer us off the catalogue's hosts or inward. The URL the user gave passes the gate only when a
    catalogue says what is allowed."""
    current = url
    for hop in range(_MAX_REDIRECTS + 1):
        if hop or gate_first:
            refused = gate.refusal(current, PageRole.CATALOGUE, redirected=hop > 0)
            if refused is not None:
                raise InspectError(f"{url}: {refused.reason}")
        answer = session.get(current, timeout=timeout, stream=True, allow_redirects=False)
        if not answer.is_redirect or "location" not in answer.headers:
            return answer
        answer.close()
        current = urljoin(current, answer.headers["location"])
    raise InspectError(f"{url}: more than {_MAX_REDIRECTS} redirects")


def inspect_url(url: str, *, site: Site | None = None, proxy: str | None = None, obey_robots: bool = True,
                contact: str = "", max_bytes: int | None = None) -> Inspected:
    """Fetch one page as the crawl would and read it. Raises `InspectError` with the reason."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError as exc:
        raise InspectError(f"{url!r}: not a valid address ({exc})") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InspectError(f"{url!r}: not an http(s) address or a file that exists")
    if site is not None and not site.host_allowed(parts.hostname, effective_port(url)):
        raise InspectError(f"{parts.hostname}: not among the hosts catalogue {site.id!r} allows (allowed_hosts)")
    policy = site.policy if site is not None else None
    agent = user_agent((policy or CrawlPolicy()).user_agent, contact)
    limit = max_bytes or (policy.max_download_bytes if policy else 20 * 1024 * 1024)
    timeout = policy.timeout_seconds if policy else _TIMEOUT_S
    session = requests.Session()
    session.headers["User-Agent"] = agent
    if proxy:
        session.proxies = {"http": proxy, "https": proxy}
    with session:
        if obey_robots and not _robots_allow(session, url, agent, timeout):
            raise InspectError(f"{url}: robots.txt of {parts.hostname} forbids it (--ignore-robots to read it anyway)")
        try:
            with _follow(session, url, _gate(site, proxy or ""), site is not None, timeout) as answer:
                final = answer.url
                if answer.status_code >= 400:
                    raise InspectError(f"{url}: the server answered HTTP {answer.status_code}")
                body = bytearray()
                for chunk in answer.iter_content(64 * 1024):
                    body += chunk
                    if len(body) > limit:
                        raise InspectError(f"{url}: larger than the download bound of {limit} bytes")
                declared = answer.headers.get("Content-Type", "").partition("charset=")[2].split(";")[0]
        except requests.Timeout as exc:
            raise InspectError(f"{url}: no answer within {timeout:g} s") from exc
        except requests.ConnectionError as exc:
            raise InspectError(f"{url}: could not connect to {parts.netloc} (refused, reset or no such host)") from exc
        except requests.RequestException as exc:
            raise InspectError(f"{url}: {type(exc).__name__}") from exc
    text, encoding = decode_with_encoding(bytes(body), declared.strip(" \"'"))
    source = url if final == url else f"{url} → {final}"
    return Inspected(final, source, encoding, extract_page(text, final, _selectors(site, final)))
