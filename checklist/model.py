"""Typed records for what must be published (the 清单) and where each university publishes it.

These are the only shapes that leave `checklist/`: the loader turns YAML into them after validation,
and every later stage (spider, rules, reports) reads them and nothing else.
"""

from __future__ import annotations

import enum
import ipaddress
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any
from urllib.parse import urlsplit


class Cycle(enum.StrEnum):
    """How often an item must be renewed (DOMAIN.md, 'Freshness: a cycle for every item')."""

    STANDING = "standing"  # must be present and reachable; age alone is no fault
    ANNUAL_DEADLINE = "annual-deadline"  # edition for period Y due by a fixed date of year Y
    ANNUAL = "annual"  # latest edition at most `max_age_days` old
    ADMISSIONS = "admissions"  # this year's edition once the season (deadline) is over
    EVENT = "event"  # event-driven: warn when the newest entry is older than `max_age_days`

    @property
    def label(self) -> str:
        """The word people read (the YAML and the JSON keep the English value)."""
        return {"standing": "常设", "annual-deadline": "每年限期", "annual": "每年更新", "admissions": "招生季",
                "event": "随事件"}[self.value]


class Period(enum.StrEnum):
    """What 'the edition for year Y' covers, so a title like '2017~2018学年' can be matched to Y."""

    ACADEMIC_YEAR = "academic-year"  # (Y-1)~Y, e.g. the annual report due 31 Oct Y
    CALENDAR_YEAR = "calendar-year"  # Y itself, e.g. the budget published in Y
    PREVIOUS_YEAR = "previous-year"  # Y-1, e.g. 决算 of fiscal year Y-1 published in Y
    NEXT_YEAR = "next-year"  # Y+1, e.g. 研招简章 published in autumn Y for the intake of Y+1
    YEAR_OR_ACADEMIC = "year-or-academic"  # titled "Y年" or "(Y-1)~Y学年" (本科教学质量报告)


class TermMode(enum.StrEnum):
    ALL = "all"  # every term must appear
    ANY = "any"  # at least one term must appear
    PATTERN = "pattern"  # the regular expression must match


@dataclass(frozen=True)
class MonthDay:
    """A deadline inside a year, e.g. 10-31."""

    month: int
    day: int

    def in_year(self, year: int) -> date:
        return date(year, self.month, self.day)

    def __str__(self) -> str:
        return f"{self.month:02d}-{self.day:02d}"


@dataclass(frozen=True)
class TermRule:
    """Content that the item's pages or attachments must contain."""

    mode: TermMode
    terms: tuple[str, ...]
    label: str  # what a clerk reads when it is missing, e.g. "投诉方式"


@dataclass(frozen=True)
class Source:
    """Where a fact comes from, and whether it was confirmed in a retrieved source ([C]) or not ([U])."""

    text: str
    confirmed: bool


@dataclass(frozen=True)
class KeepPublic:
    """How long each entry of an item must stay on its list once published (DOMAIN.md: 拟录取 lists
    at least 10 working days, 特殊类型 results to the end of the year): only a nightly audit can see an
    entry vanish early."""

    source: Source
    working_days: int | None = None  # at least this many official working days from publication
    to_year_end: bool = False  # until 31 December of the year it was published

    def __str__(self) -> str:
        return "公示至当年年底" if self.to_year_end else f"公示不少于{self.working_days}个工作日"


@dataclass(frozen=True)
class Item:
    """One of the 清单's items (qingdan-2014 has 50)."""

    number: int
    category: int
    category_name: str
    wording: str
    short_name: str
    basis: Source
    cycle: Cycle
    deadline: MonthDay | None = None
    deadline_source: Source | None = None
    period: Period = Period.CALENDAR_YEAR
    max_age_days: int | None = None  # ANNUAL and EVENT cycles
    required: tuple[TermRule, ...] = ()
    privacy_sensitive: bool = False
    edition_name: str = ""  # how a message names one edition, e.g. "信息公开工作年度报告"
    keep_public: KeepPublic | None = None  # the minimum time each entry must stay listed


