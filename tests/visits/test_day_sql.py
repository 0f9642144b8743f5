"""The rep's day and the preparation view read with hand-written SQL
(`visits.selectors.sql`) answer byte for byte as the ORM reads they replaced, kept here
as the reference, on a day with every case: another rep's shop in the plan, visits and
problems only some readers may see, a solved problem, an erased key person, facts
outside the window, a region's template over the company's, a shop without a template
or coordinates, two visits on the day, a stop the route does not list, a draft next to
the approved plan; read by the rep, their manager, the regional manager, a clerk, an
admin and a superuser."""

import json
from collections import defaultdict
from datetime import time, timedelta
from decimal import Decimal

import pytest
from django.db.models import F, FilteredRelation, OuterRef, Q
from django.utils import timezone

from accounts.models import User
from kehu.models import KeyPerson, MonthlyFact, Retailer
from kehu.selectors import add_months
from tests.factories import make_retailer
from tests.visits.factories import make_missed, make_plan, make_problem, make_template, make_visit
from visits import template_schema
from visits.api import days, visit_views
from visits.models import DayRoute, MissedVisit, Problem, Visit, VisitTemplateVersion
from visits.models.policy import ancestor_paths
from visits.selectors import visits as visit_selectors
from visits.selectors.common import month_start, pick_working, working_plans
from visits.selectors.plans import DAY_VISIT_FIELDS, ROUTE_FIELDS, _in_route_order
from visits.selectors.visits import CARD_FIELDS, FACT_MONTHS, LAST_VISIT_FIELDS, latest_visit

TODAY = "/api/visits/day-routes/today/"
PREPARE = "/api/visits/visits/prepare/{}/"


# --- the ORM reads the SQL replaced (the reference) ----------------------------------

STOP_FIELDS = ("id", "retailer_id", "position", "fixed_time", "objective")
STOP_CARD = {f"stop__retailer__{field}": field for field in CARD_FIELDS if field != "id"}


def orm_template_steps_by_key(areas):
    if not areas:
        return {}
    rows = list(VisitTemplateVersion.objects
                .filter(template__business_type__in={bt for bt, _area in areas},
                        template__node__path__in={p for path in areas.values()
                                                  for p in ancestor_paths(path)},
                        number=F("template__current_version"))
                .values("id", "number", "steps", "template__name", "template__business_type",
                        "template__node__path"))
    found = {}
    for key, path in areas.items():
        row = max((r for r in rows if r["template__business_type"] == key[0]
                   and path.startswith(r["template__node__path"])),
                  key=lambda r: len(r["template__node__path"]), default=None)
        found[key] = {"template_version": row["id"], "number": row["number"],
                      "name": row["template__name"], "steps": row["steps"]} if row else {
            "template_version": None, "number": None, "name": "",
            "steps": template_schema.DEFAULT_STEPS}
    return found


def orm_last_visits(user, ids):
    lasts = Retailer.objects.filter(pk__in=ids).annotate(
        last=latest_visit(user, OuterRef("pk"))).values("last")
    return {row["retailer_id"]: row for row in Visit.objects.filter(pk__in=lasts)
            .order_by().values(*LAST_VISIT_FIELDS)}


def orm_preparations(user, cards, day, objectives=None, last_visits=None):
    ids = [c["id"] for c in cards]
    if not ids:
        return {}
    if last_visits is None:
        last_visits = orm_last_visits(user, ids)

    def grouped(rows):
        found = defaultdict(list)
        for row in rows:
            found[row["retailer_id"]].append(row)
        return found

    problems = grouped(
        Problem.objects.for_user(user).filter(retailer_id__in=ids, status__in=Problem.UNSOLVED)
        .order_by("due_date", "id")
        .values("id", "retailer_id", "category", "description", "due_date", "status",
                "owner__name", "owner__username"))
    facts = grouped(MonthlyFact.objects.filter(
        retailer_id__in=ids, month__gte=add_months(month_start(day), -FACT_MONTHS))
        .order_by("-month")
        .values("retailer_id", "month", "purchase_amount", "collected_amount",
                "order_success_rate"))
    persons = grouped(KeyPerson.objects.filter(retailer_id__in=ids, erased_at__isnull=True)
                      .values("retailer_id", "name", "role").order_by("id"))
    templates = orm_template_steps_by_key({(c["business_type"], c["area_id"]): c["area_path"]
                                           for c in cards})
    objectives = objectives or {}
    for rows in problems.values():
        for p in rows:
            p["overdue"] = p["due_date"] < day
    return {c["id"]: {"retailer": c, "key_persons": persons[c["id"]],
                      "last_visit": last_visits.get(c["id"]),
                      "open_problems": problems[c["id"]],
                      "objective": objectives.get(c["id"], ""), "facts": facts[c["id"]],
                      "template": templates[(c["business_type"], c["area_id"])]}
            for c in cards}


