"""The grading API: policies and their preview, versions, run now, overrides, history and a
retailer's grade card; who may do what; errors name the field."""

from datetime import timedelta
from decimal import Decimal

import pytest

from accounts.models import JobRun
from grading import services
from grading.models import GRADING_JOB, GradeOverride, GradingPolicy
from tests.grading.factories import DAY, grades, policy, shop

pytestmark = pytest.mark.django_db

RULE = {"method": "pareto", "measure": "purchase_amount", "window_months": 12,
        "share_a": "75", "share_b": "20", "share_c": "5", "rank_within": "scope"}


@pytest.fixture(autouse=True)
def eager(monkeypatch):
    from config.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)


@pytest.fixture
def shops(personas):
    org = personas.org
    here = [shop(org.area, personas.rep, amounts=[v]) for v in (500, 300, 150, 50)]
    there = [shop(org.sibling_area, personas.sibling_rep, amounts=[v]) for v in (1000, 10)]
    return here, there


def test_a_regional_manager_creates_a_policy_with_its_first_version(client_for, personas):
    response = client_for(personas.regional_manager).post(
        "/api/grading/policies/", {"name": "苏南大区分级", "scope": personas.org.region.pk,
                                   **RULE}, format="json")
    assert response.status_code == 201, response.data
    body = response.data
    assert body["scope"] == personas.org.region.pk and body["versions"] == 1
    assert body["version_in_force"]["number"] == 1
    assert body["version_in_force"]["share_a"] == "75.00"


def test_policy_errors_name_the_field(client_for, personas):
    client = client_for(personas.regional_manager)
    response = client.post("/api/grading/policies/", {
        "name": "x", "scope": personas.org.region.pk, **RULE, "share_b": "30"}, format="json")
    assert response.status_code == 400 and "share_c" in response.data
    response = client.post("/api/grading/policies/", {
        "name": "x", "scope": personas.org.other_region.pk, **RULE}, format="json")
    assert response.status_code == 400 and "scope" in response.data
    response = client.post("/api/grading/policies/", {
        "name": "x", "scope": personas.org.area.pk, **RULE}, format="json")
    assert response.status_code == 400 and "scope" in response.data


def test_only_regional_managers_and_admins_write_policies(client_for, personas):
    for user in (personas.manager, personas.rep, personas.clerk):
        response = client_for(user).post("/api/grading/policies/", {
            "name": "x", "scope": personas.org.office.pk, **RULE}, format="json")
        assert response.status_code == 403, user


def test_preview_counts_per_office_and_the_moves(client_for, personas, shops):
    here, there = shops
    p = policy(personas.org.region, personas.regional_manager)
    services.grading_run_policy(policy=p, business_date=DAY)
    # Pareto now (total 2010, shares ahead 0, 49.8, 74.6, 89.6, 97.0, 99.5): 1000 A, 500 A,
    # 300 A, 150 B, 50 C, 10 C. Rank shares 20/40/40 instead (ahead 0, 16.7, 33.3, 50,
    # 66.7, 83.3): A A B B C C, so only 300 moves (A → B).
    response = client_for(personas.regional_manager).post(
        "/api/grading/policies/preview/", {"policy": p.pk, **RULE, "method": "rank",
                                           "share_a": "20", "share_b": "40", "share_c": "40"},
        format="json")
    assert response.status_code == 200, response.data
    offices = {row["office"]: row for row in response.data["offices"]}
    assert {k: offices[personas.org.office.pk][k] for k in ("A", "B", "C", "moves")} == {
        "A": 1, "B": 2, "C": 1, "moves": 1}
    assert {k: offices[personas.org.sibling_office.pk][k] for k in ("A", "B", "C", "moves")} \
        == {"A": 1, "B": 0, "C": 1, "moves": 0}
    assert response.data["totals"]["moves"] == 1
    assert grades(*here) == ["A", "A", "B", "C"]  # nothing saved


def test_preview_of_a_new_policy_and_its_errors(client_for, personas, shops):
    client = client_for(personas.regional_manager)
    response = client.post("/api/grading/policies/preview/",
                           {"scope": personas.org.office.pk, **RULE}, format="json")
    assert response.status_code == 200
    assert [row["office"] for row in response.data["offices"]] == [personas.org.office.pk]
    assert response.data["totals"]["moves"] == 4
    response = client.post("/api/grading/policies/preview/", {**RULE, "share_a": "80"},
                           format="json")
    assert response.status_code == 400 and "scope" in response.data
    response = client.post("/api/grading/policies/preview/",
                           {"scope": personas.org.office.pk, **RULE, "share_a": "80"},
                           format="json")
    assert response.status_code == 400 and "share_c" in response.data


def test_a_new_version_changes_the_rule_and_run_now_applies_it(
        client_for, personas, shops, django_capture_on_commit_callbacks):
    here, _there = shops
    p = policy(personas.org.office, personas.regional_manager)
    client = client_for(personas.regional_manager)
    response = client.post("/api/grading/versions/", {
        "policy": p.pk, **RULE, "method": "rank", "share_a": "50", "share_b": "25",
        "share_c": "25", "valid_from": str(DAY)}, format="json")
    assert response.status_code == 201, response.data
    assert response.data["number"] == 2
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/grading/runs/", {"policy": p.pk}, format="json")
    assert response.status_code == 202, response.data
    assert response.data["status"] == JobRun.Status.RUNNING
    run_id = response.data["id"]
    status = client.get(f"/api/grading/runs/{run_id}/").data
    assert status["status"] == JobRun.Status.SUCCEEDED and status["policy"] == p.pk
    assert status["counts"]["grades"] == {"A": 2, "B": 1, "C": 1}
    assert status["counts"]["version_number"] == 2 and status["duration_seconds"] >= 0
    assert grades(*here) == ["A", "A", "B", "C"]


