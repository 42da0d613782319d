"""Reading a list column: the best group of rows, its entries with their dates, and the pager.

A list column is the best group of sibling blocks that each hold one title link (most with a date);
navigation, footers and pagers lose because they are undated, short-titled or flagged as boilerplate,
and a list under a sidebar heading (最新公开, 相关链接) is the site's box, not the column's. CMS-specific
class names (WebPlus, 博达 VSB) only break ties. The pager gives the further pages in order and, when it
prints them, the totals; a pager drawn by JavaScript is followed through the CMS's URL scheme.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from urllib.parse import urljoin, urlsplit

from lxml import etree

from checklist.model import Selectors
from spiders.dates import find_dates, url_date
from spiders.extract.model import ListEntry
from spiders.extract.page import Anchor, Page, choose_title, is_boiler_markup
from spiders.extract.selectors import select, select_text
from spiders.extract.text import ELLIPSIS, Element, norm, short_text
from spiders.extract.urls import absolute, canonical_url, is_attachment_url

_NOT_TITLE = frozenset(
    [
        "首页",
        "上一页",
        "下一页",
        "上页",
        "下页",
        "后页",
        "前页",
        "尾页",
        "末页",
        "第一页",
        "最后一页",
        "更多",
        "更多>>",
        "more",
        "详细",
        "详情",
        "查看",
        "查看详情",
        "阅读全文",
        "返回",
        "返回顶部",
        "打印",
        "关闭",
        "关闭窗口",
        "打印本页",
        "收藏",
        "登录",
        "注册",
        "跳转",
        "go",
        ">>",
        "<<",
        ">",
        "<",
        "»",
        "«",
    ]
)
_NOT_PREFIX = re.compile(r"[\s\d\[\]【】()（）:：|/·.,，\-年月日\xa0\u3000]+")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
_LIST_HINTS = ("list", "news", "article", "line_u", "xxgk", "item")
_TEXTS = etree.XPath(".//text()", smart_strings=False)


# --------------------------------------------------------------------------------------- list groups


def _title_like(title: str) -> bool:
    if len(title) < 2 or title.lower() in _NOT_TITLE:
        return False
    stripped = title.strip("[]【】()（）<>《》»«›‹ .。,，:：|-")
    return bool(stripped) and not stripped.isdigit()


@dataclass
class Group:
    parent: Element
    members: list[Element]
    mains: list[Anchor]
    dated: int
    score: float
    tier: int
    full: bool = False  # rows carry a full date (with the year)


def _row_text(member: Element, is_member: set[Element]) -> str:
    """The member's text, plus its tail and following non-member siblings, where a row's date may sit."""
    parts = [member.text_content(), member.tail or ""]
    sib = member.getnext()
    hops = 0
    while sib is not None and hops < 2 and sib not in is_member:
        if isinstance(sib.tag, str):
            parts.append(sib.text_content())
        parts.append(sib.tail or "")
        sib = sib.getnext()
        hops += 1
    return " ".join(parts)


def _leads_with_link(member: Element, main: Anchor) -> bool:
    if member is main.el:
        return True
    text = member.text_content()
    probe = main.text[:8] or main.title_attr[:8]
    idx = text.find(probe) if probe else -1
    if idx < 0:
        return True  # an image link or odd markup: no evidence against it
    return len(_NOT_PREFIX.sub("", text[:idx])) <= 12


def find_groups(page: Page) -> list[Group]:
    """Candidate lists: sibling blocks of one tag under one parent, each holding few links."""
    member_anchors: dict[Element, list[Anchor]] = {}
    parent_members: dict[tuple[Element, str], list[Element]] = {}
    body = page.body
    for anchor in page.anchors:
        x: Element = anchor.el
        if x in page.neighbours:
            continue
        for _level in range(4):  # a row is rarely more than three levels above its link
            p = x.getparent()
            if p is None or x is body:
                break
            lst = member_anchors.get(x)
            if lst is None:
                member_anchors[x] = [anchor]
                key = (p, x.tag)
                sibs = parent_members.get(key)
                if sibs is None:
                    parent_members[key] = [x]
                else:
                    sibs.append(x)
            else:
                lst.append(anchor)
            if p is body:
                break
            x = p
    dated_els = page.dated
    sidebar: dict[Element, bool] = {}
    groups: list[Group] = []
    for (parent, _tag), members in parent_members.items():
        mains: list[Anchor] = []
        kept: list[Element] = []
        for m in members:
            anchors = member_anchors[m]
            if len(anchors) > 4 and len({a.url for a in anchors}) > 4:
                continue
            if is_boiler_markup(m):
                continue
            main = anchors[0]
            for a in anchors[1:]:
                # A row may link its article three times (title, summary, "全文》"): the title comes first
                # (or carries title=). A short first link is a category tag or an image, not the title.
                titled = a.url == main.url and bool(a.title_attr) and not main.title_attr
                if titled or (len(main.best_title) < 8 and len(a.best_title) > len(main.best_title)):
                    main = a
            if not _title_like(main.best_title):
                continue
            kept.append(m)
            mains.append(main)
        if not kept:
            continue
        n = len(kept)
        mean_len = sum(min(len(a.best_title), 30) for a in mains) / n
        dated = 0
        for m in kept:
            nxt = m.getnext()
            if m in dated_els or (nxt is not None and nxt in dated_els and nxt not in member_anchors):
                dated += 1
        if dated == 0 and (n < 2 or mean_len < 8):
            continue  # neither a dated row nor a plausible undated list: skip the boilerplate test
        # A row leads with its link (after a date, a number or a short tag); a block that opens with a
        # heading and prose before its first link is content, not a row.
        rows = [(m, a) for m, a in zip(kept, mains) if _leads_with_link(m, a)]
        if len(rows) != n:
            if not rows:
                continue
            kept, mains = [m for m, _ in rows], [a for _, a in rows]
            n = len(kept)
            dated = sum(1 for m in kept if m in dated_els)
            if dated == 0 and (n < 2 or mean_len < 8):
                continue
        if _in_sidebar(kept[0], sidebar):
            continue  # "最新公开", "相关链接": the site's box beside the content, not the column's list
        boiler = page.is_boiler(parent)
        mostly_dated = dated * 2 >= n and dated > 0
        if mostly_dated and not boiler:
            tier = 3
        elif (
            not boiler
            and n >= 2
            and mean_len >= 8
            and not all(is_attachment_url(a.url, a.text) for a in mains)
        ):
            tier = 2  # undated titles; but an article's attachment paragraphs are no list
        elif mostly_dated:
            tier = 1
        else:
            continue
        hint = 0.0
        probe: Element | None = parent
        for _ in range(3):
            if probe is None:
                break
            attrs = f"{probe.get('class') or ''} {probe.get('id') or ''}".lower()
            if any(h in attrs for h in _LIST_HINTS):
                hint = 2.0
                break
            probe = probe.getparent()
        score = n * (1 + mean_len / 10) + 3 * dated + hint
        # Rows that print the year outrank a sidebar's month-day "12-23": the column's own list is dated in full.
        full = tier == 3 and any(find_dates(m.text_content()) for m in kept[:3])
        groups.append(Group(parent, kept, mains, dated, score, tier, full))
    return groups


#: The longest text a lone list row may have (title, date, a short summary).
_ROW_MAX_CHARS = 300


def best_group(groups: list[Group]) -> Group | None:
    """The column's list: dated rows first, rows dated in full (with the year) before month-day sidebars.

    A column of one fully dated entry beats a sidebar of three "12-23" rows; among lists of the same
    standing, more and longer rows win.
    """
    multi = [g for g in groups if len(g.members) >= 2]
    # A lone row must show its full date and be row-sized: a lone "12-23" is a sidebar's, and a whole page
    # region holding one link and some date further down is no row.
    singles = [g for g in groups if g.tier == 3 and g.full and len(g.members) == 1
               and len(g.mains[0].best_title) >= 4 and len(norm(g.members[0].text_content())) <= _ROW_MAX_CHARS]
    best_multi = max(multi, key=lambda g: (g.tier, g.full, g.score)) if multi else None
    if singles and (best_multi is None or (best_multi.tier, best_multi.full) < (3, True)):
        # The same lone entry is seen at several levels; the smallest block that holds its full date is the
        # row (a sidebar's lone "12-23" link is smaller still, but dated without its year).
        single = min(singles, key=lambda g: (not g.full, len(g.members[0].text_content())))
        if best_multi is None or (single.full and not best_multi.full):
            return single
    return best_multi


#: Headings of the boxes every page of a site carries beside its content: the newest or hottest articles of
#: the whole site, related links. A list under one is furniture, however well dated (DESIGN.md: scope).
_SIDEBAR_HEADING = re.compile(
    r"^(?:最新|热点|热门|推荐|相关|友情链接|常用链接|快速通道|便捷通道|快捷通道|专题|阅读排行|点击排行|排行|"
    r"猜你喜欢|大家都在看)[\u4e00-\u9fff]{0,6}(?:\s*(?:更多|more|MORE)?\s*[>»]*)?$"
)


def _heading_before(el: Element) -> str:
    """The short text printed just before an element (its heading, if it has one)."""
    sib = el.getprevious()
    hops = 0
    while sib is not None and hops < 2:
        if isinstance(sib.tag, str):
            text = short_text(sib, 20)
            if text != "":
                return text or ""
        sib = sib.getprevious()
        hops += 1
    return ""


def _heading_inside(el: Element) -> str:
    """The short text a box opens with (its title bar), if its first child with text is short."""
    for child in el:
        if isinstance(child.tag, str):
            text = short_text(child, 20)
            if text != "":
                return text or ""  # None: the first child with text is no title bar
    return ""


def _in_sidebar(el: Element, known: dict[Element, bool]) -> bool:
    """Whether the block, or one of its five nearest containers, stands under a sidebar heading (before
    it, or as the title bar of a box that holds it). `known` keeps each container's answer for the page's
    other candidate lists, which share most of their containers."""
    probe: Element | None = el
    for _ in range(6):
        if probe is None or probe.tag == "body":
            return False
        under = known.get(probe)
        if under is None:
            under = known[probe] = bool(
                _SIDEBAR_HEADING.match(_heading_before(probe)) or _SIDEBAR_HEADING.match(_heading_inside(probe))
            )
        if under:
            return True
        probe = probe.getparent()
    return False


def _group_default_year(page: Page, group: Group, doc_title: str) -> int | None:
    """The year printed near a list whose rows show only month and day (e.g. an <h3>2018年</h3>)."""
    el: Element | None = group.parent
    for _ in range(4):
        if el is None:
            break
        sib = el.getprevious()
        hops = 0
        while sib is not None and hops < 3:
            if isinstance(sib.tag, str):
                m = _YEAR.search(sib.text_content())
                if m:
                    return int(m.group(1))
            sib = sib.getprevious()
            hops += 1
        el = el.getparent()
    m = _YEAR.search(doc_title)
    return int(m.group(1)) if m else None


def _entry_date(
    member: Element, main: Anchor, row: str, title: str, default_year: int | None
) -> tuple[date | None, str]:
    """The row's own date: not one inside its title, possibly split over elements or missing its year."""
    pieces = [norm(t) for t in _TEXTS(member)]
    rest = [p for p in pieces if p and p != title and not (len(p) >= 6 and p in title)]
    # Text after the member (tail, next sibling) belongs to the row when the member is the bare link.
    extra = row[len(member.text_content()) :] if row.startswith(member.text_content()) else ""
    probe = norm(" ".join(rest) + " " + extra)
    if not probe:
        return None, ""
    found = find_dates(probe)
    if found:
        return found[0][0], found[0][1]
    split = _split_date(probe)
    if split is not None:
        return split
    year = default_year or (d.year if (d := url_date(main.url)) else None)
    short = find_dates(probe, default_year=year or 1990)
    if short:
        return (short[0][0] if year else None), short[0][1]
    return None, ""


