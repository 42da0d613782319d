"""Everything the store holds about one item of one run, shaped for the rules.

Rules read `ItemEvidence` and nothing else, so each can be tested on a handful of hand-made records and
the engine loads each item's evidence once. The view also builds the item's *editions* (one per list
entry, or the catalogue page itself when the column is a single article), each dated by what it says
about itself: the period in its title first, then the date shown in the list or on the page, then the
server's Last-Modified header (DOMAIN.md, "Judge an edition by the period it covers").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from email.utils import parsedate_to_datetime
from functools import cached_property
from urllib.parse import urlsplit

from auditor.calendar import CHINA
from auditor.editions import TitlePeriod, title_period
from auditor.models import (
    SITE_ITEM,
    TLS_UNVERIFIED_STAT,
    Cut,
    Entry,
    Link,
    LinkVia,
    Page,
    PageCuts,
    PageKind,
    PageRole,
)
from auditor.store import Store

#: A plain http(s) URL (no user info, no IPv6 literal, no whitespace): the common case, keyed without
#: urlsplit, which dominated evaluating a page of 100,000 links (tests/test_linear.py).
_PLAIN_URL = re.compile(r"(https?)://([^/?#:@\[\]\s]+)(?::\d*)?(/[^?#\s]*)?(?:\?([^#\s]*))?(?:#\S*)?", re.ASCII)


def url_key(url: str) -> str:
    """One spelling of a URL for matching the catalogue's URLs with the crawl's (host case, fragment)."""
    url = url.strip()
    plain = _PLAIN_URL.fullmatch(url)
    if plain is not None:
        scheme, host, path, query = plain.groups()
        return f"{scheme.lower()}://{host.lower().rstrip('.')}{path or '/'}?{query or ''}"
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    path = parts.path or "/"
    return f"{parts.scheme.lower()}://{(parts.hostname or '').rstrip('.')}{path}?{parts.query}"


def url_host(url: str) -> str:
    """The URL's host in lower case, as `urlsplit(url).hostname` says it ("" when there is none)."""
    plain = _PLAIN_URL.fullmatch(url) if url.isascii() else None
    if plain is not None:
        return plain.group(2).lower()
    return (urlsplit(url).hostname or "").lower()


def http_date(value: str) -> date | None:
    """The China date of an HTTP date header ("Wed, 31 Oct 2018 02:00:00 GMT"), or None if unreadable."""
    if not value:
        return None
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        return moment.date()
    return moment.astimezone(CHINA).date()


#: A content link repeated on the pages of this many columns is the site's template, not a column's own;
#: so is a list of entries that this many different list pages show identically (a dated sidebar).
TEMPLATE_ITEMS = 3
#: Share of a list's entries that must stand on other list pages too for the list to be the site's.
TEMPLATE_OVERLAP = 0.8


@dataclass(frozen=True)
class Template:
    """What the site repeats on many pages, learnt from the whole run: never one column's evidence."""

    links: frozenset[str] = frozenset()  # link targets in the content of several columns
    lists: frozenset[str] = frozenset()  # list pages whose entries are the same as on several others


@dataclass(frozen=True)
class SiteEvidence:
    """The links of the site's furniture, one per target URL, as checked in one run."""

    links: tuple[Link, ...]
    tls_unverified: bool = False  # the crawl ran with policy.verify_tls false: evidence could be forged


@dataclass(frozen=True)
class HomeEvidence:
    """The university's home page and the pages one click from it, as fetched, with their links: what
    the home-page check needs to say whether the disclosure site is two clicks away."""

    home: str  # the university's home page (catalogue `university_home`)
    target: str  # the disclosure site's home (catalogue `home`)
    root: Page | None = None  # the home page's record; None when the run did not look at it
    pages: tuple[Page, ...] = ()  # the pages the home page links to (whoever fetched them)
    links: tuple[Link, ...] = ()  # the links on the home page and on those pages


@dataclass(frozen=True)
class DatedBy:
    """A date and where it was read, for the evidence a clerk sees."""

    value: date
    source: str  # "list", "page", "http:last-modified"


@dataclass(frozen=True)
class Edition:
    """One publication in an item's column: a list entry, or the column's single article."""

    title: str
    url: str
    period: TitlePeriod | None
    published: DatedBy | None
    pages: tuple[Page, ...]  # the detail page or file and the attachments found on it, as fetched

    @property
    def readable(self) -> bool:
        return any(p.status.has_content for p in self.pages)


