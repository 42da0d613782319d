"""Whitespace as every extraction step reads it, and the element type the steps pass around."""

from __future__ import annotations

import re
from typing import TypeAlias

import lxml.html

Element: TypeAlias = lxml.html.HtmlElement

_WS = re.compile(r"[ \t\r\f\v\xa0\u3000\u2002\u2003\u200b]+")
_NL = re.compile(r"\s*\n\s*")
ELLIPSIS = ("…", "...", "。。。", "..")


def norm(text: str | None) -> str:
    if not text:
        return ""
    return _WS.sub(" ", text).strip()


def norm_lines(text: str) -> str:
    return _NL.sub("\n", _WS.sub(" ", text)).strip()


def short_text(el: Element, limit: int) -> str | None:
    """The element's text, normalised, when it is at most `limit` characters; None when it is longer.

    Reads only as far as the limit: asking a box for its title bar must not read a 5,000-row list whole
    (asked once per row, that made reading a long list quadratic)."""
    pieces: list[str] = []
    size = 0
    for piece in el.itertext():
        pieces.append(piece)
        size += len(piece.strip())
        if size > 2 * limit:
            return None
    text = norm("".join(pieces))
    return text if len(text) <= limit else None
