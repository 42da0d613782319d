"""Fetch the pages of a disclosure site's directory, politely, for `auditor catalogue draft`.

Drafting reads a few dozen pages once, by hand, so it fetches one page at a time with `requests`
(the crawl's Scrapy engine is built for the nightly thousands): robots.txt obeyed, a pause between
requests, the crawl's User-Agent, a bound on pages and bytes, and nothing outside the registrable
domain it starts on (``xxgk.ustb.edu.cn`` → ``ustb.edu.cn``, where the departments' subdomains live)
or the hosts the user adds. Which pages to read is decided by what they might hold: the 目录 page,
the categories, and the columns the 清单's wording points to.
"""

from __future__ import annotations

import heapq
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import requests
from protego import Protego

from checklist.draft.directory import PageLink, PageRead, read_page
from checklist.draft.model import Column
from checklist.draft.text import ItemMatcher, clean_label
from checklist.model import CrawlPolicy, registrable_domain
from spiders.attachments import decode_with_encoding
from spiders.settings import user_agent

__all__ = ["DirectoryScan", "DraftError", "Fetcher", "registrable_domain", "scan_directory"]

_MAX_BYTES = 5 * 1024 * 1024
_DIRECTORY_WORDS = re.compile(r"信息公开目录|公开目录|信息公开栏目|目录")


class DraftError(Exception):
    """Drafting cannot start or read its input: one line a person can act on."""


class _RobotsForbid(DraftError):
    """robots.txt forbids the page: not read, and not a failure of the site."""


class _ServerError(DraftError):
    """A 5xx answer: worth one more try."""


@dataclass(frozen=True)
class Fetched:
    url: str  # as asked
    final_url: str
    html: str


class Fetcher:
    """One page at a time, as the crawl would ask for it; `None` for a page that cannot be read."""

    def __init__(
        self,
        *,
        proxy: str | None = None,
        obey_robots: bool = True,
        delay: float = 1.0,
        timeout: float = 15.0,
        contact: str = "",
        allowed: Callable[[str], bool] = lambda host: True,
    ) -> None:
        self.agent = user_agent(CrawlPolicy().user_agent, contact)
        self.session = requests.Session()
        self.session.headers["User-Agent"] = self.agent
        if proxy:
            self.session.proxies = {"http": proxy, "https": proxy}
        self.obey_robots = obey_robots
        self.delay = delay
        self.timeout = timeout
        self.allowed = allowed
        self._robots: dict[str, Protego | None] = {}
        self._last = 0.0
        self.requests = 0
        self.failed: list[str] = []

    def close(self) -> None:
        self.session.close()

    def _pause(self) -> None:
        wait = self._last + self.delay - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        self._last = time.monotonic()

    def robots_allow(self, url: str) -> bool:
        if not self.obey_robots:
            return True
        parts = urlsplit(url)
        key = f"{parts.scheme}://{parts.netloc}"
        if key not in self._robots:
            self._pause()
            self.requests += 1
            try:
                answer = self.session.get(urlunsplit((parts.scheme, parts.netloc, "/robots.txt", "", "")),
                                          timeout=self.timeout)
                self._robots[key] = Protego.parse(answer.text[:500_000]) if answer.status_code < 400 else None
            except requests.RequestException:
                self._robots[key] = None  # as Scrapy does: an unreachable robots.txt forbids nothing
        rules = self._robots[key]
        return rules is None or bool(rules.can_fetch(url, self.agent))

    def get(self, url: str) -> Fetched:
        """The page at `url`, or DraftError with the reason; a 5xx answer is asked once more."""
        try:
            return self._get(url)
        except _ServerError:
            time.sleep(max(self.delay, 0.2))
            try:
                return self._get(url)
            except _ServerError as exc:
                raise DraftError(str(exc)) from None

    def _get(self, url: str) -> Fetched:
        if not self.robots_allow(url):
            raise _RobotsForbid(f"{url}: robots.txt forbids it (--ignore-robots to read it anyway)")
        self._pause()
        self.requests += 1
        host = urlsplit(url).netloc
        try:
            with self.session.get(url, timeout=self.timeout, stream=True, allow_redirects=True) as answer:
                final = answer.url
                if not self.allowed(urlsplit(final).hostname or ""):
                    raise DraftError(f"{url}: redirected off the site to {final}")
                if answer.status_code >= 500:
                    raise _ServerError(f"{url}: the server answered HTTP {answer.status_code}")
                if answer.status_code >= 400:
                    raise DraftError(f"{url}: the server answered HTTP {answer.status_code}")
                kind = answer.headers.get("Content-Type", "text/html").lower()
                if "html" not in kind and "xml" not in kind:
                    raise DraftError(f"{url}: not a web page ({kind.split(';')[0] or 'no content type'})")
                body = bytearray()
                for chunk in answer.iter_content(64 * 1024):
                    body += chunk
                    if len(body) > _MAX_BYTES:
                        raise DraftError(f"{url}: larger than {_MAX_BYTES} bytes")
                declared = kind.partition("charset=")[2].split(";")[0].strip(" \"'")
        except requests.Timeout as exc:
            raise DraftError(f"{url}: no answer within {self.timeout:g} s") from exc
        except requests.ConnectionError as exc:
            raise DraftError(f"{url}: could not connect to {host} (refused, reset or no such host)") from exc
        except requests.RequestException as exc:
            raise DraftError(f"{url}: {type(exc).__name__}") from exc
        text, _ = decode_with_encoding(bytes(body), declared)
        return Fetched(url, final, text)


