"""Working days follow the official calendar (调休 make-up weekends, National Day), not a weekday count."""

from datetime import date

from auditor.calendar import add_working_days, is_workday, working_days_between


def test_make_up_weekend_is_a_working_day_and_national_day_is_not() -> None:
    assert is_workday(date(2018, 9, 29))  # Saturday, 调休 for National Day 2018
    assert is_workday(date(2018, 9, 30))  # Sunday, likewise
    assert not any(is_workday(date(2018, 10, d)) for d in range(1, 8))
    assert not is_workday(date(2018, 10, 13))  # an ordinary Saturday


def test_twenty_working_days_across_national_day() -> None:
    # From Friday 28 Sep 2018: Sat 29 and Sun 30 count, 1–7 Oct do not, then 18 more from Mon 8 Oct.
    assert add_working_days(date(2018, 9, 28), 2) == date(2018, 9, 30)
    assert add_working_days(date(2018, 9, 28), 3) == date(2018, 10, 8)
    assert add_working_days(date(2018, 9, 28), 20) == date(2018, 10, 31)
    # A weekday count would have said 26 October.


def test_working_days_between_counts_the_end_not_the_start() -> None:
    assert working_days_between(date(2018, 10, 31), date(2018, 11, 28)) == 20
    assert working_days_between(date(2018, 11, 28), date(2018, 10, 31)) == -20
    assert working_days_between(date(2018, 10, 1), date(2018, 10, 7)) == 0
    assert add_working_days(date(2018, 10, 31), 0) == date(2018, 10, 31)


def test_years_the_package_does_not_know_fall_back_to_weekdays() -> None:
    assert is_workday(date(2099, 1, 5))  # a Monday
    assert not is_workday(date(2099, 1, 4))  # a Sunday
