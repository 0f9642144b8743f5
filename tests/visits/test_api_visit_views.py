"""What the phone sends over HTTP: check-in/out, the form, photos, problems, missed
visits; and the preparation view."""

import uuid
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from django.utils.translation import gettext

from accounts.models import IdempotencyRecord
from kehu.models import MonthlyFact
from tests.factories import make_retailer
from tests.visits.conftest import CORNER, NORTH_250M
from tests.visits.factories import (
    jpeg_bytes,
    make_missed,
    make_photo,
    make_plan,
    make_problem,
    make_visit,
)
from visits.models import MissedVisit, Photo, Problem, Visit

VISITS = "/api/visits/visits/"


def check_in(client, retailer, point=CORNER, key=None, headers=None, **extra):
    body = {"client_id": str(uuid.uuid4()), "retailer": retailer.pk, **extra}
    if point:
        body |= {"latitude": str(point[0]), "longitude": str(point[1])}
    return client.post(VISITS, body, format="json",
                       HTTP_IDEMPOTENCY_KEY=key or str(uuid.uuid4()), **(headers or {}))


def test_a_check_in_answers_201_with_its_evidence(personas, shops, client_for):
    response = check_in(client_for(personas.rep), shops.a, NORTH_250M)
    assert response.status_code == 201, response.data
    data = response.data
    assert data["flags"]["far_from_store"] and data["flags"]["messages"]
    evidence = data["evidence"]
    assert 245 <= evidence["checkin_distance_m"] <= 255 and evidence["radius_m"] == 200
    assert evidence["checkin"]["gcj02"]["longitude"] != float(evidence["checkin"]["longitude"])
    assert evidence["received_at"] and evidence["device_started_at"]


def test_a_check_in_without_gps_permission_is_accepted_with_a_clear_flag(personas, shops,
                                                                         client_for):
    response = check_in(client_for(personas.rep), shops.a, point=None, gps_error="denied")
    assert response.status_code == 201
    assert response.data["flags"]["gps_missing"]
    with translation.override(personas.rep.language):  # the rep's language answers
        expected = gettext("No GPS position at check-in: the visit is flagged for review.")
    assert response.data["flags"]["messages"] == [expected]


def test_a_visit_for_a_retailer_outside_the_reps_scope_is_404_and_writes_nothing(
        personas, shops, client_for):
    elsewhere = make_retailer(personas.org.sibling_area, personas.sibling_rep)
    client = client_for(personas.rep)
    for retailer in (shops.other_reps, elsewhere):
        assert check_in(client, retailer).status_code == 404
    assert not Visit.objects.exists() and not IdempotencyRecord.objects.exists()


