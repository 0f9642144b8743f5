"""早夕会: one day's visits of a node by area then rep, with the problems raised and the
market information collected; scoped; the default day is the previous working day."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Role
from accounts.workdays import covered_years
from reports.selectors.reports import previous_working_day
from tests.factories import make_person, make_retailer
from tests.reports.reports_support import build_month
from tests.visits.factories import make_problem

URL = "/api/reports/meeting/"


@pytest.fixture
def month(personas):
    return build_month(personas)


def _reps(data):
    return {rep["rep"]: rep for area in data["areas"] for rep in area["reps"]}


def test_the_days_visits_by_area_and_rep(personas, month, client_for):
    data = client_for(personas.manager).get(URL, {"date": month.d1,
                                                  "node": personas.org.office.pk}).json()
    assert [area["name"] for area in data["areas"]] == ["鼓楼片区"]
    reps = _reps(data)
    assert set(reps) == {personas.rep.pk, personas.rep2.pk}
    [visit] = reps[personas.rep.pk]["visits"]
    assert (visit["retailer_name"], visit["competitor_info"], visit["stock"],
            visit["items"]) == ("甲店", "对手降价两元", True, 2)
    [problem] = visit["problem_rows"]
    assert problem["category"] == "late_delivery" and problem["retailer_name"] == "甲店"
    [far] = reps[personas.rep2.pk]["visits"]
    assert far["far_from_store"] is True
    assert data["totals"] == {"reps": 2, "reps_visiting": 2, "visits": 2, "on_site": 2,
                              "flagged": 1, "problems": 1, "info_items": 2}
    assert data["areas"][0]["totals"] == data["totals"]


def test_market_information_of_calls_and_reps_without_visits(personas, month,
                                                              client_for):
    data = client_for(personas.manager).get(URL, {"date": month.d2,
                                                  "node": personas.org.area.pk}).json()
    reps = _reps(data)
    assert reps[personas.rep2.pk]["visits"] == []
    assert reps[personas.rep2.pk]["totals"]["reps_visiting"] == 0
    kinds = {v["kind"]: v for v in reps[personas.rep.pk]["visits"]}
    assert kinds["care_call"]["consumer_feedback"] == "嫌贵"
    assert kinds["phone"]["gps_missing"] is True
    assert data["totals"]["info_items"] == 1


def test_a_problem_raised_without_a_visit_is_listed_under_its_rep(personas, client_for):
    today = timezone.localdate()
    shop = make_retailer(personas.org.area, personas.rep)
    make_problem(shop, personas.rep, due=today + timedelta(days=3))
    data = client_for(personas.manager).get(URL, {"date": today}).json()
    rep = _reps(data)[personas.rep.pk]
    assert [p["retailer_id"] for p in rep["other_problems"]] == [shop.pk]
    assert data["totals"]["problems"] == 1


def test_other_offices_are_not_found_and_not_listed(personas, month, client_for):
    client = client_for(personas.sibling_manager)
    assert client.get(URL, {"date": month.d1, "node": personas.org.office.pk}).status_code \
        == 404
    own = client.get(URL, {"date": month.d1}).json()
    assert set(_reps(own)) == {personas.sibling_rep.pk}
    assert own["totals"]["visits"] == 1


def test_a_rep_sees_only_their_own_day(personas, month, client_for):
    data = client_for(personas.rep).get(URL, {"date": month.d1}).json()
    assert set(_reps(data)) == {personas.rep.pk}


def test_a_future_day_is_refused_naming_the_field(personas, client_for):
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client_for(personas.manager).get(URL, {"date": tomorrow})
    assert response.status_code == 400 and set(response.json()) == {"date"}


def test_the_default_day_is_the_previous_working_day(personas, client_for):
    data = client_for(personas.manager).get(URL).json()
    assert data["date"] == previous_working_day(timezone.localdate()).isoformat()
    assert data["is_working_day"] is True


def test_previous_working_day_skips_weekends_and_holidays(db):
    from datetime import date

    assert previous_working_day(date(2026, 11, 23)) == date(2026, 11, 20)  # Monday → Friday
    assert previous_working_day(date(2026, 10, 8)) == date(2026, 9, 30)  # after National Day


def test_the_meeting_reads_in_a_fixed_number_of_queries(personas, month, client_for,
                                                        django_assert_max_num_queries):
    for n in range(5):
        make_person(personas.org.area2, Role.REP, f"extra{n}")
    client = client_for(personas.manager)
    covered_years()  # the working-day calendar is loaded once per process, not per request
    with django_assert_max_num_queries(10):
        client.get(URL, {"date": month.d1, "node": personas.org.office.pk})
