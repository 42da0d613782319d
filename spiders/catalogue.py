"""The catalogue spider: walks each item's column, its pagination, details and attachments, checks links.

It observes and records; it judges nothing. Every URL it meets becomes exactly one `Page` record (even
when not fetched: robots, off-site bounds), every edge one `Link`, every list row one `Entry`. URLs are
deduplicated here, before they become Requests, which is both the cheapest place and the one that knows
that a page serves several items.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Self
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, NotConfigured, StopDownload
from scrapy.http import Request, Response, TextResponse
from scrapy.settings import BaseSettings
from twisted.python.failure import Failure

from auditor import __version__
from auditor.models import (
    DISCLOSURE_HINT,
    SITE_ITEM,
    TLS_UNVERIFIED_STAT,
    Cut,
    Entry,
    FetchStatus,
    FoundDate,
    Link,
    LinkVia,
    Page,
    PageCuts,
    PageKind,
    PageRole,
    RunState,
)
from auditor.store import Store, VerifiedPages
from checklist.model import Site, SiteItem, host_matches, parse_item_numbers
from spiders.attachments import decode_with_encoding, filename_from_content_disposition, sniff_kind
from spiders.extract import PageExtract, canonical_url, is_attachment_url
from spiders.gate import Gate, effective_port
from spiders.outcomes import classify_failure, waf_reason
from spiders.settings import policy_settings, site_of, user_agent
from spiders.workers import ExtractionFailed, Workers

#: Roles whose pages we read and follow (on allowed hosts); everything else is checked for reachability.
_CRAWLED = frozenset({PageRole.CATALOGUE, PageRole.LIST, PageRole.DETAIL, PageRole.ATTACHMENT})
_HTML_TYPES = ("text/html", "application/xhtml", "text/xml", "application/xml")
_ATTACHMENT_PREFIX = re.compile(r"^(?:附件\s*\d*\s*[:：]?\s*|下载\s*[:：]?\s*)")
_FILE_NAME = re.compile(r"\.(?:pdf|docx?|xlsx?|wps|et|zip|rar|pptx?|txt|csv)$", re.IGNORECASE)


@dataclass(frozen=True)
class PageItems:
    """A page already recorded turns out to serve another item too."""

    url: str
    items: tuple[int, ...]


@dataclass(frozen=True)
class Evidence:
    """Everything one response taught us, as one item: Scrapy's per-item cost is paid once per page,
    not once per link (a page with 80 links would otherwise be 80 items)."""

    records: tuple[Page | Entry | Link | PageItems, ...]


#: Links into the disclosure site kept per home-check page: one is the evidence, a few show the way.
_HOME_TARGET_LINKS = 5


@dataclass(frozen=True)
class HomePlan:
    """What a page of the home-page check leads to (see `CatalogueSpider._home_plan`)."""

    into: tuple[tuple[str, str], ...]  # (url, anchor text) of links into the disclosure site
    pages: tuple[tuple[str, str], ...]  # pages one click from the home page to read
    note: str  # said on the home page's record when the bound left links unread


#: Crawl stat: pages carried forward from the run that last verified them, not requested tonight.
CARRIED_STAT = "xxgk/carried"


def rotation_turn(url: str, nights: int) -> int:
    """The night (modulo `nights`) a carried URL is verified again: stable across runs and machines."""
    return int.from_bytes(hashlib.sha256(url.encode()).digest()[:8], "big") % nights


@dataclass(frozen=True)
class Carry:
    """Tonight's share of the rotation: which carried URLs are verified again (see `due`)."""

    verified: VerifiedPages
    nights: int  # every URL is verified at least once in this many nights
    tonight: int  # this run's night number among the site's full runs
    rechecked: frozenset[int]  # items awaiting a 复核: fetched fully

    def due(self, url: str, verified_run: int) -> bool:
        """A URL's turn comes once every `nights` nights (a stable hash of it against the night number),
        and any URL last verified `nights` or more nights ago is due whatever its turn (a skipped night)."""
        return (rotation_turn(url, self.nights) == self.tonight % self.nights
                or self.tonight - self.verified.night(verified_run) >= self.nights)

    def changed(self, items: Iterable[int], url: str, title: str, date_shown: str) -> bool:
        """A list row is the same when some item's lists showed its URL with the same title and date last
        time, wherever it stood then (a new entry shifting rows to the next page changes nothing else)."""
        return not any(self.verified.rows.get((it, url)) == (title, date_shown) for it in items)


def _bundled(outputs: Iterable[Any]) -> Iterator[Any]:
    """Requests go to the scheduler one by one; records travel together."""
    records = []
    for out in outputs:
        if isinstance(out, Request):
            yield out
        else:
            records.append(out)
    if records:
        yield Evidence(tuple(records))


