"""The main content region, and the furniture outside it.

The page's kind names the region (the article's block, the list's block, the placeholder's block);
every other link is furniture (menus, breadcrumbs, header, footer, sidebars, 友情链接, 上一条/下一条),
kept apart so that no item counts a sibling column's links as its own. Attachments and embedded
documents are the region's only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote, urlsplit

from lxml import etree

from auditor.models import BLANK_COLUMN
from spiders.extract.articles import Head
from spiders.extract.lists import Group
from spiders.extract.model import AnchorLink, AttachmentLink, ListEntry
from spiders.extract.page import TEXT_LEN, Anchor, Page, is_boiler_markup
from spiders.extract.text import Element, norm
from spiders.extract.urls import absolute, is_attachment_url

_PLACEHOLDER_TEXTS = etree.XPath(
    ".//text()[contains(., '暂无') or contains(., '建设') or contains(., '没有') or contains(., '更新中')]"
)
_EMBEDS = etree.XPath("//*[@pdfsrc] | //iframe[@src] | //embed[@src] | //object[@data]")


# ------------------------------------------------------------------------- content region, furniture


def _common_ancestor(a: Element, b: Element) -> Element | None:
    chain = {a, *a.iterancestors()}
    for el in (b, *b.iterancestors()):
        if el in chain:
            return el
    return None


def list_region(page: Page, entries: list[ListEntry], group: Group | None) -> Element:
    """The block holding the list's rows (the rows' common parent)."""
    if group is not None:
        return group.parent
    region: Element | None = None
    urls = {e.url for e in entries}
    for a in page.anchors:
        if a.url in urls:
            region = a.el if region is None else _common_ancestor(region, a.el)
    return region if region is not None else page.body


def article_region(page: Page, head: Head | None, body: Element) -> Element:
    """The smallest block holding the article's title and body: what is outside it is furniture."""
    if head is None:
        if body is page.body:
            return body
        # The body's parent also holds its attachment list and 附件 lines, unless it is the whole page.
        parent = body.getparent()
        if parent is None or parent is page.root:
            return body
        if parent is page.body:
            # A bare paragraph straight under <body>: a page without layout blocks is all content.
            return page.body if body.tag in _TEXT_LEVEL else body
        return parent
    lca = _common_ancestor(head.el, body) if body is not page.body else None
    if lca is not None and lca is not page.body and lca is not page.root:
        return lca
    # No body block beside the title (image-only or PDF-only article): climb from the title while the
    # block stays small, so that a sidebar next door is not taken in.
    el = head.el
    for _ in range(4):
        up = el.getparent()
        if up is None or up is page.body or float(TEXT_LEN(up)) > 4 * float(TEXT_LEN(el)) + 400:
            break
        el = up
    return el


_TEXT_LEVEL = frozenset(("p", "span", "font", "b", "strong", "br", "li", "td"))


def within(el: Element, region: Element) -> bool:
    return el is region or any(anc is region for anc in el.iterancestors())


def _boiler_within(page: Page, el: Element, region: Element) -> Element | None:
    """The navigation/footer/share block around `el` below `region`, if any."""
    cur: Element | None = el
    while cur is not None and cur is not region:
        if is_boiler_markup(cur):
            return cur
        cur = cur.getparent()
    return None


def _label(el: Element) -> str:
    """tag#id.class.class, as a person would write a CSS selector for the block."""
    out = str(el.tag)
    if el.get("id"):
        out += "#" + (el.get("id") or "").strip()
    classes = (el.get("class") or "").split()
    return out + "".join("." + c for c in classes[:2])


def _row_dated(page: Page, el: Element) -> bool:
    """Whether a link sits in a row with a date: climb while the block holds only this one link."""
    cur: Element | None = el
    for _ in range(3):
        if cur is None:
            return False
        if cur in page.dated and cur is not el:
            return True
        parent = cur.getparent()
        if parent is None:
            return False
        if page.several_links(parent):
            return parent in page.dated and cur.getnext() is not None and cur.getnext() in page.dated
        cur = parent
    return False


@dataclass
class _Split:
    """The page's anchors sorted into the content region's and the furniture blocks'."""

    inside: list[Anchor]
    blocks: dict[Element, list[Anchor]]
    neighbour_block: Element | None


def split_anchors(page: Page, region: Element) -> _Split:
    """Which anchors sit in the content region, and in which furniture block each other anchor sits.

    A furniture block is the largest block around the anchor that stays outside the region (the header,
    the left menu, the sidebar), or, inside the region, the navigation/share block that holds it.
    """
    in_region = set(region.iter("a"))
    region_chain = {region, *region.iterancestors()}
    inside: list[Anchor] = []
    blocks: dict[Element, list[Anchor]] = {}
    branch: dict[Element, Element] = {}  # parent → its furniture block, so menus are climbed once
    neighbour_block: Element | None = None
    for a in page.anchors:
        block: Element | None
        if a.el in page.neighbours:
            if neighbour_block is None:
                neighbour_block = _neighbour_block(page, a.el)
            block = neighbour_block
        elif a.el in in_region:
            block = _boiler_within(page, a.el, region)
            if block is None:
                inside.append(a)
                continue
        else:
            climbed: list[Element] = []
            block = a.el
            parent = block.getparent()
            while parent is not None and parent not in region_chain:
                known = branch.get(parent)
                if known is not None:
                    block = known
                    break
                climbed.append(parent)
                block, parent = parent, parent.getparent()
            for el in climbed:
                branch[el] = block
        if block is not None:
            blocks.setdefault(block, []).append(a)
    return _Split(inside, blocks, neighbour_block)