def orm_day_route(user, rep_id, day):
    stop = FilteredRelation("stops", condition=Q(stops__date=day))
    visit = FilteredRelation("stop__retailer__visits", condition=Q(
        stop__retailer__visits__rep_id=rep_id, stop__retailer__visits__visit_date=day))
    last = FilteredRelation("stop__retailer__visits", condition=Q(
        stop__retailer__visits__id=latest_visit(user, OuterRef("stop__retailer_id"))))
    rows = list(working_plans(rep_id, day).order_by()
                .annotate(stop=stop).annotate(day_visit=visit, last_visit=last)
                .values("id", "version", "status", *(f"stop__{f}" for f in STOP_FIELDS),
                        *STOP_CARD, "stop__retailer__area__path",
                        *(f"day_visit__{f}" for f in DAY_VISIT_FIELDS),
                        *(f"last_visit__{f}" for f in LAST_VISIT_FIELDS)))
    plan = pick_working({row["id"]: {"id": row["id"], "version": row["version"],
                                     "status": row["status"]} for row in rows}.values())
    stops = {}
    for row in rows:
        if plan is None or row["id"] != plan["id"] or row["stop__id"] is None:
            continue
        visit = None if row["day_visit__id"] is None else {
            field: row[f"day_visit__{field}"] for field in DAY_VISIT_FIELDS}
        found = stops.get(row["stop__id"])
        if found is None:
            stops[row["stop__id"]] = {
                **{field: row[f"stop__{field}"] for field in STOP_FIELDS},
                "card": {"id": row["stop__retailer_id"],
                         "area_path": row["stop__retailer__area__path"],
                         **{field: row[column] for column, field in STOP_CARD.items()}},
                "last_visit": None if row["last_visit__id"] is None else {
                    field: row[f"last_visit__{field}"] for field in LAST_VISIT_FIELDS},
                "visit": visit}
        elif visit is not None and (found["visit"] is None or (
                visit["started_at"], visit["id"]) > (found["visit"]["started_at"],
                                                     found["visit"]["id"])):
            found["visit"] = visit
    stops = list(stops.values())
    route = DayRoute.objects.filter(rep_id=rep_id, date=day).values(*ROUTE_FIELDS).first()
    missed = {m["retailer_id"]: m for m in MissedVisit.objects.filter(rep_id=rep_id, date=day)
              .order_by().values("id", "retailer_id", "reason", "note")}
    for stop in stops:
        stop["missed"] = missed.get(stop["retailer_id"])
    return {"date": day, "plan": plan, "route": route,
            "stops": _in_route_order(route["retailer_order"] if route else [], stops,
                                     lambda s: (s["retailer_id"], s["position"], s["id"]))}


def orm_visit_preparation(user, retailer, day):
    plan = pick_working(working_plans(user.pk, day).order_by())
    stop = plan.stops.filter(date=day, retailer=retailer).values("objective").first() \
        if plan else None
    return orm_preparations(user, [visit_selectors.retailer_card(retailer)], day,
                            {retailer.pk: stop["objective"]} if stop else None)[retailer.pk]


# --- the day ---------------------------------------------------------------------------

