"""The one working-day calendar (accounts.workdays): what an admin enters is what visits and
客情费 deadlines both use; a year not entered is an error for deadlines and Monday–Friday
for planning; reads are cached per process and see a correction at once."""

import logging
from datetime import date

import pytest
from django.core.cache import cache

from accounts import workdays
from accounts.models import CalendarDay, CalendarYear, User
from expenses.workdays import statement_deadlines
from tests.calendar_support import enter_2027_in_the_admin
from tests.factories import make_retailer
from visits.models import PlanStop
from visits.selectors.plans import plan_warnings
from visits.services import plan_propose

JAN_2027 = date(2027, 1, 1)
TODAY = date(2026, 11, 25)


def first_days_of_january(*, strict: bool) -> list[date]:
    return workdays.working_days(JAN_2027, date(2027, 1, 11), strict=strict)


def test_a_year_not_entered_is_an_error_when_strict_naming_the_field(db):
    assert 2027 not in workdays.covered_years()
    with pytest.raises(workdays.CalendarNotCovered) as caught:
        workdays.working_days_of_month(2027, 1, strict=True, field="spent_on")
    assert caught.value.year == 2027
    assert "2027" in caught.value.message_dict["spent_on"][0]
    with pytest.raises(workdays.CalendarNotCovered) as caught:
        workdays.is_working_day(date(2027, 1, 4), strict=True)
    assert list(caught.value.message_dict) == ["date"]
    with pytest.raises(workdays.CalendarNotCovered):  # a range reaching into 2027
        workdays.working_days(date(2026, 12, 28), date(2027, 1, 2), strict=True)


def test_a_year_not_entered_is_monday_to_friday_when_lenient_with_a_warning(db, caplog):
    with caplog.at_level(logging.WARNING, logger="accounts.workdays"):
        assert first_days_of_january(strict=False) == [
            date(2027, 1, 1), date(2027, 1, 4), date(2027, 1, 5), date(2027, 1, 6),
            date(2027, 1, 7), date(2027, 1, 8), date(2027, 1, 11)]
        assert not workdays.is_working_day(date(2027, 1, 9), strict=False)  # a Saturday
    warnings = [r for r in caplog.records if "2027" in r.getMessage()]
    assert len(warnings) == 1 and warnings[0].levelno == logging.WARNING  # once per year


def test_an_admins_2027_changes_visit_planning_and_statement_deadlines_alike(personas, client):
    shops = [make_retailer(personas.org.area, personas.rep) for _ in range(2)]
    # Before: planning guesses Monday–Friday, deadlines refuse to guess.
    before = plan_propose(rep=personas.rep, month=JAN_2027, actor=personas.rep, today=TODAY)
    assert before.stops.order_by("date").first().date == date(2027, 1, 1)
    with pytest.raises(workdays.CalendarNotCovered):
        statement_deadlines(date(2026, 12, 1))
    before.delete()

    enter_2027_in_the_admin(client)

    # Visits: the holidays are off, the make-up Saturday is on.
    assert first_days_of_january(strict=False) == [
        date(2027, 1, 5), date(2027, 1, 6), date(2027, 1, 7), date(2027, 1, 8),
        date(2027, 1, 9), date(2027, 1, 11)]
    plan = plan_propose(rep=personas.rep, month=JAN_2027, actor=personas.rep, today=TODAY)
    first = plan.stops.order_by("date").first().date
    assert first == date(2027, 1, 5)  # never-visited shops: the first working day
    assert not plan.stops.filter(date__in=[date(2027, 1, 1), date(2027, 1, 4)]).exists()
    plan.stops.all().delete()
    PlanStop.objects.create(plan=plan, date=date(2027, 1, 9), retailer=shops[0], position=0)
    PlanStop.objects.create(plan=plan, date=date(2027, 1, 4), retailer=shops[1], position=0)
    flagged = {w["date"] for w in plan_warnings(plan) if w["code"] == "non_working_day"}
    assert flagged == {date(2027, 1, 4)}
    # 客情费: the same days count. January 2027: Tue 5 (1st), Wed 6, Thu 7 (3rd), Fri 8,
    # Sat 9 (5th), Mon 11 … Wed 13 (8th), Thu 14 (9th).
    deadlines = statement_deadlines(date(2026, 12, 1))
    assert (deadlines.submit_due, deadlines.review_due, deadlines.payout_from) == (
        date(2027, 1, 7), date(2027, 1, 13), date(2027, 1, 14))


