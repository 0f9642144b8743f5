"""Plans, planned stops, day routes, templates and the policy over HTTP."""

from datetime import date, time, timedelta

import pytest
from django.utils import timezone

from kehu.models import Retailer
from tests.visits.factories import PHARMACY_STEPS, make_plan, make_template, make_visit
from visits.models import DayRoute, PlanStop, VisitPlan, VisitTemplate

PLANS = "/api/visits/plans/"


def next_month() -> date:
    today = timezone.localdate()
    return (today.replace(day=28) + timedelta(days=4)).replace(day=1)


def drafted(personas, client_for):
    response = client_for(personas.rep).post(PLANS, {"month": next_month().isoformat()},
                                             format="json")
    assert response.status_code == 201, response.data
    return response.data


def test_a_rep_drafts_submits_and_the_office_manager_approves(personas, shops, client_for):
    plan = drafted(personas, client_for)
    assert plan["status"] == "draft" and plan["warnings"] == []
    assert plan["stop_count"] == len(plan["stops"]) == 8  # A 4, B 2, C 1, ungraded 1
    rep, manager = client_for(personas.rep), client_for(personas.manager)
    assert rep.post(f"{PLANS}{plan['id']}/submit/").data["status"] == "submitted"
    approved = manager.post(f"{PLANS}{plan['id']}/approve/", {"note": "同意"}, format="json")
    assert approved.status_code == 200 and approved.data["status"] == "approved"
    assert approved.data["decided_by_name"] == personas.manager.name


def test_a_rep_may_not_approve_and_a_sibling_manager_does_not_even_see_it(personas, shops,
                                                                        client_for):
    plan = drafted(personas, client_for)
    client_for(personas.rep).post(f"{PLANS}{plan['id']}/submit/")
    assert client_for(personas.rep2).post(f"{PLANS}{plan['id']}/approve/").status_code == 403
    sibling = client_for(personas.sibling_manager)
    assert sibling.get(f"{PLANS}{plan['id']}/").status_code == 404
    assert sibling.post(f"{PLANS}{plan['id']}/approve/").status_code == 404
    assert VisitPlan.objects.get(pk=plan["id"]).status == VisitPlan.Status.SUBMITTED


def test_approving_your_own_plan_answers_400_naming_the_plan(personas, shops, client_for):
    plan = client_for(personas.manager).post(
        PLANS, {"month": next_month().isoformat(), "rep": personas.rep.pk}, format="json").data
    VisitPlan.objects.filter(pk=plan["id"]).update(status=VisitPlan.Status.SUBMITTED)
    response = client_for(personas.manager).post(f"{PLANS}{plan['id']}/approve/")
    assert response.status_code == 400 and "plan" in response.data


def test_a_manager_cannot_draft_for_a_rep_outside_their_office(personas, client_for):
    response = client_for(personas.manager).post(
        PLANS, {"month": next_month().isoformat(), "rep": personas.sibling_rep.pk},
        format="json")
    assert response.status_code == 400 and "rep" in response.data
    assert not VisitPlan.objects.exists()


def test_returning_without_a_note_is_refused_and_with_one_goes_back(personas, shops,
                                                                   client_for):
    plan = drafted(personas, client_for)
    client_for(personas.rep).post(f"{PLANS}{plan['id']}/submit/")
    manager = client_for(personas.manager)
    assert "note" in manager.post(f"{PLANS}{plan['id']}/return/").data
    returned = manager.post(f"{PLANS}{plan['id']}/return/", {"note": "周五太满"},
                            format="json")
    assert returned.data["status"] == "returned"


def test_revising_an_approved_plan_opens_version_2_and_keeps_the_history(personas, shops,
                                                                       client_for):
    plan = drafted(personas, client_for)
    VisitPlan.objects.filter(pk=plan["id"]).update(status=VisitPlan.Status.APPROVED)
    revised = client_for(personas.rep).post(f"{PLANS}{plan['id']}/revise/")
    assert revised.status_code == 201
    assert [(v["version"], v["status"]) for v in revised.data["versions"]] == [
        (1, "approved"), (2, "draft")]