@dataclass(frozen=True)
class Unread:
    """What the crawl's per-page bounds left out of an item's own pages (summed over them): content links
    not checked, list rows not recorded (so neither were their articles and files). Findings that would
    rest on the missing part must not be drawn: no department is blamed for our bound."""

    links: Cut | None = None
    entries: Cut | None = None

    @property
    def any(self) -> bool:
        return self.links is not None or self.entries is not None

    def words(self) -> str:
        """What was left out, in a clerk's words ("" when nothing was)."""
        parts = []
        if self.entries is not None:
            parts.append(f"栏目列表只记录了前 {self.entries.kept} 条（共 {self.entries.found} 条），其余条目及其页面未检查")
        if self.links is not None:
            parts.append(f"只检查了前 {self.links.kept} 个链接（共 {self.links.found} 个）")
        return "；".join(parts)


def _sum_cuts(cuts: list[Cut]) -> Cut | None:
    cut = [c for c in cuts if c.cut]
    return Cut(sum(c.kept for c in cut), sum(c.found for c in cut)) if cut else None


@dataclass(frozen=True)
class ItemEvidence:
    """The pages, entries and links recorded for one item in one run."""

    item: int
    pages: tuple[Page, ...]
    entries: tuple[Entry, ...]
    links: tuple[Link, ...]
    tls_unverified: bool = False  # the crawl ran with policy.verify_tls false: evidence could be forged
    set_aside: tuple[str, ...] = ()  # the item's list pages whose entries were the site's template

    def role(self, role: PageRole) -> tuple[Page, ...]:
        return tuple(p for p in self.pages if p.role is role)

    @property
    def catalogue(self) -> tuple[Page, ...]:
        return self.role(PageRole.CATALOGUE)

    @property
    def readable_catalogue(self) -> tuple[Page, ...]:
        return tuple(p for p in self.catalogue if p.status.has_content)

    @property
    def has_content(self) -> bool:
        """The column itself could be read, so the other rules have something to judge."""
        return bool(self.readable_catalogue)

    @property
    def content_pages(self) -> tuple[Page, ...]:
        """Pages of the item whose text we hold (catalogue, lists, details, attachments)."""
        return tuple(p for p in self.pages if p.status.has_content and p.role is not PageRole.LINKED)

    @cached_property
    def _by_key(self) -> dict[str, Page]:
        """Each page by its URL and its final URL, the first in order winning. Rules look pages up once
        per entry and per link: a scan each time made a 100,000-link column cost 10^10 steps."""
        index: dict[str, Page] = {}
        for p in self.pages:
            index.setdefault(url_key(p.url), p)
            if p.final_url:
                index.setdefault(url_key(p.final_url), p)
        return index

    @cached_property
    def _attachments_by_parent(self) -> dict[str, list[tuple[int, Page]]]:
        index: dict[str, list[tuple[int, Page]]] = {}
        for position, p in enumerate(self.pages):
            if p.role is PageRole.ATTACHMENT:
                index.setdefault(url_key(p.parent), []).append((position, p))
        return index

    @cached_property
    def _by_url(self) -> dict[str, Page | None]:
        return {}

    def page(self, url: str) -> Page | None:
        """The page at this URL (however it is spelled), looked up by its spelling once: the rules ask
        for each entry's and each link's page, several times over."""
        try:
            return self._by_url[url]
        except KeyError:
            found = self._by_url[url] = self._by_key.get(url_key(url))
            return found

    @cached_property
    def unread(self) -> Unread:
        """What the per-page bounds cut from the item's own pages (its content links; its lists' rows)."""
        links: list[Cut] = []
        entries: list[Cut] = []
        for p in self.content_pages:
            cuts = PageCuts.of(p)
            if cuts.content is not None:
                links.append(cuts.content)
            if cuts.entries is not None and p.role in (PageRole.CATALOGUE, PageRole.LIST):
                entries.append(cuts.entries)
        return Unread(_sum_cuts(links), _sum_cuts(entries))

    def attachments_of(self, url: str) -> tuple[Page, ...]:
        """Files found on a page (a PDF-only report's body lives here)."""
        page = self.page(url)
        keys = {url_key(url)} | ({url_key(page.final_url)} if page and page.final_url else set())
        found = sorted(pair for key in keys for pair in self._attachments_by_parent.get(key, []))
        return tuple(p for _, p in found)

    def editions(self) -> tuple[Edition, ...]:
        """Each publication in the column, in the order shown (newest first on most sites)."""
        out: list[Edition] = []
        seen: set[str] = set()
        for e in self.entries:
            if e.url in seen:
                continue  # the same article listed twice (pinned to the top, or on two list pages)
            seen.add(e.url)
            target = self.page(e.url)
            pages = ((target,) + self.attachments_of(target.url)) if target else ()
            published = DatedBy(e.date, "list") if e.date else _page_date(target)
            title = e.title or (target.title if target else "")
            out.append(Edition(title, e.url, title_period(title), published, pages))
        if not out:
            # A column that is one article (a 章程, a standing page, a report pasted into the column)
            for p in self.readable_catalogue:
                if p.kind in (PageKind.ARTICLE, PageKind.FILE):
                    out.append(Edition(p.title, p.url, title_period(p.title), _page_date(p),
                                       (p,) + self.attachments_of(p.url)))
        return tuple(out)


