import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from rest_framework.test import APIClient

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "pass-word-123"


def login(username, password, ip):
    return Client(REMOTE_ADDR=ip).post("/login/", {"username": username, "password": password})


def test_lockout_is_per_username_and_ip(personas, settings):
    settings.AXES_FAILURE_LIMIT = 3
    assert login("rep_a", "wrong", "10.0.0.1").status_code == 200
    assert login("rep_a", "wrong", "10.0.0.1").status_code == 200
    assert login("rep_a", "wrong", "10.0.0.1").status_code == 429  # the third locks
    locked = login("rep_a", PASSWORD, "10.0.0.1")
    assert locked.status_code == 429  # the right password no longer helps from there
    # the same person from another network, and a colleague behind the same NAT, log in
    assert login("rep_a", PASSWORD, "10.0.0.2").status_code == 302
    assert login("rep_b", PASSWORD, "10.0.0.1").status_code == 302


def test_the_session_api_refuses_writes_without_the_csrf_token(personas):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(personas.rep)
    response = client.patch("/api/accounts/me/", {"language": "en"}, format="json")
    assert response.status_code == 403 and "CSRF" in str(response.data)


def test_pages_carry_a_strict_content_security_policy(client, db):
    response = client.get("/login/")
    policy = response.headers["Content-Security-Policy"]
    # No inline script is allowed: a nonce appears only on pages that use one.
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["X-Frame-Options"] == "DENY"


def test_the_session_cookie_is_http_only(personas):
    response = login("rep_a", PASSWORD, "10.0.0.9")
    assert response.cookies["sessionid"]["httponly"]


@pytest.mark.parametrize("url", [
    "/admin/accounts/orgnode/", "/admin/accounts/user/", "/admin/accounts/membership/",
    "/admin/accounts/jobrun/", "/admin/accounts/auditevent/", "/admin/kehu/retailer/",
    "/admin/kehu/keyperson/", "/admin/kehu/personaldataread/",
])
def test_admin_pages_manage_users_nodes_and_memberships(personas, client, url):
    personas.admin.is_staff = personas.admin.is_superuser = True
    personas.admin.save()
    client.force_login(personas.admin)
    assert client.get(url).status_code == 200


def test_under_ci_a_missing_service_fails_the_run_instead_of_skipping():
    env = {**os.environ, "CI": "true", "REDIS_URL": "redis://127.0.0.1:1/0"}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:playwright",
         "tests/test_settings_defaults.py"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 3
    assert "Redis is not reachable" in result.stdout + result.stderr


@pytest.mark.parametrize("model", [
    "accounts/auditevent", "kehu/personaldataread", "kehu/retailerassignment",
    "expenses/claimline", "expenses/monthlystatement", "visits/visit", "visits/problem",
])
def test_records_written_by_services_cannot_be_added_in_the_admin(personas, client, model):
    personas.admin.is_staff = personas.admin.is_superuser = True
    personas.admin.save()
    client.force_login(personas.admin)
    assert client.get(f"/admin/{model}/").status_code == 200
    assert client.get(f"/admin/{model}/add/").status_code == 403
