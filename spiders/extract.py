"""Say what a crawled HTML page is (list column, article, blank column) and pull out the audit's evidence.

Pure code: a decoded HTML string and its URL in, a frozen `PageExtract` out; no Scrapy, no network.
It runs on every page of every nightly crawl, so it parses once with lxml and leans on XPath (which
runs in C) for anything that touches the whole tree; Python loops only visit anchors and candidates.

The heuristics are structural so that they carry to CMSs we have not seen: a list column is the best
group of sibling blocks that each hold one title link (most with a date); navigation, footers and
pagers lose because they are undated, short-titled or flagged as boilerplate. CMS-specific class
names (WebPlus, 博达 VSB) only break ties. Per-site `Selectors` override all of it.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import TypeAlias
from urllib.parse import parse_qsl, unquote, urljoin, urlsplit, urlunsplit

import lxml.html
from lxml import etree

from auditor.models import FoundDate, PageKind
from checklist.model import Selectors
from spiders.dates import find_dates, url_date

__all__ = [
    "AnchorLink",
    "AttachmentLink",
    "ListEntry",
    "PageExtract",
    "canonical_url",
    "extract_page",
    "is_attachment_url",
]

Element: TypeAlias = lxml.html.HtmlElement


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
    attachments: tuple[AttachmentLink, ...]
    links: tuple[AnchorLink, ...]  # every other http(s) link (not entries, pages or attachments)
    embedded: tuple[AttachmentLink, ...]  # embedded documents (WebPlus PDF player, <iframe>/<embed>/<object> PDFs)
    total_pages: int | None = None  # from a pager text such as "共1432条 1/144"
    total_entries: int | None = None
    furniture_links: tuple[AnchorLink, ...] = ()  # links outside the main content: the site's, not the item's
    furniture: tuple[str, ...] = ()  # what was set aside as furniture, e.g. "div#left.menu: 12 links"


# ---------------------------------------------------------------------------------------------- URLs

_ATTACHMENT_EXTS = frozenset(
    [
        ".pdf",
        ".doc",
        ".docx",
        ".xls",
        ".xlsx",
        ".wps",
        ".et",
        ".zip",
        ".rar",
        ".7z",
        ".ppt",
        ".pptx",
        ".txt",
        ".csv",
        ".ofd",
        ".dps",
    ]
)
_ATTACHMENT_PATHS = ("/_upload/article/files/", "downloadattachurl", "download.jsp", "/attachment/")
_EXT_IN_TEXT = re.compile(r"\.(pdf|docx?|xlsx?|wps|et|zip|rar|7z|pptx?|txt|csv|ofd)\s*$", re.IGNORECASE)
_DEFAULT_PORTS = {"http": 80, "https": 443}
_CANONICAL_ALREADY = re.compile(r"https?://[a-z0-9.\-]+/[^#]*\Z")


def is_attachment_url(url: str, link_text: str = "") -> bool:
    """A downloadable file, by extension or by a known CMS download endpoint (VSB, WebPlus)."""
    lowered = url.lower()
    path = lowered.split("#", 1)[0].split("?", 1)[0]
    dot = path.rfind(".")
    if dot > path.rfind("/") and path[dot:] in _ATTACHMENT_EXTS:
        return True
    if any(p in lowered for p in _ATTACHMENT_PATHS):
        return True
    # VSB download.jsp URLs carry no extension; the link text usually names the file.
    return bool(link_text) and _EXT_IN_TEXT.search(link_text) is not None and "?" in url


def canonical_url(url: str) -> str:
    """One spelling per resource: no fragment, lower-case host, no default port, VSB content.jsp → /info/."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return url.strip()
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    netloc = f"[{host}]" if ":" in host else host  # an IPv6 literal keeps its brackets
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        netloc = f"{netloc}:{port}"
    path = parts.path or "/"
    query = parts.query
    if path.lower().endswith("/content.jsp") and "wbnewsid" in query.lower():
        params = {k.lower(): v for k, v in parse_qsl(query)}
        news, tree = params.get("wbnewsid", ""), params.get("wbtreeid", "")
        if news.isdigit() and tree.isdigit():
            path = f"{path[: -len('content.jsp')]}info/{tree}/{news}.htm"
            query = ""
    return urlunsplit((scheme, netloc, path, query, ""))


