"""Read a disclosure site's 信息公开目录 out of its pages: the columns, where they sit, who owns them.

A directory comes in a few shapes: a 目录 page of headed blocks (h3 + list), a table (类别 | 事项 |
责任部门), or only a menu tree (categories in the navigation, their columns in each category page's
sidebar). Rather than one parser per shape, every link of a page is read with its surroundings: the
heading or parent menu entry above it (its category), the cells or text beside it that name a
department, and whether it stands beside a date (then it is a list entry, an article, not a column).
`checklist.draft.crawl` decides which pages to read; `checklist.draft.matching` decides which links
are columns of which item. Everything read here is untrusted text from the web and is kept as text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urldefrag, urljoin, urlsplit

import lxml.html
from lxml.etree import ParserError, _Element

__all__ = ["PageLink", "PageRead", "looks_like_department", "read_page", "split_departments"]

_DATE = re.compile(r"(?:19|20)\d{2}\s*[-./年]\s*\d{1,2}(?:\s*[-./月]\s*\d{1,2})?|\[\d{1,2}-\d{1,2}\]")
_ATTACHMENT = re.compile(r"\.(pdf|docx?|xlsx?|pptx?|zip|rar|7z|jpe?g|png|gif|mp4|txt)$", re.IGNORECASE)
_CRUMB_HINT = re.compile(r"location|position|breadcrumb|crumb|dqwz|curpos|weizhi|lujing|path", re.IGNORECASE)
_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "dt", "strong", "b"})
_HEADING_CLASS = re.compile(r"(^|[\s_-])(tit|title|hd|head|lm|lmmc|name|cat)", re.IGNORECASE)
_DEPT_SUFFIX = (
    "处", "办", "部", "院", "会", "中心", "公司", "室", "委", "馆", "所", "团委", "队", "科", "组", "站",
)
_DEPT = re.compile(r"^[\u4e00-\u9fffA-Za-z（）()]{2,24}$")
_DEPT_LABEL = re.compile(r"(?:责任|负责|牵头|主管|主办|承办|公开)?(?:部门|单位)\s*[:：]\s*([^\n]{2,80})")
_MAX_LABEL = 30  # longer link texts are article titles, not column names


@dataclass(frozen=True)
class PageLink:
    """One link as it stands on a page."""

    url: str
    text: str
    category: str  # the heading or parent menu entry above it, "" if none
    departments: tuple[str, ...]  # named beside it (a table cell, "责任部门：…")
    entry: bool  # stands beside a date: an article of a list, not a column
    in_nav: bool  # inside a navigation bar or menu (ul/nav with several siblings)


@dataclass(frozen=True)
class PageRead:
    """What a page says about the directory."""

    url: str
    title: str  # the <title>'s first part
    full_title: str
    breadcrumb: tuple[str, ...]  # 当前位置 trail without 首页
    departments: tuple[str, ...]  # named for the whole page ("责任部门：财务处")
    links: tuple[PageLink, ...]


def looks_like_department(text: str) -> bool:
    """A department's name: short, Chinese, ending as offices do (处, 办, 部, 院, 中心, …)."""
    text = text.strip()
    if not _DEPT.fullmatch(text):
        return False
    core = re.sub(r"[（(][^）)]{1,4}[）)]$", "", text)  # 学生工作处（部）
    return core.endswith(_DEPT_SUFFIX)


def split_departments(text: str) -> tuple[str, ...]:
    """Departments written in one place: one per line, or separated by ；,，/ and spaces.

    "、" separates two departments only when both sides are full names; "党办、校办" (two abbreviations)
    is one joint office, as the catalogue format counts it.
    """
    names: list[str] = []
    for part in re.split(r"[\n；;,，/|]+|\s{1,}", text):
        part = part.strip(" 　:：。")
        if not part:
            continue
        pieces = [p for p in part.split("、") if p]
        if len(pieces) > 1 and all(len(p) >= 3 and looks_like_department(p) for p in pieces):
            names.extend(pieces)
        else:
            names.append(part)
    return tuple(dict.fromkeys(names))


def _text(el: _Element) -> str:
    return re.sub(r"\s+", " ", el.text_content() or "").strip()


def _absolute(base: str, href: str) -> str | None:
    href = (href or "").strip()
    if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
        return None
    try:
        url = urldefrag(urljoin(base, href))[0]
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return url


def _container(a: _Element) -> _Element | None:
    """The list item or table row that holds a link."""
    node = a.getparent()
    depth = 0
    while node is not None and depth < 4:
        if node.tag in ("li", "tr", "dd", "p"):
            return node
        node = node.getparent()
        depth += 1
    return None


def _heading_before(el: _Element) -> str:
    """The text of the nearest heading above `el`: a preceding sibling heading at some ancestor level,
    or, in a nested menu, the parent entry's own link."""
    node: _Element | None = el
    for _ in range(5):
        if node is None:
            return ""
        parent = node.getparent()
        if parent is None:
            return ""
        if parent.tag == "li" and node.tag in ("ul", "ol", "div"):
            for child in parent:
                if child is node:
                    break
                text = _text(child)
                if text:
                    return text
        sib = node.getprevious()
        while sib is not None:
            if not isinstance(sib.tag, str):
                sib = sib.getprevious()
                continue
            cls = sib.get("class") or ""
            if sib.tag in _HEADING_TAGS or _HEADING_CLASS.search(cls):
                text = _text(sib)
                if text and len(text) <= _MAX_LABEL:
                    return text
            inner = sib.xpath(".//h1|.//h2|.//h3|.//h4")
            if inner:
                text = _text(inner[-1])
                if text and len(text) <= _MAX_LABEL:
                    return text
            sib = sib.getprevious()
        node = parent
    return ""


