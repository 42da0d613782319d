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
