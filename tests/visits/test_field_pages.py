"""The rep's field pages (/visits/today/…) and the service worker (/visits/sw.js): who
gets them, scoping, what they carry for the scripts, and that the worker is served with
the type, scope and app shell a phone needs offline, inside the strict CSP."""

import json
import re

import pytest
from django.test import Client
from django.urls import reverse

SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)


def browser_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def json_block(response, element_id: str) -> dict:
    match = re.search(
        rf'<script id="{element_id}" type="application/json">(.*?)</script>',
        response.content.decode(), re.DOTALL)
    assert match, f"no json_script block #{element_id}"
    return json.loads(match.group(1))


def sw_config(response) -> dict:
    match = re.search(r"^const CONFIG = (\{.*\});$", response.content.decode(), re.MULTILINE)
    assert match, "no CONFIG line in the service worker"
    return json.loads(match.group(1))


def test_rep_gets_todays_route_with_api_and_page_urls(personas):
    response = browser_for(personas.rep).get(reverse("visits:today"))

    assert response.status_code == 200
    assert b'x-data="todayRoute"' in response.content
    assert b'x-data="queuePanel"' in response.content
    config = json_block(response, "field-config")
    assert config["user_id"] == personas.rep.pk
    assert config["urls"]["api"]["today"] == "/api/visits/day-routes/today/"
    assert config["urls"]["api"]["optimise"] == "/api/visits/day-routes/{id}/optimise/"
    assert config["urls"]["pages"]["prepare"] == "/visits/today/{id}/"
    assert config["urls"]["pages"]["sw"] == "/visits/sw.js"
    assert config["urls"]["pages"]["scope"] == "/visits/today/"
    assert {c["value"] for c in config["choices"]["missed_reason"]} == {
        "closed", "owner_absent", "weather", "replanned", "other"}


@pytest.mark.parametrize("persona", ["manager", "clerk", "finance"])
def test_todays_route_is_for_reps_only(personas, persona):
    response = browser_for(getattr(personas, persona)).get(reverse("visits:today"))

    assert response.status_code == 403


def test_rep_gets_the_preparation_and_visit_form_of_their_retailer(personas, shops):
    browser = browser_for(personas.rep)

    prepare = browser.get(reverse("visits:prepare", args=[shops.a.pk]))
    visit = browser.get(reverse("visits:visit", args=[shops.a.pk]))

    assert prepare.status_code == 200 and visit.status_code == 200
    assert "甲便利店" in prepare.content.decode()
    assert b'x-data="stopPreparation"' in prepare.content
    assert b'x-data="visitForm"' in visit.content
    assert json_block(visit, "field-config")["retailer_id"] == shops.a.pk
    assert json_block(visit, "field-config")["kind"] == "on_site"


def test_visit_form_takes_phone_visits_and_ignores_unknown_kinds(personas, shops):
    browser = browser_for(personas.rep)
    url = reverse("visits:visit", args=[shops.a.pk])

    assert json_block(browser.get(f"{url}?kind=phone"), "field-config")["kind"] == "phone"
    assert json_block(browser.get(f"{url}?kind=x"), "field-config")["kind"] == "on_site"


@pytest.mark.parametrize("name", ["visits:prepare", "visits:visit"])
def test_another_reps_retailer_is_404(personas, shops, name):
    response = browser_for(personas.rep).get(reverse(name, args=[shops.other_reps.pk]))

    assert response.status_code == 404


def test_another_offices_retailer_is_404_for_a_manager(personas, shops):
    from tests.factories import make_retailer

    sibling = make_retailer(personas.org.sibling_area, personas.sibling_rep, name="好德便利")

    response = browser_for(personas.manager).get(reverse("visits:visit", args=[sibling.pk]))

    assert response.status_code == 404


def test_manager_may_open_the_visit_form_of_a_retailer_in_the_office(personas, shops):
    response = browser_for(personas.manager).get(reverse("visits:visit", args=[shops.a.pk]))

    assert response.status_code == 200


def test_clerk_gets_no_visit_form(personas, shops):
    response = browser_for(personas.clerk).get(reverse("visits:visit", args=[shops.a.pk]))

    assert response.status_code == 403


