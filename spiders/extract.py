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
from cssselect import HTMLTranslator
from lxml import etree

from auditor.models import BLANK_COLUMN, FoundDate, PageKind
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
_STARTS_WITH = etree.XPath(".//text()[starts-with(normalize-space(.), $t)]", smart_strings=True)
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


# 上一条/下一条 and their kin; 上一页/下一页 belong to a pager, which is another matter.
_NEIGHBOUR = r"(?:上一[条篇则项]|下一[条篇则项]|上[篇条]|下[篇条]|前一篇|后一篇)"
_NEIGHBOUR_BEFORE = re.compile(_NEIGHBOUR + r"\s*[:：]?\s*[【\[]?\s*$")
_NEIGHBOUR_TEXT = re.compile(r"^\s*[【\[]?" + _NEIGHBOUR + r"\s*[】\]]?\s*(?:[:：]|$)")


def _text_before(el: Element) -> str:
    """The few characters printed just before an element: its previous sibling's tail (or text), else the parent's."""
    for _ in range(2):
        prev = el.getprevious()
        if prev is not None:
            text = prev.tail or ""
            if not text.strip() and isinstance(prev.tag, str):
                text = prev.text_content() + text
            return text[-16:]
        parent = el.getparent()
        if parent is None:
            return ""
        if (parent.text or "").strip():
            return (parent.text or "")[-16:]
        el = parent  # <li>上一条：<span><a>…</a></span></li>: look one level up
    return ""


_NEIGHBOUR_WORDS = ("上一", "下一", "上篇", "下篇", "前一篇", "后一篇")
_NEIGHBOUR_TEXTS = etree.XPath(
    "//body//text()[contains(., '上一') or contains(., '下一') or contains(., '上篇') or contains(., '下篇')"
    " or contains(., '前一篇') or contains(., '后一篇')]"
)


def _neighbours(page: _Page) -> set[Element]:
    """The anchors labelled 上一条/下一条 (label before the link, or inside it).

    Found from the few text nodes that mention them rather than by looking around every anchor.
    """
    out: set[Element] = set()
    if not any(label in page.html for label in _NEIGHBOUR_WORDS):
        return out  # a substring test spares a walk over every text node on most list pages
    anchors = {a.el for a in page.anchors}
    for t in _NEIGHBOUR_TEXTS(page.root):
        holder = t.getparent()
        if holder is None:
            continue
        link = holder if holder.tag == "a" else next(holder.iterancestors("a"), None)
        if link is not None and not t.is_tail:
            if _NEIGHBOUR_TEXT.match(_norm(link.text_content())):
                out.add(link)
            continue
        if not _NEIGHBOUR_BEFORE.search(t[-16:]):
            continue
        # The link follows the label: the next element (tail text, or a label in its own <span>), or the
        # first child when the label is its parent's text.
        if t.is_tail or len(holder) == 0:
            after = holder.getnext()
        else:
            after = holder[0]
        if after is None or not isinstance(after.tag, str):
            continue
        link = after if after.tag == "a" else after.find(".//a")
        if link is not None and link in anchors and _is_neighbour_label(_text_before(link)):
            out.add(link)
    return out


def _is_neighbour_label(text: str) -> bool:
    return _NEIGHBOUR_BEFORE.search(text) is not None


class _Page:
    """One parsed page and the lookups the extraction steps share."""

    def __init__(self, root: Element, url: str, html: str = "") -> None:
        self.root = root
        self.html = html
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
        # Links to the previous and next article (上一条/下一条): an article's furniture, never a list.
        self.neighbours: set[Element] = _neighbours(self)
        self._dated: set[Element] | None = None

    @property
    def dated(self) -> set[Element]:
        if self._dated is None:
            self._dated = _dated_elements(self)
        return self._dated

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
        if _in_sidebar(kept[0]):
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
        groups.append(_Group(parent, kept, mains, dated, score, tier, full))
    return groups


#: The longest text a lone list row may have (title, date, a short summary).
_ROW_MAX_CHARS = 300


