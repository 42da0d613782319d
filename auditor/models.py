"""The records that cross stage boundaries: evidence (runs, pages, entries, links) and verdicts (findings).

One vocabulary for fetch results (`FetchStatus`) and one for verdicts (`Verdict`), used everywhere:
the store, the rules and the reports speak these words and no others.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime


class RunState(enum.StrEnum):
    RUNNING = "running"  # still crawling, or crashed without saying so (the lock tells which)
    COMPLETE = "complete"
    INTERRUPTED = "interrupted"  # stopped by a signal or a crash; never scored
    INCONCLUSIVE = "inconclusive"  # the site or the network failed; never scored

    @property
    def label(self) -> str:
        """The word people read."""
        return {"running": "运行中", "complete": "完成", "interrupted": "中断", "inconclusive": "无法判定"}[self.value]


class PageRole(enum.StrEnum):
    CATALOGUE = "catalogue"  # the URL the catalogue file gives for an item
    LIST = "list"  # a further page of a list column (pagination)
    DETAIL = "detail"  # an article reached from a list
    ATTACHMENT = "attachment"  # a PDF/DOC/XLS file linked from an item's page
    LINKED = "linked"  # any other link met on an item's page: checked for reachability only
    # The university's home page (catalogue `university_home`) and the pages one click from it, read after
    # the columns only to see whether they lead to the disclosure site: the site's (item 0), no column's.
    HOME = "home"


class PageKind(enum.StrEnum):
    """What a fetched HTML page looked like to the extractor."""

    LIST = "list"  # a column of repeated entries with titles, links and dates
    ARTICLE = "article"  # a single article: the content is the page itself
    EMPTY = "empty"  # a page with no entries and no article body (blank column)
    FILE = "file"  # not HTML: an attachment
    UNKNOWN = "unknown"  # not parsed (error, link-check only)


#: Run statistic the crawl sets when it did not verify TLS certificates (policy.verify_tls false): the
#: site-level rule reports it from the stored run, so a later change of catalogue does not rewrite it.
TLS_UNVERIFIED_STAT = "xxgk/tls_unverified"


class FetchStatus(enum.StrEnum):
    """What happened when we asked for a URL. Only OK and NOT_MODIFIED carry content."""

    OK = "ok"  # 2xx
    NOT_MODIFIED = "not-modified"  # 304 to a conditional request: last night's evidence reused
    HTTP_ERROR = "http-error"  # 4xx/5xx other than the cases below
    TIMEOUT = "timeout"
    REFUSED = "refused"  # connection refused or reset
    DNS = "dns"  # host name did not resolve
    TLS = "tls"
    TOO_LARGE = "too-large"  # body over the download bound
    ROBOTS = "robots"  # robots.txt forbids it; not fetched
    WAF = "waf"  # a firewall or challenge answered instead of the site (412/521, challenge page)
    OFFSITE = "offsite"  # a host the catalogue does not allow; not fetched
    REDIRECT_LOOP = "redirect-loop"  # a redirect loop or too many redirects: the site's fault
    BOUNDED = "bounded"  # not fetched: a crawl bound (depth, pages) was reached
    UNREADABLE = "unreadable"  # answered, but our reader gave up on it (time, crash): our limit, not a fault
    NETWORK = "network"  # any other transport failure
    BLOCKED = "blocked"  # our gate refused to send it (internal address, scheme): never requested

    @property
    def has_content(self) -> bool:
        return self in (FetchStatus.OK, FetchStatus.NOT_MODIFIED)

    @property
    def is_site_fault(self) -> bool:
        """A failure of the site, the network or our reader, not of the department: verdicts become
        inconclusive."""
        return self in _INFRASTRUCTURE


#: HTTP answers that come from a firewall or the CDN in front of the site rather than from the site
#: (DOMAIN.md: 412/521 are WAF answers; 522/523/525 are the CDN failing to reach the origin).
FIREWALL_HTTP_STATUSES = frozenset({412, 521, 522, 523, 525})
#: Answers that say the server is overloaded or rate-limiting us (after our retries): the site's fault.
OVERLOAD_HTTP_STATUSES = frozenset({429, 502, 503, 504})

#: Words a CMS shows in a column nobody has filled (DOMAIN.md, blank column): the page reader uses them to
#: say a page is empty, the presence rule to say why the column is blank.
BLANK_COLUMN = re.compile(
    r"暂无(?:相关)?(?:内容|信息|数据|记录|文章|新闻|公告)|正在建设|建设中|栏目建设|正在更新中|敬请期待"
    r"|没有(?:找到)?(?:相关)?(?:内容|信息|记录)"
)


#: The item number the site's own evidence and findings are stored under (清单 items count from 1).
SITE_ITEM = 0

#: Words in a link's text or address that say it leads to information disclosure (信息公开, 校务公开, xxgk):
#: the home-page check reads such links first, and will not blame the site when one of them failed to load.
DISCLOSURE_HINT = re.compile(r"公开|xxgk|xinxigongkai", re.IGNORECASE)


class Fault(enum.StrEnum):
    """Whose fault a fetch that failed is: the one answer to "is this a broken link?"."""

    NONE = "none"  # answered with content
    DEPARTMENT = "department"  # 404, 410, 500 …: the page's owner must mend it
    SITE = "site"  # the site, the network, a firewall or our reader failed: nobody's compliance fault
    NOT_CHECKED = "not-checked"  # not fetched on purpose: robots.txt, other hosts, crawl bounds


def fault_of(status: FetchStatus, http_status: int | None) -> Fault:
    """Whose fault a fetch result is (DESIGN.md: infrastructure failure is not non-compliance)."""
    if status.has_content:
        return Fault.NONE
    if status.is_site_fault or (
        status is FetchStatus.HTTP_ERROR and http_status in FIREWALL_HTTP_STATUSES | OVERLOAD_HTTP_STATUSES
    ):
        return Fault.SITE
    if status is FetchStatus.HTTP_ERROR:
        return Fault.DEPARTMENT
    return Fault.NOT_CHECKED


_INFRASTRUCTURE = frozenset(
    {
        FetchStatus.TIMEOUT,
        FetchStatus.REFUSED,
        FetchStatus.DNS,
        FetchStatus.TLS,
        FetchStatus.WAF,
        FetchStatus.NETWORK,
        FetchStatus.UNREADABLE,
        FetchStatus.REDIRECT_LOOP,
    }
)


class Verdict(enum.StrEnum):
    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    INCONCLUSIVE = "inconclusive"

    @property
    def label(self) -> str:
        """The word people read on every report."""
        return {"pass": "合格", "warn": "警告", "fail": "不合格", "inconclusive": "无法判定"}[self.value]

    @property
    def severity(self) -> int:
        """How bad, for "the worst of an item's findings": fail > warn > inconclusive > pass (an item
        that cannot be judged is still better than one that warns)."""
        return {"pass": 0, "inconclusive": 1, "warn": 2, "fail": 3}[self.value]

    @property
    def is_problem(self) -> bool:
        """Something a department must act on."""
        return self in (Verdict.WARN, Verdict.FAIL)


def worst(verdicts: Iterable[Verdict]) -> Verdict:
    """The worst verdict of several (PASS when there are none)."""
    return max(verdicts, key=lambda v: v.severity, default=Verdict.PASS)


class RuleKind(enum.StrEnum):
    PRESENCE = "presence"
    FRESHNESS = "freshness"
    CONTENT = "content"
    LINKS = "links"
    PRIVACY = "privacy"


@dataclass(frozen=True)
class FoundDate:
    """A date seen on a page, as shown and as parsed, and where it was seen."""

    value: date
    shown: str
    source: str  # e.g. "label:发布时间", "meta:pubdate", "url", "list", "http:last-modified"


@dataclass(frozen=True)
class Run:
    id: int
    site: str
    started_at: datetime
    state: RunState
    tool_version: str
    checklist_version: str
    catalogue_version: str
    finished_at: datetime | None = None
    as_of: date | None = None  # the as-of date of the latest evaluation
    note: str = ""
    catalogue_path: str = ""  # the catalogue file the crawl followed
    items: tuple[int, ...] = ()  # a partial crawl (复核, --items): the items it covered; () = every item


@dataclass(frozen=True)
class Cut:
    """A per-page bound that cut: `kept` of `found` were recorded; the rest were neither recorded nor checked."""

    kept: int
    found: int

    @property
    def cut(self) -> bool:
        return self.found > self.kept


_LINKS_CUT = re.compile(r"(?<!entries )truncated at (\d+) of (\d+)(?:; content links (\d+) of (\d+))?")
_ENTRIES_CUT = re.compile(r"entries truncated at (\d+) of (\d+)")


@dataclass(frozen=True)
class PageCuts:
    """What the per-page bounds (`policy.max_links_per_page`, `policy.max_entries_per_page`) left out of one
    page's record. Written into the page's `error` (a sentence for people with "truncated at N of K" for
    machines) and read back from it here, so the spider and the rules share one spelling."""

    links: Cut | None = None  # every link of the page: its content's first, then its furniture's
    content: Cut | None = None  # the links of the page's own content (the item's; the rest is the site's)
    entries: Cut | None = None  # the rows of its list

    def note(self) -> str:
        """The page record's words; "" when nothing was cut."""
        parts = []
        if self.links is not None and self.links.cut:
            content = self.content or Cut(0, 0)
            parts.append(f"链接过多：只记录并检查了前 {self.links.kept} 个，共 {self.links.found} 个（truncated at "
                         f"{self.links.kept} of {self.links.found}; content links {content.kept} of {content.found}）")
        if self.entries is not None and self.entries.cut:
            parts.append(f"列表条目过多：只记录了前 {self.entries.kept} 条，共 {self.entries.found} 条（entries "
                         f"truncated at {self.entries.kept} of {self.entries.found}）")
        return "；".join(parts)

    @classmethod
    def of(cls, page: Page) -> PageCuts:
        """The cuts a page's record states (none for a page that was not read)."""
        if not page.error or "truncated at" not in page.error:
            return cls()
        links = content = entries = None
        if (m := _LINKS_CUT.search(page.error)) is not None:
            links = Cut(int(m[1]), int(m[2]))
            content = Cut(int(m[3]), int(m[4])) if m[3] is not None else links
        if (m := _ENTRIES_CUT.search(page.error)) is not None:
            entries = Cut(int(m[1]), int(m[2]))
        return cls(links, content, entries)