class _Resolver:
    """urljoin for one base URL, several times faster for the relative paths CMS menus are made of."""

    def __init__(self, base: str) -> None:
        self.base = base
        parts = urlsplit(base)
        self.scheme = parts.scheme
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.path = parts.path or "/"
        self.dir = self.path.split("/")[:-1] or [""]

    def join(self, href: str) -> str:
        if href.startswith(("http://", "https://")):
            return href
        if href.startswith("//"):
            return f"{self.scheme}:{href}"
        colon = href.find(":")
        if colon >= 0 and "/" not in href[:colon] and "?" not in href[:colon]:
            return urljoin(self.base, href)  # another scheme: let the standard library decide
        cut = len(href)
        for ch in "?#":
            i = href.find(ch)
            if 0 <= i < cut:
                cut = i
        rel, rest = href[:cut], href[cut:]
        if not rel:
            return urljoin(self.base, href)
        segments = rel.split("/") if rel.startswith("/") else self.dir + rel.split("/")
        if "." not in rel:
            return self.origin + "/".join(segments) + rest
        out: list[str] = []
        for seg in segments:
            if seg == "..":
                if len(out) > 1:
                    out.pop()
            elif seg != ".":
                out.append(seg)
        if segments[-1] in (".", ".."):
            out.append("")
        path = "/".join(out)
        return self.origin + (path if path.startswith("/") else "/" + path) + rest


def _absolute(base: str | _Resolver, href: str | None) -> str | None:
    """An absolute http(s) URL for an href, or None for javascript:, mailto:, '#', CMS junk."""
    if not href:
        return None
    href = href.strip()
    if not href or href[0] == "#" or "<" in href or ">" in href:
        return None
    low = href[:11].lower()
    if low.startswith(("javascript:", "mailto:", "tel:", "data:", "about:")):
        return None
    try:
        url = base.join(href) if isinstance(base, _Resolver) else urljoin(base, href)
    except ValueError:
        return None
    if not url.startswith(("http://", "https://")):
        return None
    if _CANONICAL_ALREADY.match(url) and "content.jsp" not in url:
        return url  # the common case, without re-splitting the URL
    return canonical_url(url)


# ------------------------------------------------------------------------------------ text helpers

_WS = re.compile(r"[ \t\r\f\v\xa0\u3000\u2002\u2003\u200b]+")
_NL = re.compile(r"\s*\n\s*")
_ELLIPSIS = ("…", "...", "。。。", "..")
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
_NEXT_LABEL = re.compile(r"^(?:下一?页|后一?页|next(?:page)?|[>›»]+)[>›»]*$", re.IGNORECASE)
_PLACEHOLDER = re.compile(
    r"暂无(?:相关)?(?:内容|信息|数据|记录|文章|新闻|公告)|正在建设|建设中|栏目建设|正在更新中|没有(?:找到)?(?:相关)?(?:内容|信息|记录)"
)
# Cheap test for "this short text is a date" (full, month-day or year-month), before the precise parse.
_DATE_HINT = re.compile(
    r"(?<!\d)(?:(?:19|20)\d\d\s*[-/.年]\s*)?\d{1,2}\s*[-/.月]\s*\d{1,2}(?:\s*日)?(?!\d)"
    r"|(?<!\d)(?:19|20)\d\d\s*[-/.年]\s*\d{1,2}\s*月?(?!\d)"
)
_NOT_PREFIX = re.compile(r"[\s\d\[\]【】()（）:：|/·.,，\-年月日\xa0\u3000]+")
_LEFTOVER = re.compile(r"[\s\[\]【】()（）:：|/·,，\xa0\u3000]+")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
_TITLE_SPLIT = re.compile(r"\s*(?:[-_|—–·]|\s-\s|::)\s*")
_SITE_NAME = re.compile(r"大学|学院|学校|University|College|网站|网$|信息公开|首页", re.IGNORECASE)
_LABEL = re.compile(
    r"(发布时间|发布日期|发表时间|发表日期|发稿时间|发稿日期|发文日期|发文时间|成文日期|公布时间|公布日期|发布于|"
    r"更新时间|更新日期|修改时间|(?<![\u4e00-\u9fff])时间|(?<![\u4e00-\u9fff])日期)\s*[:：]?\s*[\[【(（]?\s*"
)
_LABEL_TRUST = {"更新时间": 1, "更新日期": 1, "修改时间": 1, "时间": 2, "日期": 2}
# (pattern, whether group 1 is the current page and group 2 the total)
_TOTAL_PAGES = (
    (re.compile(r"(?<![\d/])(\d+)\s*/\s*(\d+)\s*页"), True),
    (re.compile(r"(?:页码|页次|当前页|第)\s*[:：]?\s*(\d+)\s*/\s*(\d+)"), True),
    (re.compile(r"共\s*\d+\s*(?:条|篇|项|记录)[^\d/]{0,20}?(\d+)\s*/\s*(\d+)(?![\d/])"), True),
    (re.compile(r"共\s*(\d+)\s*页"), False),
    (re.compile(r"/\s*(\d+)\s*页"), False),
)
_TOTAL_ENTRIES = re.compile(r"共\s*(\d+)\s*(?:条|篇|项|记录)|总共\s*(\d+)\s*(?:条|篇|项|记录)")
_WEBPLUS_LIST = re.compile(r"/list(\d*)\.(htm|html|psp)$")
_VSB_PAGE = re.compile(r"/([^/]+)/(\d+)\.htm$")
_VSB_FIRST = re.compile(r"/([^/]+)\.htm$")