def _row_context(row: _Element, a: _Element, headers: list[str], last_category: list[str]) -> tuple[str, tuple[str, ...]]:
    """Category and departments from a table row's other cells (rowspan categories carried down)."""
    cells = [c for c in row if isinstance(c.tag, str) and c.tag in ("td", "th")]
    departments: list[str] = []
    category = ""
    link_cell = next((i for i, c in enumerate(cells) if a in c.iter()), -1)
    for i, cell in enumerate(cells):
        if i == link_cell:
            continue
        text = _text(cell)
        header = headers[i] if i < len(headers) else ""
        if not text:
            continue
        if "部门" in header or "单位" in header or (not header and looks_like_department(text)):
            departments.extend(split_departments(_cell_lines(cell)))
        elif i < link_cell and not re.fullmatch(r"\d+", text) and ("类" in header or not header):
            category = text
    if category:
        last_category[:] = [category]
    elif last_category:
        category = last_category[0]
    return category, tuple(departments)


def _cell_lines(cell: _Element) -> str:
    parts = [t.strip() for t in cell.itertext() if t.strip()]
    return "\n".join(parts)


def read_page(html: str, url: str) -> PageRead:
    """Every link of the page with its surroundings, the page's title, breadcrumb and departments."""
    try:
        doc = lxml.html.document_fromstring(html or "<html></html>")
    except (ParserError, ValueError):
        return PageRead(url, "", "", (), (), ())
    for bad in doc.xpath("//script|//style|//noscript|//select"):
        bad.drop_tree()
    title_el = doc.find(".//title")
    full_title = _text(title_el) if title_el is not None else ""
    title = re.split(r"\s*[-_|–—]\s*", full_title)[0] if full_title else ""
    breadcrumb: tuple[str, ...] = ()
    for el in doc.iter():
        if not isinstance(el.tag, str):
            continue
        hint = f"{el.get('class') or ''} {el.get('id') or ''}"
        own = (el.text or "").strip()
        if _CRUMB_HINT.search(hint) or own.startswith(("当前位置", "您的位置", "你的位置", "当前的位置")):
            crumbs = [_text(a) for a in el.iter("a")]
            tail = (el.xpath("string(.)") or "").split(">")[-1].split("»")[-1].strip()
            if tail and (not crumbs or tail != crumbs[-1]) and len(tail) <= _MAX_LABEL:
                crumbs.append(tail)
            crumbs = [c for c in crumbs if c and c not in ("首页", "网站首页", "主页")]
            if crumbs:
                breadcrumb = tuple(crumbs)
                break
    # one line per text node: a department named in a <p> must not run into the next element's text
    body_text = "\n".join(t.strip() for t in doc.body.itertext() if t.strip()) if doc.body is not None else ""
    page_departments: list[str] = []
    for m in _DEPT_LABEL.finditer(body_text):
        head = re.split(r"\s{2,}|[。]|发布|更新|时间|日期|浏览|点击", m.group(1))[0]
        page_departments.extend(d for d in split_departments(head) if looks_like_department(d))
    links: list[PageLink] = []
    table_headers: dict[int, list[str]] = {}
    table_category: dict[int, list[str]] = {}
    for a in doc.iter("a"):
        target = _absolute(url, a.get("href") or "")
        text = _text(a) or (a.get("title") or "").strip()
        if target is None or not text or _ATTACHMENT.search(urlsplit(target).path):
            continue
        box = _container(a)
        box_text = _text(box) if box is not None else text
        entry = bool(_DATE.search(box_text)) or len(text) > _MAX_LABEL
        category = ""
        departments: tuple[str, ...] = ()
        if box is not None and box.tag == "tr":
            table = next(box.iterancestors("table"), None)
            key = id(table)
            if key not in table_headers and table is not None:
                first = table.xpath(".//tr[1]/*")
                table_headers[key] = [_text(c) for c in first] if any(c.tag == "th" for c in first) or any(
                    "部门" in _text(c) or "事项" in _text(c) for c in first
                ) else []
                table_category[key] = []
            category, departments = _row_context(box, a, table_headers.get(key, []), table_category.setdefault(key, []))
        if not category:
            category = _heading_before(box if box is not None else a)
        if not departments and box is not None:
            rest = box_text.replace(text, "", 1)
            found = [m.group(1) for m in _DEPT_LABEL.finditer(rest)]
            departments = tuple(d for f in found for d in split_departments(f) if looks_like_department(d))
        in_nav = any(
            anc.tag == "nav" or re.search(r"nav|menu|daohang", f"{anc.get('class') or ''} {anc.get('id') or ''}", re.IGNORECASE)
            for anc in a.iterancestors()
        )
        links.append(PageLink(target, text, category if category != text else "", departments, entry, in_nav))
    return PageRead(url, title, full_title, breadcrumb, tuple(dict.fromkeys(page_departments)), tuple(links))