def test_a_duplicate_offline_submission_returns_the_first_visit(personas, shops, client_for):
    client = client_for(personas.rep)
    body = {"client_id": str(uuid.uuid4()), "retailer": shops.a.pk}
    first = client.post(VISITS, body, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    replay = client.post(VISITS, body, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    other_key = client.post(VISITS, body, format="json", HTTP_IDEMPOTENCY_KEY="k2")
    no_key = client.post(VISITS, body, format="json")
    assert (first.status_code, replay.status_code, other_key.status_code,
            no_key.status_code) == (201, 201, 200, 200)
    assert replay["Idempotent-Replayed"] == "true"
    assert first.data["id"] == replay.data["id"] == other_key.data["id"] == no_key.data["id"]
    assert Visit.objects.count() == 1


def test_the_phones_clock_offset_comes_from_the_device_time_header(personas, shops,
                                                                    client_for):
    phone_now = timezone.now() - timedelta(hours=3)  # the phone is 3 hours behind
    response = check_in(client_for(personas.rep), shops.a,
                        device_time=(phone_now - timedelta(minutes=30)).isoformat(),
                        headers={"HTTP_X_DEVICE_TIME": phone_now.isoformat()})
    evidence = response.data["evidence"]
    assert abs(evidence["clock_offset_s"] - 3 * 3600) < 60
    assert abs(evidence["skew_s"] - (3 * 3600 + 1800)) < 60
    assert response.data["flags"]["clock_suspect"]
    started = Visit.objects.get().started_at
    assert abs((timezone.now() - timedelta(minutes=30) - started).total_seconds()) < 60


def test_a_malformed_device_time_header_is_named_in_the_error(personas, shops, client_for):
    response = check_in(client_for(personas.rep), shops.a,
                        headers={"HTTP_X_DEVICE_TIME": "yesterday"})
    assert response.status_code == 400 and "X-Device-Time" in response.data
    assert not Visit.objects.exists()


def test_the_form_then_check_out(personas, shops, client_for):
    client = client_for(personas.rep)
    visit = check_in(client, shops.a).data
    patched = client.patch(f"{VISITS}{visit['id']}/", {
        "communication_notes": "谈了新品", "competitor_info": "竞品降价",
        "price_checks": [{"product_name": "红塔山", "guide_price": "10.00",
                          "observed_price": "12.00"}],
        "stock_lines": [{"product_name": "红塔山", "on_hand": "3", "suggested_order": "10"}]},
        format="json")
    assert patched.status_code == 200, patched.data
    assert patched.data["price_checks"][0]["compliant"] is False
    out = client.post(f"{VISITS}{visit['id']}/checkout/", {
        "device_time": (timezone.now() + timedelta(minutes=20)).isoformat(),
        "retailer_requests": "想要冰柜"}, format="json", HTTP_IDEMPOTENCY_KEY="out-1")
    assert out.status_code == 200 and out.data["status"] == "completed"
    assert out.data["retailer_requests"] == "想要冰柜" and out.data["duration_s"] >= 0


def test_check_out_before_check_in_answers_400_on_device_time(personas, shops, client_for):
    client = client_for(personas.rep)
    visit = check_in(client, shops.a).data
    out = client.post(f"{VISITS}{visit['id']}/checkout/", {
        "device_time": (timezone.now() - timedelta(hours=1)).isoformat()}, format="json")
    assert out.status_code == 400 and "device_time" in out.data
    assert Visit.objects.get().status == Visit.Status.IN_PROGRESS


def test_a_bad_price_line_is_named_by_its_field(personas, shops, client_for):
    client = client_for(personas.rep)
    visit = check_in(client, shops.a).data
    response = client.patch(f"{VISITS}{visit['id']}/", {
        "price_checks": [{"product_name": "x", "observed_price": "-1"}]}, format="json")
    assert response.status_code == 400 and "observed_price" in response.data["price_checks"][0]


def test_the_preparation_view(personas, shops, client_for):
    today = timezone.localdate()
    plan = make_plan(personas.rep, personas.org.area, today.replace(day=1),
                     stops=[(today, shops.a)])
    plan.stops.update(objective="收集竞品信息")
    make_visit(personas.rep, shops.a, today - timedelta(days=7), retailer_requests="要海报")
    make_problem(shops.a, personas.rep, due=today - timedelta(days=1))
    MonthlyFact.objects.create(retailer=shops.a, month=today.replace(day=1),
                               purchase_amount=1000, purchase_quantity=10,
                               collected_amount=800, order_success_rate=90,
                               e_settlement_rate=50)
    data = client_for(personas.rep).get(f"{VISITS}prepare/{shops.a.pk}/").data
    assert data["objective"] == "收集竞品信息"
    assert data["last_visit"]["retailer_requests"] == "要海报"
    assert [p["overdue"] for p in data["open_problems"]] == [True]
    assert data["facts"][0]["purchase_amount"] == "1000.00"
    assert data["template"]["template_version"] is None and data["template"]["steps"]
    assert client_for(personas.rep).get(
        f"{VISITS}prepare/{shops.other_reps.pk}/").status_code == 404


def test_the_visit_list_is_scoped_filtered_and_has_bounded_queries(
        personas, shops, client_for, django_assert_max_num_queries):
    today = timezone.localdate()
    for days in range(5):
        make_visit(personas.rep, shops.a, today - timedelta(days=days), gps_missing=days == 0)
    make_visit(personas.rep2, shops.other_reps, today)
    client = client_for(personas.rep)
    with django_assert_max_num_queries(6):
        rows = client.get(VISITS).data["results"]
    assert len(rows) == 5
    assert len(client.get(VISITS, {"flagged": "true"}).data["results"]) == 1
    assert len(client_for(personas.manager).get(VISITS).data["results"]) == 6


def photo_body(visit_id, data, name="shelf.jpg", client_id=None):
    return {"client_id": client_id or str(uuid.uuid4()), "visit": visit_id, "kind": "shelf",
            "image": SimpleUploadedFile(name, data, content_type="image/jpeg")}


def test_a_photo_upload_and_its_refusals(personas, shops, client_for):
    client = client_for(personas.rep)
    visit = make_visit(personas.rep, shops.a, timezone.localdate())
    not_image = client.post("/api/visits/photos/", photo_body(visit.pk, b"hello" * 100),
                            format="multipart", HTTP_IDEMPOTENCY_KEY="p0")
    assert not_image.status_code == 400 and "image" in not_image.data
    data = jpeg_bytes(color=(1, 100, 1))
    created = client.post("/api/visits/photos/", photo_body(visit.pk, data),
                          format="multipart", HTTP_IDEMPOTENCY_KEY="p1")
    assert created.status_code == 201 and created.data["reused"] is False
    image = client.get(created.data["image"])
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"
    assert b"".join(image.streaming_content)[:2] == b"\xff\xd8"
    assert client.get(created.data["thumbnail"]).status_code == 200
    assert client_for(personas.sibling_manager).get(created.data["image"]).status_code == 404
    other = make_visit(personas.rep, shops.b, timezone.localdate())
    reused = client.post("/api/visits/photos/", photo_body(other.pk, data),
                         format="multipart", HTTP_IDEMPOTENCY_KEY="p2")
    assert reused.data["reused"] is True and reused.data["reused_from"] == created.data["id"]
    flagged = client.get(f"{VISITS}{other.pk}/").data["flags"]
    assert flagged["photo_reused"]
    theirs = make_visit(personas.rep2, shops.other_reps, timezone.localdate())
    assert client.post("/api/visits/photos/", photo_body(theirs.pk, data),
                       format="multipart").status_code == 404
    assert Photo.objects.count() == 2


def test_problems_raise_list_overdue_and_solve(personas, shops, client_for):
    client = client_for(personas.rep)
    raised = client.post("/api/visits/problems/", {
        "client_id": str(uuid.uuid4()), "retailer": shops.a.pk, "category": "cross_region",
        "description": "发现外地货"}, format="json", HTTP_IDEMPOTENCY_KEY="pr1")
    assert raised.status_code == 201 and raised.data["owner"] == personas.rep.pk
    make_problem(shops.a, personas.rep, due=timezone.localdate() - timedelta(days=2))
    overdue = client_for(personas.manager).get("/api/visits/problems/",
                                               {"overdue": "true"}).data["results"]
    assert len(overdue) == 1 and overdue[0]["overdue"]
    no_resolution = client.post(f"/api/visits/problems/{raised.data['id']}/solve/",
                                {"resolution": ""}, format="json")
    assert no_resolution.status_code == 400 and "resolution" in no_resolution.data
    solved = client.post(f"/api/visits/problems/{raised.data['id']}/solve/",
                         {"resolution": "已通知稽查"}, format="json")
    assert solved.data["status"] == "solved"
    assert Problem.objects.get(pk=raised.data["id"]).solved_by == personas.rep


def test_a_missed_visit_reason_over_http(personas, shops, client_for):
    yesterday = timezone.localdate() - timedelta(days=1)
    make_plan(personas.rep, personas.org.area, yesterday.replace(day=1),
              stops=[(yesterday, shops.a)])
    client = client_for(personas.rep)
    body = {"client_id": str(uuid.uuid4()), "retailer": shops.a.pk,
            "date": yesterday.isoformat(), "reason": "other"}
    assert "note" in client.post("/api/visits/missed/", body, format="json").data
    created = client.post("/api/visits/missed/", {**body, "note": "修路封街"}, format="json")
    assert created.status_code == 201 and created.data["reason_label"]
    assert MissedVisit.objects.count() == 1


def count_queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", ["/api/visits/visits/", "/api/visits/photos/",
                                 "/api/visits/problems/", "/api/visits/missed/"])
def test_list_queries_do_not_grow_with_the_rows(personas, shops, client_for, url):
    client, day = client_for(personas.manager), timezone.localdate()

    def add_rows(count: int) -> None:
        for _ in range(count):
            visit = make_visit(personas.rep, shops.a, day)
            make_photo(visit)
            make_problem(shops.a, personas.rep, due=day)
            make_missed(personas.rep, make_retailer(personas.org.area, personas.rep), day)

    add_rows(2)
    few = count_queries(client, url)
    add_rows(4)
    assert count_queries(client, url) == few