@dataclass(frozen=True)
class Page:
    """Raw evidence: one URL as fetched in one run."""

    url: str
    role: PageRole
    status: FetchStatus
    items: tuple[int, ...] = ()
    http_status: int | None = None
    error: str = ""
    redirects: tuple[str, ...] = ()  # each hop "301 http://a" before the final URL
    final_url: str = ""
    content_type: str = ""
    encoding: str = ""
    size: int = 0
    sha256: str = ""
    kind: PageKind = PageKind.UNKNOWN
    title: str = ""
    text: str = ""
    dates: tuple[FoundDate, ...] = ()
    publish_date: FoundDate | None = None
    fetched_at: datetime | None = None
    etag: str = ""
    last_modified: str = ""
    parent: str = ""  # the page that led here
    depth: int = 0
    filename: str = ""  # attachments: from Content-Disposition or link text
    #: Set when this run carried the record forward instead of fetching it (an unchanged list's entry, not
    #: due in the rotation): the earlier run that last verified it, whose `fetched_at` it keeps.
    verified_run: int | None = None
    #: Set when the record's content (texts, dates, links) is an earlier run's, unchanged: a carried page or
    #: a 304 Not Modified. The store then keeps only what tonight says of it and refers to that run's row
    #: for the rest, so an unchanged night grows the database by what it fetched, not by the whole site.
    content_run: int | None = None

    @property
    def fault(self) -> Fault:
        return fault_of(self.status, self.http_status)

    @property
    def carried(self) -> bool:
        """Evidence from an earlier night, not fetched in this run (see docs/findings.md)."""
        return self.verified_run is not None


