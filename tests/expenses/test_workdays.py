"""The statement deadlines, built on the statutory calendar (`accounts.workdays`, strict)."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from accounts import workdays as calendar
from accounts.models import CalendarDay, CalendarYear
from expenses import workdays


def test_the_calendar_table_is_seeded_from_the_library_for_every_year_it_knows(db):
    assert set(range(2004, 2027)) <= calendar.covered_years()
    assert CalendarDay.objects.get(date=date(2026, 2, 14)).is_workday  # make-up Saturday
    assert CalendarDay.objects.get(date=date(2026, 2, 17)).name == "春节"


def test_the_deadlines_of_january_2026_cross_spring_festival_2026(db):
    # February 2026: Sun 1 off; Mon 2 (1st), Tue 3 (2nd), Wed 4 (3rd), Thu 5 (4th),
    # Fri 6 (5th), Mon 9 (6th), Tue 10 (7th), Wed 11 (8th), Thu 12 (9th), Fri 13 (10th),
    # Sat 14 is a make-up working day (11th), then Spring Festival Sun 15 – Mon 23 is off,
    # Tue 24 is the 12th.
    deadlines = workdays.statement_deadlines(date(2026, 1, 1))
    assert deadlines.submit_due == date(2026, 2, 4)
    assert deadlines.review_due == date(2026, 2, 11)
    assert deadlines.payout_from == date(2026, 2, 12)
    february = calendar.working_days_of_month(2026, 2, strict=True)
    assert february[10] == date(2026, 2, 14)  # the make-up Saturday counts
    assert february[11] == date(2026, 2, 24)  # nine festival days skipped


def test_the_deadlines_of_september_2026_fall_after_national_day_and_a_make_up_saturday(db):
    # October 2026: Thu 1 – Wed 7 is National Day (off, Sat 3 / Sun 4 included);
    # Thu 8 (1st), Fri 9 (2nd), Sat 10 is a make-up working day (3rd), Sun 11 off,
    # Mon 12 (4th), Tue 13 (5th), Wed 14 (6th), Thu 15 (7th), Fri 16 (8th), Mon 19 (9th).
    deadlines = workdays.statement_deadlines(date(2026, 9, 1))
    assert deadlines.submit_due == date(2026, 10, 10)  # a Saturday
    assert deadlines.review_due == date(2026, 10, 16)
    assert deadlines.payout_from == date(2026, 10, 19)


def test_the_deadlines_of_december_2025_follow_new_year_2026_and_its_make_up_sunday(db):
    # January 2026: Thu 1 – Sat 3 off; Sun 4 make-up (1st), Mon 5 (2nd), Tue 6 (3rd),
    # Wed 7 (4th), Thu 8 (5th), Fri 9 (6th), Mon 12 (7th), Tue 13 (8th), Wed 14 (9th).
    deadlines = workdays.statement_deadlines(date(2025, 12, 1))
    assert (deadlines.submit_due, deadlines.review_due, deadlines.payout_from) == (
        date(2026, 1, 6), date(2026, 1, 13), date(2026, 1, 14))


def test_the_deadlines_of_january_2025_come_after_spring_festival_2025(db):
    # February 2025: Sat 1 – Tue 4 Spring Festival; Wed 5 (1st), Thu 6 (2nd), Fri 7 (3rd),
    # Sat 8 make-up (4th), Mon 10 (5th), Tue 11 (6th), Wed 12 (7th), Thu 13 (8th), Fri 14 (9th).
    deadlines = workdays.statement_deadlines(date(2025, 1, 1))
    assert (deadlines.submit_due, deadlines.review_due, deadlines.payout_from) == (
        date(2025, 2, 7), date(2025, 2, 13), date(2025, 2, 14))


def test_a_year_neither_the_library_nor_the_admin_covers_is_an_explicit_error(db):
    with pytest.raises(calendar.CalendarNotCovered) as caught:
        workdays.statement_deadlines(date(2026, 12, 1))  # due in January 2027
    assert caught.value.year == 2027
    assert "2027" in caught.value.message_dict["month"][0]
    with pytest.raises(ValidationError) as caught:
        calendar.is_working_day(date(2027, 1, 4), strict=True)  # a Monday: still no guess
    assert "date" in caught.value.message_dict


def test_an_admin_entered_2027_makes_its_deadlines_computable(db):
    year = CalendarYear.objects.create(year=2027, notice="国办发明电〔2026〕X号")
    # A hypothetical notice: New Year's Day Fri 1 off, Mon 4 off in lieu, Sat 9 make-up.
    CalendarDay.objects.create(calendar_year=year, date=date(2027, 1, 1), is_workday=False,
                               name="元旦")
    CalendarDay.objects.create(calendar_year=year, date=date(2027, 1, 4), is_workday=False,
                               name="元旦")
    CalendarDay.objects.create(calendar_year=year, date=date(2027, 1, 9), is_workday=True,
                               name="元旦")
    # January 2027: Tue 5 (1st), Wed 6 (2nd), Thu 7 (3rd), Fri 8 (4th), Sat 9 (5th),
    # Mon 11 (6th), Tue 12 (7th), Wed 13 (8th), Thu 14 (9th).
    deadlines = workdays.statement_deadlines(date(2026, 12, 1))
    assert (deadlines.submit_due, deadlines.review_due, deadlines.payout_from) == (
        date(2027, 1, 7), date(2027, 1, 13), date(2027, 1, 14))


def test_the_library_sync_adds_missing_years_and_keeps_admin_corrections(db):
    day = CalendarDay.objects.get(date=date(2026, 10, 10))
    day.is_workday, day.name = False, "管理员更正"
    day.save()
    CalendarYear.objects.filter(year=2025).delete()
    assert calendar.sync_from_library() == [2025]
    assert calendar.sync_from_library() == []
    assert not CalendarDay.objects.get(date=date(2026, 10, 10)).is_workday
    assert CalendarDay.objects.get(date=date(2025, 2, 8)).is_workday


def test_a_calendar_day_must_lie_in_its_year(db):
    year = CalendarYear.objects.get(year=2026)
    with pytest.raises(ValidationError) as caught:
        CalendarDay(calendar_year=year, date=date(2025, 5, 1), is_workday=False).full_clean()
    assert "date" in caught.value.message_dict


def test_the_deadlines_endpoint_answers_2027_with_a_translated_400(personas, client_for):
    personas.admin.language = "en"  # the saved language wins over Accept-Language
    personas.admin.save(update_fields=["language"])
    client = client_for(personas.admin)
    ok = client.get("/api/expenses/deadlines/?month=2026-09")
    assert ok.status_code == 200 and ok.data["submit_due"] == date(2026, 10, 10)
    missing = client.get("/api/expenses/deadlines/?month=2026-12")
    assert missing.status_code == 400
    assert "2027" in missing.data["month"][0]
    assert "has not been entered" in missing.data["month"][0]
