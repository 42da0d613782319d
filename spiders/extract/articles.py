"""Reading an article: its head, title, publication date and body.

The head is a title like the <title> with a date line under it; the publication date is taken in order
of trust (a label such as 发布时间, a meta tag, the URL, the first date after the title); the body is the
block that holds most of the page's non-link text, a list's rows left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from auditor.models import FoundDate
from checklist.model import Selectors
from spiders.dates import find_dates, url_date
from spiders.extract.lists import Group
from spiders.extract.page import TEXT_LEN, Page
from spiders.extract.selectors import select, select_text
from spiders.extract.text import Element, norm, norm_lines

_TITLE_SPLIT = re.compile(r"\s*(?:[-_|—–·]|\s-\s|::)\s*")
_SITE_NAME = re.compile(r"大学|学院|学校|University|College|网站|网$|信息公开|首页", re.IGNORECASE)
_LABEL = re.compile(
    r"(发布时间|发布日期|发表时间|发表日期|发稿时间|发稿日期|发文日期|发文时间|成文日期|公布时间|公布日期|发布于|"
    r"更新时间|更新日期|修改时间|(?<![\u4e00-\u9fff])时间|(?<![\u4e00-\u9fff])日期)\s*[:：]?\s*[\[【(（]?\s*"
)
_LABEL_TRUST = {"更新时间": 1, "更新日期": 1, "修改时间": 1, "时间": 2, "日期": 2}
_BLOCK_TAGS = (
    "p",
    "div",
    "li",
    "tr",
    "br",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "dt",
    "dd",
    "table",
    "ul",
    "ol",
    "section",
    "article",
    "blockquote",
    "pre",
)
_META = etree.XPath("//meta[@content and (@name or @property)]")
_STARTS_WITH = etree.XPath(".//text()[starts-with(normalize-space(.), $t)]", smart_strings=True)
_CELLS = ("td", "th")


# -------------------------------------------------------------------------------------- article body


def find_body(page: Page, group: Group | None, selectors: Selectors | None) -> tuple[Element, float]:
    """The article body element and its non-link text length, the list group's own text left out."""
    if selectors is not None and selectors.body:
        nodes = select(page.root, selectors.body)
        if nodes:
            return nodes[0], float(TEXT_LEN(nodes[0]))
    members = set(group.members) if group else set()
    group_len = sum(float(TEXT_LEN(m)) for m in group.members) if group else 0.0
    holders: set[Element] = set()
    if group is not None:
        el: Element | None = group.parent
        while el is not None:
            holders.add(el)
            el = el.getparent()

    def length(el: Element) -> float:
        if el in members:
            return 0.0
        n = float(TEXT_LEN(el))
        return max(0.0, n - group_len) if el in holders else n

    for hint in page.body_hints:
        for el in page.hinted(hint):
            if el not in members and el not in holders and not page.is_boiler(el):
                return el, length(el)
    cur = page.body
    cur_len = length(cur)
    while True:
        best: Element | None = None
        best_len = 0.0
        total = 0.0
        for kid in cur:
            if not isinstance(kid.tag, str) or kid in members or page.is_boiler(kid):
                continue
            n = length(kid)
            total += n
            if n > best_len:
                best, best_len = kid, n
        if best is None or best_len <= 0 or best_len < 0.6 * max(total, 1.0):
            return cur, total if cur is page.body else cur_len
        cur, cur_len = best, best_len


def text_with_breaks(el: Element, skip: set[Element]) -> str:
    """Element text with a line break after each block, so cells and paragraphs never run together."""
    # The element and its descendants of a block tag, and the cells below it, in document order: one walk
    # (an XPath union of the 22 axes walked the tree 22 times). Listed first, as the tails change below.
    blocks = [b for b in el.iter(*_BLOCK_TAGS, *_CELLS) if b is not el or b.tag not in _CELLS]
    for block in blocks:
        if block in skip:
            continue
        sep = " " if block.tag in _CELLS else "\n"
        block.tail = sep + (block.tail or "")
    return norm_lines(el.text_content())


# --------------------------------------------------------------------------------------------- title


def document_title(root: Element) -> str:
    t = root.find(".//title")
    return norm(t.text_content()) if t is not None else ""


