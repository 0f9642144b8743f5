import threading
import uuid

import pytest
from django.db import connection

from accounts.models import IdempotencyRecord
from kehu.models import Retailer

URL = "/api/kehu/retailers/"


def body(personas, code="IDEM1"):
    return {"code": code, "name": "幂等便利店", "business_type": "convenience",
            "area": personas.org.area.pk}


def test_a_retry_with_the_same_key_replays_the_first_response(personas, client_for):
    client, key = client_for(personas.rep), str(uuid.uuid4())
    first = client.post(URL, body(personas), format="json", HTTP_IDEMPOTENCY_KEY=key)
    again = client.post(URL, body(personas), format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == again.status_code == 201
    assert again.data["id"] == first.data["id"] and again["Idempotent-Replayed"] == "true"
    assert Retailer.objects.filter(code="IDEM1").count() == 1


def test_the_same_key_with_another_body_is_refused_with_422(personas, client_for):
    client, key = client_for(personas.rep), str(uuid.uuid4())
    client.post(URL, body(personas), format="json", HTTP_IDEMPOTENCY_KEY=key)
    other = client.post(URL, body(personas, "IDEM2"), format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert other.status_code == 422 and "non_field_errors" in other.data
    assert not Retailer.objects.filter(code="IDEM2").exists()


def test_a_refused_request_stores_nothing_so_the_fixed_retry_runs(personas, client_for):
    client, key = client_for(personas.rep), str(uuid.uuid4())
    bad = client.post(URL, {**body(personas), "business_type": "nonsense"}, format="json",
                      HTTP_IDEMPOTENCY_KEY=key)
    assert bad.status_code == 400 and not IdempotencyRecord.objects.exists()
    good = client.post(URL, {**body(personas), "business_type": "nonsense"} | {
        "business_type": "grocery"}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert good.status_code == 201


def test_keys_are_per_user(personas, client_for):
    key = str(uuid.uuid4())
    client_for(personas.rep).post(URL, body(personas), format="json", HTTP_IDEMPOTENCY_KEY=key)
    response = client_for(personas.rep2).post(URL, body(personas, "IDEM3"), format="json",
                                              HTTP_IDEMPOTENCY_KEY=key)
    assert response.status_code == 201 and response.data["code"] == "IDEM3"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real concurrency")
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_retries_create_exactly_one(personas):
    from rest_framework.test import APIClient

    key, payload = str(uuid.uuid4()), body(personas)
    results, barrier = [], threading.Barrier(20)

    def send():
        client = APIClient()
        client.force_login(personas.rep)
        barrier.wait()
        response = client.post(URL, payload, format="json", HTTP_IDEMPOTENCY_KEY=key)
        results.append((response.status_code, response.data.get("id")))
        connection.close()

    threads = [threading.Thread(target=send) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(results) == 20
    assert {status for status, _ in results} == {201}
    assert len({pk for _, pk in results}) == 1
    assert Retailer.objects.filter(code="IDEM1").count() == 1