@dataclass(frozen=True)
class Checklist:
    """A versioned national list (e.g. qingdan-2014)."""

    version: str
    title: str
    issued_by: str
    publish_within_working_days: int
    items: tuple[Item, ...]

    def item(self, number: int) -> Item:
        for it in self.items:
            if it.number == number:
                return it
        raise KeyError(number)

    @property
    def categories(self) -> dict[int, str]:
        return {it.category: it.category_name for it in self.items}


@dataclass(frozen=True)
class Department:
    name: str
    contact: str = ""  # e-mail address for the scorecard; empty until the university fills it in


@dataclass(frozen=True)
class Selectors:
    """Per-site CSS or XPath overrides for what the generic extractor misses (XPath if it starts with '/')."""

    entry: str | None = None  # one node per list entry
    title: str | None = None  # relative to an entry, or the article title on a detail page
    date: str | None = None  # relative to an entry, or the date node on a detail page
    next_page: str | None = None  # the link(s) to further list pages
    body: str | None = None  # the article body on a detail page

    def is_empty(self) -> bool:
        return not any((self.entry, self.title, self.date, self.next_page, self.body))


@dataclass(frozen=True)
class Absence:
    """A declared, justified absence (本期无此类信息), valid until `until`."""

    reason: str
    until: date


@dataclass(frozen=True)
class SiteItem:
    """One 清单 item as this university publishes it."""

    number: int
    urls: tuple[str, ...]
    departments: tuple[str, ...]  # the first is the lead department, the others support it
    selectors: Selectors = field(default_factory=Selectors)
    deadline: MonthDay | None = None  # overrides the 清单's default deadline
    max_age_days: int | None = None  # overrides the 清单's default span
    absent: Absence | None = None

    @property
    def lead(self) -> str:
        return self.departments[0]


@dataclass(frozen=True)
class CrawlPolicy:
    """Politeness and bounds; every field can be set per site in the catalogue file."""

    obey_robots: bool = True
    user_agent: str = "xxgk-auditor/{version}"  # plain ASCII: HTTP headers are Latin-1; contact from config
    concurrency_per_host: int = 4
    delay_seconds: float = 0.25
    timeout_seconds: float = 15.0
    retries: int = 2
    max_depth: int = 3
    max_pages_per_item: int = 300
    max_list_pages: int = 30
    max_pages_total: int = 20000
    max_download_bytes: int = 20 * 1024 * 1024
    check_links: bool = True
    #: Hosts and networks (comma-separated: "xxgk.example.edu.cn, 10.8.0.0/16") that may resolve to or be
    #: internal addresses: a campus site seen from inside the campus. Nothing internal is reached otherwise.
    allow_internal: str = ""
    #: Verify TLS certificates. Turn off only for a campus site with a broken chain: the dashboard then
    #: reports it as the site's problem, since its evidence could be forged by anyone on the path.
    verify_tls: bool = True
    #: End the crawl (interrupted, not scored) when nothing at all happens for this long: no response, no
    #: failure, no record. Longer than a timeout with its retries; a Retry-After wait does not count.
    stall_seconds: float = 600.0
    #: Links of one page recorded and checked (content and furniture together): a 友情链接 directory of
    #: 100,000 links must not cost the night its memory. The page's record says where the cut was.
    max_links_per_page: int = 2000
    #: Pages one click from the university's home page read by the home-page check (those whose link
    #: mentions 信息公开/公开/xxgk first): enough for a portal's menus, never the whole portal.
    max_home_links: int = 30
    #: Rows of one list page recorded (and followed): a column listing 100,000 articles on one page costs
    #: no more than this. The page's record says where the cut was; findings that would need the rest
    #: (this year's edition not among the rows kept, say) are inconclusive, never a department's fault.
    max_entries_per_page: int = 5000
    #: A night fetches what changed (new, re-dated or failed entries, every list page) and carries the rest
    #: forward; each carried URL is verified again at least once in this many nights, about 1/N of them a
    #: night, so a deleted attachment is found within N nights. 1 fetches everything every night.
    rotation_nights: int = 7