def find_title(
    page: Page, doc_title: str, group: Group | None, article: bool, selectors: Selectors | None
) -> str:
    if article and selectors is not None and selectors.title and not selectors.entry:
        text = select_text(page.root, selectors.title)
        if text:
            return text
    members = set(group.members) if group else set()
    matching: list[str] = []
    first_h1 = ""
    for candidates in (page.headings, page.titled):
        for h in candidates:
            text = norm(h.text_content())
            if not 2 <= len(text) <= 150 or page.is_boiler(h):
                continue
            if members and any(anc in members for anc in h.iterancestors()):
                continue
            if doc_title and (text in doc_title or doc_title in text):
                matching.append(text)
            elif h.tag == "h1" and not first_h1:
                first_h1 = text
        if matching or first_h1:
            break
    if matching:
        return max(matching, key=len)
    segments = [s for s in _TITLE_SPLIT.split(doc_title) if s]
    if article:
        if first_h1:
            return first_h1
        return max(segments, key=len) if segments else ""
    plain = [s for s in segments if not _SITE_NAME.search(s)]
    return plain[0] if plain else (segments[0] if segments else "")


# -------------------------------------------------------------------------------------- publish date


def _labelled_date(text: str) -> FoundDate | None:
    best: tuple[int, FoundDate] | None = None
    for m in _LABEL.finditer(text):
        found = find_dates(text[m.end() : m.end() + 30])
        if not found:
            continue
        d, shown = found[0]
        if not text[m.end() :].lstrip().startswith(shown[:4]):
            continue  # the date must follow the label, not sit somewhere after it
        label = m.group(1)
        trust = _LABEL_TRUST.get(label, 0)
        if best is None or trust < best[0]:
            best = (trust, FoundDate(d, shown, f"label:{label}"))
            if trust == 0:
                break
    return best[1] if best else None


def meta_dates(root: Element) -> list[FoundDate]:
    names = (
        "pubdate",
        "publishdate",
        "publish_date",
        "publish-date",
        "publishtime",
        "article:published_time",
        "og:published_time",
        "dc.date",
        "dc.date.issued",
        "dcterms.issued",
        "firstpublishedtime",
    )
    out: list[FoundDate] = []
    for meta in _META(root):
        name = (meta.get("name") or meta.get("property") or "").strip().lower()
        if name in names:
            found = find_dates(meta.get("content") or "")
            if found:
                out.append(FoundDate(found[0][0], found[0][1], f"meta:{name}"))
    return out


def labelled_near(page: Page, body: Element) -> FoundDate | None:
    """The labelled date nearest the body (walking outwards), not a footer's site-wide "更新时间"."""
    el: Element | None = body
    for _ in range(5):
        if el is None or page.is_boiler(el):
            break
        text = norm(el.text_content())
        if len(text) > 20000:
            break
        found = _labelled_date(text)
        if found:
            return found
        if el is page.body:
            break
        el = el.getparent()
    return None


def publish_date(
    page: Page, labelled: FoundDate | None, title: str, metas: list[FoundDate]
) -> FoundDate | None:
    """The article's own date, in order of trust: label, meta tag, URL, the first date after the title."""
    if labelled is not None:
        return labelled
    if metas:
        return metas[0]
    d = url_date(page.url)
    if d is not None:
        return FoundDate(d, d.isoformat(), "url")
    if title:
        text = norm(page.body.text_content())
        pos = text.find(title)
        if pos >= 0:
            near = find_dates(text[pos + len(title) : pos + len(title) + 200])
            if near:
                return FoundDate(near[0][0], near[0][1], "near-title")
    return None


# -------------------------------------------------------------------------------------- article head


@dataclass(frozen=True)
class Head:
    """The article's own title element and the date printed just under it."""

    el: Element
    title: str
    match: int  # 2: <title> is this heading (plus the site name); 1: shares most of it; 0: no likeness
    date: FoundDate | None
    date_el: Element | None


_SEPARATORS = "-_|—–·:："
_NO_SPACE = re.compile(r"[\s\xa0\u3000\u200b\u2002\u2003]+")


def _title_match(text: str, doc_title: str) -> int:
    """How well a heading matches the page's <title> (which usually adds the column or site name)."""
    t, d = _NO_SPACE.sub("", text), _NO_SPACE.sub("", doc_title)
    if not t or not d:
        return 0
    if t == d:
        return 2
    if d.startswith(t) and d[len(t)] in _SEPARATORS:
        return 2
    if d.endswith(t) and d[-len(t) - 1] in _SEPARATORS:
        return 2
    if len(t) >= 6 and t in d or len(d) >= 6 and d in t:
        return 1
    first = _TITLE_SPLIT.split(doc_title.strip(), maxsplit=1)[0]
    return 1 if len(first) >= 8 and t.startswith(_NO_SPACE.sub("", first)) else 0


