"""The scorecard pages are served to those who may read them."""

from tests.factories import make_retailer


def test_the_rep_scorecards_page(personas, client_for):
    response = client_for(personas.rep).get("/grading/scorecards/")
    assert response.status_code == 200
    assert b"/api/grading/scorecards/reps/" in response.content


def test_a_retailer_scorecard_page_is_scoped(personas, client_for):
    shop = make_retailer(personas.org.area, personas.rep)
    assert client_for(personas.rep).get(
        f"/grading/scorecards/retailers/{shop.pk}/").status_code == 200
    assert client_for(personas.sibling_manager).get(
        f"/grading/scorecards/retailers/{shop.pk}/").status_code == 404


def test_the_rep_scorecards_page_takes_the_node_and_refuses_one_outside_the_scope(
        personas, client_for):
    """As the team pages: the dashboards' drill-downs open it at a node the reader may see
    (the page keeps its requests to it and says so); any other node, or a malformed one,
    is a 404."""
    client = client_for(personas.manager)
    area2 = personas.org.area2
    response = client.get("/grading/scorecards/", {"month": "2026-10", "node": area2.pk})
    assert response.status_code == 200
    assert response.context["config"]["node"] == {"id": area2.pk, "name": area2.name}
    assert b'data-testid="scorecards-node"' in response.content
    assert client.get("/grading/scorecards/").context["config"]["node"] is None
    for bad in (personas.org.sibling_office.pk, personas.org.region.pk, "x"):
        assert client.get("/grading/scorecards/", {"node": bad}).status_code == 404
    assert client_for(personas.rep).get(
        "/grading/scorecards/", {"node": personas.org.office.pk}).status_code == 404