def _best_group(groups: list[_Group]) -> _Group | None:
    """The column's list: dated rows first, rows dated in full (with the year) before month-day sidebars.

    A column of one fully dated entry beats a sidebar of three "12-23" rows; among lists of the same
    standing, more and longer rows win.
    """
    multi = [g for g in groups if len(g.members) >= 2]
    # A lone row must show its full date and be row-sized: a lone "12-23" is a sidebar's, and a whole page
    # region holding one link and some date further down is no row.
    singles = [g for g in groups if g.tier == 3 and g.full and len(g.members) == 1
               and len(g.mains[0].best_title) >= 4 and len(_norm(g.members[0].text_content())) <= _ROW_MAX_CHARS]
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
            text = _norm(sib.text_content())
            if text:
                return text if len(text) <= 20 else ""
        sib = sib.getprevious()
        hops += 1
    return ""


def _heading_inside(el: Element) -> str:
    """The short text a box opens with (its title bar), if its first child with text is short."""
    for child in el:
        if isinstance(child.tag, str):
            text = _norm(child.text_content())
            if text:
                return text if len(text) <= 20 else ""
    return ""


def _in_sidebar(el: Element) -> bool:
    """Whether the block, or one of its five nearest containers, stands under a sidebar heading (before
    it, or as the title bar of a box that holds it)."""
    probe: Element | None = el
    for _ in range(6):
        if probe is None or probe.tag == "body":
            return False
        if _SIDEBAR_HEADING.match(_heading_before(probe)) or _SIDEBAR_HEADING.match(_heading_inside(probe)):
            return True
        probe = probe.getparent()
    return False


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
            raw = el.text_content()
            if len(raw) > 6000:
                break
            text = _norm(raw)  # prettified markup pads a pager with whitespace
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


# ------------------------------------------------------------------------------------ article head


@dataclass(frozen=True)
class _Head:
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


def _date_after(page: _Page, head: Element) -> tuple[FoundDate, Element] | None:
    """The date on the short line(s) just after a title: 发布时间：…, <div class="time">, 2020.12.28.

    The scan stops at the first long block or block of paragraphs (the body, where 时间：2018年3月15-16日
    is an event, not the publication) and at a dated link (the first row of a list, not a date line).
    """
    lines: list[tuple[str, Element]] = []
    opening: tuple[str, Element] | None = None
    el = head
    tail = _norm(head.tail)
    parent = head.getparent()
    if tail and parent is not None:
        lines.append((tail[:_META_LINE], parent))
    for _level in range(2):
        for sib in el.itersiblings():
            if not isinstance(sib.tag, str):
                continue
            text = _norm(sib.text_content())
            if not text:
                continue
            links = [a for a in sib.iter("a") if len(_norm(a.text_content())) >= 6]
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
        if len(_norm(up.text_content())) > len(_norm(head.text_content())) + 20:
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


def _article_head(page: _Page, doc_title: str, skip: set[Element]) -> _Head | None:
    """The article's title element: like the <title>, with a date line under it, and no column heading.

    A column heading (<h1>考点信息</h1>) repeats a menu link's text and has no date under it; a sidebar's
    box title neither matches the <title> nor carries a date line.
    """
    menu_texts = {a.text for a in page.anchors if 2 <= len(a.text) <= 12}
    best: _Head | None = None
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
        candidates = like_title() if step == 2 else (_HEADINGS, _TITLED)[step](page.root)
        for h in candidates:
            if h in seen or h.tag in ("a", "html", "body", "title", "meta", "li", "ul", "table"):
                continue
            seen.add(h)
            text = _norm(h.text_content())
            if not 2 <= len(text) <= 150 or page.is_boiler(h):
                continue
            if any(len(_norm(a.text_content())) * 2 > len(text) for a in h.iter("a")):
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
                best = _Head(h, text, match, dated[0] if dated else None, dated[1] if dated else None)
    return best


# ------------------------------------------------------------------------- content region, furniture


def _common_ancestor(a: Element, b: Element) -> Element | None:
    chain = {a, *a.iterancestors()}
    for el in (b, *b.iterancestors()):
        if el in chain:
            return el
    return None


def _article_region(page: _Page, head: _Head | None, body: Element) -> Element:
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
        if up is None or up is page.body or float(_TEXT_LEN(up)) > 4 * float(_TEXT_LEN(el)) + 400:
            break
        el = up
    return el


_TEXT_LEVEL = frozenset(("p", "span", "font", "b", "strong", "br", "li", "td"))


