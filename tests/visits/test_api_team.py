"""The manager's views over HTTP (the numbers themselves are tested in test_team)."""

from datetime import timedelta

from django.utils import timezone

from tests.visits.factories import make_plan, make_visit


def test_the_summary_for_today_and_the_month(personas, shops, client_for):
    today = timezone.localdate()
    make_plan(personas.rep, personas.org.area, today.replace(day=1),
              stops=[(today, shops.a), (today, shops.b)])
    make_visit(personas.rep, shops.a, today)
    client = client_for(personas.manager)
    day = client.get("/api/visits/team/summary/", {"period": "today"}).data
    rep = next(r for r in day["reps"] if r["rep"] == personas.rep.pk)
    assert (rep["planned"], rep["done"], rep["pending"]) == (2, 1, 1)
    month = client.get("/api/visits/team/summary/").data
    assert month["first"] == today.replace(day=1)
    assert {r["rep"] for r in month["reps"]} == {personas.rep.pk, personas.rep2.pk}


def test_a_bad_period_is_named(personas, client_for):
    response = client_for(personas.manager).get("/api/visits/team/summary/",
                                                {"period": "year"})
    assert response.status_code == 400 and "period" in response.data


def test_the_overdue_list_is_scoped_and_filtered_by_rep(personas, shops, client_for,
                                                        django_assert_max_num_queries):
    make_visit(personas.rep, shops.a, timezone.localdate() - timedelta(days=9))
    client = client_for(personas.manager)
    with django_assert_max_num_queries(7):
        rows = client.get("/api/visits/team/overdue/").data["results"]
    by_id = {r["id"]: r for r in rows}
    assert by_id[shops.a.pk]["days_overdue"] == 2 and by_id[shops.a.pk]["interval_days"] == 7
    assert by_id[shops.c.pk]["last_on_site"] is None
    only_rep2 = client.get("/api/visits/team/overdue/", {"rep": personas.rep2.pk}).data
    assert [r["id"] for r in only_rep2["results"]] == [shops.other_reps.pk]
    assert client_for(personas.sibling_manager).get(
        "/api/visits/team/overdue/").data["results"] == []
    assert client_for(personas.rep).get("/api/visits/team/overdue/").data["count"] == 4


def test_anonymous_users_are_refused(api_client):
    assert api_client.get("/api/visits/team/summary/").status_code in (401, 403)
    assert api_client.get("/api/visits/team/overdue/").status_code in (401, 403)
