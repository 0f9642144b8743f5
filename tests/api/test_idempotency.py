import threading
import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import connection
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from accounts.idempotency import idempotent
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


class Answer(APIView):
    """Answers with what `json.dumps(default=str)` wrote differently from DRF: datetimes
    (DRF: ISO 8601 with a T and Z), Decimals (DRF: numbers), and keys in an order that
    PostgreSQL's jsonb would change (it sorts an object's keys by length)."""

    calls = 0

    @idempotent
    def post(self, request):
        Answer.calls += 1
        return Response({
            "zebra_long_key": 1, "id": Answer.calls,
            "at": datetime(2026, 11, 25, 0, 19, 33, 804008, tzinfo=UTC),
            "amount": Decimal("12.50"),
            "evidence": {"received_at": datetime(2026, 11, 25, 8, 1, 2, tzinfo=UTC),
                         "gps": [Decimal("32.058000"), Decimal("118.796000")], "b": None}},
            status=201)


def test_a_replay_is_the_first_answer_byte_for_byte(personas):
    factory, view, key = APIRequestFactory(), Answer.as_view(), str(uuid.uuid4())
    answers = []
    for _attempt in range(2):
        request = factory.post("/answer/", {"x": 1}, format="json", HTTP_IDEMPOTENCY_KEY=key)
        force_authenticate(request, user=personas.rep)
        answers.append(view(request).render())
    first, replay = answers
    assert first.status_code == replay.status_code == 201 and Answer.calls == 1
    assert replay["Idempotent-Replayed"] == "true"
    assert replay.content == first.content
    assert b'"at":"2026-11-25T00:19:33.804008Z"' in first.content
    assert b'"amount":12.5' in first.content and first.content.startswith(b'{"zebra')


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
