"""Which period an edition covers, read from its title ("2017~2018学年", "2018年度", "二〇一八年", "2018届").

DOMAIN.md: judge an edition by the period it covers before its publish date, because a report can be
re-posted, moved or edited long after it first appeared while its title keeps naming its period.
The year a title names is mapped to "the edition for year Y" (the year whose deadline it answers) by the
item's `Period`: the 决算 published in Y are those of Y-1, the 研招简章 published in Y are for Y+1, and so on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from checklist.model import Period

_CN_DIGITS = str.maketrans("〇○零Ｏ一二三四五六七八九", "000012345678" + "9")
_CN_YEAR = re.compile(r"[〇○零Ｏ一二三四五六七八九]{4}")
_FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")

# "2017~2018学年", "2017-2018学年度", "2017年—2018年学年", "2017-18学年", "2017-2018年度"
_ACADEMIC = re.compile(
    r"(?<!\d)((?:19|20)\d{2})\s*年?\s*[~～〜\-—–－_至到]+\s*((?:19|20)?\d{2})\s*(学年度?|年度|年)?(?![\d\-/.])"
)
# "2018年度", "2018届", "2018年"; not "2018年10月" (a date) and not part of a longer number
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*(年度|届|年)(?!\s*\d{1,2}\s*月)")


@dataclass(frozen=True)
class TitlePeriod:
    """The period a title names: a calendar year, or an academic year given by the year it ends."""

    year: int
    academic: bool
    shown: str  # the words as written in the title


def _normalise(title: str) -> str:
    title = title.translate(_FULLWIDTH)
    return _CN_YEAR.sub(lambda m: m.group(0).translate(_CN_DIGITS), title)


def title_period(title: str) -> TitlePeriod | None:
    """The period named in a title, or None. An academic year wins over a plain year; 年度/届 over 年."""
    text = _normalise(title)
    for m in _ACADEMIC.finditer(text):
        start = int(m.group(1))
        end_raw = m.group(2)
        if m.group(3) is None and len(end_raw) != 4:
            continue  # "2011-12" without 学年 is a month, not an academic year
        end = int(end_raw) if len(end_raw) == 4 else start // 100 * 100 + int(end_raw)
        if end == start + 1:
            return TitlePeriod(year=end, academic=True, shown=m.group(0).strip())
    best: re.Match[str] | None = None
    for m in _YEAR.finditer(text):
        if m.group(2) in ("年度", "届"):
            best = m
            break
        if best is None:
            best = m
    if best is None:
        return None
    return TitlePeriod(year=int(best.group(1)), academic=False, shown=best.group(0).strip())


def edition_year(found: TitlePeriod, period: Period) -> int:
    """The year Y whose edition a title's period is (the year of the deadline it answers)."""
    if period is Period.PREVIOUS_YEAR:
        return found.year + 1
    if period is Period.NEXT_YEAR:
        return found.year - 1
    # ACADEMIC_YEAR, CALENDAR_YEAR and YEAR_OR_ACADEMIC: "(Y-1)~Y学年" and "Y年" both answer year Y
    return found.year


def period_label(year: int, period: Period) -> str:
    """How a clerk names the edition for year Y of an item, e.g. "2017~2018学年" or "2017年度"."""
    if period is Period.ACADEMIC_YEAR:
        return f"{year - 1}~{year}学年"
    if period is Period.PREVIOUS_YEAR:
        return f"{year - 1}年度"
    if period is Period.NEXT_YEAR:
        return f"{year + 1}年"
    if period is Period.YEAR_OR_ACADEMIC:
        return f"{year}年（或{year - 1}~{year}学年）"
    return f"{year}年"


def found_label(found: TitlePeriod) -> str:
    """A title's period in the house spelling, so messages do not mix "2017-2018" and "2017～2018"."""
    return f"{found.year - 1}~{found.year}学年" if found.academic else found.shown