_BOILER_TAGS = frozenset(("nav", "header", "footer", "aside"))
_BOILER_TOKENS = frozenset(
    [
        "nav",
        "navi",
        "navbar",
        "navigation",
        "menu",
        "menus",
        "submenu",
        "mainmenu",
        "footer",
        "foot",
        "header",
        "topbar",
        "breadcrumb",
        "breadcrumbs",
        "crumb",
        "crumbs",
        "location",
        "position",
        "path",
        "sidebar",
        "side",
        "aside",
        "copyright",
        "friendlink",
        "friendlinks",
        "yqlj",
        "links",
        "share",
        "pager",
        "paging",
        "pagination",
        "pagebar",
        "search",
        "login",
    ]
)
_LIST_HINTS = ("list", "news", "article", "line_u", "xxgk", "item")
_BODY_HINTS = (
    "wp_articlecontent",
    "v_news_content",
    "vsb_content",
    "TRS_Editor",
    "article-content",
    "article_content",
    "articlecontent",
    "news_content",
    "newscontent",
    "content_detail",
    "detail_content",
    "arti_content",
)
_TOKEN_SPLIT = re.compile(r"[^a-z0-9]+")
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


def _norm(text: str | None) -> str:
    if not text:
        return ""
    return _WS.sub(" ", text).strip()


def _norm_lines(text: str) -> str:
    return _NL.sub("\n", _WS.sub(" ", text)).strip()


def _ns() -> dict[str, str]:
    return {"str": "http://exslt.org/strings"}


_LEN_ATTR = "data-xxgk-len"  # set on every anchor so XPath can subtract link text in C
# Non-link text length of an element (whitespace collapsed): the main measure for finding the body.
_TEXT_LEN = etree.XPath(f"string-length(normalize-space(.)) - sum(.//a/@{_LEN_ATTR})")
_TEXTS = etree.XPath(".//text()", smart_strings=False)
_PLACEHOLDER_TEXTS = etree.XPath(
    ".//text()[contains(., '暂无') or contains(., '建设') or contains(., '没有') or contains(., '更新中')]"
)
_DIGIT_TEXTS = etree.XPath(".//text()[contains(translate(., '0123456789', '##########'), '#')]")
_ANCHORS = etree.XPath("//a[@href]")
_META = etree.XPath("//meta[@content and (@name or @property)]")
_HEADINGS = etree.XPath("//h1 | //h2 | //h3 | //h4")
_TITLED = etree.XPath("//*[@class][contains(@class, 'title') or contains(@class, 'Title')]")
_EMBEDS = etree.XPath("//*[@pdfsrc] | //iframe[@src] | //embed[@src] | //object[@data]")


@lru_cache(maxsize=64)
def _hint_xpath(hint: str) -> etree.XPath:
    return etree.XPath(f"//*[contains(@class, '{hint}') or contains(@id, '{hint}')]")


_BLOCKS = etree.XPath(
    "|".join(f"descendant-or-self::{t}" for t in _BLOCK_TAGS) + "|descendant::td|descendant::th"
)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_local = threading.local()


