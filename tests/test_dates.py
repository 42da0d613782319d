"""The date formats Chinese university CMSs print, and the ones we must refuse."""

from __future__ import annotations

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
