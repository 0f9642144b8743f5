"""Visits read the shared calendar leniently: a year not entered is Monday–Friday."""

import logging
from datetime import date

from accounts.workdays import is_working_day, month_end, working_days


def test_national_day_is_off_and_its_make_up_saturday_is_a_working_day(db):
    assert not is_working_day(date(2026, 10, 1), strict=False)
    assert is_working_day(date(2026, 10, 10), strict=False)  # Saturday, make-up day


def test_working_days_of_the_national_day_week(db):
    # 1–7 October off (the 7th in lieu), Saturday the 10th made up, Sunday the 11th off.
    assert working_days(date(2026, 10, 1), date(2026, 10, 11), strict=False) == [
        date(2026, 10, 8), date(2026, 10, 9), date(2026, 10, 10)]


def test_a_year_not_in_the_calendar_falls_back_to_monday_to_friday_with_a_warning(db, caplog):
    with caplog.at_level(logging.WARNING, logger="accounts.workdays"):
        assert is_working_day(date(2031, 1, 6), strict=False)  # a Monday
        assert not is_working_day(date(2031, 1, 5), strict=False)  # a Sunday
    assert any("2031" in record.getMessage() for record in caplog.records)


def test_month_end_handles_february_and_december():
    assert month_end(date(2028, 2, 1)) == date(2028, 2, 29)
    assert month_end(date(2026, 12, 1)) == date(2026, 12, 31)