_SPLIT_FORMS = (
    (re.compile(r"(?<!\d)(\d{1,2})\s+((?:19|20)\d\d)\s*[-/.年]\s*(\d{1,2})月?"), (2, 3, 1)),
    (re.compile(r"((?:19|20)\d\d)\s*[-/.年]\s*(\d{1,2})\s*月?\s+(\d{1,2})(?!\d)"), (1, 2, 3)),
    (re.compile(r"((?:19|20)\d\d)\s*年?\s+(\d{1,2})\s*[-/月]\s*(\d{1,2})(?!\d)"), (1, 2, 3)),
    (re.compile(r"(?<!\d)(\d{1,2})\s*[-/]\s*(\d{1,2})\s+((?:19|20)\d\d)(?!\d)"), (3, 1, 2)),
)


def _split_date(text: str) -> tuple[date, str] | None:
    """Day and year-month in separate elements (WebPlus '12' + '2018-06'), joined here by spaces."""
    for pattern, (yi, mi, di) in _SPLIT_FORMS:
        m = pattern.search(text)
        if m:
            try:
                return date(int(m.group(yi)), int(m.group(mi)), int(m.group(di))), m.group(0)
            except ValueError:
                continue
    return None


def entries_from_group(page: Page, group: Group, doc_title: str) -> list[ListEntry]:
    default_year: int | None = None
    year_looked = False
    entries: list[ListEntry] = []
    seen: set[tuple[str, str]] = set()
    is_member = set(group.members)
    for member, main in zip(group.members, group.mains):
        row = _row_text(member, is_member)
        title = main.best_title
        if main.text and title != main.text and not any(main.text.endswith(e) for e in ELLIPSIS):
            title = main.title_attr
        d, shown = _entry_date(member, main, row, title, default_year)
        if d is None and shown and not year_looked:
            default_year = _group_default_year(page, group, doc_title)
            year_looked = True
            d, shown = _entry_date(member, main, row, title, default_year)
        if title == main.text and shown and shown in title:
            title = title.replace(shown, "").strip(" []【】()（）")  # a date printed inside the link
        key = (title, main.url)
        if key in seen:
            continue
        seen.add(key)
        entries.append(ListEntry(title=title, url=main.url, date_shown=shown, date=d))
    return entries


