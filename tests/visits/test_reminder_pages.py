"""The reminders page and the rep's home card are served with what their scripts need."""

import json


def test_the_reminders_page_carries_its_urls(personas, client_for):
    response = client_for(personas.rep).get("/visits/reminders/?when=upcoming")
    assert response.status_code == 200
    html = response.content.decode()
    config = json.loads(html.split('id="reminders-config" type="application/json">')[1]
                        .split("</script>")[0])
    assert config["when"] == "upcoming" and config["user_id"] == personas.rep.pk
    assert config["urls"]["done"] == "/api/visits/reminders/{id}/done/"
    assert {r["value"] for r in config["skip_reasons"]} >= {"unreachable", "other"}


def test_anonymous_users_are_sent_to_log_in(client):
    assert client.get("/visits/reminders/").status_code == 302


def test_the_rep_home_has_the_reminder_card(personas, client_for):
    html = client_for(personas.rep).get("/home/").content.decode()
    # The home reads the reminders due with the rest of its data, in one request.
    assert 'data-testid="home-reminders"' in html and "/api/reports/home/rep/" in html
    assert 'href="/visits/reminders/"' in html
