"""The nightly care reminders and the rep's done / skip (visits.services.reminders)."""

import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from kehu.models import KeyPerson, MonthlyFact
from tests.factories import make_retailer
from tests.visits.factories import make_visit
from visits.care_calendar import lunar_birthday, lunar_birthdays_on
from visits.models import Reminder, ReminderPolicy, Visit
from visits.services.reminders import (
    care_call_due,
    reminder_complete,
    reminder_skip,
    reminders_generate,
)

Kind = Reminder.Kind


def nights(company, first: date, last: date) -> None:
    day = first
    while day <= last:
        reminders_generate(company=company, today=day)
        day += timedelta(days=1)


def kinds(kind, **filters):
    return Reminder.objects.filter(kind=kind, **filters)


# The care calendar -----------------------------------------------------------------------

def test_a_leap_month_birthday_falls_back_to_the_ordinary_month_in_years_without_it():
    # 2025 has a leap 6th month (闰六月 starts 2025-07-25); 2026 has none.
    assert lunar_birthday(2025, 6, 1, leap=True) == date(2025, 7, 25)
    assert lunar_birthday(2025, 6, 1, leap=False) == date(2025, 6, 25)
    assert lunar_birthday(2026, 6, 1, leap=True) == lunar_birthday(2026, 6, 1, leap=False) \
        == date(2026, 7, 14)


def test_a_day_30_birthday_falls_back_to_day_29_in_a_short_month():
    # The 8th lunar month of 2026 has 29 days (八月小): 8/29 is 2026-10-09.
    assert lunar_birthday(2026, 8, 30) == lunar_birthday(2026, 8, 29) == date(2026, 10, 9)
    assert (8, 30, False) in lunar_birthdays_on(date(2026, 10, 9))
    assert (8, 30, False) not in lunar_birthdays_on(date(2026, 10, 8))


def test_every_lunar_birthday_maps_back_to_its_solar_day():
    for year in (2025, 2026, 2027):
        for month in range(1, 13):
            for day in (1, 15, 29, 30):
                for leap in (False, True):
                    solar = lunar_birthday(year, month, day, leap)
                    assert (month, day, leap) in lunar_birthdays_on(solar)


# Generation ----------------------------------------------------------------------------

def test_a_retailers_get_one_care_call_a_month_others_one_a_quarter(personas, shops):
    company = personas.org.company
    nights(company, date(2026, 10, 1), date(2026, 12, 31))
    by_retailer = {}
    for r in kinds(Kind.CARE_CALL):
        by_retailer.setdefault(r.retailer_id, []).append(r)
    assert len(by_retailer[shops.a.pk]) == 3  # October, November, December
    for retailer in (shops.b, shops.c, shops.ungraded, shops.other_reps):
        expected = 3 if retailer.grade == "A" else 1
        assert len(by_retailer[retailer.pk]) == expected
    (b_call,) = by_retailer[shops.b.pk]
    assert b_call.occasion == "2026-10/3" and b_call.event_date == date(2026, 10, 1)
    assert b_call.due_date == date(2026, 10, 1) + timedelta(days=shops.b.pk % 92)
    assert b_call.rep_id == personas.rep.pk
    assert {r.rep_id for r in by_retailer[shops.other_reps.pk]} == {personas.rep2.pk}


def test_no_care_call_reminder_once_a_call_is_logged_in_the_period(personas, shops):
    company = personas.org.company
    make_visit(personas.rep, shops.b, date(2026, 10, 1), kind=Visit.Kind.CARE_CALL)
    nights(company, date(2026, 10, 1), date(2026, 12, 31))
    assert not kinds(Kind.CARE_CALL, retailer=shops.b).exists()
    assert kinds(Kind.CARE_CALL, retailer=shops.c).count() == 1


def test_care_call_frequencies_follow_the_policy(personas, shops):
    company = personas.org.company
    ReminderPolicy.objects.create(company=company, care_call_months_b=1, care_call_months_c=2)
    nights(company, date(2026, 7, 1), date(2026, 8, 31))  # exactly one period of C
    assert kinds(Kind.CARE_CALL, retailer=shops.b).count() == 2
    assert kinds(Kind.CARE_CALL, retailer=shops.c).get().occasion == "2026-07/2"