def entries_from_selectors(page: Page, selectors: Selectors) -> list[ListEntry]:
    entries: list[ListEntry] = []
    for node in select(page.root, selectors.entry):
        title_nodes = select(node, selectors.title) if selectors.title else []
        link_el: Element | None = None
        for cand in [*title_nodes, node]:
            if cand.tag == "a" and cand.get("href"):
                link_el = cand
                break
            found = cand.find(".//a[@href]")
            if found is not None:
                link_el = found
                break
        if link_el is None:
            continue
        url = absolute(page.base, link_el.get("href"))
        if url is None:
            continue
        text = norm(title_nodes[0].text_content()) if title_nodes else norm(link_el.text_content())
        title = choose_title(text, norm(link_el.get("title")))
        date_text = select_text(node, selectors.date) if selectors.date else norm(node.text_content())
        found_dates = find_dates(date_text.replace(title, " ") if not selectors.date else date_text)
        d, shown = found_dates[0] if found_dates else (None, "")
        entries.append(ListEntry(title=title, url=url, date_shown=shown, date=d))
    return entries


# ---------------------------------------------------------------------------------------- pagination

_NEXT_LABEL = re.compile(r"^(?:下一?页|后一?页|next(?:page)?|[>›»]+)[>›»]*$", re.IGNORECASE)
# (pattern, whether group 1 is the current page and group 2 the total, a character every match holds). Without
# a pager the whole body's text is searched: the character test (a fast substring search) spares the pattern
# on the three pages in four whose text has no "/".
_TOTAL_PAGES = (
    # "12/30页", not after a digit or a slash: checked after the first digit, (?<![\d/]\d), so that the pattern
    # opens with \d and the engine scans a page's whole text for digits in C (three times faster, same matches).
    (re.compile(r"(\d(?<![\d/]\d)\d*)\s*/\s*(\d+)\s*页"), True, "/"),
    (re.compile(r"(?:页码|页次|当前页|第)\s*[:：]?\s*(\d+)\s*/\s*(\d+)"), True, "/"),
    (re.compile(r"共\s*\d+\s*(?:条|篇|项|记录)[^\d/]{0,20}?(\d+)\s*/\s*(\d+)(?![\d/])"), True, "/"),
    (re.compile(r"共\s*(\d+)\s*页"), False, "共"),
    (re.compile(r"/\s*(\d+)\s*页"), False, "/"),
)
_TOTAL_ENTRIES = re.compile(r"共\s*(\d+)\s*(?:条|篇|项|记录)|总共\s*(\d+)\s*(?:条|篇|项|记录)")
_WEBPLUS_LIST = re.compile(r"/list(\d*)\.(htm|html|psp)$")
_VSB_PAGE = re.compile(r"/([^/]+)/(\d+)\.htm$")
_VSB_FIRST = re.compile(r"/([^/]+)\.htm$")