def test_a_stop_on_a_past_day_answers_400_on_date(personas, shops, client_for):
    today = timezone.localdate()
    plan = make_plan(personas.rep, personas.org.area, today.replace(day=1),
                     status=VisitPlan.Status.DRAFT)
    past = today - timedelta(days=1)  # on the 1st it is also outside the month: still "date"
    response = client_for(personas.rep).post("/api/visits/plan-stops/", {
        "plan": plan.pk, "retailer": shops.a.pk, "date": past.isoformat()}, format="json")
    assert response.status_code == 400 and "date" in response.data
    assert not PlanStop.objects.exists()


def test_a_stop_for_a_retailer_outside_the_reps_scope_is_refused(personas, shops,
                                                                 client_for):
    plan = drafted(personas, client_for)
    response = client_for(personas.rep).post("/api/visits/plan-stops/", {
        "plan": plan["id"], "retailer": shops.other_reps.pk,
        "date": next_month().replace(day=10).isoformat()}, format="json")
    assert response.status_code == 400 and "retailer" in response.data


def test_the_warnings_endpoint_lists_broken_rules(personas, shops, client_for):
    plan = drafted(personas, client_for)
    PlanStop.objects.filter(plan_id=plan["id"], retailer=shops.a).delete()
    warnings = client_for(personas.rep).get(f"{PLANS}{plan['id']}/warnings/").data
    assert [w["code"] for w in warnings] == ["frequency_not_met"]
    assert warnings[0]["retailer"] == shops.a.pk


def test_the_plan_list_has_a_bounded_number_of_queries(personas, shops, client_for,
                                                      django_assert_max_num_queries):
    for month in (1, 2, 3):
        make_plan(personas.rep, personas.org.area, date(2026, month, 1),
                  stops=[(date(2026, month, 5), shops.a)])
    client = client_for(personas.manager)
    with django_assert_max_num_queries(8):
        response = client.get(PLANS)
    assert response.data["count"] == 3


def day_setup(personas, shops):
    today = timezone.localdate()
    make_plan(personas.rep, personas.org.area, today.replace(day=1), stops=[
        (today, shops.c), (today, shops.a), (today, shops.b, time(15, 0))])
    return today


def test_today_lists_the_stops_with_their_preparation(personas, shops, client_for,
                                                     django_assert_max_num_queries):
    today = day_setup(personas, shops)
    make_visit(personas.rep, shops.a, today - timedelta(days=3), communication_notes="上次")
    client = client_for(personas.rep)
    with django_assert_max_num_queries(20):
        data = client.get("/api/visits/day-routes/today/").data
    assert [s["retailer"] for s in data["stops"]] == [shops.c.pk, shops.a.pk, shops.b.pk]
    prep = data["stops"][1]["preparation"]
    assert prep["retailer"]["name"] == shops.a.name
    assert prep["retailer"]["location"]["gcj02"]["latitude"] != prep["retailer"]["location"][
        "latitude"]
    assert prep["last_visit"]["communication_notes"] == "上次"
    assert data["plan"]["status"] == "approved"


def test_the_rep_sets_a_start_reorders_and_optimises_the_day(personas, shops, client_for):
    day_setup(personas, shops)
    client = client_for(personas.rep)
    route = client.post("/api/visits/day-routes/", {
        "date": timezone.localdate().isoformat(), "start_latitude": "32.058000",
        "start_longitude": "118.796000"}, format="json").data
    bad = client.post(f"/api/visits/day-routes/{route['id']}/reorder/",
                      {"retailers": [shops.a.pk]}, format="json")
    assert bad.status_code == 400 and "retailers" in bad.data
    order = [shops.b.pk, shops.a.pk, shops.c.pk]
    assert client.post(f"/api/visits/day-routes/{route['id']}/reorder/",
                       {"retailers": order}, format="json").data["retailer_order"] == order
    optimised = client.post(f"/api/visits/day-routes/{route['id']}/optimise/").data
    # The 15:00 appointment keeps the first place the rep gave it; 甲 is at the start.
    assert optimised["retailer_order"][0] == shops.b.pk
    assert optimised["retailer_order"][1] == shops.a.pk and optimised["distance_m"] > 0
    today = client.get("/api/visits/day-routes/today/").data
    assert [s["retailer"] for s in today["stops"]] == optimised["retailer_order"]


