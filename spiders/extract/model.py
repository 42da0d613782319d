"""What reading a page hands back: frozen records of plain values, no lxml in them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from auditor.models import FoundDate, PageKind


@dataclass(frozen=True)
class ListEntry:
    """One row of a list column."""

    title: str
    url: str
    date_shown: str
    date: date | None


@dataclass(frozen=True)
class AttachmentLink:
    url: str
    name: str  # link text, else the file name from the URL


@dataclass(frozen=True)
class AnchorLink:
    url: str
    text: str


@dataclass(frozen=True)
class PageExtract:
    """Everything the audit needs from one HTML page."""

    kind: PageKind  # LIST, ARTICLE or EMPTY
    title: str  # the article title (not the site name) or the column title
    text: str  # article body, or one line per list entry; whitespace-normalised
    entries: tuple[ListEntry, ...]
    next_pages: tuple[str, ...]  # absolute URLs of further list pages, nearest first
    publish_date: FoundDate | None  # detail pages: the article's own date and where it was found
    dates: tuple[FoundDate, ...]  # every date seen, with its source
    attachments: tuple[AttachmentLink, ...]  # files linked from the main content region only
    # Other http(s) links inside the main content region (article body; list region; the placeholder's
    # block), not repeating entries, next pages or attachments.
    links: tuple[AnchorLink, ...]
    # Embedded documents in the content region (WebPlus PDF player, <iframe>/<embed>/<object> PDFs).
    embedded: tuple[AttachmentLink, ...]
    total_pages: int | None = None  # from a pager text such as "共1432条 1/144"
    total_entries: int | None = None
    # Every other http(s) link: menus, breadcrumbs, header, footer, sidebars, 友情链接, 上一条/下一条.
    furniture_links: tuple[AnchorLink, ...] = ()
    # What was set aside, for people: "div.col_news_right: 9 dated links", "dl.page: 2 links (上一条/下一条)".
    furniture: tuple[str, ...] = ()
    # How many there were before the reader's bounds cut them (`links` and `furniture_links` together; the
    # content's links; the list's rows), so the page's record can say "truncated at N of K".
    links_found: int = 0
    content_links_found: int = 0
    entries_found: int = 0
