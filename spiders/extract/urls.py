"""URLs as the audit spells them.

One spelling per resource (`canonical_url`), downloadable files told from pages (`is_attachment_url`),
and hrefs made absolute against the page's base: `Resolver` does for one base what urljoin does, several
times faster for the relative paths CMS menus are made of, and `absolute` drops javascript:, mailto:,
'#' and CMS junk.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import parse_qsl, urljoin, urlsplit, urlunsplit

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


@lru_cache(maxsize=8192)
def is_attachment_url(url: str, link_text: str = "") -> bool:
    """A downloadable file, by extension or by a known CMS download endpoint (VSB, WebPlus).

    Remembered (pure, and asked of every link of every page, the menus' again and again)."""
    lowered = url.lower()
    path = lowered.split("#", 1)[0].split("?", 1)[0]
    dot = path.rfind(".")
    if dot > path.rfind("/") and path[dot:] in _ATTACHMENT_EXTS:
        return True
    if any(p in lowered for p in _ATTACHMENT_PATHS):
        return True
    # VSB download.jsp URLs carry no extension; the link text usually names the file.
    return bool(link_text) and _EXT_IN_TEXT.search(link_text) is not None and "?" in url


@lru_cache(maxsize=8192)
def canonical_url(url: str) -> str:
    """One spelling per resource: no fragment, lower-case host, no default port, VSB content.jsp → /info/.

    Remembered: every page of a site links the same menus, and a URL with a port (or anything else the
    fast path in `absolute` does not take) costs the split, the port and the host to spell again."""
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


class Resolver:
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


def absolute(base: str | Resolver, href: str | None) -> str | None:
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
        url = base.join(href) if isinstance(base, Resolver) else urljoin(base, href)
    except ValueError:
        return None
    if not url.startswith(("http://", "https://")):
        return None
    if _CANONICAL_ALREADY.match(url) and "content.jsp" not in url:
        return url  # the common case, without re-splitting the URL
    return canonical_url(url)
