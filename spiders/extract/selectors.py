"""Per-site `Selectors`: CSS, or XPath when it starts with '/', '(' or '.'.

Where a site configures one, it overrides the structural heuristics for that part of the page.
"""

from __future__ import annotations

from functools import lru_cache

from cssselect import HTMLTranslator
from lxml import etree

from spiders.extract.text import Element, norm


@lru_cache(maxsize=256)
def _compile_selector(selector: str) -> etree.XPath:
    """CSS, or XPath when it starts with '/', '(' or '.'."""
    if selector.startswith(("/", "(", ".")):
        return etree.XPath(selector)
    return etree.XPath(HTMLTranslator().css_to_xpath(selector))


def select(node: Element, selector: str | None) -> list[Element]:
    if not selector:
        return []
    result = _compile_selector(selector)(node)
    if not isinstance(result, list):
        return []
    return [r for r in result if isinstance(r, etree._Element)]


def select_text(node: Element, selector: str | None) -> str:
    if not selector:
        return ""
    result = _compile_selector(selector)(node)
    if isinstance(result, list):
        parts = [r.text_content() if isinstance(r, etree._Element) else str(r) for r in result[:1]]
        return norm(" ".join(parts))
    return norm(str(result))
