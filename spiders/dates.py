"""Dates as Chinese university CMSs print them, turned into `datetime.date`.

Every crawled page goes through here (list rows, article headers, URLs), so the patterns are
precompiled and the functions allocate little. The extractor decides *which* date means what;
this module only reads them. Periods in titles ("2017~2018学年") are the rule engine's business.
"""

from __future__ import annotations

import re
from datetime import date

__all__ = ["MAX_YEAR", "MIN_YEAR", "find_dates", "parse_date", "url_date"]

MIN_YEAR = 1990  # older dates on a disclosure site are typos or document numbers, not publish dates
MAX_YEAR = 2100

# Full-width digits and separators appear in hand-typed pages; translating char-for-char keeps offsets,
# so the text "as shown" can still be cut from the original string.
_FULLWIDTH = str.maketrans("０１２３４５６７８９－／．：　", "0123456789-/.: ")
# The same characters, to translate only the runs of them: str.translate looks every character of the text
# up in a dict, which on an article's whole text cost more than all the date patterns together.
_FULLWIDTH_RUN = re.compile("[０-９－／．：　]+")


def _halfwidth(run: re.Match[str]) -> str:
    return run.group().translate(_FULLWIDTH)

# Year, month, day with one separator style throughout; an optional time that belongs to the shown text.
# "Not after a digit" is checked once the century is read, (?<!\d..), not before it as (?<!\d): a pattern
# that opens with a literal lets the regex engine skip ahead to the next 1 or 2 in C instead of trying a
# match at every character (four times faster on an article; the same matches).
_FULL = re.compile(
    r"((?:19|20|21)(?<!\d..)\d\d)\s*(?:(年)|([-/.]))\s*(\d{1,2})\s*(?(2)月|\3)\s*(\d{1,2})(?(2)\s*日?|)"
    r"(?![\d])(?:[\sT]+\d{1,2}:\d{2}(?::\d{2})?)?"
)
# Month and day alone ("06-12", "[06-12]", "6月12日"); only used when the caller knows the year.
_SHORT = re.compile(r"(?<![\d/.\-:])(\d{1,2})\s*(?:(月)|([-/]))\s*(\d{1,2})(?(2)\s*日|)(?![\d/.\-:])")
_CN_DIGITS = "〇零○Ｏ一二三四五六七八九"
_CN_VALUE = {
    "〇": 0,
    "零": 0,
    "○": 0,
    "Ｏ": 0,
    "O": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CHINESE = re.compile(
    rf"([{_CN_DIGITS}O]{{4}})\s*年\s*([一二三四五六七八九十]{{1,3}})\s*月\s*([一二三四五六七八九十]{{1,3}})\s*日"
)
# A Chinese zero, or 年 followed by a Chinese numeral; written so that it opens with one character class
# (the engine's fast scan) rather than as an alternation "[〇零○Ｏ]|年[一二三四五六七八九十]".
_CJK_HINT = re.compile(r"[〇零○Ｏ年](?:(?<=年)[一二三四五六七八九十]|(?<!年))")

# Dates in URLs, only in shapes no id or column number takes: WebPlus /2018/0612/c123a456/page.htm,
# TRS /201806/t20180612_123.html, and explicit /2018-06-12/ or /2018/06/12/ folders.
_URL_PATTERNS = (
    re.compile(r"/((?:19|20)\d\d)/(\d\d)(\d\d)/c\d+a\d+/"),
    re.compile(r"/(?:19|20)\d{4}/t((?:19|20)\d\d)(\d\d)(\d\d)_\d+"),
    re.compile(r"/((?:19|20)\d\d)-(\d\d)-(\d\d)/"),
    re.compile(r"/((?:19|20)\d\d)/(\d\d)/(\d\d)/"),
    re.compile(r"/((?:19|20)\d\d)(\d\d)(\d\d)/"),
    re.compile(r"/((?:19|20)\d\d)/(\d\d)(\d\d)/"),
)
_VSB_INFO = re.compile(r"/info/\d+/")


def _make(year: int, month: int, day: int) -> date | None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    try:
        return date(year, month, day)
    except ValueError:  # 2018-02-30, month 13: a typo or not a date at all
        return None


def _cn_number(text: str) -> int:
    """一..三十一 as an int (only the range a month or day can take)."""
    if "十" not in text:
        return _CN_VALUE.get(text, 0)
    tens, _, units = text.partition("十")
    return (_CN_VALUE.get(tens, 0) if tens else 1) * 10 + (_CN_VALUE.get(units, 0) if units else 0)


def find_dates(text: str, *, default_year: int | None = None) -> list[tuple[date, str]]:
    """Every date in `text`, in order, with the exact substring that showed it.

    Month-day forms ("06-12", "6月12日") count only when `default_year` says which year they are in.
    """
    if not text:
        return []
    norm = _FULLWIDTH_RUN.sub(_halfwidth, text)  # = text.translate(_FULLWIDTH), offsets kept
    found: list[tuple[int, date, str]] = []
    taken: list[tuple[int, int]] = []
    for m in _FULL.finditer(norm):
        d = _make(int(m.group(1)), int(m.group(4)), int(m.group(5)))
        if d is not None:
            found.append((m.start(), d, text[m.start() : m.end()].strip()))
        taken.append(m.span())
    if _CJK_HINT.search(norm):
        for m in _CHINESE.finditer(norm):
            year = int("".join(str(_CN_VALUE[c]) for c in m.group(1)))
            d = _make(year, _cn_number(m.group(2)), _cn_number(m.group(3)))
            if d is not None:
                found.append((m.start(), d, text[m.start() : m.end()]))
                taken.append(m.span())
    if default_year is not None:
        for m in _SHORT.finditer(norm):
            if any(s <= m.start() < e for s, e in taken):
                continue
            d = _make(default_year, int(m.group(1)), int(m.group(4)))
            if d is not None:
                found.append((m.start(), d, text[m.start() : m.end()].strip()))
    found.sort(key=lambda t: t[0])
    return [(d, shown) for _, d, shown in found]


def parse_date(text: str, *, default_year: int | None = None) -> date | None:
    """The first date in `text` (e.g. "[ 2018-06-12 ]", "2018年6月12日", "06-12" with a default year)."""
    found = find_dates(text, default_year=default_year)
    return found[0][0] if found else None


def url_date(url: str) -> date | None:
    """The date a URL obviously carries (WebPlus /2018/0612/c1a2/page.htm), or None (VSB /info/.. ids)."""
    if _VSB_INFO.search(url):
        return None
    for pattern in _URL_PATTERNS:
        m = pattern.search(url)
        if m:
            d = _make(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            if d is not None:
                return d
    return None