def test_a_rerun_of_the_night_creates_no_duplicates(personas, shops):
    company = personas.org.company
    KeyPerson.objects.create(retailer=shops.a, role="owner", name="老板",
                             birthday=date(1980, 2, 15))
    first = reminders_generate(company=company, today=date(2026, 2, 12))
    assert first[Kind.BIRTHDAY] == 1 and first[Kind.HOLIDAY] == 3  # A and B shops
    before = Reminder.objects.count()
    again = reminders_generate(company=company, today=date(2026, 2, 12))
    assert Reminder.objects.count() == before
    assert all(again[kind] == 0 for kind in Kind.values)


def test_a_lunar_birthday_in_a_leap_month_is_reminded_on_its_fallback_day(personas, shops):
    company = personas.org.company
    # Born on the 10th of the leap 6th month (2025 has it, 2026 does not).
    person = KeyPerson.objects.create(
        retailer=shops.a, role="owner", name="老板", birthday_is_lunar=True, lunar_month=6,
        lunar_day=10, lunar_leap_month=True)
    nights(company, date(2025, 7, 25), date(2025, 8, 10))
    nights(company, date(2026, 7, 15), date(2026, 7, 31))
    due = sorted(kinds(Kind.BIRTHDAY, key_person=person).values_list("due_date", flat=True))
    assert due == [date(2025, 8, 3), date(2026, 7, 23)]  # 闰六月初十, then 六月初十


def test_a_lunar_day_30_birthday_is_reminded_on_day_29_in_a_short_month(personas, shops):
    company = personas.org.company
    person = KeyPerson.objects.create(retailer=shops.b, role="purchaser", name="采购",
                                      birthday_is_lunar=True, lunar_month=8, lunar_day=30)
    reminders_generate(company=company, today=date(2026, 10, 6))
    reminder = kinds(Kind.BIRTHDAY, key_person=person).get()
    assert (reminder.due_date, reminder.event_date) == (date(2026, 10, 9), date(2026, 10, 9))
    assert reminder.occasion == f"kp{person.pk}:2026-10-09"


def test_solar_birthdays_and_erased_persons(personas, shops):
    company = personas.org.company
    leapling = KeyPerson.objects.create(retailer=shops.a, role="owner", name="甲",
                                        birthday=date(1984, 2, 29))
    KeyPerson.objects.create(retailer=shops.a, role="finance", name="乙",
                             birthday=date(1984, 2, 28), erased_at="2026-01-01T00:00:00Z")
    reminders_generate(company=company, today=date(2026, 2, 27))
    assert list(kinds(Kind.BIRTHDAY).values_list("key_person", "due_date")) == [
        (leapling.pk, date(2026, 2, 28))]


@pytest.mark.parametrize(("night", "festival", "due"), [
    (date(2026, 2, 11), date(2026, 2, 17), date(2026, 2, 14)),  # 春节 2026
    (date(2027, 1, 31), date(2027, 2, 6), date(2027, 2, 3)),   # 春节 2027
])
def test_spring_festival_care_for_a_and_b_retailers(personas, shops, night, festival, due):
    reminders_generate(company=personas.org.company, today=night)
    rows = kinds(Kind.HOLIDAY, detail="spring_festival")
    assert {r.retailer_id for r in rows} == {shops.a.pk, shops.b.pk, shops.other_reps.pk}
    assert {(r.event_date, r.due_date) for r in rows} == {(festival, due)}
    assert {r.occasion for r in rows} == {f"spring_festival:{festival}"}


def test_mid_autumn_and_holiday_grades_from_the_policy(personas, shops):
    company = personas.org.company
    ReminderPolicy.objects.create(company=company, holiday_grades="C", holiday_lead_days=0,
                                  holidays=["mid_autumn"])
    reminders_generate(company=company, today=date(2026, 9, 23))
    rows = kinds(Kind.HOLIDAY)
    assert {r.retailer_id for r in rows} == {shops.c.pk, shops.ungraded.pk}
    assert {r.due_date for r in rows} == {date(2026, 9, 25)}