def _parser() -> lxml.html.HTMLParser:
    # lxml parser objects must not be shared between threads.
    parser: lxml.html.HTMLParser | None = getattr(_local, "parser", None)
    if parser is None:
        parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True)
        _local.parser = parser
    return parser


def _tokens(el: Element) -> list[str]:
    attrs = f"{el.get('class') or ''} {el.get('id') or ''}".lower()
    return _TOKEN_SPLIT.split(attrs) if attrs.strip() else []


@lru_cache(maxsize=256)
def _compile_selector(selector: str) -> etree.XPath:
    """CSS, or XPath when it starts with '/', '(' or '.'."""
    if selector.startswith(("/", "(", ".")):
        return etree.XPath(selector)
    from cssselect import HTMLTranslator  # installed with Scrapy; imported late to keep start-up light

    return etree.XPath(HTMLTranslator().css_to_xpath(selector))


def _select(node: Element, selector: str | None) -> list[Element]:
    if not selector:
        return []
    result = _compile_selector(selector)(node)
    if not isinstance(result, list):
        return []
    return [r for r in result if isinstance(r, etree._Element)]


def _select_text(node: Element, selector: str | None) -> str:
    if not selector:
        return ""
    result = _compile_selector(selector)(node)
    if isinstance(result, list):
        parts = [r.text_content() if isinstance(r, etree._Element) else str(r) for r in result[:1]]
        return _norm(" ".join(parts))
    return _norm(str(result))


# ---------------------------------------------------------------------------------------- the page


class _Anchor:
    """An <a href> with its absolute URL and texts, computed once per page."""

    __slots__ = ("best_title", "el", "text", "title_attr", "url")

    def __init__(self, el: Element, url: str, text: str, title_attr: str) -> None:
        self.el = el
        self.url = url
        self.text = text
        self.title_attr = title_attr
        self.best_title = _choose_title(text, title_attr)


def _choose_title(text: str, title_attr: str) -> str:
    """The anchor text, unless it is truncated, empty or a prefix of a fuller title= attribute."""
    if not title_attr:
        return text
    if not text:
        return title_attr
    stem = text
    for e in _ELLIPSIS:
        if stem.endswith(e):
            stem = stem[: -len(e)].rstrip()
            return title_attr if title_attr.startswith(stem[:4]) or len(title_attr) > len(stem) else text
    if text.startswith(title_attr) or title_attr.startswith(text):
        return title_attr
    return text


def _title_like(title: str) -> bool:
    if len(title) < 2 or title.lower() in _NOT_TITLE:
        return False
    stripped = title.strip("[]【】()（）<>《》»«›‹ .。,，:：|-")
    return bool(stripped) and not stripped.isdigit()


class _Page:
    """One parsed page and the lookups the extraction steps share."""

    def __init__(self, root: Element, url: str, html: str = "") -> None:
        self.root = root
        # Which known body containers the page mentions at all: a substring test is far cheaper than XPath.
        self.body_hints = [h for h in _BODY_HINTS if h in html]
        self.url = url
        base = root.xpath("//base/@href")
        self.base = urljoin(url, str(base[0]).strip()) if base else url
        resolver = _Resolver(self.base)
        self.boiler_cache: dict[Element, bool] = {}
        self.anchors: list[_Anchor] = []
        resolved: dict[str, str | None] = {}  # menus repeat the same hrefs; resolve each once
        for a in _ANCHORS(root):
            text = _norm(a.text_content())
            a.set(_LEN_ATTR, str(len(text)))
            href = a.get("href") or ""
            if href in resolved:
                abs_url = resolved[href]
            else:
                abs_url = resolved[href] = _absolute(resolver, href)
            if abs_url is None:
                continue
            self.anchors.append(_Anchor(a, abs_url, text, _norm(a.get("title"))))
        body = root.find("body")
        self.body: Element = body if body is not None else root

    def is_boiler(self, el: Element | None) -> bool:
        """Inside navigation, header, footer, breadcrumb, pager or link-farm markup."""
        chain: list[Element] = []
        result = False
        while el is not None:
            cached = self.boiler_cache.get(el)
            if cached is not None:
                result = cached
                break
            chain.append(el)
            if el.tag in _BOILER_TAGS or (not _BOILER_TOKENS.isdisjoint(_tokens(el))):
                result = True
                break
            el = el.getparent()
        for c in chain:
            self.boiler_cache[c] = result
        return result


# ------------------------------------------------------------------------------------ list groups