def test_reads_are_cached_and_an_admins_correction_is_seen_without_a_restart(
        db, client, django_assert_num_queries):
    saturday = date(2026, 10, 10)  # a make-up working day in the library's 2026
    assert workdays.is_working_day(saturday, strict=True)
    with django_assert_num_queries(0):  # the snapshot is loaded once per process
        assert workdays.is_working_day(saturday, strict=True)
        assert len(workdays.working_days_of_month(2026, 10, strict=True)) == 18

    operator = User.objects.create_superuser("ops", "ops@example.com", "pass-word-123")
    client.force_login(operator)
    row = CalendarDay.objects.get(date=saturday)
    response = client.post(f"/admin/accounts/calendarday/{row.pk}/change/", {
        "calendar_year": row.calendar_year_id, "date": "2026-10-10", "name": "更正"})
    assert response.status_code == 302, response.content.decode()[:2000]  # unticked: off

    assert not workdays.is_working_day(saturday, strict=True)
    assert statement_deadlines(date(2026, 9, 1)).submit_due == date(2026, 10, 12)
    client.post(f"/admin/accounts/calendarday/{row.pk}/delete/", {"post": "yes"})
    assert not workdays.is_working_day(saturday, strict=True)  # a plain Saturday again
    client.post(f"/admin/accounts/calendaryear/{row.calendar_year_id}/delete/", {"post": "yes"})
    assert 2026 not in workdays.covered_years()


def test_another_process_sees_a_change_through_the_shared_version_token(db):
    saturday = date(2026, 10, 10)
    assert workdays.is_working_day(saturday, strict=True)
    # A change this process sent no signal for (as if made by another worker) …
    CalendarDay.objects.filter(date=saturday).update(is_workday=False)
    assert workdays.is_working_day(saturday, strict=True)  # … is not seen from the snapshot
    cache.set(workdays.VERSION_KEY, "bumped by another process", timeout=None)
    assert not workdays.is_working_day(saturday, strict=True)  # until the token changes
    cache.delete(workdays.VERSION_KEY)  # a flushed cache: reload rather than trust
    CalendarDay.objects.filter(date=saturday).update(is_workday=True)
    assert workdays.is_working_day(saturday, strict=True)


def test_a_change_invalidates_again_when_its_transaction_commits(
        db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        year = CalendarYear.objects.create(year=2027)
    assert workdays.is_working_day(date(2027, 1, 1), strict=True)  # covered: Mon–Fri rows
    token = cache.get(workdays.VERSION_KEY)
    for callback in callbacks:
        callback()
    assert cache.get(workdays.VERSION_KEY) != token
    assert year.days.count() == 0


def test_working_days_reads_the_version_once_per_call(db, monkeypatch):
    workdays.covered_years()  # loaded
    reads = []

    class CountingCache:
        def get(self, *args, **kwargs):
            reads.append(args)
            return cache.get(*args, **kwargs)

        def __getattr__(self, name):
            return getattr(cache, name)

    monkeypatch.setattr(workdays, "cache", CountingCache())
    assert len(workdays.working_days(date(2026, 1, 1), date(2026, 12, 31), strict=True)) > 240
    assert len(reads) == 1


def test_the_library_sync_makes_its_years_visible_at_once(db):
    CalendarYear.objects.filter(year=2025).delete()
    assert 2025 not in workdays.covered_years()
    assert workdays.sync_from_library() == [2025]
    assert 2025 in workdays.covered_years()
    assert workdays.is_working_day(date(2025, 2, 8), strict=True)  # make-up Saturday
