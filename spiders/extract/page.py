"""The parsed page and the lookups the extraction steps share, each computed once per page.

Its anchors (absolute URL, text, the fuller of text and title=), which blocks are boilerplate (navigation,
header, footer, breadcrumb, pager, link farm), which elements hold a date, and the 上一条/下一条 links to
the neighbouring articles: an article's furniture, never a list.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urljoin

from lxml import etree

from spiders.extract.text import ELLIPSIS, Element, norm
from spiders.extract.urls import Resolver, absolute

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
# Cheap test for "this short text is a date" (full, month-day or year-month), before the precise parse.
_DATE_HINT = re.compile(
    r"(?<!\d)(?:(?:19|20)\d\d\s*[-/.年]\s*)?\d{1,2}\s*[-/.月]\s*\d{1,2}(?:\s*日)?(?!\d)"
    r"|(?<!\d)(?:19|20)\d\d\s*[-/.年]\s*\d{1,2}\s*月?(?!\d)"
)
_LEFTOVER = re.compile(r"[\s\[\]【】()（）:：|/·,，\xa0\u3000]+")

_LEN_ATTR = "data-xxgk-len"  # set on every anchor so XPath can subtract link text in C
# Non-link text length of an element (whitespace collapsed): the main measure for finding the body.
TEXT_LEN = etree.XPath(f"string-length(normalize-space(.)) - sum(.//a/@{_LEN_ATTR})")
# Every text node, to be sorted in Python: XPath's translate(), which used to pick those with a digit here,
# looks each character up one by one and cost twice the whole list (regex tests included) on real pages.
_TEXTS = etree.XPath(".//text()")
_ASCII_DIGIT = re.compile("[0-9]")
_ANCHORS = etree.XPath("//a[@href]")
# Through the class attributes, not every element's: the same elements, in half the time. (An HTML element has
# at most one class and one id: the parser drops a repeated attribute.)
_TITLED = etree.XPath("//@class[contains(., 'title') or contains(., 'Title')]/..")
_BASE = etree.XPath("//base/@href")
_SET = etree.ElementBase.set  # lxml.html's own set() is a Python wrapper that only adds value=None


@lru_cache(maxsize=4096)
def _boiler_attrs(cls: str, id_: str) -> bool:
    """Whether a class/id pair holds a boilerplate token: a site repeats the same few pairs on every row."""
    attrs = f"{cls} {id_}".lower()
    return bool(attrs.strip()) and not _BOILER_TOKENS.isdisjoint(_TOKEN_SPLIT.split(attrs))


def is_boiler_markup(el: Element) -> bool:
    """The element itself is navigation, header, footer, breadcrumb, pager or link-farm markup (by tag or
    by a class/id token); `Page.is_boiler` asks it of the element and its ancestors."""
    if el.tag in _BOILER_TAGS:
        return True
    cls, id_ = el.get("class"), el.get("id")
    return (cls is not None or id_ is not None) and _boiler_attrs(cls or "", id_ or "")


class Anchor:
    """An <a href> with its absolute URL and texts, computed once per page."""

    __slots__ = ("best_title", "el", "text", "title_attr", "url")

    def __init__(self, el: Element, url: str, text: str, title_attr: str) -> None:
        self.el = el
        self.url = url
        self.text = text
        self.title_attr = title_attr
        self.best_title = choose_title(text, title_attr)


def choose_title(text: str, title_attr: str) -> str:
    """The anchor text, unless it is truncated, empty or a prefix of a fuller title= attribute."""
    if not title_attr:
        return text
    if not text:
        return title_attr
    stem = text
    for e in ELLIPSIS:
        if stem.endswith(e):
            stem = stem[: -len(e)].rstrip()
            return title_attr if title_attr.startswith(stem[:4]) or len(title_attr) > len(stem) else text
    if text.startswith(title_attr) or title_attr.startswith(text):
        return title_attr
    return text


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
# Every label holds 一 or 篇: a text node without either is passed over after two tests instead of six.
_NEIGHBOUR_TEXTS = etree.XPath(
    "//body//text()[contains(., '一') or contains(., '篇')]"
    "[contains(., '上一') or contains(., '下一') or contains(., '上篇') or contains(., '下篇')"
    " or contains(., '前一篇') or contains(., '后一篇')]"
)


def _neighbours(page: Page) -> set[Element]:
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
            if _NEIGHBOUR_TEXT.match(norm(link.text_content())):
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


class Page:
    """One parsed page and the lookups the extraction steps share."""

    def __init__(self, root: Element, url: str, html: str = "") -> None:
        self.root = root
        self.html = html
        # Which known body containers the page mentions at all: a substring test is far cheaper than XPath.
        self.body_hints = [h for h in _BODY_HINTS if h in html]
        self.url = url
        base = _BASE(root)
        self.base = urljoin(url, str(base[0]).strip()) if base else url
        resolver = Resolver(self.base)
        self.boiler_cache: dict[Element, bool] = {}
        self.anchors: list[Anchor] = []
        resolved: dict[str, str | None] = {}  # menus repeat the same hrefs; resolve each once
        for a in _ANCHORS(root):
            text = norm(a.text_content())
            _SET(a, _LEN_ATTR, str(len(text)))
            href = a.get("href") or ""
            if href in resolved:
                abs_url = resolved[href]
            else:
                abs_url = resolved[href] = absolute(resolver, href)
            if abs_url is None:
                continue
            self.anchors.append(Anchor(a, abs_url, text, norm(a.get("title"))))
        body = root.find("body")
        self.body: Element = body if body is not None else root
        # Links to the previous and next article (上一条/下一条): an article's furniture, never a list.
        self.neighbours: set[Element] = _neighbours(self)
        self._dated: set[Element] | None = None
        self._headings: list[Element] | None = None
        self._titled: list[Element] | None = None
        self._hinted: dict[str, list[Element]] = {}
        self._several_links: dict[Element, bool] = {}

    @property
    def dated(self) -> set[Element]:
        if self._dated is None:
            self._dated = _dated_elements(self)
        return self._dated

    # The lists below depend on tags and attributes only, which nothing changes once the page is parsed; the
    # article head, the title and the body each ask for them, some twice.

    @property
    def headings(self) -> list[Element]:
        """<h1> to <h4> in document order (what //h1 | //h2 | //h3 | //h4 finds, in one walk instead of four)."""
        if self._headings is None:
            self._headings = list(self.root.iter("h1", "h2", "h3", "h4"))
        return self._headings

    @property
    def titled(self) -> list[Element]:
        """Elements whose class names a title ("title", "arti_title", "Title"), in document order."""
        if self._titled is None:
            self._titled = list(_TITLED(self.root))
        return self._titled

    def hinted(self, hint: str) -> list[Element]:
        """Elements whose class or id contains `hint` (one of the known body containers), in document order."""
        found = self._hinted.get(hint)
        if found is None:
            found = self._hinted[hint] = list(_hint_xpath(hint)(self.root))
        return found

    def several_links(self, el: Element) -> bool:
        """Whether `el` (itself included) holds more than one <a>; remembered, as a menu's links share their
        blocks and each asks."""
        several = self._several_links.get(el)
        if several is None:
            links = el.iter("a")
            several = self._several_links[el] = next(links, None) is not None and next(links, None) is not None
        return several

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
            if is_boiler_markup(el):
                result = True
                break
            el = el.getparent()
        for c in chain:
            self.boiler_cache[c] = result
        return result


@lru_cache(maxsize=64)
def _hint_xpath(hint: str) -> etree.XPath:
    """Elements whose class or id contains `hint` (like _TITLED, found through the attributes)."""
    return etree.XPath(f"//@class[contains(., '{hint}')]/.. | //@id[contains(., '{hint}')]/..")


def _dated_elements(page: Page) -> set[Element]:
    """Elements holding (or followed by) a short text that is essentially a date, and their near ancestors.

    Found once per page from the text nodes with digits, so that judging a candidate list's rows is a
    set lookup rather than a text scan per row.
    """
    dated: set[Element] = set()
    for t in _TEXTS(page.body):
        if not _ASCII_DIGIT.search(t):
            continue
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