def pagination(page: Page, selectors: Selectors | None) -> tuple[list[str], int | None, int | None]:
    """Further list pages in order, and the pager's totals (pages, entries) when it prints them."""
    here = canonical_url(page.url)
    nexts: list[str] = []
    numbered: list[tuple[int, str, Element]] = []
    pager_nodes: list[Element] = []
    if selectors is not None and selectors.next_page:
        for node in select(page.root, selectors.next_page):
            links = [node] if node.tag == "a" else node.findall(".//a[@href]")
            for a in links:
                u = absolute(page.base, a.get("href"))
                if u and u != here:
                    nexts.append(u)
                    pager_nodes.append(a)
    for anchor in page.anchors:
        if anchor.url == here:
            continue
        label = anchor.text.replace(" ", "")
        cls = anchor.el.get("class") or ""
        if (label and _NEXT_LABEL.match(label)) or (not label and "next" in cls.lower().split()):
            nexts.append(anchor.url)
            pager_nodes.append(anchor.el)
        elif label.isdigit() and len(label) <= 5:
            numbered.append((int(label), anchor.url, anchor.el))
    if len({u for _, u, _ in numbered}) < 2 and not nexts:
        numbered = []  # a lone "1" link is a footnote or a slide switch, not a pager
    pager_nodes.extend(el for _, _, el in numbered[:3])

    total_pages, total_entries, current = _pager_totals(page, pager_nodes)
    if nexts:
        first_next = nexts[0]
        labels = [n for n, u, _ in numbered if u == first_next]
        if labels:
            current = labels[0] - 1
    result: list[str] = []
    for u in nexts:
        if u not in result:
            result.append(u)
    for n, u, _ in sorted(numbered, key=lambda t: t[0]):
        if n > (current or 1) and u not in result and u != here:
            result.append(u)
    if not result and total_pages:
        synth = _synthesise_next(page, here, total_pages)
        if synth:
            result.append(synth)
    return result, total_pages, total_entries