def test_a_manager_reads_a_reps_day_but_a_sibling_manager_gets_404(personas, shops,
                                                                   client_for):
    day_setup(personas, shops)
    query = {"rep": personas.rep.pk}
    assert len(client_for(personas.manager).get("/api/visits/day-routes/today/",
                                                query).data["stops"]) == 3
    assert client_for(personas.sibling_manager).get("/api/visits/day-routes/today/",
                                                    query).status_code == 404
    assert client_for(personas.rep2).get("/api/visits/day-routes/today/",
                                         query).status_code == 404


def test_only_the_rep_changes_their_route(personas, shops, client_for):
    route = DayRoute.objects.create(rep=personas.rep, area=personas.org.area,
                                    date=timezone.localdate())
    response = client_for(personas.manager).post(f"/api/visits/day-routes/{route.pk}/optimise/")
    assert response.status_code == 403


def test_a_regional_manager_writes_templates_and_a_rep_reads_them(personas, client_for):
    regional = client_for(personas.regional_manager)
    created = regional.post("/api/visits/templates/", {
        "node": personas.org.region.pk, "business_type": "pharmacy", "name": "药店",
        "steps": PHARMACY_STEPS}, format="json")
    assert created.status_code == 201 and created.data["current_version"] == 1
    revised = regional.patch(f"/api/visits/templates/{created.data['id']}/",
                             {"steps": PHARMACY_STEPS[:1]}, format="json")
    assert revised.data["current_version"] == 2 and len(revised.data["steps"]) == 1
    rep = client_for(personas.rep)
    assert rep.get(f"/api/visits/templates/{created.data['id']}/").status_code == 200
    assert rep.post("/api/visits/templates/", {}, format="json").status_code == 403
    versions = rep.get("/api/visits/template-versions/",
                       {"template": created.data["id"]}).data["results"]
    assert [v["number"] for v in versions] == [2, 1]
    assert client_for(personas.sibling_manager).get(
        f"/api/visits/templates/{created.data['id']}/").status_code == 200  # same region
    assert VisitTemplate.objects.count() == 1


def test_bad_template_steps_answer_400_on_steps(personas, client_for):
    response = client_for(personas.admin).post("/api/visits/templates/", {
        "node": personas.org.company.pk, "business_type": "pharmacy", "name": "x",
        "steps": [{"kind": "nope"}]}, format="json")
    assert response.status_code == 400 and "steps" in response.data


def test_the_policy_is_read_by_everyone_and_changed_by_a_regional_manager(personas,
                                                                         client_for):
    assert client_for(personas.rep).get("/api/visits/policy/").data["checkin_radius_m"] == 200
    assert client_for(personas.rep).patch("/api/visits/policy/", {"checkin_radius_m": 300},
                                          format="json").status_code == 403
    changed = client_for(personas.regional_manager).patch(
        "/api/visits/policy/", {"checkin_radius_m": 300}, format="json")
    assert changed.status_code == 200 and changed.data["checkin_radius_m"] == 300
    bad = client_for(personas.admin).patch("/api/visits/policy/", {"interval_days_a": 0},
                                           format="json")
    assert bad.status_code == 400 and "interval_days_a" in bad.data


def count_queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", ["/api/visits/plans/", "/api/visits/plan-stops/",
                                 "/api/visits/day-routes/", "/api/visits/templates/",
                                 "/api/visits/template-versions/"])
def test_list_queries_do_not_grow_with_the_rows(personas, shops, client_for, url):
    client, made = client_for(personas.manager), [0]

    def add_rows(count: int) -> None:
        for _ in range(count):
            made[0] += 1
            month = date(2026, made[0], 1)
            make_plan(personas.rep, personas.org.area, month,
                      stops=[(month, shops.a), (month.replace(day=2), shops.b)])
            DayRoute.objects.create(rep=personas.rep, area=personas.org.area, date=month)
            make_template(personas.org.office, personas.admin,
                          business_type=Retailer.BusinessType.values[made[0]])

    add_rows(2)
    few = count_queries(client, url)
    add_rows(4)
    assert count_queries(client, url) == few
