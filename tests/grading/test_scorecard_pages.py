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