@dataclass
class _Group:
    parent: Element
    members: list[Element]
    mains: list[_Anchor]
    dated: int
    score: float
    tier: int


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


def _leads_with_link(member: Element, main: _Anchor) -> bool:
    if member is main.el:
        return True
    text = member.text_content()
    probe = main.text[:8] or main.title_attr[:8]
    idx = text.find(probe) if probe else -1
    if idx < 0:
        return True  # an image link or odd markup: no evidence against it
    return len(_NOT_PREFIX.sub("", text[:idx])) <= 12


def _dated_elements(page: _Page) -> set[Element]:
    """Elements holding (or followed by) a short text that is essentially a date, and their near ancestors.

    Found once per page from the text nodes with digits, so that judging a candidate list's rows is a
    set lookup rather than a text scan per row.
    """
    dated: set[Element] = set()
    for t in _DIGIT_TEXTS(page.body):
        m = _DATE_HINT.search(t)
        if m is None:
            continue
        el = t.getparent()
        if el is None:
            continue
        leftover = len(t) - (m.end() - m.start())
        if leftover > 0:
            leftover = len(_LEFTOVER.sub("", t[: m.start()] + t[m.end() :]))
            if leftover > 8 or (el.tag == "a" and not t.is_tail and leftover > 0):
                continue  # a title that mentions a date, not a date
        for _ in range(6):
            if el is None or el in dated:
                break
            dated.add(el)
            el = el.getparent()
    return dated


def _find_groups(page: _Page) -> list[_Group]:
    """Candidate lists: sibling blocks of one tag under one parent, each holding few links."""
    member_anchors: dict[Element, list[_Anchor]] = {}
    parent_members: dict[tuple[Element, str], list[Element]] = {}
    body = page.body
    for anchor in page.anchors:
        x: Element = anchor.el
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
    dated_els = _dated_elements(page)
    groups: list[_Group] = []
    for (parent, _tag), members in parent_members.items():
        mains: list[_Anchor] = []
        kept: list[Element] = []
        for m in members:
            anchors = member_anchors[m]
            if len(anchors) > 4 and len({a.url for a in anchors}) > 4:
                continue
            if m.tag in _BOILER_TAGS or not _BOILER_TOKENS.isdisjoint(_tokens(m)):
                continue
            main = anchors[0]
            for a in anchors[1:]:
                if len(a.best_title) > len(main.best_title):
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
        groups.append(_Group(parent, kept, mains, dated, score, tier))
    return groups


def _best_group(groups: list[_Group]) -> _Group | None:
    multi = [g for g in groups if len(g.members) >= 2]
    if multi:
        return max(multi, key=lambda g: (g.tier, g.score))
    singles = [g for g in groups if g.tier == 3 and len(g.mains[0].best_title) >= 4]
    if not singles:
        return None
    # The same lone entry is seen at several levels; the smallest block that holds its date is the row.
    return min(singles, key=lambda g: len(g.members[0].text_content()))


def _group_default_year(page: _Page, group: _Group, doc_title: str) -> int | None:
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
    member: Element, main: _Anchor, row: str, title: str, default_year: int | None
) -> tuple[date | None, str]:
    """The row's own date: not one inside its title, possibly split over elements or missing its year."""
    pieces = [_norm(t) for t in _TEXTS(member)]
    rest = [p for p in pieces if p and p != title and not (len(p) >= 6 and p in title)]
    # Text after the member (tail, next sibling) belongs to the row when the member is the bare link.
    extra = row[len(member.text_content()) :] if row.startswith(member.text_content()) else ""
    probe = _norm(" ".join(rest) + " " + extra)
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


def _entries_from_group(page: _Page, group: _Group, doc_title: str) -> list[ListEntry]:
    default_year: int | None = None
    year_looked = False
    entries: list[ListEntry] = []
    seen: set[tuple[str, str]] = set()
    is_member = set(group.members)
    for member, main in zip(group.members, group.mains):
        row = _row_text(member, is_member)
        title = main.best_title
        if main.text and title != main.text and not any(main.text.endswith(e) for e in _ELLIPSIS):
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