def _page_date(page: Page | None) -> DatedBy | None:
    if page is None or not page.status.has_content:
        return None
    if page.publish_date is not None:
        return DatedBy(page.publish_date.value, "page")
    modified = http_date(page.last_modified)
    return DatedBy(modified, "http:last-modified") if modified else None


def load_evidence(store: Store, run_id: int, item: int, template: Template = Template()) -> ItemEvidence:
    """Read one item's evidence from the store: its column's pages, its entries, the links on its pages.

    What the site repeats (`template`) never reaches an item's rules: furniture links and links the
    content of several columns repeats go to `load_site_evidence`; entries a list page shares with many
    other list pages (a sidebar the page reader took for the column's list) are set aside, with the pages
    reached only through them, and the list page is named in `set_aside` so the rules can say why."""
    links = tuple(
        k for k in store.links(run_id, item) if k.via is not LinkVia.FURNITURE and k.to_url not in template.links
    )
    own_targets = {k.to_url for k in links}
    entries = tuple(store.entries(run_id, item))
    kept = tuple(e for e in entries if e.list_url not in template.lists)
    set_aside = tuple(sorted({e.list_url for e in entries} & template.lists))
    dropped = {e.url for e in entries} - {e.url for e in kept}
    pages = []
    for p in store.pages(run_id, item):
        if p.role is PageRole.LINKED and p.url in template.links and p.url not in own_targets:
            continue
        if p.role is not PageRole.CATALOGUE and (p.url in dropped or p.parent in dropped):
            continue
        pages.append(p)
    return ItemEvidence(item=item, pages=tuple(pages), entries=kept, links=links, set_aside=set_aside)


def learn_template(store: Store, run_id: int) -> Template:
    """What the whole run shows the site repeats: shared content links, and lists most of whose entries
    (`TEMPLATE_OVERLAP`) stand on at least `TEMPLATE_ITEMS` list pages: a sidebar of the newest articles,
    even one that leaves out the current column's own. A list needs two entries at least, so one article
    shared by two columns is no template. Linear in the run's entries."""
    sets = store.entry_sets(run_id)
    shown_on: dict[str, int] = {}
    for urls in sets.values():
        for url in urls:
            shown_on[url] = shown_on.get(url, 0) + 1
    lists = frozenset(
        list_url for list_url, urls in sets.items()
        if len(urls) >= 2 and sum(1 for u in urls if shown_on[u] >= TEMPLATE_ITEMS) >= TEMPLATE_OVERLAP * len(urls)
    )
    return Template(links=frozenset(store.shared_link_targets(run_id, TEMPLATE_ITEMS)), lists=lists)


def load_site_evidence(store: Store, run_id: int, template: Template) -> SiteEvidence:
    """The site's own links: every furniture link, and the template targets, one per target URL."""
    links: dict[str, Link] = {}
    for k in store.links(run_id, via=LinkVia.FURNITURE):
        links.setdefault(k.to_url, k)
    if template.links:
        for k in store.links(run_id, via=LinkVia.CONTENT):
            if k.to_url in template.links:
                links.setdefault(k.to_url, k)
    unverified = bool(store.run_stats(run_id).get(TLS_UNVERIFIED_STAT.replace("/", "_")))
    return SiteEvidence(tuple(links.values()), tls_unverified=unverified)


def load_home_evidence(store: Store, run_id: int, home: str, target: str) -> HomeEvidence:
    """The home page as the crawl recorded it (`PageRole.HOME`), the pages it links to and their links.

    A page one click away may have been read by the column crawl already (a column on the home page's
    host): it is read from the store as it stands, so no page of a column is fetched twice or changes
    its items for the home-page check."""
    root = store.page(run_id, home)
    if root is None or root.role is PageRole.LINKED:  # only checked, never read (a 复核): nothing to say
        root = next((p for p in store.pages(run_id, SITE_ITEM) if p.role is PageRole.HOME and not p.parent), None)
    if root is None:
        return HomeEvidence(home, target)
    first = store.links_from(run_id, (root.url,))
    pages = tuple(p for k in first if (p := store.page(run_id, k.to_url)) is not None)
    second = store.links_from(run_id, tuple(p.url for p in pages if p.status.has_content))
    return HomeEvidence(home, target, root, pages, (*first, *second))
