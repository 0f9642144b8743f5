"""The dashboard page: who gets it, which API it reads, the homes that link to it."""

import pytest


def config_of(response) -> dict:
    assert response.status_code == 200
    assert 'id="dashboard-config"' in response.content.decode()
    return response.context["config"]


def test_an_office_manager_gets_the_office_dashboard_of_their_office(personas, client):
    client.force_login(personas.manager)
    response = client.get("/reports/dashboard/")
    assert response.status_code == 200
    config = config_of(response)
    assert config["regional"] is False and config["node"] == personas.org.office.pk
    assert config["urls"]["dashboard"] == "/api/reports/dashboards/office/{id}/"
    assert [n["id"] for n in config["nodes"]] == [personas.org.office.pk, personas.org.area.pk,
                                                  personas.org.area2.pk]


def test_a_regional_manager_gets_the_regional_dashboard(personas, client):
    client.force_login(personas.regional_manager)
    config = config_of(client.get(f"/reports/dashboard/?node={personas.org.office.pk}"))
    assert config["regional"] is True and config["node"] == personas.org.office.pk
    assert config["urls"]["dashboard"] == "/api/reports/dashboards/regional/{id}/"


def test_a_node_outside_the_scope_falls_back_to_the_users_own(personas, client):
    client.force_login(personas.manager)
    config = config_of(client.get(f"/reports/dashboard/?node={personas.org.sibling_office.pk}"))
    assert config["node"] == personas.org.office.pk


@pytest.mark.parametrize("who", ["rep", "clerk", "finance"])
def test_people_who_manage_nothing_get_404(personas, client, who):
    client.force_login(getattr(personas, who))
    assert client.get("/reports/dashboard/").status_code == 404


@pytest.mark.parametrize("who", ["manager", "regional_manager"])
def test_the_managers_homes_link_the_dashboard(personas, client, who):
    client.force_login(getattr(personas, who))
    assert 'data-testid="home-dashboard"' in client.get("/home/").content.decode()