def _in(el: Element, region: Element) -> bool:
    return el is region or any(anc is region for anc in el.iterancestors())


def _boiler_within(page: _Page, el: Element, region: Element) -> Element | None:
    """The navigation/footer/share block around `el` below `region`, if any."""
    cur: Element | None = el
    while cur is not None and cur is not region:
        if cur.tag in _BOILER_TAGS or not _BOILER_TOKENS.isdisjoint(_tokens(cur)):
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


def _row_dated(page: _Page, el: Element) -> bool:
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
        count = 0
        for _a in parent.iter("a"):
            count += 1
            if count > 1:
                break
        if count > 1:
            return parent in page.dated and cur.getnext() is not None and cur.getnext() in page.dated
        cur = parent
    return False


@dataclass
class _Split:
    """The page's anchors sorted into the content region's and the furniture blocks'."""

    inside: list[_Anchor]
    blocks: dict[Element, list[_Anchor]]
    neighbour_block: Element | None


def _split(page: _Page, region: Element) -> _Split:
    """Which anchors sit in the content region, and in which furniture block each other anchor sits.

    A furniture block is the largest block around the anchor that stays outside the region (the header,
    the left menu, the sidebar), or, inside the region, the navigation/share block that holds it.
    """
    in_region = set(region.iter("a"))
    region_chain = {region, *region.iterancestors()}
    inside: list[_Anchor] = []
    blocks: dict[Element, list[_Anchor]] = {}
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


def _neighbour_block(page: _Page, first: Element) -> Element | None:
    """The block holding the 上一条/下一条 links: their common parent, widened while it holds nothing else."""
    block: Element | None = first.getparent()
    for other in page.neighbours:
        if block is not None and not _in(other, block):
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