def test_run_now_is_refused_while_a_run_of_the_policy_is_under_way(client_for, personas,
                                                                   monkeypatch):
    p = policy(personas.org.office)
    monkeypatch.setattr(services, "grading_run_busy", lambda policy: True)
    response = client_for(personas.regional_manager).post(
        "/api/grading/runs/", {"policy": p.pk}, format="json")
    assert response.status_code == 409 and "policy" in response.data
    assert not JobRun.objects.filter(name=GRADING_JOB).exists()


def test_another_regions_policy_cannot_be_run_or_seen(client_for, personas):
    p = policy(personas.org.other_office)
    client = client_for(personas.regional_manager)
    assert client.get(f"/api/grading/policies/{p.pk}/").status_code == 404
    response = client.post("/api/grading/runs/", {"policy": p.pk}, format="json")
    assert response.status_code == 400 and "policy" in response.data


def test_a_manager_overrides_and_lifts_a_grade_and_the_card_shows_both(client_for, personas,
                                                                       shops):
    here, _there = shops
    p = policy(personas.org.company)
    services.grading_run_policy(policy=p, business_date=DAY)
    manager = client_for(personas.manager)
    until = DAY + timedelta(days=30)
    response = manager.post("/api/grading/overrides/", {
        "retailer": here[3].pk, "grade": "A", "reason": "新开连锁总店",
        "expires_on": str(until)}, format="json")
    assert response.status_code == 201, response.data
    override_id = response.data["id"]
    card = client_for(personas.rep).get(f"/api/grading/retailers/{here[3].pk}/grade/").data
    assert card["grade"] == "A" and card["computed"]["computed_grade"] == "C"
    assert card["override"]["expires_on"] == str(until)
    assert card["computed"]["method"] == "pareto" and card["computed"]["rank"] == 5
    assert [h["source"] for h in card["history"]] == ["override", "nightly"]
    response = manager.post(f"/api/grading/overrides/{override_id}/lift/", {"note": "撤销"},
                            format="json")
    assert response.status_code == 200 and response.data["end_reason"] == "lifted"
    card = client_for(personas.rep).get(f"/api/grading/retailers/{here[3].pk}/grade/").data
    assert card["grade"] == "C" and card["override"] is None


def test_override_errors_and_roles(client_for, personas, shops):
    here, there = shops
    response = client_for(personas.manager).post("/api/grading/overrides/", {
        "retailer": here[0].pk, "grade": "A", "reason": ""}, format="json")
    assert response.status_code == 400 and "reason" in response.data
    response = client_for(personas.manager).post("/api/grading/overrides/", {
        "retailer": there[0].pk, "grade": "A", "reason": "x"}, format="json")
    assert response.status_code == 400 and "retailer" in response.data
    response = client_for(personas.rep).post("/api/grading/overrides/", {
        "retailer": here[0].pk, "grade": "A", "reason": "x"}, format="json")
    assert response.status_code == 403
    assert not GradeOverride.objects.exists()


def test_grade_history_per_retailer_and_the_card_is_scoped(client_for, personas, shops):
    here, there = shops
    services.grading_run_policy(policy=policy(personas.org.company), business_date=DAY)
    rows = client_for(personas.rep).get(
        f"/api/grading/history/?retailer={here[0].pk}").data["results"]
    assert [(r["old_grade"], r["new_grade"], r["rank"]) for r in rows] == [("", "A", 2)]
    assert rows[0]["cumulative_share"] == "74.6269" and rows[0]["value"] == "500.0000"
    assert client_for(personas.rep).get(
        f"/api/grading/retailers/{there[0].pk}/grade/").status_code == 404
    assert client_for(personas.sibling_manager).get(
        f"/api/grading/retailers/{here[0].pk}/grade/").status_code == 404


def test_a_policy_is_retired_through_patch_and_audited(client_for, personas):
    from accounts.models import AuditEvent

    p = policy(personas.org.office)
    response = client_for(personas.regional_manager).patch(
        f"/api/grading/policies/{p.pk}/", {"is_active": False}, format="json")
    assert response.status_code == 200 and response.data["is_active"] is False
    assert GradingPolicy.objects.get(pk=p.pk).is_active is False
    assert AuditEvent.objects.filter(object_type="grading.gradingpolicy", action="retire").exists()


def test_lists_take_a_fixed_number_of_queries(client_for, personas, shops,
                                              django_assert_max_num_queries):
    services.grading_run_policy(policy=policy(personas.org.company), business_date=DAY)
    for n in range(3):
        policy(personas.org.office, business_type=["pharmacy", "clinic", "ka"][n],
               share_a=Decimal(75))
    client = client_for(personas.regional_manager)
    for url in ("/api/grading/policies/", "/api/grading/history/", "/api/grading/runs/",
                "/api/grading/overrides/", "/api/grading/versions/"):
        with django_assert_max_num_queries(12):
            assert client.get(url).status_code == 200
