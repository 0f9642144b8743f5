"""Grading pages: the policy editor is for regional managers and admins; the retailer card
includes the grade section (which loads the grading API itself)."""

import pytest
from django.test import Client

from tests.factories import make_retailer

pytestmark = pytest.mark.django_db


def page(user, url):
    client = Client()
    client.force_login(user)
    return client.get(url)


def test_the_policy_editor_is_for_regional_managers_and_admins(personas):
    response = page(personas.regional_manager, "/grading/policies/")
    assert response.status_code == 200
    config = response.context["config"]
    assert [s["value"] for s in config["scopes"]] == [
        personas.org.region.pk, personas.org.office.pk, personas.org.sibling_office.pk]
    assert config["urls"]["preview"] == "/api/grading/policies/preview/"
    assert b'data-testid="grading-policies-page"' in response.content
    assert page(personas.admin, "/grading/policies/").status_code == 200
    for user in (personas.rep, personas.manager, personas.clerk, personas.finance):
        assert page(user, "/grading/policies/").status_code == 403, user


def test_the_nav_links_the_editor_for_regional_managers_only(personas):
    assert b'data-testid="nav-grading"' in page(personas.regional_manager, "/home/").content
    assert b'data-testid="nav-grading"' not in page(personas.rep, "/home/").content


def test_the_retailer_card_includes_the_grade_section(personas):
    shop = make_retailer(personas.org.area, personas.rep)
    rep_card = page(personas.rep, f"/kehu/{shop.pk}/").content.decode()
    assert f'data-url="/api/grading/retailers/{shop.pk}/grade/"' in rep_card
    assert "js/grading/card-grade.js" in rep_card
    assert 'data-role="override-form"' not in rep_card
    manager_card = page(personas.manager, f"/kehu/{shop.pk}/").content.decode()
    assert 'data-role="override-form"' in manager_card
