"""The date formats Chinese university CMSs print, and the ones we must refuse."""

from __future__ import annotations

import random
import re
from datetime import date

import pytest

from spiders.dates import find_dates, parse_date, url_date

D = date(2018, 6, 12)


@pytest.mark.parametrize(
    "text",
    [
        "2018-06-12",
        "2018/6/12",
        "2018.06.12",
        "[ 2018-06-12 ]",
        "2018年06月12日",
        "2018年6月12日",
        "二〇一八年六月十二日",
        "2018-06-12 10:41:27",
        "发布时间：2018-06-12",
        "２０１８－０６－１２",
        "2018-06-12T10:41:27+08:00",
    ],
)
def test_full_dates(text: str) -> None:
    assert parse_date(text) == D


@pytest.mark.parametrize("text", ["06-12", "[06-12]", "6月12日", "[ 06-12 ]"])
def test_month_day_needs_the_year(text: str) -> None:
    assert parse_date(text) is None
    assert parse_date(text, default_year=2018) == D


@pytest.mark.parametrize(
    "text",
    [
        "2018-02-30",
        "2018-13-01",
        "1989-06-12",
        "2101-01-01",
        "2018-06/12",
        "020-61230200",
        "共2576条",
        "10:41:27",
    ],
)
def test_rejects_impossible_or_out_of_range(text: str) -> None:
    assert parse_date(text, default_year=2018) is None


def test_find_dates_keeps_order_and_shown_text() -> None:
    text = "发布时间：2021-05-19 10:41:27 浏览 截止日期 2021年6月1日，另见[06-30]"
    assert find_dates(text) == [
        (date(2021, 5, 19), "2021-05-19 10:41:27"),
        (date(2021, 6, 1), "2021年6月1日"),
    ]
    with_year = find_dates(text, default_year=2021)
    assert with_year[-1] == (date(2021, 6, 30), "06-30")
    assert len(with_year) == 3  # the full dates are not read a second time as month-day


def test_chinese_numerals_with_tens() -> None:
    assert parse_date("二〇二〇年十二月三十一日") == date(2020, 12, 31)
    assert parse_date("二〇二〇年二月三十日") is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://xxgk.nju.edu.cn/2021/0716/c123a456/page.htm", date(2021, 7, 16)),
        ("https://www.moe.gov.cn/srcsite/A08/201806/t20180612_339012.html", D),
        ("https://a.edu.cn/news/2018-06-12/1.html", D),
        ("https://a.edu.cn/info/1057/8920.htm", None),  # VSB column and article ids, not a date
        ("https://a.edu.cn/info/2018/0612.htm", None),
        ("https://itsc.nju.edu.cn/28/e4/c21558a534756/page.htm", None),
        ("https://a.edu.cn/2018/1332/c1a2/page.htm", None),
    ],
)
def test_url_dates(url: str, expected: date | None) -> None:
    assert url_date(url) == expected


# The patterns below were respelled so that the regex engine can scan for their first character in C
# (spiders/dates.py, spiders/extract/lists.py); these are their plain spellings, which they must match
# exactly: the same spans and groups at every position, on strings dense in digits and separators.
_PLAIN_FULL = re.compile(
    r"(?<!\d)((?:19|20|21)\d\d)\s*(?:(年)|([-/.]))\s*(\d{1,2})\s*(?(2)月|\3)\s*(\d{1,2})(?(2)\s*日?|)"
    r"(?![\d])(?:[\sT]+\d{1,2}:\d{2}(?::\d{2})?)?"
)
_PLAIN_CJK_HINT = re.compile(r"[〇零○Ｏ]|年[一二三四五六七八九十]")
_PLAIN_PAGER = re.compile(r"(?<![\d/])(\d+)\s*/\s*(\d+)\s*页")


def _matches(pattern: re.Pattern[str], text: str) -> list[tuple[tuple[int, int], tuple[str | None, ...]]]:
    return [(m.span(), m.groups()) for m in pattern.finditer(text)]


def test_fast_scanning_spellings_match_as_the_plain_ones() -> None:
    from spiders import dates
    from spiders.extract.lists import _TOTAL_PAGES

    pager = _TOTAL_PAGES[0][0]
    alphabet = list("0123456789012192021 /-.:T\n年月日页共第十一〇Ｏ　１２０－／．：") + ["a", "中", "٣"]
    rng = random.Random(13)
    for _ in range(20_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 24)))
        assert _matches(dates._FULL, text) == _matches(_PLAIN_FULL, text), text
        assert _matches(pager, text) == _matches(_PLAIN_PAGER, text), text
        assert bool(dates._CJK_HINT.search(text)) == bool(_PLAIN_CJK_HINT.search(text)), text
        assert dates._FULLWIDTH_RUN.sub(dates._halfwidth, text) == text.translate(dates._FULLWIDTH), text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2018-06-12", [D]),  # at the very start: no character before it
        ("12018-06-12", []),  # after a digit: part of a longer number
        ("a2018-06-12", [D]),
        ("x2018年6月12日", [D]),
        ("一九二〇年", []),  # a Chinese year alone, no month: nothing
        ("二〇一八年六月十二日", [D]),
    ],
)
def test_a_full_date_starts_where_no_digit_precedes_it(text: str, expected: list[date]) -> None:
    assert [d for d, _ in find_dates(text)] == expected