def _entries_from_selectors(page: _Page, selectors: Selectors) -> list[ListEntry]:
    entries: list[ListEntry] = []
    for node in _select(page.root, selectors.entry):
        title_nodes = _select(node, selectors.title) if selectors.title else []
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
        url = _absolute(page.base, link_el.get("href"))
        if url is None:
            continue
        text = _norm(title_nodes[0].text_content()) if title_nodes else _norm(link_el.text_content())
        title = _choose_title(text, _norm(link_el.get("title")))
        date_text = _select_text(node, selectors.date) if selectors.date else _norm(node.text_content())
        found_dates = find_dates(date_text.replace(title, " ") if not selectors.date else date_text)
        d, shown = found_dates[0] if found_dates else (None, "")
        entries.append(ListEntry(title=title, url=url, date_shown=shown, date=d))
    return entries


# ------------------------------------------------------------------------------------- pagination


def _pagination(page: _Page, selectors: Selectors | None) -> tuple[list[str], int | None, int | None]:
    """Further list pages in order, and the pager's totals (pages, entries) when it prints them."""
    here = canonical_url(page.url)
    nexts: list[str] = []
    numbered: list[tuple[int, str, Element]] = []
    pager_nodes: list[Element] = []
    if selectors is not None and selectors.next_page:
        for node in _select(page.root, selectors.next_page):
            links = [node] if node.tag == "a" else node.findall(".//a[@href]")
            for a in links:
                u = _absolute(page.base, a.get("href"))
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


def _pager_totals(page: _Page, pager_nodes: Sequence[Element]) -> tuple[int | None, int | None, int | None]:
    texts: list[str] = []
    for node in pager_nodes[:2]:
        el: Element | None = node
        for _ in range(4):
            if el is None:
                break
            text = el.text_content()
            if len(text) > 600:
                break
            texts.append(text)
            el = el.getparent()
    if not texts:
        texts.append(page.body.text_content())
    total_pages = total_entries = current = None
    for text in reversed(texts):  # widest first: the totals sit beside the links, not in them
        for pattern, with_current in _TOTAL_PAGES:
            m = pattern.search(text)
            if m:
                if with_current:
                    current, total_pages = int(m.group(1)), int(m.group(2))
                else:
                    total_pages = int(m.group(1))
                break
        m2 = _TOTAL_ENTRIES.search(text)
        if m2:
            total_entries = int(m2.group(1) or m2.group(2))
        if total_pages:
            break
    return total_pages, total_entries, current


def _synthesise_next(page: _Page, here: str, total: int) -> str | None:
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


# ---------------------------------------------------------------------------------- article body


def _find_body(page: _Page, group: _Group | None, selectors: Selectors | None) -> tuple[Element, float]:
    """The article body element and its non-link text length, the list group's own text left out."""
    if selectors is not None and selectors.body:
        nodes = _select(page.root, selectors.body)
        if nodes:
            return nodes[0], float(_TEXT_LEN(nodes[0]))
    members = set(group.members) if group else set()
    group_len = sum(float(_TEXT_LEN(m)) for m in group.members) if group else 0.0
    holders: set[Element] = set()
    if group is not None:
        el: Element | None = group.parent
        while el is not None:
            holders.add(el)
            el = el.getparent()

    def length(el: Element) -> float:
        if el in members:
            return 0.0
        n = float(_TEXT_LEN(el))
        return max(0.0, n - group_len) if el in holders else n

    for hint in page.body_hints:
        for el in _hint_xpath(hint)(page.root):
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


def _text_with_breaks(el: Element, skip: set[Element]) -> str:
    """Element text with a line break after each block, so cells and paragraphs never run together."""
    for block in _BLOCKS(el):
        if block in skip:
            continue
        sep = " " if block.tag in ("td", "th") else "\n"
        block.tail = sep + (block.tail or "")
    return _norm_lines(el.text_content())


# --------------------------------------------------------------------------------------- title


def _doc_title(root: Element) -> str:
    t = root.find(".//title")
    return _norm(t.text_content()) if t is not None else ""


def _find_title(
    page: _Page, doc_title: str, group: _Group | None, article: bool, selectors: Selectors | None
) -> str:
    if article and selectors is not None and selectors.title and not selectors.entry:
        text = _select_text(page.root, selectors.title)
        if text:
            return text
    members = set(group.members) if group else set()
    matching: list[str] = []
    first_h1 = ""
    for xpath in (_HEADINGS, _TITLED):
        for h in xpath(page.root):
            text = _norm(h.text_content())
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


# ----------------------------------------------------------------------------------- publish date


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


