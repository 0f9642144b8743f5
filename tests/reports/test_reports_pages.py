"""The report pages and the homes are served with what their scripts need."""

import json

import pytest


def _config(html: str) -> dict:
    return json.loads(html.split('id="reports-config" type="application/json">')[1]
                      .split("</script>")[0])


@pytest.mark.parametrize("path, period", [("/reports/daily/", "day"),
                                          ("/reports/weekly/", "week"),
                                          ("/reports/monthly/", "month"),
                                          ("/reports/range/", "range"),
                                          ("/reports/meeting/", "meeting")])
def test_a_manager_gets_each_page_with_the_nodes_and_reps_to_pick(personas, client_for, path,
                                                                 period):
    response = client_for(personas.manager).get(path)
    assert response.status_code == 200
    config = _config(response.content.decode())
    assert config["period"] == period and config["rep_only"] is False
    assert config["urls"]["report"] == "/api/reports/report/"
    assert config["urls"]["meeting"] == "/api/reports/meeting/"
    names = {node["name"] for node in config["nodes"]}
    assert names == {"南京办事处", "鼓楼片区", "玄武片区"}
    assert {rep["name"] for rep in config["reps"]} == {"张伟", "王芳"}
    assert config["home_node"] == personas.org.office.pk


def test_a_rep_gets_no_node_or_rep_to_pick(personas, client_for):
    config = _config(client_for(personas.rep).get("/reports/monthly/").content.decode())
    assert config["rep_only"] is True and config["nodes"] == [] and config["reps"] == []


def test_reports_redirects_to_the_daily_report(personas, client_for):
    response = client_for(personas.rep).get("/reports/")
    assert response.status_code == 302 and response["Location"] == "/reports/daily/"


def test_anonymous_users_are_sent_to_log_in(client):
    for path in ("/reports/daily/", "/reports/meeting/"):
        assert client.get(path).status_code == 302


def test_the_rep_home_loads_its_data_in_one_call(personas, client_for):
    html = client_for(personas.rep).get("/home/").content.decode()
    assert 'data-url="/api/reports/home/rep/"' in html and "js/reports/home-rep.js" in html
    assert 'data-testid="home-reminders"' in html and 'href="/reports/monthly/"' in html


def test_the_finance_home_loads_its_data_in_one_call(personas, client_for):
    html = client_for(personas.finance).get("/home/").content.decode()
    assert 'data-url="/api/reports/home/finance/"' in html
    assert "js/reports/home-finance.js" in html
    for link in ("link-statements", "link-advances", "link-spot-checks"):
        assert f'data-testid="{link}"' in html