def _neighbour_block(page: Page, first: Element) -> Element | None:
    """The block holding the 上一条/下一条 links: their common parent, widened while it holds nothing else."""
    block: Element | None = first.getparent()
    for other in page.neighbours:
        if block is not None and not within(other, block):
            block = _common_ancestor(block, other)
    if block is None:
        return None
    for _ in range(2):
        up = block.getparent()
        # <dl class="page"><dd>上一条：…</dd></dl>: a wrapper whose only child is the block.
        if up is None or up is page.body or len(up) != 1 or (up.text or "").strip():
            break
        block = up
    return block


def links_and_furniture(
    page: Page, split: _Split, skip: set[str]
) -> tuple[list[AnchorLink], list[AnchorLink], list[str]]:
    """Content links, furniture links (each URL once, none already held elsewhere) and what was set aside."""
    links: dict[str, AnchorLink] = {}
    for a in split.inside:
        if a.url not in skip and a.url not in links:
            links[a.url] = AnchorLink(a.url, a.text or a.title_attr)
    furniture: dict[str, AnchorLink] = {}
    notes: list[str] = []
    for block, anchors in split.blocks.items():
        for a in anchors:
            if a.url not in skip and a.url not in links and a.url not in furniture:
                furniture[a.url] = AnchorLink(a.url, a.text or a.title_attr)
        n = len(anchors)
        plural = "s" if n > 1 else ""
        if block is split.neighbour_block:
            notes.append(f"{_label(block)}: {n} link{plural} (上一条/下一条)")
            continue
        dated = sum(1 for a in anchors if _row_dated(page, a.el))
        if dated == n:
            what = f"dated link{plural}"
        else:
            what = f"link{plural}, {dated} dated" if dated else f"link{plural}"
        notes.append(f"{_label(block)}: {n} {what}")
    return list(links.values()), list(furniture.values()), notes


# ---------------------------------------------------------------------------- attachments and embeds


_EMBED_TAG = re.compile(r"<(?:iframe|embed|object)", re.IGNORECASE)


def embedded_documents(page: Page, html: str) -> list[tuple[AttachmentLink, Element]]:
    out: list[tuple[AttachmentLink, Element]] = []
    if "pdfsrc" not in html and not _EMBED_TAG.search(html):
        return out  # a text search (no lowered copy of the page) spares four whole-tree XPath walks
    for el in _EMBEDS(page.root):
        raw = el.get("pdfsrc") or el.get("src") or el.get("data")
        url = absolute(page.base, raw)
        if url is None:
            continue
        if el.get("pdfsrc") is None:
            path = urlsplit(url).path.lower()
            query = dict(parse_qsl(urlsplit(url).query))
            inner = query.get("file") or query.get("url") or ""
            if inner.lower().split("?")[0].endswith(".pdf"):
                url = absolute(url, unquote(inner)) or url
            elif not path.endswith(".pdf"):
                continue
        if all(e.url != url for e, _ in out):
            out.append((AttachmentLink(url, _embed_name(el)), el))
    return out


_SUDY_TITLE = re.compile(r"""['"]title['"]\s*:\s*['"]([^'"]+)['"]""")


def _embed_name(el: Element) -> str:
    """WebPlus names its PDF player's file in sudyfile-attr="{'title':'预算.pdf'}"; others in title=."""
    m = _SUDY_TITLE.search(el.get("sudyfile-attr") or "")
    return norm(m.group(1) if m else el.get("title") or "")


def attachment_links(anchors: Iterable[Anchor], skip: set[str]) -> list[AttachmentLink]:
    out: dict[str, AttachmentLink] = {}
    for a in anchors:
        if a.url in skip or not is_attachment_url(a.url, a.text):
            continue
        name = a.text or a.title_attr or unquote(urlsplit(a.url).path.rsplit("/", 1)[-1])
        if a.url not in out or not out[a.url].name:
            out[a.url] = AttachmentLink(a.url, name)
    return list(out.values())


# ---------------------------------------------------------------------- a blank column's placeholder


def placeholder_text(page: Page) -> str:
    """The sentence that says the column is empty (暂无内容…), from the element that holds it."""
    for t in _PLACEHOLDER_TEXTS(page.body):
        if BLANK_COLUMN.search(t):
            holder = t.getparent()
            text = norm(holder.text_content()) if holder is not None else ""
            return text if 0 < len(text) <= 200 else norm(t)
    return ""


def placeholder_block(page: Page) -> Element | None:
    """The element that says the column is empty (暂无内容…)."""
    for t in _PLACEHOLDER_TEXTS(page.body):
        if BLANK_COLUMN.search(t):
            holder = t.getparent()
            if holder is not None:
                return holder
    return None