@dataclass(frozen=True)
class Entry:
    """One row of a list page."""

    item: int
    list_url: str
    title: str
    url: str
    position: int = 0
    date_shown: str = ""
    date: date | None = None


class LinkVia(enum.StrEnum):
    """Where on its page a link stood, which decides whose evidence the target is (DESIGN.md: an item's
    evidence is its own column; site furniture belongs to the site)."""

    ENTRY = "entry"  # a row of the column's own list: the article or file is the item's
    PAGE = "page"  # the list's pager: a further page of the same column
    ATTACHMENT = "attachment"  # a file attached to (or embedded in) the page's content
    CONTENT = "content"  # any other link inside the page's main content: checked, the item's
    FURNITURE = "furniture"  # navigation, sibling menus, breadcrumbs, sidebars, footers: checked, the site's
    HOME = "home"  # on the university's home page or a page one click from it: the home-page check's alone

    @property
    def structural(self) -> bool:
        """The target is part of the item's column (read and followed), not merely checked."""
        return self in (LinkVia.ENTRY, LinkVia.PAGE, LinkVia.ATTACHMENT)


@dataclass(frozen=True)
class Link:
    """An edge from a page to a URL, with the result of checking the target."""

    from_url: str
    to_url: str
    status: FetchStatus
    http_status: int | None = None
    text: str = ""  # the anchor text
    error: str = ""
    via: LinkVia = LinkVia.CONTENT


@dataclass(frozen=True)
class Finding:
    """One verdict of one rule on one item, with the evidence a clerk can open."""

    item: int
    kind: RuleKind
    rule: str
    status: Verdict
    message: str
    url: str = ""
    evidence: dict[str, str] = field(default_factory=dict)
    first_seen_run: int | None = None
    first_seen_at: date | None = None
    #: 单项否决: this failure grades the item's lead department and the site 不合格 whatever their score
    #: (decided by the rule that found it; kept in the evaluation's snapshot, so history never changes).
    veto: bool = False