@pytest.mark.parametrize("name", ["visits:today", "visits:queue"])
def test_anonymous_visitor_is_sent_to_login(db, name):
    response = Client().get(reverse(name))

    assert response.status_code == 302
    assert response["Location"].startswith(f"{reverse('login')}?next=")


def test_queue_page_opens_the_queue(personas):
    response = browser_for(personas.rep).get(reverse("visits:queue"))

    assert response.status_code == 200
    assert b'data-open="true"' in response.content


def test_field_pages_carry_the_strings_their_scripts_show(personas, shops):
    response = browser_for(personas.rep).get(reverse("visits:visit", args=[shops.a.pk]))

    strings = json_block(response, "i18n")
    assert {"gps_denied", "queue_count", "depends_refused", "step_price_check",
            "photo_added"} <= set(strings)


def test_field_pages_carry_map_tiles_from_settings(personas, settings):
    settings.MAP_TILE_URL = "https://webrd0{s}.is.autonavi.com/appmaptile?x={x}&y={y}&z={z}"
    settings.MAP_TILES_GCJ02 = True

    tiles = json_block(browser_for(personas.rep).get(reverse("visits:today")), "field-config")[
        "tiles"]

    assert tiles == {"url": settings.MAP_TILE_URL, "attribution": settings.MAP_TILE_ATTRIBUTION,
                     "gcj02": True}


@pytest.mark.parametrize("name", ["visits:today", "visits:queue", "visits:prepare",
                                  "visits:visit"])
def test_field_pages_have_no_inline_script_or_style(personas, shops, name):
    url = reverse(name, args=[shops.a.pk]) if name in ("visits:prepare", "visits:visit") \
        else reverse(name)

    html = browser_for(personas.rep).get(url).content.decode()

    for attributes in SCRIPT_TAG.findall(html):
        assert "src=" in attributes or 'type="application/json"' in attributes, attributes
    assert not re.search(r"\son[a-z]+=", html), "inline event handler"
    assert not re.search(r"\sstyle=", html), "style attribute"


def test_service_worker_is_javascript_allowed_to_control_the_field_pages(db):
    response = Client().get(reverse("visits:sw"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/visits/today/"
    assert response["Cache-Control"] == "no-cache"
    assert reverse("visits:sw") == "/visits/sw.js"
    # Its own scope directory (/visits/) covers every field page.
    for name in ("visits:today", "visits:queue"):
        assert reverse(name).startswith(response["Service-Worker-Allowed"])


def test_service_worker_stores_the_app_shell_from_our_own_static_files(db):
    config = sw_config(Client().get(reverse("visits:sw")))

    assert config["scope"] == "/visits/today/"
    assert config["static_prefix"] == "/static/"
    assert "/static/js/visits/field/visit.js" in config["shell"]
    assert "/static/vendor/idb/index.js" in config["shell"]
    assert "/static/vendor/alpine/alpine-csp.esm.js" in config["shell"]
    assert all(url.startswith("/static/") for url in config["shell"])
    assert config["api_prefixes"] == ["/api/visits/day-routes/today/",
                                      "/api/visits/visits/prepare/"]


def test_service_worker_loads_nothing_from_elsewhere_and_runs_under_the_csp(db):
    response = Client().get(reverse("visits:sw"))
    body = response.content.decode()

    assert "importScripts" not in body
    assert not re.search(r"https?://", body), "the worker must not reach another origin"
    assert "eval(" not in body and "new Function" not in body
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_service_worker_version_follows_the_shell_files(db, settings, monkeypatch):
    from visits import field_views

    settings.DEBUG = True
    first = sw_config(Client().get(reverse("visits:sw")))["version"]
    real = field_views._file_bytes
    monkeypatch.setattr(field_views, "_file_bytes",
                        lambda path: real(path) + (b"//changed" if path.endswith("visit.js")
                                                   else b""))

    second = sw_config(Client().get(reverse("visits:sw")))["version"]

    assert first != second


def test_rep_home_links_to_todays_route(personas):
    response = browser_for(personas.rep).get(reverse("home"))

    assert f'href="{reverse("visits:today")}"'.encode() in response.content