@dataclass(frozen=True)
class DirectoryScan:
    """What the crawl of a directory found."""

    start: str
    home_title: str
    columns: tuple[Column, ...]
    pages_read: int
    pages_failed: tuple[str, ...]


@dataclass
class _Seen:
    label: str
    category: str
    depth: int
    headings: list[str]
    departments: list[str]
    hits: int


def _in_scope(domains: Iterable[str]) -> Callable[[str], bool]:
    names = [d.lower() for d in domains]

    def allowed(host: str) -> bool:
        host = host.lower().strip("[]")
        return any(host == d or host.endswith("." + d) for d in names)

    return allowed


def scan_directory(
    start: str,
    matcher: ItemMatcher,
    fetcher: Fetcher,
    *,
    max_pages: int = 200,
    max_depth: int = 2,
) -> DirectoryScan:
    """Read the directory reachable from `start` (home page or 目录 page) and list its columns.

    Pages are read best-first: a link whose text names a 清单 category or item, or the 目录, comes
    before anything else, and a link that names nothing is never followed, so a large site costs no
    more than its directory.
    """
    first = fetcher.get(start)  # DraftError here is the user's: the address does not work
    queue: list[tuple[float, int, str, int]] = []
    order = 0
    queued: set[str] = {first.url, first.final_url}
    seen: dict[str, _Seen] = {}
    redirected: dict[str, str] = {}
    articles: set[str] = set()
    failed: list[str] = []
    pages = 1
    home_title = read_page(first.html, first.final_url).full_title

    def consider(page: PageRead, depth: int) -> None:
        nonlocal order
        for link in page.links:
            _record(link, page, depth)
            if depth >= max_depth or link.url in queued or link.entry:
                continue
            if not fetcher.allowed(urlsplit(link.url).hostname or ""):
                continue
            priority = _priority(link, matcher)
            if priority <= 0:
                continue
            queued.add(link.url)
            order += 1
            heapq.heappush(queue, (-priority + depth * 0.5, order, link.url, depth + 1))

    def _record(link: PageLink, page: PageRead, depth: int) -> None:
        if link.entry:
            articles.add(link.url)  # an article anywhere is an article everywhere
            return
        if not fetcher.allowed(urlsplit(link.url).hostname or ""):
            return
        url = redirected.get(link.url, link.url)
        label = clean_label(link.text)
        if not label:
            return
        known = seen.get(url)
        if known is None:
            seen[url] = _Seen(link.text, link.category, depth, [], list(link.departments), 1)
            return
        known.hits += 1
        if depth < known.depth or (depth == known.depth and not known.category and link.category):
            known.label, known.category, known.depth = link.text, link.category or known.category, depth
        for d in link.departments:
            if d not in known.departments:
                known.departments.append(d)

    consider(read_page(first.html, first.final_url), 0)
    while queue and pages < max_pages:
        _, _, url, depth = heapq.heappop(queue)
        try:
            got = fetcher.get(url)
        except _RobotsForbid:
            continue
        except DraftError:
            failed.append(url)
            continue
        pages += 1
        if got.final_url != url:
            redirected[got.final_url] = url
            queued.add(got.final_url)
        page = read_page(got.html, got.final_url)
        entry = seen.get(url)
        if entry is not None:
            tail = page.breadcrumb[-1] if page.breadcrumb else ""
            for heading in (tail, page.title):
                if heading and heading not in entry.headings and clean_label(heading) != clean_label(entry.label):
                    entry.headings.append(heading)
            if not entry.category and len(page.breadcrumb) >= 2:
                entry.category = page.breadcrumb[-2]
            for d in page.departments:
                if d not in entry.departments:
                    entry.departments.append(d)
        consider(page, depth)
    columns = tuple(
        Column(url, s.label, s.category, tuple(s.headings[:2]), tuple(s.departments), s.depth, s.hits)
        for url, s in seen.items()
        if url not in articles
    )
    return DirectoryScan(first.final_url, home_title, columns, pages, tuple(failed))


def _priority(link: PageLink, matcher: ItemMatcher) -> float:
    """How much reading the page behind a link may tell: 0 means do not read it."""
    label = clean_label(link.text)
    if not label or len(label) > 20:
        return 0.0
    if _DIRECTORY_WORDS.search(label):
        return 3.0
    category = matcher.category_of(label)
    best_item = max(matcher.scores(label).values(), default=0.0)
    best = max(best_item, (category[1] * 1.5) if category else 0.0)
    return best if best >= 0.35 else 0.0