def _meta_dates(root: Element) -> list[FoundDate]:
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


def _labelled_near(page: _Page, body: Element) -> FoundDate | None:
    """The labelled date nearest the body (walking outwards), not a footer's site-wide "更新时间"."""
    el: Element | None = body
    for _ in range(5):
        if el is None or page.is_boiler(el):
            break
        text = _norm(el.text_content())
        if len(text) > 20000:
            break
        found = _labelled_date(text)
        if found:
            return found
        if el is page.body:
            break
        el = el.getparent()
    return None


def _publish_date(
    page: _Page, labelled: FoundDate | None, title: str, metas: list[FoundDate]
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
        text = _norm(page.body.text_content())
        pos = text.find(title)
        if pos >= 0:
            near = find_dates(text[pos + len(title) : pos + len(title) + 200])
            if near:
                return FoundDate(near[0][0], near[0][1], "near-title")
    return None


# ----------------------------------------------------------------------------------------- public


def _embedded(page: _Page, html: str) -> list[AttachmentLink]:
    out: list[AttachmentLink] = []
    low = html.lower() if "pdfsrc" not in html else ""
    if not low and "pdfsrc" not in html:
        return out
    if low and not any(f"<{t}" in low for t in ("iframe", "embed", "object")):
        return out  # a substring test spares four whole-tree XPath walks on most pages
    for el in _EMBEDS(page.root):
        raw = el.get("pdfsrc") or el.get("src") or el.get("data")
        url = _absolute(page.base, raw)
        if url is None:
            continue
        if el.get("pdfsrc") is None:
            path = urlsplit(url).path.lower()
            query = dict(parse_qsl(urlsplit(url).query))
            inner = query.get("file") or query.get("url") or ""
            if inner.lower().split("?")[0].endswith(".pdf"):
                url = _absolute(url, unquote(inner)) or url
            elif not path.endswith(".pdf"):
                continue
        if all(e.url != url for e in out):
            out.append(AttachmentLink(url, _embed_name(el)))
    return out


_SUDY_TITLE = re.compile(r"""['"]title['"]\s*:\s*['"]([^'"]+)['"]""")


def _embed_name(el: Element) -> str:
    """WebPlus names its PDF player's file in sudyfile-attr="{'title':'预算.pdf'}"; others in title=."""
    m = _SUDY_TITLE.search(el.get("sudyfile-attr") or "")
    return _norm(m.group(1) if m else el.get("title") or "")


def _attachments(page: _Page, skip: set[str]) -> list[AttachmentLink]:
    out: dict[str, AttachmentLink] = {}
    for a in page.anchors:
        if a.url in skip or not is_attachment_url(a.url, a.text):
            continue
        name = a.text or a.title_attr or unquote(urlsplit(a.url).path.rsplit("/", 1)[-1])
        if a.url not in out or not out[a.url].name:
            out[a.url] = AttachmentLink(a.url, name)
    return list(out.values())


def _dedupe_dates(dates: Iterable[FoundDate]) -> tuple[FoundDate, ...]:
    seen: set[tuple[date, str, str]] = set()
    out: list[FoundDate] = []
    for d in dates:
        key = (d.value, d.shown, d.source)
        if key not in seen:
            seen.add(key)
            out.append(d)
    return tuple(out)


def _placeholder_text(page: _Page) -> str:
    """The sentence that says the column is empty (暂无内容…), from the element that holds it."""
    for t in _PLACEHOLDER_TEXTS(page.body):
        if _PLACEHOLDER.search(t):
            holder = t.getparent()
            text = _norm(holder.text_content()) if holder is not None else ""
            return text if 0 < len(text) <= 200 else _norm(t)
    return ""


def _empty(kind: PageKind = PageKind.EMPTY) -> PageExtract:
    return PageExtract(kind, "", "", (), (), None, (), (), (), ())


def extract_page(html: str, url: str, selectors: Selectors | None = None) -> PageExtract:
    """Classify one HTML page and extract its entries, dates, pages, attachments, links and embeds."""
    if selectors is not None and selectors.is_empty():
        selectors = None
    html = _XML_DECL.sub("", html, count=1) if html.lstrip()[:5].lower() == "<?xml" else html
    if not html.strip():
        return _empty()
    try:
        root = lxml.html.document_fromstring(html, parser=_parser())
    except (etree.ParserError, ValueError):
        return _empty()
    etree.strip_elements(root, "script", "style", "noscript", "template", "select", with_tail=False)
    page = _Page(root, url, html)
    doc_title = _doc_title(root)
    metas = _meta_dates(root)
    embedded = _embedded(page, html)

    group: _Group | None = None
    entries: list[ListEntry]
    if selectors is not None and selectors.entry:
        entries = _entries_from_selectors(page, selectors)
    else:
        group = _best_group(_find_groups(page))
        entries = _entries_from_group(page, group, doc_title) if group else []
    next_pages, total_pages, total_entries = _pagination(page, selectors)

    body, body_len = _find_body(page, group, selectors)
    attachments = _attachments(page, set())
    attachment_urls = {a.url for a in attachments}
    labelled: FoundDate | None = None
    labelled_done = False

    entry_text = sum(len(e.title) for e in entries)
    # An article whose one dated link is its own attachment is no list of one.
    lone_attachment = len(entries) == 1 and is_attachment_url(entries[0].url, entries[0].title)
    if entries and not lone_attachment and (len(entries) >= 2 or group is None or group.tier == 3):
        # No single block dominating the page (a portal, a column) is no article, however much text it has.
        if body is page.body:
            kind = PageKind.LIST
        elif body_len >= max(120.0, 1.5 * entry_text):
            kind = PageKind.ARTICLE
        elif body_len >= 50:
            # A short article beside a "related news" box: its own date tips the balance.
            labelled, labelled_done = _labelled_near(page, body), True
            kind = PageKind.ARTICLE if labelled is not None or metas else PageKind.LIST
        else:
            kind = PageKind.LIST
    elif body_len >= 20 or embedded or attachments:
        kind = PageKind.ARTICLE
    else:
        # A short notice is still an article when it carries its own labelled date or meta date.
        labelled, labelled_done = _labelled_near(page, body), True
        kind = PageKind.ARTICLE if body_len and (labelled is not None or metas) else PageKind.EMPTY
    placeholder: re.Match[str] | None = None
    text_all = ""
    if kind is PageKind.EMPTY or (
        kind is PageKind.ARTICLE and body_len < 60 and not (embedded or attachments)
    ):
        text_all = _norm(page.body.text_content())
        placeholder = _PLACEHOLDER.search(text_all)
        if placeholder:
            kind = PageKind.EMPTY

    dates: list[FoundDate] = []
    if kind is PageKind.LIST:
        title = _find_title(page, doc_title, group, False, selectors)
        text = "\n".join(_norm(f"{e.title} {e.date_shown}") for e in entries)
        dates.extend(FoundDate(e.date, e.date_shown, "list") for e in entries if e.date)
        publish = None
        skip_links = {e.url for e in entries} | set(next_pages) | attachment_urls
    elif kind is PageKind.ARTICLE:
        title = _find_title(page, doc_title, group, True, selectors)
        if not labelled_done:
            labelled = _labelled_near(page, body)
        publish = _publish_date(page, labelled, title, metas)
        text = _text_with_breaks(body, set())
        entries, next_pages = [], [n for n in next_pages if n not in attachment_urls]
        if publish is not None:
            dates.append(publish)
        dates.extend(FoundDate(d, s, "text") for d, s in find_dates(text))
        skip_links = set(next_pages) | attachment_urls
    else:
        title = _find_title(page, doc_title, group, False, selectors)
        publish = None
        if placeholder:
            text = _placeholder_text(page) or placeholder.group(0)
        else:
            text = _text_with_breaks(body, set()) if body_len else ""
        entries, next_pages = [], []
        skip_links = attachment_urls
    dates.extend(metas)
    if (d := url_date(url)) is not None:
        dates.append(FoundDate(d, d.isoformat(), "url"))

    links: dict[str, AnchorLink] = {}
    for a in page.anchors:
        if a.url not in skip_links and a.url not in links:
            links[a.url] = AnchorLink(a.url, a.text or a.title_attr)
    return PageExtract(
        kind=kind,
        title=title,
        text=text,
        entries=tuple(entries),
        next_pages=tuple(next_pages),
        publish_date=publish,
        dates=_dedupe_dates(dates),
        attachments=tuple(attachments),
        links=tuple(links.values()),
        embedded=tuple(embedded),
        total_pages=total_pages,
        total_entries=total_entries,
    )
