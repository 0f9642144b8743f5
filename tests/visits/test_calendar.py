from datetime import date

from visits.calendar import is_working_day, month_end, working_days


def test_national_day_is_off_and_its_make_up_saturday_is_a_working_day():
    assert not is_working_day(date(2026, 10, 1))
    assert is_working_day(date(2026, 10, 10))  # Saturday, make-up day


def test_working_days_of_the_national_day_week():
    # 1–7 October off (the 7th in lieu), Saturday the 10th made up, Sunday the 11th off.
    assert working_days(date(2026, 10, 1), date(2026, 10, 11)) == [
        date(2026, 10, 8), date(2026, 10, 9), date(2026, 10, 10)]


def test_a_year_the_library_does_not_know_falls_back_to_monday_to_friday():
    assert is_working_day(date(2031, 1, 6))  # a Monday
    assert not is_working_day(date(2031, 1, 5))  # a Sunday


def test_month_end_handles_february_and_december():
    assert month_end(date(2028, 2, 1)) == date(2028, 2, 29)
    assert month_end(date(2026, 12, 1)) == date(2026, 12, 31)