_META_LINE = 160  # a date line under a title is short; a longer block is the body, whose dates are events


def _date_after(page: Page, head: Element) -> tuple[FoundDate, Element] | None:
    """The date on the short line(s) just after a title: 发布时间：…, <div class="time">, 2020.12.28.

    The scan stops at the first long block or block of paragraphs (the body, where 时间：2018年3月15-16日
    is an event, not the publication) and at a dated link (the first row of a list, not a date line).
    """
    lines: list[tuple[str, Element]] = []
    opening: tuple[str, Element] | None = None
    el = head
    tail = norm(head.tail)
    parent = head.getparent()
    if tail and parent is not None:
        lines.append((tail[:_META_LINE], parent))
    for _level in range(2):
        for sib in el.itersiblings():
            if not isinstance(sib.tag, str):
                continue
            text = norm(sib.text_content())
            if not text:
                continue
            links = [a for a in sib.iter("a") if len(norm(a.text_content())) >= 6]
            if links or len(text) > _META_LINE or len(sib.findall(".//p")) >= 2:
                if not lines and not links:
                    opening = (text[:60], sib)  # a labelled date opening the body still counts
                break
            lines.append((text, sib))
            if len(lines) >= 3:
                break
        if lines:
            break
        up = el.getparent()
        # Climb only out of a wrapper that holds nothing but the title (<div class="title"><h1>…</h1></div>).
        if up is None or up is page.body:
            break
        if len(norm(up.text_content())) > len(norm(head.text_content())) + 20:
            break
        el = up
    for text, line in lines:
        labelled = _labelled_date(text)
        if labelled is not None:
            return labelled, line
        found = find_dates(text)
        if found:
            return FoundDate(found[0][0], found[0][1], "near-title"), line
    if opening is not None and not lines:
        labelled = _labelled_date(opening[0])
        if labelled is not None and _LABEL_TRUST.get(labelled.source[6:], 0) == 0:
            return labelled, opening[1]  # 发布时间 and its kin only: a bare 时间： there is an event
    return None


def article_head(page: Page, doc_title: str, skip: set[Element]) -> Head | None:
    """The article's title element: like the <title>, with a date line under it, and no column heading.

    A column heading (<h1>考点信息</h1>) repeats a menu link's text and has no date under it; a sidebar's
    box title neither matches the <title> nor carries a date line.
    """
    menu_texts = {a.text for a in page.anchors if 2 <= len(a.text) <= 12}
    best: Head | None = None
    best_score = 0.0
    seen: set[Element] = set()
    # Whatever the markup (no <h1>, no "title" class), the element whose text opens like the <title>.
    first = _TITLE_SPLIT.split(doc_title.strip(), maxsplit=1)[0][:40] if doc_title else ""

    def like_title() -> list[Element]:
        out: list[Element] = []
        if len(first) >= 4:
            for t in _STARTS_WITH(page.body, t=first):
                parent = t.getparent()
                if parent is not None and not t.is_tail:
                    out.append(parent)
        return out

    for step in range(3):
        if step == 2 and best is not None and best.match == 2 and best.date is not None:
            break  # found already; the walk over text nodes is the costly fallback
        candidates = like_title() if step == 2 else (page.headings, page.titled)[step]
        for h in candidates:
            if h in seen or h.tag in ("a", "html", "body", "title", "meta", "li", "ul", "table"):
                continue
            seen.add(h)
            text = norm(h.text_content())
            if not 2 <= len(text) <= 150 or page.is_boiler(h):
                continue
            if any(len(norm(a.text_content())) * 2 > len(text) for a in h.iter("a")):
                continue  # a linked title is a list row or a box heading, not this page's title
            if h in skip or any(anc in skip for anc in h.iterancestors()):
                continue  # a row of a candidate list
            match = _title_match(text, doc_title)
            column = text in menu_texts
            if column and match < 2:
                continue
            dated = _date_after(page, h)
            score = 3.0 * match + (3.0 if dated else 0.0) - (2.0 if column else 0.0)
            score += {"h1": 0.5, "h2": 0.3, "h3": 0.2}.get(str(h.tag), 0.0)
            if score >= 3 and score > best_score:
                best_score = score
                best = Head(h, text, match, dated[0] if dated else None, dated[1] if dated else None)
    return best
