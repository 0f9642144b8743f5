from datetime import UTC, datetime
from decimal import Decimal

from django.utils import timezone

from kehu.selectors import add_months
from tests.visits.factories import make_plan
from visits.api.serializers import point
from visits.models import VisitPlan


def test_a_point_keeps_wgs84_and_adds_its_gcj02_twin_for_chinese_tiles():
    # The public test vector: People's Square, Shanghai.
    shown = point(Decimal("31.230400"), Decimal("121.473700"))
    assert (shown["latitude"], shown["longitude"]) == ("31.230400", "121.473700")
    assert shown["gcj02"] == {"latitude": 31.228458, "longitude": 121.478223}


def test_outside_china_the_two_are_the_same_and_no_position_is_none():
    assert point(Decimal("48.858400"), Decimal("2.294500"))["gcj02"] == {
        "latitude": 48.8584, "longitude": 2.2945}
    assert point(None, Decimal("1")) is None


def test_the_version_history_gives_decision_times_in_the_business_time_zone(
        personas, shops, client_for):
    month = add_months(timezone.localdate().replace(day=1), 1)
    plan = make_plan(personas.rep, personas.org.area, month)
    # 23:30 UTC is already the next day in Shanghai.
    decided = datetime(2026, 11, 24, 23, 30, tzinfo=UTC)
    VisitPlan.objects.filter(pk=plan.pk).update(decided_at=decided,
                                                decided_by=personas.manager)

    data = client_for(personas.rep).get(f"/api/visits/plans/{plan.pk}/").data

    assert data["decided_at"] == data["versions"][0]["decided_at"]
    assert data["versions"][0]["decided_at"].startswith("2026-11-25T07:30:00")