@dataclass(frozen=True)
class NightlyPolicy:
    """What the rules that compare nights allow; every field can be set per site (`nightly:`).

    The defaults: a publish date may precede the night the entry first appeared by a few working days
    (a CMS shows the date an article was written, and pages are cached); a 公示 list with names may stay
    a month past its stated period before it is a privacy warning; a finding about an event in the past
    (an entry removed early) is shown for a month; unreachable means ≥ 5 % of probes failing over the
    last 7 nights (国办秘函〔2019〕19号), never one bad night; the operator hears after 3 blind nights; a
    column answering 404/410 three nights running is gone, not a bad night's accident, and vetoes."""

    backdated_working_days: int = 5
    notice_overstay_days: int = 30
    report_days: int = 30
    availability_nights: int = 7
    availability_share: float = 0.05
    blank_columns_veto: int = 5  # 国办: five or more blank columns fail the whole site
    gone_nights_veto: int = 3  # a column answering 404/410 this many nights running is a 单项否决


@dataclass(frozen=True)
class Site:
    """A university's catalogue: which URL serves which item, owned by whom."""

    id: str
    name: str
    version: str
    checklist_version: str
    home: str
    allowed_hosts: tuple[str, ...]  # exact hosts or '*.example.edu.cn' patterns
    departments: tuple[Department, ...]
    items: tuple[SiteItem, ...]
    policy: CrawlPolicy = field(default_factory=CrawlPolicy)
    source_path: str = ""
    # The office that runs the disclosure site (网络信息中心 or similar): site-level findings are its.
    site_owner: Department | None = None
    # The university's own home page, which must lead to the disclosure site (`home`) within two clicks.
    university_home: str = ""
    nightly: NightlyPolicy = field(default_factory=NightlyPolicy)

    def item(self, number: int) -> SiteItem:
        for it in self.items:
            if it.number == number:
                return it
        raise KeyError(number)

    def department(self, name: str) -> Department:
        for d in self.departments:
            if d.name == name:
                return d
        raise KeyError(name)

    def host_allowed(self, host: str, port: int | None = None) -> bool:
        return host_matches(self.allowed_hosts, host, port)

    @property
    def university_hosts(self) -> tuple[str, ...]:
        """Where the home-page check may read: the university's own domain (`*.ustb.edu.cn` for
        www.ustb.edu.cn), one click from its home page; () without a `university_home`."""
        host = urlsplit(self.university_home).hostname if self.university_home else None
        return (f"*.{registrable_domain(host)}",) if host else ()


@cache
def _suffixes() -> Any:
    # The public-suffix list shipped inside tldextract: never fetched, so nothing here needs the network.
    import tldextract  # noqa: PLC0415 - loaded on first use: most commands never ask for a domain

    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def registrable_domain(host: str) -> str:
    """``xxgk.ustb.edu.cn`` → ``ustb.edu.cn``; an IP address or a bare name is its own domain."""
    host = host.lower().strip("[]")
    try:
        ipaddress.ip_address(host)
        return host
    except ValueError:
        pass
    parts = _suffixes()(host)
    top = getattr(parts, "top_domain_under_public_suffix", None)
    domain = top if isinstance(top, str) else ".".join(p for p in (parts.domain, parts.suffix) if p)
    return domain or host


def host_matches(patterns: tuple[str, ...], host: str, port: int | None = None) -> bool:
    """Does `host` (on `port`) match one of the patterns: exact names or `*.domain` (which covers the
    domain itself), each with an optional `:port` that must then match too (a pattern without a port
    allows every port, as before; `port` None means "not known", which a pattern with a port refuses)."""
    host = host.lower().rstrip(".")
    for pattern in patterns:
        p = pattern.lower()
        wanted: int | None = None
        if p.count(":") == 1:
            p, _, digits = p.partition(":")
            wanted = int(digits)
        if wanted is not None and port != wanted:
            continue
        if p.startswith("*."):
            if host == p[2:] or host.endswith(p[1:]):
                return True
        elif host == p:
            return True
    return False


def parse_item_numbers(text: str) -> list[int]:
    """"6,19-21" → [6, 19, 20, 21]: how people name items on a command line. ValueError when it is not."""
    numbers: list[int] = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        if "-" in part:
            first, last = part.split("-", 1)
            numbers.extend(range(int(first), int(last) + 1))
        else:
            numbers.append(int(part))
    return numbers