@dataclass
class _Node:
    """One URL of this run: what we asked it for, and who is waiting to know how it answered.

    `items` are the columns the page belongs to (reached through their catalogue URL, list pages, entries
    or attachments); `linked_by` the items whose own content merely links to it. Only the first makes a
    page an item's evidence, so a sibling column's page met through a menu never becomes this item's."""

    role: PageRole
    items: set[int]
    depth: int
    parent: str
    result: tuple[FetchStatus, int | None, str] | None = None  # status, http status, error
    sources: list[tuple[str, str, LinkVia]] = field(default_factory=list)  # (from_url, anchor text, where)
    recorded: bool = False
    counted: set[int] = field(default_factory=set)  # items whose progress waits for this request
    linked_by: set[int] = field(default_factory=set)
    fresh: bool = False  # changed since the last night (a new or re-dated entry): fetched, with its attachments

    @property
    def record_items(self) -> tuple[int, ...]:
        """The items a page record names: its columns, or for a page only checked, who links to it."""
        return tuple(sorted(self.items if self.role is not PageRole.LINKED else self.items | self.linked_by))


def _site(settings: BaseSettings) -> Site:
    """The catalogue named by `XXGK_SITE`, which a crawl cannot do without."""
    site = site_of(settings)
    if site is None:
        raise NotConfigured("XXGK_SITE is not set: give a catalogue id or file, e.g. -s XXGK_SITE=ustb")
    return site


