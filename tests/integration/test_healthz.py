import pytest

from tests.conftest import redis_available, require


def test_healthz_reports_the_database_and_the_real_broker(client, db, settings):
    require(redis_available(), "Redis is not reachable")
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_healthz_says_503_when_the_broker_is_unreachable(client, db, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "ok" and body["broker"].startswith("error")


@pytest.mark.parametrize("url", ["/api/schema/", "/api/docs/"])
def test_the_api_schema_and_docs_are_served(client, db, url):
    response = client.get(url)
    assert response.status_code == 200
    if url == "/api/schema/":
        assert b"/api/accounts/nodes/" in response.content
