"""What the store remembers of earlier nights, shaped for the rules that compare nights.

A yearly inspection sees one snapshot; the nightly audit has seen every night, so it can check what the
regulations require over time: an entry that appears tonight claiming a date weeks ago (倒填日期), a list
taken down before its minimum period, a host that fails one probe in ten over a week. Each night here
says only what the audit could see that night: whether an item's list was read (and how far back it
reached), which entries stood on it, how each of the site's hosts answered. A night on which a list was
not read is a gap, and the rules infer nothing from a gap: absence is evidence only on a night that read
the list back to the entry's date.

Nights are as-of dates: two runs judged for the same day (a rerun) are one night. Only runs judged as of
the evaluated day or earlier count, so rejudging an old run never sees its future.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from auditor.evidence import learn_template, url_host, url_key
from auditor.models import Fault, FetchStatus, PageRole, RunState, fault_of
from auditor.store import Store

#: Results that are no probe of a host: not fetched on purpose (robots.txt, other hosts, crawl bounds).
_NOT_PROBES = frozenset({FetchStatus.ROBOTS, FetchStatus.OFFSITE, FetchStatus.BOUNDED})
#: The answers that say a page is gone (not merely failing): the column's address no longer exists.
GONE_HTTP_STATUSES = frozenset({404, 410})


@dataclass(frozen=True)
class Night:
    """What one night showed of one item's column."""

    as_of: date
    run_ids: tuple[int, ...]
    read: bool  # the column's catalogue page was read
    complete: bool  # no page of the column was left unread because of a crawl bound
    oldest: date | None  # the oldest date among the entries seen: how far back the list reached
    # The column addresses (url_key) that answered 404/410, and only that, on every fetch that night.
    gone: frozenset[str] = frozenset()

    def covers(self, day: date | None) -> bool:
        """The list was read back to `day`: an entry dated `day` missing from it was not listed that night
        (a list cut short by a crawl bound says nothing about its older entries)."""
        if not self.read:
            return False
        if self.complete:
            return True
        return day is not None and self.oldest is not None and self.oldest <= day


@dataclass(frozen=True)
class Track:
    """One entry (by its address) across the nights it was listed."""

    url: str
    title: str
    claimed: date | None  # the date its list showed the last night it was seen
    seen: tuple[date, ...]  # the nights it was listed, oldest first

    @property
    def first(self) -> date:
        return self.seen[0]

    @property
    def last(self) -> date:
        return self.seen[-1]


@dataclass(frozen=True)
class ItemNights:
    """One item's column over the nights kept, oldest first; the last night is the one being judged."""

    item: int
    nights: tuple[Night, ...]
    tracks: tuple[Track, ...] = ()
    _by_key: dict[str, Track] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._by_key.update({url_key(t.url): t for t in self.tracks})

    @property
    def tonight(self) -> Night:
        return self.nights[-1]

    @property
    def earlier(self) -> tuple[Night, ...]:
        return self.nights[:-1]

    def track(self, url: str) -> Track | None:
        return self._by_key.get(url_key(url))

    def night(self, day: date) -> Night | None:
        return next((n for n in self.nights if n.as_of == day), None)

    def between(self, after: date, before: date) -> tuple[Night, ...]:
        """Nights strictly between two days."""
        return tuple(n for n in self.nights if after < n.as_of < before)

    def last_covering_before(self, day: date, claimed: date | None) -> Night | None:
        """The newest night before `day` that read the list back to `claimed`."""
        return next((n for n in reversed(self.nights) if n.as_of < day and n.covers(claimed)), None)

    def first_covering_after(self, day: date, claimed: date | None) -> Night | None:
        """The oldest night after `day` that read the list back to `claimed`."""
        return next((n for n in self.nights if n.as_of > day and n.covers(claimed)), None)


@dataclass(frozen=True)
class HostNight:
    """How one of the site's hosts answered on one night."""

    as_of: date
    host: str
    probes: int
    failed: int  # failed by the site's or the network's fault (timeout, refused, firewall …)


@dataclass(frozen=True)
class History:
    """Every item's nights and every host's answers, as far back as the rules need."""

    items: dict[int, ItemNights]
    hosts: tuple[HostNight, ...] = ()

    def item(self, number: int) -> ItemNights | None:
        return self.items.get(number)

    @property
    def nights(self) -> tuple[date, ...]:
        return tuple(sorted({h.as_of for h in self.hosts}))