class CatalogueSpider(scrapy.Spider):
    """Built from settings (`from_crawler`): `XXGK_SITE`, `XXGK_DB`, `XXGK_RUN_ID`, `XXGK_ITEMS`,
    `XXGK_WORKERS` (spiders/settings.py), so `scrapy crawl catalogue -s XXGK_SITE=ustb` and `auditor crawl`
    run the same spider the same way."""

    name = "catalogue"

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        """The catalogue's `policy:` sets this site's politeness, bounds and robots.txt (spider priority:
        a `-s` on the command line still wins)."""
        super().update_settings(settings)
        policy = _site(settings).policy
        if settings.getbool("XXGK_IGNORE_ROBOTS"):
            policy = replace(policy, obey_robots=False)
        values = policy_settings(policy, polite=settings.getbool("XXGK_POLITE", True))
        values["USER_AGENT"] = user_agent(policy.user_agent, settings.get("XXGK_CONTACT", ""))
        settings.setdict(values, priority="spider")

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        s = crawler.settings
        site = _site(s)
        db_path = s.get("XXGK_DB")
        run_id = s.getint("XXGK_RUN_ID")
        owns_run = not run_id
        items = s.get("XXGK_ITEMS") or []
        numbers = parse_item_numbers(items) if isinstance(items, str) else [int(n) for n in items]
        if owns_run:
            # `scrapy crawl` on its own: this crawl is a run of the history, begun here, finished in closed().
            with Store(db_path) as store:
                run_id = store.begin_run(site.id, tool_version=__version__, checklist_version=site.checklist_version,
                                         catalogue_version=site.version, catalogue_path=site.source_path,
                                         items=numbers).id
            s.set("XXGK_RUN_ID", run_id, priority="spider")
        spider = cls(site=site, run_id=run_id, db_path=db_path,
                     item_numbers=numbers,
                     processes=s.getint("XXGK_WORKERS") or None, owns_run=owns_run,
                     full=s.getbool("XXGK_FULL"), rotation_nights=s.getint("XXGK_ROTATION_NIGHTS"), **kwargs)
        spider._set_crawler(crawler)
        crawler.signals.connect(spider._start_home_check, signal=signals.spider_idle)
        return spider

    def __init__(
        self,
        site: Site,
        run_id: int,
        db_path: str,
        item_numbers: Iterable[int] | None = None,
        processes: int | None = None,
        owns_run: bool = False,
        full: bool = False,
        rotation_nights: int = 0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.site = site
        self.run_id = run_id
        self.owns_run = owns_run
        self.store = Store(db_path)  # last night's validators and evidence; the run's state if it owns it
        self.item_numbers = sorted(item_numbers) if item_numbers else [it.number for it in site.items]
        # The university's home page is read once the columns are done (a 复核 re-reads columns only).
        self.check_home = bool(site.university_home) and not item_numbers
        self.home_started = False
        self.target_host = (urlsplit(site.home).hostname or "").lower()
        self.policy = site.policy
        self.nodes: dict[str, _Node] = {}
        self.per_item: dict[int, int] = defaultdict(int)  # requests made on behalf of each item
        self.list_pages: dict[int, int] = defaultdict(int)
        self.outstanding: dict[int, int] = defaultdict(int)
        self.total = 0
        self.validators = self.store.validators(site.id, before_run=run_id)
        self.carry = self._carry_plan(full=full, rotation_nights=rotation_nights, partial=bool(item_numbers))
        self.gate = Gate.for_site(site)
        self.workers = Workers(timeout_s=max(30.0, 4 * self.policy.timeout_seconds),
                               max_chars=self.policy.max_download_bytes, processes=processes)

    # -- scheduling ---------------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        if not self.policy.verify_tls and self.crawler.stats is not None:
            # The catalogue's explicit opt-out (a campus site with a broken chain): logged, and kept with
            # the run so that the dashboard reports it as the site's problem (auditor/rules/site.py).
            self.logger.warning("TLS certificates are NOT verified for %s (policy.verify_tls: false)", self.site.id)
            self.crawler.stats.set_value(TLS_UNVERIFIED_STAT, 1)
        for number in self.item_numbers:
            site_item = self.site.item(number)
            for url in site_item.urls:
                for out in _bundled(self._follow(url, PageRole.CATALOGUE, {number}, parent="", depth=0, text="")):
                    yield out

    def _follow(
        self,
        url: str,
        role: PageRole,
        items: set[int],
        *,
        parent: str,
        depth: int,
        text: str,
        via: LinkVia = LinkVia.CONTENT,
        fresh: bool = False,
    ) -> Iterator[Any]:
        """Schedule a URL once; later meetings only add an item or a source edge.

        A link that is not part of the column's structure (`role` LINKED: content links, furniture) is
        checked, never read, and gives the target no item: the items it stands for are `linked_by`."""
        charged = items  # the crawl bounds of the items whose page led here pay for the request, whatever its role
        linked_by: set[int] = set()
        if role is PageRole.LINKED:
            linked_by = set() if via is LinkVia.FURNITURE else items
            items = set()
        try:
            url = canonical_url(url)
            parts = urlsplit(url)
            host = parts.hostname or ""
            parts.port  # noqa: B018 - raises on a malformed port
        except ValueError:
            # A malformed address (bad port, broken IPv6) is a broken link the page's owner can fix.
            if parent and url.lower().startswith(("http://", "https://")) and url not in self.nodes:
                self.nodes[url] = _Node(role=PageRole.LINKED, items=set(items), depth=depth, parent=parent,
                                        sources=[(parent, text, via)], linked_by=linked_by)
                yield from self._resolve(url, FetchStatus.HTTP_ERROR, None, "链接地址格式错误")
            return
        if parts.scheme not in ("http", "https") or not host:
            return
        node = self.nodes.get(url)
        if node is not None:
            before = node.record_items
            node.items |= items
            node.linked_by |= linked_by
            if node.role is PageRole.LINKED and role in _CRAWLED and self._upgradable(url, node):
                node.fresh = node.fresh or fresh  # a changed entry met first as a plain link is fetched
                yield from self._upgrade(url, node, role, parent, depth)
            if parent:
                node.sources.append((parent, text, via))
                if node.result is not None:
                    yield self._link(parent, url, text, via, node.result)
            new_items = set(node.record_items) - set(before)
            if new_items and node.recorded:
                yield PageItems(url, tuple(sorted(new_items)))
            return
        allowed = self.site.host_allowed(host, effective_port(url))
        if role in _CRAWLED and not allowed:
            role = PageRole.LINKED  # off-site: checked for reachability, not crawled
        node = _Node(role=role, items=set(items), depth=depth, parent=parent, linked_by=linked_by, fresh=fresh)
        if parent:
            node.sources.append((parent, text, via))
        self.nodes[url] = node
        refused = self.gate.refusal(url, role)
        if refused is not None:
            # A crawled page must not steer us into private networks (cloud metadata, intranet admin pages).
            yield from self._resolve(url, refused.status, None, refused.reason)
            return
        reason = self._bound_reason(role, charged)
        if reason:
            yield from self._resolve(url, FetchStatus.BOUNDED, None, reason)
            return
        for it in charged:
            self.per_item[it] += 1
            self.outstanding[it] += 1
        node.counted = set(charged)
        self.total += 1
        old = self._carried_from(url, node)
        if old is not None:
            yield from self._carry_forward(url, node, old)
        else:
            yield self._request(url, node)

    # -- what a night carries forward ---------------------------------------------------------------------

    def _carry_plan(self, *, full: bool, rotation_nights: int, partial: bool) -> Carry | None:
        """Tonight's rotation over the last full run's evidence; None when every URL is fetched: `--full`,
        a 复核 (`--items`: it refetches its items fully), or no earlier full run to carry from."""
        if full or partial:
            return None
        verified = self.store.verified_pages(self.site.id, self.run_id)
        if verified is None:
            return None
        nights = max(1, rotation_nights or self.policy.rotation_nights)
        # An item a department reported fixed waits for a 复核: a full night refetches it fully too.
        rechecked = frozenset(r.item for r in self.store.pending_rechecks(self.site.id))
        return Carry(verified, nights, verified.night(self.run_id), rechecked)

    def _carried_from(self, url: str, node: _Node) -> int | None:
        """The run whose record of `url` stands for tonight, or None to fetch it. List and catalogue pages
        are always fetched (they say what changed); a page is fetched when it changed, failed last time,
        is not known in tonight's role, belongs to an item awaiting its 复核, or is due in the rotation."""
        carry = self.carry
        if carry is None or node.role in (PageRole.CATALOGUE, PageRole.LIST, PageRole.HOME):
            return None
        known = carry.verified.pages.get(url)
        # A link check is answered by any record that answered (an article met first as another's link).
        if known is None or known[0] is not node.role and node.role is not PageRole.LINKED:
            node.fresh = node.fresh or node.role is PageRole.DETAIL  # new to us: what it leads to is too
            return None
        if node.fresh or (node.items | node.linked_by) & carry.rechecked or carry.due(url, known[1]):
            return None
        return carry.verified.run_id

    def _carry_forward(self, url: str, node: _Node, old: int) -> Iterator[Any]:
        """Record the page as the run that last verified it saw it (that run's date kept as `fetched_at`,
        the run itself as `verified_run`), without a request; follow the same paths it led to then."""
        previous = self.store.page(old, url)
        if previous is None:
            yield self._request(url, node)
            return
        record = replace(previous, items=node.record_items, parent=node.parent, depth=node.depth,
                         verified_run=previous.verified_run or old, content_run=previous.content_run or old)
        if node.role is PageRole.LINKED and previous.role is not PageRole.LINKED:
            # Only checked tonight, as `_record_plain` records a link check: its answer, not its content.
            record = replace(record, role=PageRole.LINKED, size=0, sha256="", kind=PageKind.UNKNOWN, title="",
                             text="", publish_date=None, filename="", error="", content_run=None,
                             dates=tuple(d for d in previous.dates if d.source == "http:last-modified"))
        yield record
        node.recorded = True
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(CARRIED_STAT)
        yield from self._resolve(url, record.status, record.http_status, record.error, record=False)
        if node.role is not PageRole.LINKED:
            yield from self._replay_children(url, node, old)

    def _upgradable(self, url: str, node: _Node) -> bool:
        host = urlsplit(url).hostname or ""
        return self.site.host_allowed(host, effective_port(url)) and (node.result is None or node.result[0] is not FetchStatus.BOUNDED)

    def _upgrade(self, url: str, node: _Node, role: PageRole, parent: str, depth: int) -> Iterator[Any]:
        """A URL first met as a plain link ("尾页", a menu entry) turns out to be a list page, an article or
        a file of the item: read it after all. A HEAD still in flight is answered by a GET (see _observe)."""
        node.role, node.parent, node.depth = role, parent, depth
        if node.result is None:
            return
        node.result, node.recorded = None, False
        for it in node.items:
            self.outstanding[it] += 1
        node.counted = set(node.items)
        self.total += 1
        old = self._carried_from(url, node)
        yield from self._carry_forward(url, node, old) if old is not None else (self._request(url, node),)

    def _bound_reason(self, role: PageRole, items: set[int]) -> str:
        if role is PageRole.LINKED and not self.policy.check_links:
            return "未检查链接（配置关闭）"
        if self.total >= self.policy.max_pages_total:
            return f"超过全站抓取上限 {self.policy.max_pages_total} 页"
        if items and all(self.per_item[i] >= self.policy.max_pages_per_item for i in items):
            return f"超过单个事项抓取上限 {self.policy.max_pages_per_item} 页"
        if role is PageRole.LIST and items and all(self.list_pages[i] >= self.policy.max_list_pages for i in items):
            return f"超过列表翻页上限 {self.policy.max_list_pages} 页"
        return ""

    def _request(self, url: str, node: _Node, *, method: str = "", conditional: bool = True) -> Request:
        meta: dict[str, Any] = {"role": node.role}
        headers: dict[str, str] = {}
        if node.role is PageRole.LINKED:
            method = method or "HEAD"
            if method == "GET":
                meta["xxgk_headers_only"] = True
        else:
            method = "GET"
            if node.role is PageRole.LIST:
                for it in node.items:
                    self.list_pages[it] += 1
            if conditional and url in self.validators and node.role is not PageRole.HOME:
                etag, last_modified = self.validators[url]
                if etag:
                    headers["If-None-Match"] = etag
                if last_modified:
                    headers["If-Modified-Since"] = last_modified
        return Request(
            url,
            method=method,
            headers=headers,
            meta=meta,
            callback=self.parse,
            errback=self.failed,
            dont_filter=True,
            priority={PageRole.CATALOGUE: 30, PageRole.LIST: 20, PageRole.DETAIL: 10}.get(node.role, 0),
        )

    # -- responses ----------------------------------------------------------------------------------

    async def parse(self, response: Response) -> AsyncIterator[Any]:
        outputs = [out async for out in self._observe(response)]
        for out in _bundled(outputs):
            yield out

    def failed(self, failure: Failure) -> Iterator[Any]:
        yield from _bundled(list(self._failed(failure)))

    async def _observe(self, response: Response) -> AsyncIterator[Any]:
        url = self._request_url(response)
        node = self.nodes[url]
        assert response.request is not None
        if response.request.method == "HEAD" and node.role is not PageRole.LINKED:
            yield self._request(url, node)  # upgraded while its link check was under way: now read it
            return
        if node.role is PageRole.LINKED:
            if response.request is not None and response.request.method == "HEAD" and response.status >= 400:
                # Many servers answer HEAD wrongly (405, 403, even 404): ask again with a GET before judging.
                yield self._request(url, node, method="GET")
                return
            for out in self._record_plain(url, node, response):
                yield out
            return
        if response.url != url:
            # The final URL of a redirect is the same page: pagination linking back to it must not refetch it.
            self.nodes.setdefault(canonical_url(response.url), node)
        if response.status == 304:
            for out in self._reuse_previous(url, node, response):
                yield out
            return
        body_text = _decoded(response) if isinstance(response, TextResponse) else ""
        waf = waf_reason(response.status, body_text)
        del body_text  # a page of megabytes is a string twice its size: the reader decodes its own copy
        if waf:
            for out in self._record_plain(url, node, response, status=FetchStatus.WAF, error=waf):
                yield out
            return
        if response.status >= 400:
            for out in self._record_plain(url, node, response):
                yield out
            return
        final_host = urlsplit(response.url).hostname or ""
        if not self.site.host_allowed(final_host, effective_port(response.url)) and not (
                node.role is PageRole.HOME and host_matches(self.site.university_hosts, final_host)):
            for out in self._record_plain(url, node, response, status=FetchStatus.OFFSITE,
                                          error=f"重定向到站外：{response.url}"):
                yield out
            return
        if self._is_html(response):
            async for out in self._record_html(url, node, response):
                yield out
        elif node.role is PageRole.HOME:
            for out in self._record_plain(url, node, response):  # a file one click from the home page: no lead
                yield out
        else:
            async for out in self._record_file(url, node, response):
                yield out

    def _failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        url = self._request_url_of(request)
        node = self.nodes.get(url)
        if node is None:
            return
        status, reason = classify_failure(failure.value or Exception("unknown failure"),
                                          urlsplit(request.url).hostname or "")
        if request.method == "HEAD" and node.role is not PageRole.LINKED:
            yield self._request(url, node)  # upgraded while its link check was under way: now read it
            return
        if node.role is PageRole.LINKED and request.method == "HEAD" and status not in (
            FetchStatus.ROBOTS, FetchStatus.DNS, FetchStatus.REFUSED, FetchStatus.TOO_LARGE, FetchStatus.TIMEOUT,
            FetchStatus.BLOCKED, FetchStatus.OFFSITE, FetchStatus.TLS, FetchStatus.REDIRECT_LOOP,
        ):
            yield self._request(url, node, method="GET")
            return
        if status is FetchStatus.TOO_LARGE and request.meta.get("xxgk_headers_only"):
            status, reason = FetchStatus.OK, ""  # the body was large, but the link answered
        chain: tuple[str, ...] = ()
        if status is FetchStatus.REDIRECT_LOOP:
            # The chain is the evidence the web team needs: where the loop or the endless chain goes.
            chain = tuple(f"{code} {target}" for code, target in zip(
                request.meta.get("redirect_reasons", []), [*request.meta.get("redirect_urls", [])[1:], request.url],
                strict=False))
        yield from self._resolve(url, status, None, reason, redirects=chain)

    # -- recording ----------------------------------------------------------------------------------

    def _base_page(self, url: str, node: _Node, response: Response, status: FetchStatus, error: str) -> Page:
        # Each hop as "<code> <target>", the way the chain reads: origin --[301]--> target.
        chain = [*response.meta.get("redirect_urls", [])[1:], response.url]
        redirects = tuple(
            f"{code} {target}" for code, target in zip(response.meta.get("redirect_reasons", []), chain, strict=False)
        )
        content_type = _header(response, "Content-Type").strip()
        return Page(
            url=url,
            role=node.role,
            status=status,
            items=node.record_items,
            http_status=response.status,
            error=error,
            redirects=redirects,
            final_url=response.url if response.url != url else "",
            content_type=content_type,
            encoding=response.meta.get("xxgk_encoding", ""),
            size=len(response.body),
            sha256=hashlib.sha256(response.body).hexdigest() if response.body else "",
            fetched_at=datetime.now(UTC).replace(microsecond=0),
            etag=_header(response, "ETag"),
            last_modified=_header(response, "Last-Modified"),
            parent=node.parent,
            depth=node.depth,
            dates=_last_modified_date(response),
        )

    def _record_plain(
        self, url: str, node: _Node, response: Response, *, status: FetchStatus | None = None, error: str = ""
    ) -> Iterator[Any]:
        if status is None:
            status = FetchStatus.OK if response.status < 400 else FetchStatus.HTTP_ERROR
            if response.status >= 400 and not error:
                error = f"HTTP {response.status}"
        page = self._base_page(url, node, response, status, error)
        if node.role is PageRole.LINKED:
            page = replace(page, size=0, sha256="")  # a HEAD or a cut GET: no content to speak of
        yield page
        node.recorded = True
        yield from self._resolve(url, status, response.status, error, record=False)

    async def _record_html(self, url: str, node: _Node, response: Response) -> AsyncIterator[Any]:
        site_item = self._site_item(node)
        try:
            # The bytes go to the reader, not the decoded text: half the size to send, and no copy held here.
            extract = await self.workers.extract(response.body, _declared_charset(response), response.url,
                                                 site_item.selectors if site_item else None,
                                                 max_links=self.policy.max_links_per_page,
                                                 max_entries=self.policy.max_entries_per_page)
        except ExtractionFailed as exc:
            # The page answered but could not be read: evidence of the answer, no verdict on its content.
            for out in self._record_plain(url, node, response, status=FetchStatus.UNREADABLE,
                                          error=f"页面无法解析：{exc}"):
                yield out
            return
        # The reader kept at most the bounds; the record says what they cut (auditor.models.PageCuts).
        kept_content = len(extract.links)
        cuts = PageCuts(
            links=Cut(kept_content + len(extract.furniture_links), extract.links_found),
            content=Cut(kept_content, extract.content_links_found),
            entries=Cut(len(extract.entries), extract.entries_found),
        )
        plan = self._home_plan(url, node, extract) if node.role is PageRole.HOME else None
        note = "；".join(n for n in (cuts.note(), plan.note if plan else "") if n)
        page = replace(
            self._base_page(url, node, response, FetchStatus.OK, note),
            kind=extract.kind,
            title=extract.title,
            text=extract.text,
            dates=tuple(extract.dates) + _last_modified_date(response),
            publish_date=extract.publish_date,
        )
        yield page
        node.recorded = True
        for out in self._resolve(url, FetchStatus.OK, response.status, "", record=False):
            yield out
        for out in self._home_children(url, node, plan) if plan is not None else self._children(url, node, extract):
            yield out

    async def _record_file(self, url: str, node: _Node, response: Response) -> AsyncIterator[Any]:
        disposition = _header(response, "Content-Disposition")
        filename = filename_from_content_disposition(disposition) if disposition else ""
        content_type = _header(response, "Content-Type")
        kind = sniff_kind(response.body, content_type, filename, response.url)
        extracted = await self.workers.read(response.body, kind)
        page = replace(
            self._base_page(url, node, response, FetchStatus.OK, extracted.error),
            kind=PageKind.FILE,
            text=extracted.text,
            filename=filename or self._anchor_filename(node) or _name_from_url(response.url),
            role=PageRole.ATTACHMENT if node.role is not PageRole.CATALOGUE else node.role,
        )
        yield page
        node.recorded = True
        for out in self._resolve(url, FetchStatus.OK, response.status, extracted.error, record=False):
            yield out

    def _children(self, url: str, node: _Node, extract: PageExtract) -> Iterator[Any]:
        """Follow what a page leads to: its pagination, entries and attachments are the column's and are read;
        other links in its content are checked for the item; its furniture is checked for the site."""
        items = node.items
        follow_structure = node.role in (PageRole.CATALOGUE, PageRole.LIST)
        entries = []
        if follow_structure:
            for position, e in enumerate(extract.entries):
                for it in items:
                    entries.append(
                        Entry(item=it, list_url=url, title=e.title, url=e.url, position=position,
                              date_shown=e.date_shown, date=e.date)
                    )
        yield from entries
        depth = node.depth + 1
        if follow_structure:
            for next_url in extract.next_pages:
                yield from self._follow(next_url, PageRole.LIST, items, parent=url, depth=node.depth, text="下一页",
                                        via=LinkVia.PAGE)
            for e in extract.entries:
                changed = node.fresh or self.carry is not None and self.carry.changed(items, e.url, e.title,
                                                                                      e.date_shown)
                yield from self._follow(e.url, self._entry_role(e.url, e.title, depth), items, parent=url,
                                        depth=depth, text=e.title, via=LinkVia.ENTRY, fresh=changed)
        for a in (*extract.attachments, *extract.embedded):
            yield from self._follow(a.url, PageRole.ATTACHMENT, items, parent=url, depth=depth, text=a.name,
                                    via=LinkVia.ATTACHMENT, fresh=node.fresh)
        budget = self.policy.max_links_per_page  # the reader cut already; the record says so (_record_html)
        for links, via in ((extract.links, LinkVia.CONTENT), (extract.furniture_links, LinkVia.FURNITURE)):
            kept, budget = links[:max(0, budget)], budget - len(links)
            for link in kept:
                if self.nodes.get(link.url) is node:
                    continue  # a page's link to itself (navigation, "first page") says nothing
                yield from self._follow(link.url, PageRole.LINKED, items, parent=url, depth=depth, text=link.text,
                                        via=via)

    # -- the university's home page ------------------------------------------------------------------

    def _start_home_check(self) -> None:
        """spider_idle: the columns are done; read the university's home page (site.home-link).

        After the columns, so that a page both reach is read as the column's (never the home check's),
        and a URL the columns only checked (a footer's 学校主页 link) is now read for the site."""
        if not self.check_home or self.home_started:
            return
        self.home_started = True
        try:
            url = canonical_url(self.site.university_home)
        except ValueError:
            return
        request = self._home_request(url, parent="", depth=0)
        if request is not None:
            self.crawler.engine.crawl(request)
            raise DontCloseSpider

    def _home_request(self, url: str, *, parent: str, depth: int) -> Request | None:
        """A request reading `url` for the home check, or None when the crawl already holds what it says:
        a column's page keeps its role and items; a page only checked (HEAD) is read now, as the site's.
        Through the gate like every request (`Gate.home_hosts`: the university's domain, no further)."""
        node = self.nodes.get(url)
        if node is None:
            node = self.nodes[url] = _Node(role=PageRole.HOME, items={SITE_ITEM}, depth=depth, parent=parent)
        elif node.role is PageRole.LINKED and node.result is not None:
            node.role, node.items, node.parent, node.depth = PageRole.HOME, {SITE_ITEM}, parent, depth
            node.result, node.recorded = None, False
        else:
            return None
        return self._request(url, node)

    def _home_plan(self, url: str, node: _Node, extract: PageExtract) -> HomePlan:
        """Which links of a home-check page to follow: those into the disclosure site (checked, the
        evidence), and from the home page itself up to `policy.max_home_links` pages of the university's
        own domain, those that mention 信息公开/公开/xxgk first. Off-university links are not followed."""
        seen: dict[str, str] = {}
        for link_url, text in ((e.url, e.title) for e in extract.entries):
            seen.setdefault(link_url, text)
        for a in (*extract.links, *extract.furniture_links):
            seen.setdefault(a.url, a.text)
        into, candidates = [], []
        for link_url, text in seen.items():
            try:
                link_url = canonical_url(link_url)
                host = (urlsplit(link_url).hostname or "").lower()
            except ValueError:
                continue
            if link_url == url or self.nodes.get(link_url) is node:
                continue
            if host == self.target_host:
                into.append((link_url, text))
            elif node.depth == 0 and host_matches(self.site.university_hosts, host) \
                    and not is_attachment_url(link_url, text):
                candidates.append((link_url, text))
        candidates.sort(key=lambda c: not (DISCLOSURE_HINT.search(c[1]) or DISCLOSURE_HINT.search(c[0])))
        bound = self.policy.max_home_links
        note = (f"学校主页有{len(candidates)}个校内链接，按上限只读取了其中{bound}个（先读提到“公开”的链接）"
                if len(candidates) > bound else "")
        return HomePlan(tuple(into[:_HOME_TARGET_LINKS]), tuple(candidates[:bound]), note)

    def _home_children(self, url: str, node: _Node, plan: HomePlan) -> Iterator[Any]:
        """The links into the disclosure site are checked like any link (one request per URL for the whole
        run); the pages one click away are read, and from them only their links into the site count."""
        for into, text in plan.into:
            yield from self._follow(into, PageRole.LINKED, set(), parent=url, depth=node.depth + 1, text=text,
                                    via=LinkVia.HOME)
        for page_url, text in plan.pages:
            known = self.nodes.get(page_url)
            request = self._home_request(page_url, parent=url, depth=node.depth + 1)
            self.nodes[page_url].sources.append((url, text, LinkVia.HOME))
            if request is not None:
                yield request
            elif known is not None and known.result is not None:
                yield self._link(url, page_url, text, LinkVia.HOME, known.result)

    def _entry_role(self, url: str, title: str, depth: int) -> PageRole:
        if depth > self.policy.max_depth:
            return PageRole.LINKED
        return PageRole.ATTACHMENT if is_attachment_url(url, title) else PageRole.DETAIL

    def _reuse_previous(self, url: str, node: _Node, response: Response) -> Iterator[Any]:
        """304 Not Modified: last night's evidence stands; follow the same paths it led to."""
        old = self.store.previous_content_run(self.site.id, url, self.run_id)
        previous = self.store.page(old, url) if old is not None else None
        if old is None or previous is None:
            # We sent validators but lost the evidence (pruned): ask again without them.
            yield self._request(url, node, conditional=False)
            return
        base = self._base_page(url, node, response, FetchStatus.NOT_MODIFIED, "")
        yield replace(
            previous,
            role=node.role,
            status=FetchStatus.NOT_MODIFIED,
            items=node.record_items,
            http_status=304,
            fetched_at=base.fetched_at,
            parent=node.parent,
            depth=node.depth,
            etag=base.etag or previous.etag,
            last_modified=base.last_modified or previous.last_modified,
            verified_run=None,  # the server vouched for it tonight
            content_run=previous.content_run or old,  # ... for the content it had then
        )
        node.recorded = True
        yield from self._resolve(url, FetchStatus.NOT_MODIFIED, 304, "", record=False)
        yield from self._replay_children(url, node, old)

    def _replay_children(self, url: str, node: _Node, old: int) -> Iterator[Any]:
        """What a page led to in run `old`, followed again in the same roles (its body was not read)."""
        entries, links, roles = self.store.page_children(old, url)
        for it in node.items:
            for e in entries:
                yield Entry(item=it, list_url=url, title=e.title, url=e.url, position=e.position,
                            date_shown=e.date_shown, date=e.date)
        depth = node.depth + 1
        for link in links:
            # The same paths as the night the page was read, in the same roles (never a sibling's page).
            if link.via is LinkVia.ENTRY:
                role = (PageRole.ATTACHMENT if roles.get(link.to_url) is PageRole.ATTACHMENT
                        else self._entry_role(link.to_url, link.text, depth))
            elif link.via is LinkVia.PAGE:
                role = PageRole.LIST
            elif link.via is LinkVia.ATTACHMENT:
                role = PageRole.ATTACHMENT
            else:
                role = PageRole.LINKED
            if link.via.structural and node.role not in (PageRole.CATALOGUE, PageRole.LIST) \
                    and link.via is not LinkVia.ATTACHMENT:
                role = PageRole.LINKED  # an article's own "entries" are not followed (as in _children)
            yield from self._follow(link.to_url, role, node.items, parent=url,
                                    depth=node.depth if link.via is LinkVia.PAGE else depth, text=link.text,
                                    via=link.via, fresh=node.fresh and link.via is LinkVia.ATTACHMENT)

    def _resolve(
        self, url: str, status: FetchStatus, http_status: int | None, error: str, *, record: bool = True,
        redirects: tuple[str, ...] = (),
    ) -> Iterator[Any]:
        node = self.nodes[url]
        if node.result is not None:
            return
        node.result = (status, http_status, error)
        if record:
            yield Page(
                url=url, role=node.role, status=status, items=node.record_items, http_status=http_status,
                error=error, parent=node.parent, depth=node.depth, redirects=redirects,
                fetched_at=datetime.now(UTC).replace(microsecond=0),
            )
            node.recorded = True
        for source, text, via in node.sources:
            yield self._link(source, url, text, via, node.result)
        for it in node.counted:
            self.outstanding[it] -= 1
        node.counted = set()

    @staticmethod
    def _link(source: str, url: str, text: str, via: LinkVia, result: tuple[FetchStatus, int | None, str]) -> Link:
        return Link(from_url=source, to_url=url, status=result[0], http_status=result[1], text=text[:200],
                    error=result[2], via=via)

    # -- helpers ------------------------------------------------------------------------------------

    def _request_url(self, response: Response) -> str:
        assert response.request is not None
        return self._request_url_of(response.request)

    def _request_url_of(self, request: Request) -> str:
        # Redirects create new Requests; the first URL of the chain is the node's key.
        chain = request.meta.get("redirect_urls")
        return str(chain[0]) if chain else request.url

    def _site_item(self, node: _Node) -> SiteItem | None:
        for number in sorted(node.items):
            try:
                return self.site.item(number)
            except KeyError:
                continue
        return None

    @staticmethod
    def _anchor_filename(node: _Node) -> str:
        """The name a reader sees: the link text, when it names a file (附件：预算.pdf → 预算.pdf)."""
        for _, text, _via in node.sources:
            name = _ATTACHMENT_PREFIX.sub("", text.strip())
            if _FILE_NAME.search(name):
                return name
        return ""

    @staticmethod
    def _is_html(response: Response) -> bool:
        if not isinstance(response, TextResponse):
            return False
        content_type = _header(response, "Content-Type").lower()
        if content_type and not any(t in content_type for t in _HTML_TYPES):
            return content_type.startswith("text/") and response.body[:1024].lstrip()[:1] == b"<"
        head = response.body[:4].lower()
        return not (head.startswith((b"%pdf", b"pk\x03\x04", b"\xd0\xcf\x11\xe0")))

    def closed(self, reason: str) -> None:
        self.workers.close()
        if self.owns_run:
            state = RunState.COMPLETE if reason == "finished" else RunState.INTERRUPTED
            self.store.finish_run(self.run_id, state,
                                  note="" if state is RunState.COMPLETE else f"抓取未完成（{reason}），本次运行不计分")
        self.store.close()


def stop_link_check_bodies(headers: Any, body_length: int, request: Request, spider: scrapy.Spider) -> None:
    """headers_received handler: a link check needs the status, not the body."""
    if request.meta.get("xxgk_headers_only"):
        raise StopDownload(fail=False)


def _declared_charset(response: Response) -> str:
    _, _, declared = _header(response, "Content-Type").partition("charset=")
    return declared.split(";")[0].strip(" \"'")


def _decoded(response: TextResponse) -> str:
    """Scrapy lets the HTTP charset win over <meta>; Chinese servers send Tomcat's ISO-8859-1 default or
    claim UTF-8 for GBK pages. decode_with_encoding tries declared charsets strictly, weak defaults last
    (the reader decodes the same bytes the same way). The encoding used is kept on the response for the
    page record."""
    text, encoding = decode_with_encoding(response.body, _declared_charset(response))
    response.meta["xxgk_encoding"] = encoding
    return text


def _header(response: Response, name: str) -> str:
    value = response.headers.get(name.encode())
    return value.decode("latin-1") if value else ""


def _last_modified_date(response: Response) -> tuple[FoundDate, ...]:
    raw = _header(response, "Last-Modified")
    if not raw:
        return ()
    try:
        value = parsedate_to_datetime(raw).date()
    except (TypeError, ValueError):
        return ()
    return (FoundDate(value=value, shown=raw, source="http:last-modified"),)


def _name_from_url(url: str) -> str:
    path = urlsplit(url).path
    return path.rsplit("/", 1)[-1]


