import uuid
from datetime import date

import pytest
from django.core.exceptions import ValidationError

from tests.visits.factories import make_plan, make_visit
from visits import services
from visits.models import MissedVisit, VisitPlan

DAY, TODAY = date(2026, 11, 18), date(2026, 11, 20)


@pytest.fixture
def plan(personas, shops):
    return make_plan(personas.rep, personas.org.area, date(2026, 11, 1),
                     stops=[(DAY, shops.a), (DAY, shops.b), (date(2026, 11, 25), shops.c)])


def record(personas, retailer, day=DAY, reason=MissedVisit.Reason.CLOSED, note="",
           client_id=None):
    return services.missed_visit_record(actor=personas.rep, retailer=retailer, date=day,
                                        reason=reason, note=note,
                                        client_id=client_id or uuid.uuid4(), today=TODAY)


def test_a_missed_planned_visit_records_its_reason(personas, shops, plan):
    missed, created = record(personas, shops.a, reason=MissedVisit.Reason.OWNER_ABSENT)
    assert created and (missed.rep, missed.date, missed.reason) == (personas.rep, DAY,
                                                                    "owner_absent")


def test_other_needs_a_note(personas, shops, plan):
    with pytest.raises(ValidationError) as error:
        record(personas, shops.a, reason=MissedVisit.Reason.OTHER)
    assert "note" in error.value.message_dict
    assert record(personas, shops.a, reason=MissedVisit.Reason.OTHER, note="修路")[1]


def test_a_retailer_not_in_the_approved_plan_that_day_needs_no_reason(personas, shops, plan):
    with pytest.raises(ValidationError) as error:
        record(personas, shops.c)  # planned on the 25th, not the 18th
    assert "retailer" in error.value.message_dict


def test_only_the_approved_plan_counts(personas, shops, plan):
    VisitPlan.objects.filter(pk=plan.pk).update(status=VisitPlan.Status.SUBMITTED)
    with pytest.raises(ValidationError):
        record(personas, shops.a)


def test_a_future_visit_cannot_be_missed_yet(personas, shops, plan):
    with pytest.raises(ValidationError) as error:
        record(personas, shops.c, day=date(2026, 11, 25))
    assert "date" in error.value.message_dict


def test_a_visit_made_that_day_was_not_missed(personas, shops, plan):
    make_visit(personas.rep, shops.a, DAY)
    with pytest.raises(ValidationError) as error:
        record(personas, shops.a)
    assert "date" in error.value.message_dict


def test_the_same_client_id_twice_is_one_record_and_a_second_reason_is_refused(personas,
                                                                             shops, plan):
    client_id = uuid.uuid4()
    first, _created = record(personas, shops.a, client_id=client_id)
    again, created = record(personas, shops.a, client_id=client_id)
    assert (again.pk, created) == (first.pk, False)
    with pytest.raises(ValidationError) as error:
        record(personas, shops.a, reason=MissedVisit.Reason.WEATHER)
    assert "date" in error.value.message_dict and MissedVisit.objects.count() == 1


def test_the_rep_corrects_the_reason(personas, shops, plan):
    missed, _created = record(personas, shops.a)
    changed = services.missed_visit_update(missed=missed, actor=personas.rep,
                                           reason=MissedVisit.Reason.WEATHER)
    assert changed.reason == "weather"
    with pytest.raises(ValidationError):
        services.missed_visit_update(missed=missed, actor=personas.manager, reason="closed")
