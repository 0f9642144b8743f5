"""Scorecards over HTTP: scoped, one query per list, the breakdown with the scores."""

from datetime import date

from grading.models import RepScorecard, RetailerScorecard
from tests.factories import make_retailer

OCTOBER = date(2026, 10, 1)


def rep_card(rep, area, month=OCTOBER, **fields):
    return RepScorecard.objects.create(rep=rep, area=area, month=month, as_of=month, **fields)


def test_a_rep_sees_their_own_scorecards_and_a_manager_the_team(personas, client_for):
    org = personas.org
    mine = rep_card(personas.rep, org.area, a_to_b=1)
    rep_card(personas.rep, org.area, month=date(2026, 9, 1))
    theirs = rep_card(personas.rep2, org.area)
    rep_card(personas.sibling_rep, org.sibling_area)
    url = "/api/grading/scorecards/reps/"
    rows = client_for(personas.rep).get(url).data["results"]
    assert [r["month"] for r in rows] == ["2026-10-01", "2026-09-01"]
    assert {r["rep"] for r in rows} == {personas.rep.pk} and rows[0]["a_to_b"] == 1
    team = client_for(personas.manager).get(url, {"month": "2026-10-01"}).data["results"]
    assert {r["id"] for r in team} == {mine.pk, theirs.pk}
    assert client_for(personas.rep).get(f"{url}{theirs.pk}/").status_code == 404


def test_a_retailers_months_with_the_breakdown_in_one_query(personas, client_for,
                                                             django_assert_max_num_queries):
    shop = make_retailer(personas.org.area, personas.rep)
    for month in (date(2026, 8, 1), date(2026, 9, 1), OCTOBER):
        RetailerScorecard.objects.create(retailer=shop, month=month, as_of=month,
                                         pc_family=20, pc_contact=10, closeness=30,
                                         bt_visits=40, tightness=40)
    client = client_for(personas.rep)
    with django_assert_max_num_queries(4):  # session, user, memberships, the rows
        rows = client.get("/api/grading/scorecards/retailers/",
                          {"retailer": shop.pk}).data["results"]
    assert [r["month"] for r in rows] == ["2026-10-01", "2026-09-01", "2026-08-01"]
    closeness = rows[0]["breakdown"][0]
    assert closeness["indicator"] == "closeness" and closeness["score"] == 30
    assert {p["field"]: p["points"] for p in closeness["parts"]}["pc_family"] == 20
    assert client_for(personas.sibling_manager).get(
        "/api/grading/scorecards/retailers/", {"retailer": shop.pk}).data["results"] == []


def _reps(client, **query) -> set[int]:
    response = client.get("/api/grading/scorecards/reps/", {"month": "2026-10-01", **query})
    assert response.status_code == 200, response.content
    return {row["rep"] for row in response.data["results"]}


def test_the_node_filter_keeps_to_the_reps_under_the_node(personas, client_for):
    """The dashboards' drill-downs pass node=: the scorecards of the reps whose area is
    under it (the dashboard's rep rows)."""
    org = personas.org
    rep_card(personas.rep, org.area)
    rep_card(personas.rep2, org.area2)
    rep_card(personas.sibling_rep, org.sibling_area)
    regional = client_for(personas.regional_manager)
    assert _reps(regional) == {personas.rep.pk, personas.rep2.pk, personas.sibling_rep.pk}
    assert _reps(regional, node=org.office.pk) == {personas.rep.pk, personas.rep2.pk}
    assert _reps(regional, node=org.sibling_office.pk) == {personas.sibling_rep.pk}
    assert _reps(client_for(personas.manager), node=org.area2.pk) == {personas.rep2.pk}


def test_a_node_outside_the_scope_gives_no_scorecards_and_never_widens_it(personas,
                                                                          client_for):
    """Like the visits and problems lists: a node the reader may not see is an empty list
    (not a 404 that would confirm it exists); a node above the reader's own is not theirs
    either; a rep naming their office still gets only their own scorecards."""
    org = personas.org
    rep_card(personas.rep, org.area)
    rep_card(personas.rep2, org.area)
    rep_card(personas.sibling_rep, org.sibling_area)
    manager = client_for(personas.manager)
    for outside in (org.sibling_office.pk, org.region.pk, org.company.pk, 999999):
        assert _reps(manager, node=outside) == set()
    assert _reps(client_for(personas.rep), node=org.office.pk) == set()
    assert _reps(client_for(personas.rep), node=org.area.pk) == {personas.rep.pk}
    assert client_for(personas.manager).get("/api/grading/scorecards/reps/",
                                            {"node": "x"}).status_code == 400