def _nights_of(store: Store, site: str, run_id: int, as_of: date, since: date) -> dict[date, list[int]]:
    """The runs of each night from `since` to `as_of`: the run being judged, and earlier runs once judged."""
    by_day: dict[date, list[int]] = {}
    for run in store.runs(site):
        if run.id > run_id or run.state is RunState.RUNNING:
            continue
        day = as_of if run.id == run_id else run.as_of
        if day is None or not (since <= day <= as_of) or (run.id != run_id and not store.evaluated(run.id)):
            continue
        by_day.setdefault(day, []).append(run.id)
    return dict(sorted(by_day.items()))


def load_history(store: Store, site: str, run_id: int, as_of: date, items: Iterable[int],
                 allowed: Callable[[str], bool] = lambda host: False, days: int = 400) -> History:
    """Read the nights of the last `days` days for `items`, and the answers of the hosts `allowed` says
    are the site's (those the catalogue lets the crawl enter; other hosts' outages are not the site's)."""
    numbers = set(items)
    read: dict[int, dict[date, bool]] = {n: {} for n in numbers}
    bounded: dict[int, dict[date, bool]] = {n: {} for n in numbers}
    listed: dict[int, dict[str, list[tuple[date, str, date | None, str]]]] = {n: {} for n in numbers}
    oldest: dict[int, dict[date, date]] = {n: {} for n in numbers}
    gone: dict[int, dict[date, set[str]]] = {n: {} for n in numbers}
    answered: dict[int, dict[date, set[str]]] = {n: {} for n in numbers}  # any other answer that night
    probes: dict[tuple[date, str], list[int]] = {}
    site_host: dict[str, bool] = {}  # `allowed`, asked once a host (a night holds 100,000 URLs of a few hosts)
    nights = _nights_of(store, site, run_id, as_of, as_of - timedelta(days=days))
    for day, run_ids in nights.items():
        for rid in run_ids:
            for url, role, status, http_status, page_items in store.fetch_results(rid):
                for n in numbers.intersection(page_items):
                    if role is PageRole.CATALOGUE and status.has_content:
                        read[n][day] = True
                    if role is PageRole.CATALOGUE:
                        is_gone = status is FetchStatus.HTTP_ERROR and http_status in GONE_HTTP_STATUSES
                        (gone if is_gone else answered)[n].setdefault(day, set()).add(url_key(url))
                    if status is FetchStatus.BOUNDED and role is not PageRole.LINKED:
                        bounded[n][day] = True
                # The university's home page is another office's server: never the disclosure site's probe.
                if status in _NOT_PROBES or role is PageRole.HOME:
                    continue
                host = url_host(url)
                if host not in site_host:
                    site_host[host] = allowed(host)
                if site_host[host]:
                    counts = probes.setdefault((day, host), [0, 0])
                    counts[0] += 1
                    counts[1] += fault_of(status, http_status) is Fault.SITE
            # A list whose rows the per-page bound cut was not read whole, as if later pages were bounded.
            for _url, page_items in store.cut_lists(rid):
                for n in numbers.intersection(page_items):
                    bounded[n][day] = True
            template = learn_template(store, rid)
            for e in store.entries(rid):
                if e.item not in numbers or e.list_url in template.lists:
                    continue
                listed[e.item].setdefault(url_key(e.url), []).append((day, e.title, e.date, e.url))
                if e.date is not None and (day not in oldest[e.item] or e.date < oldest[e.item][day]):
                    oldest[e.item][day] = e.date
    out: dict[int, ItemNights] = {}
    for n in sorted(numbers):
        item_nights = tuple(
            Night(as_of=day, run_ids=tuple(rids), read=read[n].get(day, False),
                  complete=not bounded[n].get(day, False), oldest=oldest[n].get(day),
                  gone=frozenset(gone[n].get(day, set()) - answered[n].get(day, set())))
            for day, rids in nights.items()
        )
        tracks = []
        for sightings in listed[n].values():
            days_seen = tuple(sorted({s[0] for s in sightings}))
            _, title, claimed, url = max(sightings, key=lambda s: s[0])
            tracks.append(Track(url=url, title=title, claimed=claimed, seen=days_seen))
        if item_nights:
            out[n] = ItemNights(item=n, nights=item_nights, tracks=tuple(tracks))
    hosts = tuple(HostNight(day, host, c[0], c[1]) for (day, host), c in sorted(probes.items()))
    return History(items=out, hosts=hosts)
