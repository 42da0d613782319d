"""Draft a catalogue from a disclosure site: crawl its directory, match the 清单, name the site.

The library call behind `auditor catalogue draft`; `checklist.draft.report` is the other way in.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

from checklist.draft.crawl import DraftError, Fetcher, _in_scope, registrable_domain, scan_directory
from checklist.draft.matching import match_columns
from checklist.draft.model import Draft
from checklist.draft.text import ItemMatcher
from checklist.loader import load_checklist
from checklist.model import Checklist

__all__ = ["draft_site", "site_id_for", "university_name"]

_UNIVERSITY = re.compile(r"([\u4e00-\u9fff（）()]{2,20}?(?:大学|学院|学校))")


def university_name(*texts: str) -> str:
    """The university a page title or report names ("首页-北京科技大学信息公开网" → 北京科技大学)."""
    for text in texts:
        m = _UNIVERSITY.search(text or "")
        if m:
            return m.group(1)
    return ""


def site_id_for(host: str) -> str:
    """A catalogue id from the site's domain: ``xxgk.ustb.edu.cn`` → ``ustb``."""
    domain = registrable_domain(host)
    first = re.sub(r"[^a-z0-9_-]", "", domain.split(".")[0].lower())
    return first if first and not first.isdigit() else "draft"


def host_patterns(domain: str, extra: tuple[str, ...] = ()) -> tuple[str, ...]:
    """``allowed_hosts`` for a catalogue: the registrable domain and its subdomains, plus the extras."""
    own = domain if re.fullmatch(r"[\d.]+|[0-9a-f:]+", domain) else f"*.{domain}"
    return tuple(dict.fromkeys((own, *extra)))


def draft_site(
    url: str,
    *,
    checklist: Checklist | None = None,
    allow: tuple[str, ...] = (),
    proxy: str | None = None,
    obey_robots: bool = True,
    delay: float = 1.0,
    max_pages: int = 200,
    contact: str = "",
) -> Draft:
    """Crawl the directory reachable from `url` and draft the catalogue; DraftError if it cannot start."""
    parts = urlsplit(url)
    try:
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError as exc:
        raise DraftError(f"{url!r}: not a valid address ({exc})") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DraftError(f"{url!r}: not an http(s) address")
    checklist = checklist or load_checklist()
    domain = registrable_domain(parts.hostname)
    extra = tuple(h.lower().removeprefix("*.") for h in allow)
    fetcher = Fetcher(proxy=proxy, obey_robots=obey_robots, delay=delay, contact=contact,
                      allowed=_in_scope((domain, *extra)))
    matcher = ItemMatcher(checklist)
    try:
        scan = scan_directory(url, matcher, fetcher, max_pages=max_pages)
    finally:
        fetcher.close()
    items = match_columns(checklist, scan.columns, matcher)
    if not any(it.chosen or it.runners_up for it in items):
        raise DraftError(f"{url}: no column of the 清单 found here (is this the 信息公开网's home or 目录 page?)")
    departments = tuple(dict.fromkeys(d for it in items for d in it.departments))
    notes = []
    if scan.pages_failed:
        notes.append(f"{len(scan.pages_failed)} page(s) could not be read, e.g. {scan.pages_failed[0]}")
    home = urlunsplit((parts.scheme, parts.netloc, "/", "", ""))
    return Draft(
        site_id=site_id_for(parts.hostname),
        name=university_name(scan.home_title) or parts.hostname,
        home=home,
        allowed_hosts=host_patterns(domain, tuple(allow)),
        checklist_version=checklist.version,
        source=url,
        items=tuple(items),
        departments=departments,
        notes=tuple(notes),
    )