def test_a_follow_up_call_a_week_after_visiting_an_a_retailer(personas, shops):
    company = personas.org.company
    visit = make_visit(personas.rep, shops.a, date(2026, 10, 5))
    make_visit(personas.rep, shops.b, date(2026, 10, 5))
    reminders_generate(company=company, today=date(2026, 10, 6))
    follow_up = kinds(Kind.FOLLOW_UP).get()
    assert (follow_up.retailer_id, follow_up.source_visit_id) == (shops.a.pk, visit.pk)
    assert follow_up.due_date == date(2026, 10, 12)
    # The rep calls on the 8th: the next night closes the follow-up as done.
    call = make_visit(personas.rep, shops.a, date(2026, 10, 8), kind=Visit.Kind.CARE_CALL)
    counts = reminders_generate(company=company, today=date(2026, 10, 9))
    follow_up.refresh_from_db()
    assert counts["auto_done"] >= 1
    assert (follow_up.status, follow_up.done_visit_id) == (Reminder.Status.DONE, call.pk)


def test_no_follow_up_when_a_call_followed_the_visit(personas, shops):
    make_visit(personas.rep, shops.a, date(2026, 10, 5))
    make_visit(personas.rep, shops.a, date(2026, 10, 6), kind=Visit.Kind.PHONE)
    reminders_generate(company=personas.org.company, today=date(2026, 10, 7))
    assert not kinds(Kind.FOLLOW_UP).exists()


def _fact(retailer, month, purchase, collected):
    return MonthlyFact.objects.create(
        retailer=retailer, month=month, purchase_amount=Decimal(purchase),
        purchase_quantity=1, collected_amount=Decimal(collected), order_success_rate=90,
        e_settlement_rate=50)


def test_rewards_are_due_once_a_months_purchases_are_fully_collected(personas, shops):
    _fact(shops.a, date(2026, 9, 1), "1000.00", "1000.00")
    _fact(shops.b, date(2026, 9, 1), "1000.00", "999.99")
    _fact(shops.c, date(2026, 9, 1), "800.00", "800.00")  # C: no gifts, no rewards
    _fact(shops.other_reps, date(2026, 9, 1), "0.00", "0.00")  # bought nothing
    _fact(shops.a, date(2026, 6, 1), "500.00", "500.00")  # too old
    reminders_generate(company=personas.org.company, today=date(2026, 10, 3))
    reminders_generate(company=personas.org.company, today=date(2026, 10, 4))
    row = kinds(Kind.REWARDS_DUE).get()
    assert (row.retailer_id, row.occasion, row.event_date, row.due_date) == (
        shops.a.pk, "fact:2026-09", date(2026, 9, 1), date(2026, 10, 3))


def test_open_reminders_follow_a_reassigned_retailer(personas, shops):
    reminders_generate(company=personas.org.company, today=date(2026, 2, 12))
    shops.a.assigned_rep = personas.rep2
    shops.a.save()
    counts = reminders_generate(company=personas.org.company, today=date(2026, 2, 13))
    assert counts["reassigned"] >= 1
    assert set(Reminder.objects.filter(retailer=shops.a).values_list("rep", flat=True)) == {
        personas.rep2.pk}


def test_an_offices_part_keeps_to_its_own_retailers_open_reminders(personas, shops):
    """The maintenance statements start from the office's retailers (office_retailer_ids):
    another office's reassigned retailer and answered care call wait for its own part."""
    org, company = personas.org, personas.org.company
    there = make_retailer(org.sibling_area, personas.sibling_rep, grade="A")
    nights(company, date(2026, 2, 1), date(2026, 2, 26))  # every A care call of February
    theirs = Reminder.objects.get(retailer=there, kind=Kind.CARE_CALL)
    mine = Reminder.objects.get(retailer=shops.a, kind=Kind.CARE_CALL)
    open_here = Reminder.objects.filter(retailer=shops.a, status="open").count()
    for shop in (there, shops.a):
        shop.assigned_rep = personas.rep2
        shop.save()
        make_visit(personas.rep2, shop, date(2026, 2, 26), kind=Visit.Kind.CARE_CALL)
    counts = reminders_generate(company=company, node=org.office, today=date(2026, 2, 27))
    assert (counts["reassigned"], counts["auto_done"]) == (open_here, 1)
    theirs.refresh_from_db()
    mine.refresh_from_db()
    assert (theirs.rep_id, theirs.status) == (personas.sibling_rep.pk, Reminder.Status.OPEN)
    assert (mine.rep_id, mine.status) == (personas.rep2.pk, Reminder.Status.DONE)
    reminders_generate(company=company, node=org.sibling_office, today=date(2026, 2, 27))
    theirs.refresh_from_db()
    assert (theirs.rep_id, theirs.status) == (personas.rep2.pk, Reminder.Status.DONE)


