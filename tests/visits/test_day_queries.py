"""The rep's day (`/api/visits/day-routes/today/`): a fixed number of queries however many
stops, and every part of a stop's document (visit, miss, preparation) as the phone reads
it."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from kehu.models import KeyPerson, MonthlyFact
from kehu.selectors import add_months
from tests.factories import make_retailer
from tests.visits.factories import (
    make_missed,
    make_plan,
    make_problem,
    make_template,
    make_visit,
)
from visits.api.serializers import DayRouteSerializer
from visits.models import DayRoute, MissedVisit, Problem

TODAY = "/api/visits/day-routes/today/"
# session, user, memberships; the plan with its stops, shops, areas, last visits, the
# day's visits and the misses; the route; open problems, facts, key persons, templates
REP_QUERIES = 9


def rich_day(personas, count: int):
    """`count` stops today, each shop with a last visit, an overdue problem, a key person
    and last month's facts; every third visited today, every third missed; a route."""
    today = timezone.localdate()
    area, rep = personas.org.area, personas.rep
    shops = [make_retailer(area, rep, grade="AB"[i % 2], latitude=Decimal("32.058000"),
                           longitude=Decimal("118.796000") + i * Decimal("0.001"))
             for i in range(count)]
    make_plan(rep, area, today.replace(day=1), stops=[(today, shop) for shop in shops])
    make_template(personas.org.company, personas.admin, business_type="convenience")
    for i, shop in enumerate(shops):
        make_visit(rep, shop, today - timedelta(days=7), communication_notes="上次谈了陈列")
        if i % 3 == 0:
            make_visit(rep, shop, today, hour=9, completed=False)
        elif i % 3 == 1:
            make_missed(rep, shop, today, reason=MissedVisit.Reason.OTHER)
        make_problem(shop, rep, due=today - timedelta(days=1))
        KeyPerson.objects.create(retailer=shop, role=KeyPerson.PersonRole.OWNER, name="王老板")
        MonthlyFact.objects.create(
            retailer=shop, month=add_months(today.replace(day=1), -1),
            purchase_amount=Decimal("1200.50"), purchase_quantity=Decimal("30"),
            collected_amount=Decimal("1000.00"), order_success_rate=Decimal("87.50"),
            e_settlement_rate=Decimal("60.00"))
    route = DayRoute.objects.create(
        rep=rep, area=area, date=today, start_latitude=Decimal("32.050000"),
        start_longitude=Decimal("118.790000"), retailer_order=[s.pk for s in reversed(shops)])
    return shops, route


@pytest.mark.parametrize("count", [1, 20])
def test_the_day_takes_the_same_queries_for_one_stop_and_for_twenty(
        personas, client_for, django_assert_num_queries, count):
    rich_day(personas, count)
    client = client_for(personas.rep)
    with django_assert_num_queries(REP_QUERIES):
        response = client.get(TODAY)
    assert response.status_code == 200 and len(response.data["stops"]) == count
    assert sum(s["visit"] is not None for s in response.data["stops"]) == (count + 2) // 3


@pytest.mark.parametrize("count", [1, 20])
def test_a_manager_reading_a_reps_day_adds_only_the_team_check(
        personas, client_for, django_assert_num_queries, count):
    rich_day(personas, count)
    client = client_for(personas.manager)
    with django_assert_num_queries(REP_QUERIES + 1):
        response = client.get(TODAY, {"rep": personas.rep.pk})
    assert response.status_code == 200 and len(response.data["stops"]) == count


def test_each_stop_carries_its_visit_miss_and_preparation(personas, client_for):
    shops, route = rich_day(personas, 3)
    today = timezone.localdate()
    visit = shops[0].visits.get(visit_date=today)
    last = shops[1].visits.get()
    missed = MissedVisit.objects.get(retailer=shops[1])
    problem = Problem.objects.get(retailer=shops[1])
    response = client_for(personas.rep).get(TODAY)
    data = json.loads(response.content)
    assert data["date"] == today.isoformat() and data["rep"] == personas.rep.pk
    assert data["plan"]["status"] == "approved" and data["plan"]["version"] == 1
    assert data["route"] == json.loads(json.dumps(DayRouteSerializer(route).data))
    assert data["start"]["latitude"] == "32.050000"
    assert [s["retailer"] for s in data["stops"]] == [s.pk for s in reversed(shops)]
    visited, skipped = data["stops"][2], data["stops"][1]
    assert visited["visit"]["id"] == visit.pk and visited["visit"]["status"] == "in_progress"
    assert parse_datetime(visited["visit"]["started_at"]) == visit.started_at
    assert visited["visit"]["ended_at"] is None and visited["visit"]["flagged"] is False
    assert visited["missed"] is None and skipped["visit"] is None
    assert skipped["missed"]["id"] == missed.pk and skipped["missed"]["reason"] == "other"
    assert skipped["missed"]["note"] == "其他" and skipped["missed"]["reason_label"]
    prep = skipped["preparation"]
    assert prep["retailer"]["id"] == shops[1].pk and prep["retailer"]["grade"] == "B"
    assert prep["retailer"]["business_type"] == "convenience"
    assert prep["retailer"]["location"]["longitude"] == "118.797000"
    assert [(p["name"], p["role"]) for p in prep["key_persons"]] == [("王老板", "owner")]
    assert prep["last_visit"]["id"] == last.pk
    assert prep["last_visit"]["visit_date"] == last.visit_date.isoformat()
    assert prep["last_visit"]["communication_notes"] == "上次谈了陈列"
    assert [(p["id"], p["owner"], p["overdue"], p["due_date"])
            for p in prep["open_problems"]] == [
        (problem.pk, personas.rep.name, True, problem.due_date.isoformat())]
    assert prep["facts"] == [{
        "month": add_months(today.replace(day=1), -1).strftime("%Y-%m"),
        "purchase_amount": "1200.50", "collected_amount": "1000.00",
        "order_success_rate": "87.50"}]
    assert prep["template"]["name"] == "药店拜访" and prep["template"]["number"] == 1
    # The latest of the day's visits to a shop is the stop's visit.
    later = make_visit(personas.rep, shops[0], today, hour=11)
    again = client_for(personas.rep).get(TODAY).data
    assert again["stops"][2]["visit"]["id"] == later.pk


def test_a_day_without_a_plan_is_empty_and_a_draft_is_read_until_one_is_approved(
        personas, client_for):
    today = timezone.localdate()
    client = client_for(personas.rep)
    empty = client.get(TODAY).data
    assert empty["plan"] is None and empty["stops"] == [] and empty["route"] is None
    shop = make_retailer(personas.org.area, personas.rep)
    make_plan(personas.rep, personas.org.area, today.replace(day=1), stops=[(today, shop)],
              status="draft", version=2)
    assert client.get(TODAY).data["plan"]["version"] == 2
    make_plan(personas.rep, personas.org.area, today.replace(day=1), stops=[], version=1)
    day = client.get(TODAY).data
    assert day["plan"]["version"] == 1 and day["plan"]["status"] == "approved"
    assert day["stops"] == []
