"""Exactly once under retries: 20 concurrent copies of the same create (PostgreSQL)."""

import threading
import uuid
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from tests.visits.factories import jpeg_bytes, make_plan, make_visit
from visits.models import MissedVisit, Photo, Problem, Visit

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real concurrency"),
    pytest.mark.django_db(transaction=True),
]
COPIES = 20


def send_concurrently(user, url, make_body, *, key: str | None, multipart=False):
    """POST the same request from 20 threads at once; [(status, id)]."""
    results, barrier = [], threading.Barrier(COPIES)

    def send():
        client = APIClient()
        client.force_login(user)
        headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
        barrier.wait()
        try:
            response = client.post(url, make_body(), format="multipart" if multipart
                                   else "json", **headers)
            results.append((response.status_code, response.data.get("id")))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(COPIES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(results) == COPIES
    return results


def assert_one(results, model, *, same_key: bool):
    statuses = [status for status, _pk in results]
    assert len({pk for _status, pk in results}) == 1, results
    assert model.objects.count() == 1
    if same_key:  # every copy gets the first response, replayed
        assert set(statuses) == {201}
    else:  # one creates, the others are told it exists
        assert sorted(statuses) == [200] * (COPIES - 1) + [201]


@pytest.mark.parametrize("same_key", [True, False], ids=["same key", "no key"])
def test_twenty_concurrent_check_ins_make_one_visit(personas, shops, same_key):
    body = {"client_id": str(uuid.uuid4()), "retailer": shops.a.pk,
            "latitude": "32.058000", "longitude": "118.796000"}
    results = send_concurrently(personas.rep, "/api/visits/visits/", lambda: body,
                                key=str(uuid.uuid4()) if same_key else None)
    assert_one(results, Visit, same_key=same_key)


@pytest.mark.parametrize("same_key", [True, False], ids=["same key", "no key"])
def test_twenty_concurrent_photo_uploads_make_one_photo(personas, shops, same_key):
    visit = make_visit(personas.rep, shops.a, timezone.localdate())
    data, client_id = jpeg_bytes(size=(800, 600)), str(uuid.uuid4())

    def body():
        return {"client_id": client_id, "visit": visit.pk, "kind": "display",
                "image": SimpleUploadedFile("p.jpg", data, content_type="image/jpeg")}

    results = send_concurrently(personas.rep, "/api/visits/photos/", body,
                                key=str(uuid.uuid4()) if same_key else None, multipart=True)
    assert_one(results, Photo, same_key=same_key)


@pytest.mark.parametrize("same_key", [True, False], ids=["same key", "no key"])
def test_twenty_concurrent_problems_make_one(personas, shops, same_key):
    body = {"client_id": str(uuid.uuid4()), "retailer": shops.a.pk,
            "category": "broken_display", "description": "展架坏了"}
    results = send_concurrently(personas.rep, "/api/visits/problems/", lambda: body,
                                key=str(uuid.uuid4()) if same_key else None)
    assert_one(results, Problem, same_key=same_key)


def test_twenty_concurrent_missed_visit_reasons_make_one(personas, shops):
    yesterday = timezone.localdate() - timedelta(days=1)
    make_plan(personas.rep, personas.org.area, yesterday.replace(day=1),
              stops=[(yesterday, shops.a)])
    body = {"client_id": str(uuid.uuid4()), "retailer": shops.a.pk,
            "date": yesterday.isoformat(), "reason": "closed"}
    results = send_concurrently(personas.rep, "/api/visits/missed/", lambda: body,
                                key=str(uuid.uuid4()))
    assert_one(results, MissedVisit, same_key=True)


def test_twenty_concurrent_check_outs_end_the_visit_once(personas, shops):
    visit = make_visit(personas.rep, shops.a, timezone.localdate(), completed=False)
    body = {"device_time": (visit.device_started_at + timedelta(minutes=30)).isoformat()}
    results = send_concurrently(personas.rep, f"/api/visits/visits/{visit.pk}/checkout/",
                                lambda: body, key=str(uuid.uuid4()))
    assert {status for status, _pk in results} == {200}
    visit.refresh_from_db()
    assert visit.status == Visit.Status.COMPLETED