def busy_day(personas):
    """The rep's plan today with six stops and everything around them (see the module)."""
    today = timezone.localdate()
    org, rep, rep2 = personas.org, personas.rep, personas.rep2
    area2_shop = make_retailer(org.area2, rep, grade="A", business_type="pharmacy",
                               name="玄武药店", address="北京东路 1 号",
                               latitude=Decimal("32.060100"), longitude=Decimal("118.800020"))
    shops = [
        make_retailer(org.area, rep, grade="A", latitude=Decimal("32.058000"),
                      longitude=Decimal("118.796000"), relationship_level=3),
        make_retailer(org.area, rep, business_type="pharmacy", latitude=Decimal("32.058500"),
                      longitude=Decimal("118.797000")),  # ungraded
        make_retailer(org.area, rep2, grade="B", latitude=Decimal("32.059000"),
                      longitude=Decimal("118.798000")),  # rep2's shop in rep's plan
        make_retailer(org.area, rep, grade="C", business_type="supermarket"),  # no location
        area2_shop,
        make_retailer(org.area, rep, grade="B", latitude=Decimal("32.061000"),
                      longitude=Decimal("118.791234")),
    ]
    month = today.replace(day=1)
    make_plan(rep, org.area, month, stops=[
        (today, shops[0], time(9, 30)), (today, shops[1]), (today, shops[2]),
        (today, shops[3], time(14, 0)), (today, shops[4]), (today, shops[5]),
        (today + timedelta(days=1), shops[0])])
    make_plan(rep, org.area, month, stops=[(today, shops[0])], status="draft", version=2)
    # Templates: the company's pharmacy form, the region's override; convenience at the
    # company; supermarkets have none (the default steps).
    make_template(org.company, personas.admin, business_type="pharmacy")
    make_template(org.region, personas.admin, business_type="pharmacy", steps=[
        {"key": "q", "kind": "questions", "title": "区域检查",
         "questions": [{"key": "x", "label": "门头", "type": "yes_no"}]}])
    make_template(org.company, personas.admin, business_type="convenience")
    # Visits: old ones by the rep and by rep2, today's (two to one shop, one by rep2).
    week_ago, yesterday = today - timedelta(days=7), today - timedelta(days=1)
    for shop in shops:
        make_visit(rep, shop, week_ago, communication_notes="上次谈了陈列",
                   competitor_info="对手降价", consumer_feedback="好评",
                   retailer_requests="多送货")
    make_visit(rep2, shops[2], yesterday, communication_notes="王芳的拜访")
    make_visit(rep2, shops[0], yesterday, kind=Visit.Kind.PHONE)
    first = make_visit(rep, shops[0], today, hour=9)
    Visit.objects.filter(pk=first.pk).update(started_at=first.started_at.replace(
        microsecond=123456), gps_missing=True)
    make_visit(rep, shops[0], today, hour=11, completed=False)
    make_visit(rep2, shops[1], today, hour=12)
    make_visit(rep, shops[4], today, hour=10, far_from_store=True)
    make_missed(rep, shops[5], today, reason=MissedVisit.Reason.OTHER)
    make_missed(rep, shops[3], today)
    make_missed(rep2, shops[1], today)
    # Problems: overdue, due later, solved, on rep2's shop owned by rep2 (the rep does
    # not see it) and one the rep owns there (they do).
    make_problem(shops[0], rep, due=yesterday)
    make_problem(shops[0], personas.manager, due=today + timedelta(days=3), owner=rep)
    make_problem(shops[0], rep, due=yesterday, status=Problem.Status.SOLVED)
    make_problem(shops[2], rep2, due=yesterday, status=Problem.Status.IN_PROGRESS)
    make_problem(shops[2], personas.manager, due=today, owner=rep)
    make_problem(shops[4], personas.manager, due=today + timedelta(days=1), owner=rep2)
    # Key persons (one erased), facts (one month too old, one from another month).
    for shop in shops[:3]:
        KeyPerson.objects.create(retailer=shop, role=KeyPerson.PersonRole.OWNER, name="王老板",
                                 phone="13812345678", family="两个孩子")
        KeyPerson.objects.create(retailer=shop, role=KeyPerson.PersonRole.PURCHASER, name="李采购")
    KeyPerson.objects.create(retailer=shops[0], role=KeyPerson.PersonRole.OWNER, name="旧老板",
                             erased_at=timezone.now())
    for back, amount in ((1, "1200.50"), (2, "800"), (3, "0.10"), (4, "999.99")):
        for shop in (shops[0], shops[4]):
            MonthlyFact.objects.create(
                retailer=shop, month=add_months(month, -back),
                purchase_amount=Decimal(amount), purchase_quantity=Decimal("30"),
                collected_amount=Decimal("1000.00"), order_success_rate=Decimal("87.50"),
                e_settlement_rate=Decimal("60.00"))
    DayRoute.objects.create(
        rep=rep, area=org.area, date=today, start_latitude=Decimal("32.050000"),
        start_longitude=Decimal("118.790000"), distance_m=5230,
        optimised_at=timezone.now().replace(microsecond=654321),
        retailer_order=[shops[5].pk, shops[2].pk, 999_999, shops[0].pk, shops[4].pk])
    return shops


READERS = ("rep", "manager", "regional_manager", "clerk", "admin", "superuser")


def reader(personas, name: str) -> User:
    if name == "superuser":
        return User.objects.create_superuser("root_day", "root@example.com", "pass-word-123")
    return getattr(personas, name)