def _links_and_furniture(
    page: _Page, split: _Split, skip: set[str]
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


# ----------------------------------------------------------------------------------------- public


def _embedded(page: _Page, html: str) -> list[tuple[AttachmentLink, Element]]:
    out: list[tuple[AttachmentLink, Element]] = []
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
        if all(e.url != url for e, _ in out):
            out.append((AttachmentLink(url, _embed_name(el)), el))
    return out


_SUDY_TITLE = re.compile(r"""['"]title['"]\s*:\s*['"]([^'"]+)['"]""")


def _embed_name(el: Element) -> str:
    """WebPlus names its PDF player's file in sudyfile-attr="{'title':'预算.pdf'}"; others in title=."""
    m = _SUDY_TITLE.search(el.get("sudyfile-attr") or "")
    return _norm(m.group(1) if m else el.get("title") or "")


def _attachments(anchors: Iterable[_Anchor], skip: set[str]) -> list[AttachmentLink]:
    out: dict[str, AttachmentLink] = {}
    for a in anchors:
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
        if BLANK_COLUMN.search(t):
            holder = t.getparent()
            text = _norm(holder.text_content()) if holder is not None else ""
            return text if 0 < len(text) <= 200 else _norm(t)
    return ""


def _empty(kind: PageKind = PageKind.EMPTY) -> PageExtract:
    return PageExtract(kind, "", "", (), (), None, (), (), (), ())


def _placeholder_block(page: _Page) -> Element | None:
    """The element that says the column is empty (暂无内容…)."""
    for t in _PLACEHOLDER_TEXTS(page.body):
        if BLANK_COLUMN.search(t):
            holder = t.getparent()
            if holder is not None:
                return holder
    return None


def extract_page(html: str, url: str, selectors: Selectors | None = None) -> PageExtract:
    """Classify one HTML page and extract its entries, dates, pages, attachments, links and embeds.

    The order matters: the article head (a title like the <title> with a date line under it) and the
    上一条/下一条 links are looked for first, because they settle the kind whatever sidebars say; only
    a page without them is weighed list against body. The kind then names the main content region
    (the article's block, the list's block, the placeholder's block) and everything outside it is
    furniture.
    """
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
    embedded_all = _embedded(page, html)

    group: _Group | None = None
    entries: list[ListEntry]
    head: _Head | None = None
    if selectors is not None and selectors.entry:
        entries = _entries_from_selectors(page, selectors)
    else:
        groups = _find_groups(page)
        members = {m for g in groups for m in g.members}
        head = _article_head(page, doc_title, members)
        group = _best_group(groups)
        entries = _entries_from_group(page, group, doc_title) if group else []
    next_pages, total_pages, total_entries = _pagination(page, selectors)

    labelled: FoundDate | None = None
    labelled_done = False
    # An article announces itself: its title with a date line under it, or links to its neighbours.
    own_head = head is not None and head.date is not None and head.match >= 1
    if not entries or own_head or (page.neighbours and head is not None):
        group = None
    body, body_len = _find_body(page, group, selectors)
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
            labelled, labelled_done = _labelled_near(page, body), True
            kind = PageKind.ARTICLE if labelled is not None or metas else PageKind.LIST
        else:
            kind = PageKind.LIST
    elif body_len >= 20 or embedded_all or any_attachment or head is not None:
        kind = PageKind.ARTICLE
    else:
        # A short notice is still an article when it carries its own labelled date or meta date.
        labelled, labelled_done = _labelled_near(page, body), True
        kind = PageKind.ARTICLE if body_len and (labelled is not None or metas) else PageKind.EMPTY
    if kind is PageKind.ARTICLE and group is not None and selectors is None:
        group = None  # the list's rows belong to the article (or its sidebar): measure the body again
        body, body_len = _find_body(page, None, None)
    placeholder: re.Match[str] | None = None
    if kind is PageKind.EMPTY or (
        kind is PageKind.ARTICLE and body_len < 60 and not (embedded_all or any_attachment) and not own_head
    ):
        placeholder = BLANK_COLUMN.search(_norm(page.body.text_content()))
        if placeholder:
            kind = PageKind.EMPTY

    # The main content region; everything outside it is furniture.
    region: Element
    if kind is PageKind.LIST:
        region = _list_region(page, entries, group)
    elif kind is PageKind.ARTICLE:
        region = _article_region(page, head, body)
    else:
        holder = _placeholder_block(page) if placeholder else None
        region = holder if holder is not None else body
    embedded = [e for e, el in embedded_all if _in(el, region)]

    dates: list[FoundDate] = []
    publish: FoundDate | None = None
    entry_urls = {e.url for e in entries} if kind is PageKind.LIST else set()
    if kind is not PageKind.LIST:
        entries = []
    split = _split(page, region)
    attachments = _attachments(split.inside, set())
    attachment_urls = {a.url for a in attachments}
    if kind is PageKind.LIST:
        title = _find_title(page, doc_title, group, False, selectors)
        text = "\n".join(_norm(f"{e.title} {e.date_shown}") for e in entries)
        dates.extend(FoundDate(e.date, e.date_shown, "list") for e in entries if e.date)
        publish = None
        skip_links = entry_urls | set(next_pages) | attachment_urls
    elif kind is PageKind.ARTICLE:
        title = head.title if head is not None else _find_title(page, doc_title, group, True, selectors)
        if selectors is not None and selectors.title and not selectors.entry:
            title = _find_title(page, doc_title, group, True, selectors)
        if head is not None and head.date is not None and head.date.source.startswith("label:"):
            publish = head.date
        elif metas:
            publish = metas[0]
        elif head is not None and head.date is not None:
            publish = head.date
        else:
            if not labelled_done:
                labelled = _labelled_near(page, body)
            publish = _publish_date(page, labelled, title, metas)
        text = _text_with_breaks(body, set())
        next_pages = [n for n in next_pages if n not in attachment_urls]
        next_pages = [] if not entries and kind is PageKind.ARTICLE else next_pages
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
        next_pages = []
        skip_links = attachment_urls
    dates.extend(metas)
    if (d := url_date(url)) is not None:
        dates.append(FoundDate(d, d.isoformat(), "url"))

    links, furniture_links, furniture = _links_and_furniture(page, split, skip_links)
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
    )


def _list_region(page: _Page, entries: list[ListEntry], group: _Group | None) -> Element:
    """The block holding the list's rows (the rows' common parent)."""
    if group is not None:
        return group.parent
    region: Element | None = None
    urls = {e.url for e in entries}
    for a in page.anchors:
        if a.url in urls:
            region = a.el if region is None else _common_ancestor(region, a.el)
    return region if region is not None else page.body