def test_closed_and_unassigned_retailers_get_nothing(personas, shops):
    shops.c.status = "closed"
    shops.c.save()
    shops.b.assigned_rep = None
    shops.b.save()
    nights(personas.org.company, date(2026, 10, 1), date(2026, 12, 31))
    assert not Reminder.objects.filter(retailer__in=[shops.b, shops.c]).exists()


def test_care_call_due_is_spread_over_the_period():
    assert care_call_due(31, date(2026, 10, 20), 1) == date(2026, 10, 1)
    assert care_call_due(32, date(2026, 10, 20), 1) == date(2026, 10, 2)
    assert care_call_due(91, date(2026, 11, 5), 3) == date(2026, 12, 31)


# Done and skip -------------------------------------------------------------------------

@pytest.fixture
def reminder(personas, shops):
    return Reminder.objects.create(kind=Kind.CARE_CALL, rep=personas.rep, retailer=shops.b,
                                   occasion="2026-10/3", due_date=date(2026, 10, 20))


def test_done_logs_a_care_call_once(personas, reminder):
    client_id = uuid.uuid4()
    done = reminder_complete(reminder=reminder, actor=personas.rep, client_id=client_id,
                             note="问候了老板")
    visit = done.done_visit
    assert done.status == Reminder.Status.DONE and done.closed_by == personas.rep
    assert (visit.kind, visit.status, visit.retailer_id, visit.client_id) == (
        Visit.Kind.CARE_CALL, Visit.Status.COMPLETED, reminder.retailer_id, client_id)
    assert visit.communication_notes == "问候了老板"
    again = reminder_complete(reminder=reminder, actor=personas.rep, client_id=client_id)
    assert again.done_visit_id == visit.pk
    assert Visit.objects.filter(kind=Visit.Kind.CARE_CALL).count() == 1


def test_done_with_a_visit_already_logged(personas, shops, reminder):
    visit = make_visit(personas.rep, shops.b, date(2026, 10, 19), kind=Visit.Kind.PHONE)
    done = reminder_complete(reminder=reminder, actor=personas.rep, visit=visit)
    assert done.done_visit_id == visit.pk
    other = make_visit(personas.rep, shops.c, date(2026, 10, 19), kind=Visit.Kind.PHONE)
    second = Reminder.objects.create(kind=Kind.HOLIDAY, rep=personas.rep, retailer=shops.b,
                                     occasion="x", due_date=date(2026, 10, 20))
    with pytest.raises(ValidationError) as error:
        reminder_complete(reminder=second, actor=personas.rep, visit=other)
    assert "visit" in error.value.message_dict


def test_only_the_reps_own_reminder_is_closed_by_them(personas, reminder):
    with pytest.raises(ValidationError):
        reminder_complete(reminder=reminder, actor=personas.rep2, client_id=uuid.uuid4())
    with pytest.raises(ValidationError):
        reminder_skip(reminder=reminder, actor=personas.rep2, reason="not_needed")


def test_skip_needs_a_reason_and_other_needs_a_note(personas, reminder):
    with pytest.raises(ValidationError) as error:
        reminder_skip(reminder=reminder, actor=personas.rep, reason="other")
    assert "note" in error.value.message_dict
    skipped = reminder_skip(reminder=reminder, actor=personas.rep, reason="unreachable")
    assert (skipped.status, skipped.skip_reason) == (Reminder.Status.SKIPPED, "unreachable")
    with pytest.raises(ValidationError):
        reminder_complete(reminder=reminder, actor=personas.rep, client_id=uuid.uuid4())
