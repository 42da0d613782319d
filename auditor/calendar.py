"""Working days on the Chinese official calendar, for the 清单's "within 20 working days" grace.

A weekday count is wrong around the Spring Festival and National Day: the State Council moves working
days onto weekends (调休, e.g. Saturday 2018-09-29 was a working day) and adds holidays on weekdays.
The maintained `chinese_calendar` package knows each year's arrangement; outside the years it covers
we fall back to Monday–Friday, which is the best guess for a year not yet announced.

Working days are counted *after* the start date: `add_working_days(d, 1)` is the first working day
after `d`, so "published within 20 working days of d" means "published on or before add_working_days(d, 20)".
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar

#: Dates, deadlines and "today" are those of the universities audited.
CHINA = ZoneInfo("Asia/Shanghai")


def today_in_china() -> date:
    """Today's date in Asia/Shanghai, the default as-of date of an audit."""
    return datetime.now(CHINA).date()


def is_workday(d: date) -> bool:
    """True on an official working day, including make-up working weekends (调休)."""
    try:
        return bool(chinese_calendar.is_workday(d))
    except NotImplementedError:
        # The package only covers years whose arrangement has been published.
        return d.weekday() < 5


def add_working_days(d: date, n: int) -> date:
    """The n-th working day after `d` (n ≥ 0; n = 0 gives `d` itself)."""
    if n < 0:
        raise ValueError("n must be ≥ 0")
    current = d
    left = n
    while left:
        current += timedelta(days=1)
        if is_workday(current):
            left -= 1
    return current


def working_days_between(start: date, end: date) -> int:
    """Working days in (start, end]; negative when `end` is before `start`."""
    if end < start:
        return -working_days_between(end, start)
    count = 0
    current = start
    while current < end:
        current += timedelta(days=1)
        if is_workday(current):
            count += 1
    return count