def _pager_totals(page: Page, pager_nodes: Sequence[Element]) -> tuple[int | None, int | None, int | None]:
    texts: list[str] = []
    for node in pager_nodes[:2]:
        el: Element | None = node
        for _ in range(4):
            if el is None:
                break
            raw = el.text_content()
            if len(raw) > 6000:
                break
            text = norm(raw)  # prettified markup pads a pager with whitespace
            if len(text) > 600:
                break
            texts.append(text)
            el = el.getparent()
    if not texts:
        texts.append(page.body.text_content())
    total_pages = total_entries = current = None
    for text in reversed(texts):  # widest first: the totals sit beside the links, not in them
        for pattern, with_current, needed in _TOTAL_PAGES:
            m = pattern.search(text) if needed in text else None
            if m:
                if with_current:
                    current, total_pages = int(m.group(1)), int(m.group(2))
                else:
                    total_pages = int(m.group(1))
                break
        m2 = _TOTAL_ENTRIES.search(text) if "共" in text else None  # both of its spellings hold 共
        if m2:
            total_entries = int(m2.group(1) or m2.group(2))
        if total_pages:
            break
    return total_pages, total_entries, current


def _synthesise_next(page: Page, here: str, total: int) -> str | None:
    """The next page when the pager is drawn by JavaScript: WebPlus listN.htm, VSB reverse-numbered pages."""
    parts = urlsplit(here)
    m = _WEBPLUS_LIST.search(parts.path)
    if m:
        n = int(m.group(1) or 1)
        if n < total:
            return urljoin(here, f"list{n + 1}.{m.group(2)}")
        return None
    m = _VSB_PAGE.search(parts.path)
    if m and any(a.url.endswith(f"/{m.group(1)}.htm") for a in page.anchors):
        n = int(m.group(2))
        return urljoin(here, f"{n - 1}.htm") if n > 1 else None
    m = _VSB_FIRST.search(parts.path)
    if m and total > 1:
        slug = m.group(1)
        if any(f"/{slug}/" in a.url for a in page.anchors) or "gotopage" in etree.tostring(
            page.body, encoding="unicode"
        ):
            return urljoin(here, f"{slug}/{total - 1}.htm")
    return None
