"""Say what a crawled HTML page is (list column, article, blank column) and pull out the audit's evidence.

Pure code: a decoded HTML string and its URL in, a frozen `PageExtract` out; no Scrapy, no network.
It runs on every page of every nightly crawl, so it parses once with lxml and leans on XPath (which
runs in C) for anything that touches the whole tree; Python loops only visit anchors and candidates.

The heuristics are structural so that they carry to CMSs we have not seen: a list column is the best
group of sibling blocks that each hold one title link (most with a date); navigation, footers and
pagers lose because they are undated, short-titled or flagged as boilerplate. CMS-specific class
names (WebPlus, 博达 VSB) only break ties. Per-site `Selectors` override all of it.

This module weighs the steps against each other (`extract_page`); the steps live beside it, one
concern each: `urls` (canonical URLs, attachment URLs, resolving hrefs), `text` (whitespace),
`selectors` (per-site overrides), `page` (the parsed page, its anchors, boilerplate and 上一条/下一条),
`lists` (list groups, entries, pagination), `articles` (head, title, publication date, body), `region`
(the content region against the furniture, its attachments and embeds) and `model` (the records).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from datetime import date

import lxml.html
from lxml import etree

from auditor.models import BLANK_COLUMN, FoundDate, PageKind
from checklist.model import Selectors
from spiders.dates import find_dates, url_date
from spiders.extract.articles import (
    Head,
    article_head,
    document_title,
    find_body,
    find_title,
    labelled_near,
    meta_dates,
    publish_date,
    text_with_breaks,
)
from spiders.extract.lists import (
    Group,
    best_group,
    entries_from_group,
    entries_from_selectors,
    find_groups,
    pagination,
)
from spiders.extract.model import AnchorLink, AttachmentLink, ListEntry, PageExtract
from spiders.extract.page import Page
from spiders.extract.region import (
    article_region,
    attachment_links,
    embedded_documents,
    links_and_furniture,
    list_region,
    placeholder_block,
    placeholder_text,
    split_anchors,
    within,
)
from spiders.extract.text import Element, norm
from spiders.extract.urls import canonical_url, is_attachment_url

__all__ = [
    "AnchorLink",
    "AttachmentLink",
    "ListEntry",
    "PageExtract",
    "canonical_url",
    "extract_page",
    "is_attachment_url",
]


_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_local = threading.local()
# lxml.html's own lookup is a Python method that lxml calls each time it makes a Python object for a node
# (thousands of times a page, as XPath results and walks come and go), only to give <form>, <input>,
# <textarea>, <label> and <select> subclasses whose extra properties (.value, .fields…) nothing here uses.
# This one answers in C with the same classes otherwise.
_LOOKUP = etree.ElementDefaultClassLookup(
    element=lxml.html.HtmlElement,
    comment=lxml.html.HtmlComment,
    pi=lxml.html.HtmlProcessingInstruction,
    entity=lxml.html.HtmlEntity,
)


def _parser() -> lxml.html.HTMLParser:
    # lxml parser objects must not be shared between threads. No id index: nothing looks ids up, and a
    # page of 100,000 rows would pay for one.
    parser: lxml.html.HTMLParser | None = getattr(_local, "parser", None)
    if parser is None:
        parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, collect_ids=False)
        parser.set_element_class_lookup(_LOOKUP)
        _local.parser = parser
    return parser


_CUT_TAG = "xxgk-cut"
_CHUNK = 1 << 16


def _parse_pruned(html: str, keep: int) -> tuple[Element, list[tuple[Element, int]]]:
    """Parse a page with more links than the bounds, cutting every block's linked children after the
    `keep`-th as the parser closes them: a 友情链接 farm or a list of 100,000 rows then costs the bound in
    memory, not the page (the whole tree of a 5 MB page is ~70 MB, its Python objects three times that).
    Returns the root and each cut block with the number of links it lost.

    Only runs of siblings are cut, so a block after a giant menu is read as before; what is recorded
    (`max_links`, `max_entries`) is below `keep`, so the cut never changes what would be kept."""
    parser = etree.HTMLPullParser(events=("end",), remove_comments=True, remove_pis=True, collect_ids=False)
    parser.set_element_class_lookup(_LOOKUP)  # the classes of lxml.html's own parser (see _LOOKUP)
    linked_children: dict[Element, int] = {}  # per open element: its children holding a link, so far
    links_under: dict[Element, int] = {}  # per open element: the links inside it, so far
    lost: dict[Element, int] = {}
    for start in range(0, len(html), _CHUNK):
        parser.feed(html[start:start + _CHUNK])
        for _event, el in parser.read_events():
            linked_children.pop(el, None)  # its own children are all in: forget it
            n = links_under.pop(el, 0) + (el.tag == "a" and el.get("href") is not None)
            parent = el.getparent()
            if not n or parent is None:
                continue
            count = linked_children[parent] = linked_children.get(parent, 0) + 1
            if count > keep:
                lost[parent] = lost.get(parent, 0) + n
                el.clear()  # frees the row now; the empty shell goes in one pass below
                el.tag = _CUT_TAG
            else:
                links_under[parent] = links_under.get(parent, 0) + n
    root: Element = parser.close()
    if lost:
        etree.strip_elements(root, _CUT_TAG, with_tail=True)
    return root, list(lost.items())


def _parse(html: str, keep: int | None) -> tuple[Element, list[tuple[Element, int]]]:
    """The page's tree, pruned to `keep` linked children per block when it has more links than that (a
    substring count spares ordinary pages the pull parser)."""
    if keep is not None and html.count("<a") + html.count("<A") > keep:
        return _parse_pruned(html, keep)
    root = lxml.html.document_fromstring(html, parser=_parser())
    return root, []


def _dedupe_dates(dates: Iterable[FoundDate]) -> tuple[FoundDate, ...]:
    seen: set[tuple[date, str, str]] = set()
    out: list[FoundDate] = []
    for d in dates:
        key = (d.value, d.shown, d.source)
        if key not in seen:
            seen.add(key)
            out.append(d)
    return tuple(out)


def _empty(kind: PageKind = PageKind.EMPTY) -> PageExtract:
    return PageExtract(kind, "", "", (), (), None, (), (), (), ())


def extract_page(html: str, url: str, selectors: Selectors | None = None, *, max_links: int | None = None,
                 max_entries: int | None = None) -> PageExtract:
    """Classify one HTML page and extract its entries, dates, pages, attachments, links and embeds.

    The order matters: the article head (a title like the <title> with a date line under it) and the
    上一条/下一条 links are looked for first, because they settle the kind whatever sidebars say; only
    a page without them is weighed list against body. The kind then names the main content region
    (the article's block, the list's block, the placeholder's block) and everything outside it is
    furniture.

    `max_links` and `max_entries` bound what is handed back (content links first, then furniture); the
    `*_found` counts say how many there were, so the record can say "truncated at N of K".
    """
    return _extract(html, url, selectors, max_links, max_entries)


def _extract(html: str, url: str, selectors: Selectors | None, max_links: int | None,
             max_entries: int | None) -> PageExtract:
    if selectors is not None and selectors.is_empty():
        selectors = None
    # No whole-page copies (strip, lower): a page of megabytes would pay for each.
    if _XML_DECL.match(html):
        html = _XML_DECL.sub("", html, count=1)
    if not html or html.isspace():
        return _empty()
    bounds = [b for b in (max_links, max_entries) if b is not None]
    try:
        root, pruned = _parse(html, max(bounds) + 1 if bounds else None)
    except (etree.ParserError, ValueError):
        return _empty()
    if root is None:
        return _empty()
    etree.strip_elements(root, "script", "style", "noscript", "template", "select", with_tail=False)
    page = Page(root, url, html)
    doc_title = document_title(root)
    metas = meta_dates(root)
    embedded_all = embedded_documents(page, html)

    group: Group | None = None
    entries: list[ListEntry]
    head: Head | None = None
    if selectors is not None and selectors.entry:
        entries = entries_from_selectors(page, selectors)
    else:
        groups = find_groups(page)
        members = {m for g in groups for m in g.members}
        head = article_head(page, doc_title, members)
        group = best_group(groups)
        entries = entries_from_group(page, group, doc_title) if group else []
    next_pages, total_pages, total_entries = pagination(page, selectors)

    labelled: FoundDate | None = None
    labelled_done = False
    # An article announces itself: its title with a date line under it, or links to its neighbours.
    own_head = head is not None and head.date is not None and head.match >= 1
    if not entries or own_head or (page.neighbours and head is not None):
        group = None
    body, body_len = find_body(page, group, selectors)
    any_attachment = any(is_attachment_url(a.url, a.text) for a in page.anchors)

    entry_text = sum(len(e.title) for e in entries)
    # An article whose one dated link is its own attachment is no list of one.
    lone_attachment = len(entries) == 1 and is_attachment_url(entries[0].url, entries[0].title)
    if (own_head or page.neighbours) and not (selectors is not None and selectors.entry):
        kind = PageKind.ARTICLE
    elif entries and not lone_attachment and (len(entries) >= 2 or group is None or group.tier == 3):
        # No single block dominating the page (a portal, a column) is no article, however much text it has.
        if body is page.body:
            kind = PageKind.LIST
        elif body_len >= max(120.0, 1.5 * entry_text):
            kind = PageKind.ARTICLE
        elif body_len >= 50:
            # A short article beside a "related news" box: its own date tips the balance.
            labelled, labelled_done = labelled_near(page, body), True
            kind = PageKind.ARTICLE if labelled is not None or metas else PageKind.LIST
        else:
            kind = PageKind.LIST
    elif body_len >= 20 or embedded_all or any_attachment or head is not None:
        kind = PageKind.ARTICLE
    else:
        # A short notice is still an article when it carries its own labelled date or meta date.
        labelled, labelled_done = labelled_near(page, body), True
        kind = PageKind.ARTICLE if body_len and (labelled is not None or metas) else PageKind.EMPTY
    if kind is PageKind.ARTICLE and group is not None and selectors is None:
        group = None  # the list's rows belong to the article (or its sidebar): measure the body again
        body, body_len = find_body(page, None, None)
    placeholder: re.Match[str] | None = None
    if kind is PageKind.EMPTY or (
        kind is PageKind.ARTICLE and body_len < 60 and not (embedded_all or any_attachment) and not own_head
    ):
        placeholder = BLANK_COLUMN.search(norm(page.body.text_content()))
        if placeholder:
            kind = PageKind.EMPTY

    # The main content region; everything outside it is furniture.
    region: Element
    if kind is PageKind.LIST:
        region = list_region(page, entries, group)
    elif kind is PageKind.ARTICLE:
        region = article_region(page, head, body)
    else:
        holder = placeholder_block(page) if placeholder else None
        region = holder if holder is not None else body
    embedded = [e for e, el in embedded_all if within(el, region)]

    dates: list[FoundDate] = []
    publish: FoundDate | None = None
    entry_urls = {e.url for e in entries} if kind is PageKind.LIST else set()
    if kind is not PageKind.LIST:
        entries = []
    split = split_anchors(page, region)
    attachments = attachment_links(split.inside, set())
    attachment_urls = {a.url for a in attachments}
    if kind is PageKind.LIST:
        title = find_title(page, doc_title, group, False, selectors)
        text = "\n".join(norm(f"{e.title} {e.date_shown}") for e in entries)
        dates.extend(FoundDate(e.date, e.date_shown, "list") for e in entries if e.date)
        publish = None
        skip_links = entry_urls | set(next_pages) | attachment_urls
    elif kind is PageKind.ARTICLE:
        title = head.title if head is not None else find_title(page, doc_title, group, True, selectors)
        if selectors is not None and selectors.title and not selectors.entry:
            title = find_title(page, doc_title, group, True, selectors)
        if head is not None and head.date is not None and head.date.source.startswith("label:"):
            publish = head.date
        elif metas:
            publish = metas[0]
        elif head is not None and head.date is not None:
            publish = head.date
        else:
            if not labelled_done:
                labelled = labelled_near(page, body)
            publish = publish_date(page, labelled, title, metas)
        text = text_with_breaks(body, set())
        next_pages = [n for n in next_pages if n not in attachment_urls]
        next_pages = [] if not entries and kind is PageKind.ARTICLE else next_pages
        if publish is not None:
            dates.append(publish)
        dates.extend(FoundDate(d, s, "text") for d, s in find_dates(text))
        skip_links = set(next_pages) | attachment_urls
    else:
        title = find_title(page, doc_title, group, False, selectors)
        publish = None
        if placeholder:
            text = placeholder_text(page) or placeholder.group(0)
        else:
            text = text_with_breaks(body, set()) if body_len else ""
        next_pages = []
        skip_links = attachment_urls
    dates.extend(metas)
    if (d := url_date(url)) is not None:
        dates.append(FoundDate(d, d.isoformat(), "url"))

    links, furniture_links, furniture = links_and_furniture(page, split, skip_links)
    # What the pruning took away, by where it stood: the list's own rows, the rest of the content region,
    # or the furniture.
    rows_cut = content_cut = furniture_cut = 0
    for block, dropped in pruned:
        if kind is PageKind.LIST and group is not None and block is group.parent:
            rows_cut += dropped
        elif within(block, region):
            content_cut += dropped
        else:
            furniture_cut += dropped
    if kind is PageKind.LIST and group is None and rows_cut == 0:
        rows_cut, content_cut = content_cut, 0  # entries from selectors: their block is the region
    entries_found = len(entries) + rows_cut if kind is PageKind.LIST else 0
    content_found = len(links) + content_cut
    links_found = content_found + len(furniture_links) + furniture_cut
    if max_entries is not None:
        entries = entries[:max_entries]
        if kind is PageKind.LIST:
            text = "\n".join(norm(f"{e.title} {e.date_shown}") for e in entries)
    if max_links is not None:
        links = links[:max_links]
        furniture_links = furniture_links[:max(0, max_links - len(links))]
    return PageExtract(
        kind=kind,
        title=title,
        text=text,
        entries=tuple(entries),
        next_pages=tuple(next_pages),
        publish_date=publish,
        dates=_dedupe_dates(dates),
        attachments=tuple(attachments),
        links=tuple(links),
        embedded=tuple(embedded),
        total_pages=total_pages,
        total_entries=total_entries,
        furniture_links=tuple(furniture_links),
        furniture=tuple(furniture),
        links_found=links_found,
        content_links_found=content_found,
        entries_found=entries_found,
    )
