"""The retailer pages (/kehu/, /kehu/<id>/): who gets them, what they carry for the
scripts, and that they stay inside the strict CSP (no inline code)."""

import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import make_retailer

ROLES = ["rep", "rep2", "manager", "regional_manager", "clerk", "finance", "admin"]
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)


@pytest.fixture
def retailer(personas):
    return make_retailer(personas.org.area, personas.rep, name="华联超市",
                         latitude="32.060255", longitude="118.796877")


@pytest.fixture
def retailer_of_rep2(personas):
    return make_retailer(personas.org.area, personas.rep2, name="苏果便利")


@pytest.fixture
def sibling_retailer(personas):
    return make_retailer(personas.org.sibling_area, personas.sibling_rep, name="好德便利")


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


def card_url(retailer) -> str:
    return reverse("kehu:retailer-card", args=[retailer.pk])


@pytest.mark.parametrize("persona", ROLES)
def test_every_role_gets_the_retailer_list(personas, persona):
    response = browser_for(getattr(personas, persona)).get(reverse("kehu:retailer-list"))

    assert response.status_code == 200
    assert b'x-data="retailerList"' in response.content
    assert json_block(response, "kehu-config")["urls"]["retailers"] == "/api/kehu/retailers/"


@pytest.mark.parametrize("persona", ["rep", "manager", "regional_manager", "clerk", "finance",
                                     "admin"])
def test_every_role_in_scope_gets_the_retailer_card(personas, retailer, persona):
    response = browser_for(getattr(personas, persona)).get(card_url(retailer))

    assert response.status_code == 200
    assert "华联超市" in response.content.decode()
    config = json_block(response, "kehu-config")
    assert config["retailer_id"] == retailer.pk
    assert config["urls"]["trend"] == f"/api/kehu/retailers/{retailer.pk}/trend/"


def test_another_offices_retailer_card_is_404(personas, sibling_retailer):
    response = browser_for(personas.manager).get(card_url(sibling_retailer))

    assert response.status_code == 404


def test_rep_cannot_open_a_sibling_reps_card(personas, retailer_of_rep2):
    response = browser_for(personas.rep).get(card_url(retailer_of_rep2))

    assert response.status_code == 404


def test_an_unknown_card_is_404(personas):
    response = browser_for(personas.admin).get(reverse("kehu:retailer-card", args=[999999]))

    assert response.status_code == 404


@pytest.mark.parametrize("name", ["kehu:retailer-list", "kehu:retailer-card"])
def test_anonymous_visitor_is_sent_to_login(db, name):
    url = reverse(name, args=[1] if name.endswith("card") else [])

    response = Client().get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(f"{reverse('login')}?next=")


def test_rep_page_offers_ticking_and_creating_but_not_reassigning(personas):
    response = browser_for(personas.rep).get(reverse("kehu:retailer-list"))
    config = json_block(response, "kehu-config")

    assert config["can_write"] and config["can_tick"] and config["rep_only"]
    assert not config["is_manager"] and not config["can_review"]
    assert b'data-testid="new-retailer"' in response.content
    assert b'data-testid="reassign-bar"' not in response.content


def test_office_manager_page_offers_reassigning_and_reviewing(personas):
    response = browser_for(personas.manager).get(reverse("kehu:retailer-list"))
    config = json_block(response, "kehu-config")

    assert config["is_manager"] and config["can_review"]
    assert config["urls"]["reassign"] == "/api/kehu/retailers/reassign/"
    assert b'data-testid="reassign-bar"' in response.content


def test_clerk_and_finance_see_no_write_buttons(personas):
    for user in (personas.clerk, personas.finance):
        response = browser_for(user).get(reverse("kehu:retailer-list"))

        assert not json_block(response, "kehu-config")["can_write"]
        assert b'data-testid="new-retailer"' not in response.content


def test_list_filters_offer_translated_choices(personas):
    response = browser_for(personas.rep).get(reverse("kehu:retailer-list"))
    choices = json_block(response, "kehu-config")["choices"]

    # In the rep's language (zh-hans).
    assert {"value": "convenience", "label": "便利店"} in choices["business_type"]
    assert [c["value"] for c in choices["relationship_level"]] == ["0", "1", "2", "3", "4"]
    assert b'data-testid="filter-trade_area"' in response.content


def test_card_carries_the_tile_settings(personas, retailer, settings):
    settings.MAP_TILE_URL = "https://webrd0{s}.is.autonavi.com/appmaptile?x={x}&y={y}&z={z}"
    settings.MAP_TILES_GCJ02 = True

    response = browser_for(personas.rep).get(card_url(retailer))
    tiles = json_block(response, "kehu-config")["tiles"]

    assert tiles["url"] == settings.MAP_TILE_URL
    assert tiles["gcj02"] is True


def test_card_defaults_to_openstreetmap_tiles_allowed_by_the_csp(personas, retailer):
    response = browser_for(personas.rep).get(card_url(retailer))
    tiles = json_block(response, "kehu-config")["tiles"]

    assert tiles["url"] == "https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png"
    assert tiles["gcj02"] is False
    assert "https://*.tile.openstreetmap.org" in response["Content-Security-Policy"]


def test_pages_carry_the_scripts_strings(personas, retailer):
    response = browser_for(personas.rep).get(card_url(retailer))

    strings = json_block(response, "i18n")
    assert {"network_error", "level_n", "reason_name_nearby", "purchase"} <= set(strings)


@pytest.mark.parametrize("page", ["list", "card"])
def test_pages_have_no_inline_script_or_style(personas, retailer, page):
    url = card_url(retailer) if page == "card" else reverse("kehu:retailer-list")

    html = browser_for(personas.manager).get(url).content.decode()

    for attributes in SCRIPT_TAG.findall(html):
        assert "src=" in attributes or 'type="application/json"' in attributes, attributes
    assert not re.search(r"\son[a-z]+=", html), "inline event handler"
    assert not re.search(r"\sstyle=", html), "style attribute"


@pytest.mark.parametrize("persona", ["rep", "manager"])
def test_key_person_writers_get_the_key_person_form(personas, retailer, persona):
    response = browser_for(getattr(personas, persona)).get(card_url(retailer))
    config = json_block(response, "kehu-config")

    assert config["can_edit_people"]
    assert config["urls"]["key_persons"] == "/api/kehu/key-persons/"
    assert {c["value"] for c in config["choices"]["key_person_role"]} >= {"owner", "purchaser"}
    assert b'x-data="keyPersonForm"' in response.content
    assert b'data-testid="add-key-person"' in response.content
    assert b'data-testid="edit-key-person"' in response.content


@pytest.mark.parametrize("persona", ["regional_manager", "clerk", "finance", "admin"])
def test_roles_seeing_masked_key_persons_get_no_key_person_form(personas, retailer, persona):
    response = browser_for(getattr(personas, persona)).get(card_url(retailer))

    assert not json_block(response, "kehu-config")["can_edit_people"]
    assert b'x-data="keyPersonForm"' not in response.content
    assert b'data-testid="add-key-person"' not in response.content
    assert b'data-testid="edit-key-person"' not in response.content