def both_answers(monkeypatch, client, path, query, reference):
    """(the SQL reads' body, the ORM reads' body) of one GET."""
    sql = client.get(path, query)
    with monkeypatch.context() as patched:
        for module, name, function in reference:
            patched.setattr(module, name, function)
        orm = client.get(path, query)
    assert sql.status_code == orm.status_code == 200
    return sql.content, orm.content


DAY_REFERENCE = ((days, "day_route", orm_day_route), (days, "preparations", orm_preparations))


@pytest.mark.parametrize("name", READERS)
def test_the_day_read_with_sql_is_the_orm_reads_document(personas, client_for, monkeypatch,
                                                          name):
    shops = busy_day(personas)
    client = client_for(reader(personas, name))
    query = {} if name == "rep" else {"rep": personas.rep.pk}
    sql, orm = both_answers(monkeypatch, client, TODAY, query, DAY_REFERENCE)
    assert sql == orm
    data = json.loads(sql)
    # The fixture's cases are in the document (so the comparison covers them).
    stops = {s["retailer"]: s for s in data["stops"]}
    assert [s["retailer"] for s in data["stops"]][:4] == [
        shops[5].pk, shops[2].pk, shops[0].pk, shops[4].pk]
    assert data["plan"]["version"] == 1 and len(stops) == 6
    assert stops[shops[0].pk]["visit"]["status"] == "in_progress"
    assert stops[shops[0].pk]["fixed_time"] == "09:30:00"
    assert stops[shops[1].pk]["visit"] is None and stops[shops[1].pk]["missed"] is None
    assert stops[shops[4].pk]["visit"]["flagged"] is True
    assert stops[shops[5].pk]["missed"]["note"] == "其他"
    prep = stops[shops[0].pk]["preparation"]
    assert [f["purchase_amount"] for f in prep["facts"]] == ["1200.50", "800.00", "0.10"]
    assert [p["name"] for p in prep["key_persons"]] == ["王老板", "李采购"]
    assert len(prep["open_problems"]) == 2
    assert stops[shops[4].pk]["preparation"]["template"]["steps"][0]["title"] == "区域检查"
    assert stops[shops[3].pk]["preparation"]["template"]["template_version"] is None
    assert stops[shops[3].pk]["preparation"]["retailer"]["location"] is None
    other = stops[shops[2].pk]["preparation"]
    seen_by_rep = name == "rep"
    assert (other["last_visit"]["communication_notes"] == "王芳的拜访") is not seen_by_rep
    assert len(other["open_problems"]) == (1 if seen_by_rep else 2)
    assert len(stops[shops[4].pk]["preparation"]["open_problems"]) == 1  # the rep's shop


@pytest.mark.parametrize("name", ["rep", "manager", "superuser"])
def test_another_day_and_a_day_without_a_plan_read_the_same(personas, client_for,
                                                             monkeypatch, name):
    busy_day(personas)
    client = client_for(reader(personas, name))
    today = timezone.localdate()
    for day in (today + timedelta(days=1), today + timedelta(days=40)):
        query = {"date": day.isoformat(), **({} if name == "rep" else
                                             {"rep": personas.rep.pk})}
        sql, orm = both_answers(monkeypatch, client, TODAY, query, DAY_REFERENCE)
        assert sql == orm


def test_a_returned_plan_alone_is_the_working_plan_as_before(personas, client_for,
                                                              monkeypatch):
    today = timezone.localdate()
    shop = make_retailer(personas.org.area, personas.rep)
    for version, status in ((1, "superseded"), (2, "returned"), (3, "superseded")):
        make_plan(personas.rep, personas.org.area, today.replace(day=1), status=status,
                  version=version, stops=[(today, shop)])
    sql, orm = both_answers(monkeypatch, client_for(personas.rep), TODAY, {}, DAY_REFERENCE)
    assert sql == orm and json.loads(sql)["plan"]["version"] == 2


@pytest.mark.parametrize("name", ["rep", "manager", "regional_manager", "superuser"])
def test_the_preparation_view_reads_as_before(personas, client_for, monkeypatch, name):
    shops = busy_day(personas)
    client = client_for(reader(personas, name))
    for shop in shops:
        if name == "rep" and shop.assigned_rep_id != personas.rep.pk:
            assert client.get(PREPARE.format(shop.pk)).status_code == 404
            continue
        sql, orm = both_answers(monkeypatch, client, PREPARE.format(shop.pk), {}, (
            (visit_views, "visit_preparation", orm_visit_preparation),))
        assert sql == orm
