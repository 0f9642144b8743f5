"""Check-in and check-out over HTTP: a fixed, small number of statements, and the answer
is the visit as its detail view gives it (also when it is replayed)."""

import json
import uuid
from datetime import timedelta
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from accounts.idempotency import stored_data
from accounts.models import IdempotencyRecord
from tests.visits.conftest import CORNER, NORTH_250M
from tests.visits.factories import (
    PHARMACY_STEPS,
    make_photo,
    make_plan,
    make_template,
    make_visit,
)
from visits.api.visit_serializers import VisitDetailSerializer, visit_detail
from visits.models import Photo, PriceCheck, RetailerLastVisit, StockLine, Visit, VisitPolicy
from visits.selectors.visits import visits_for_user

VISITS = "/api/visits/visits/"
# session, user, memberships; the key: savepoint, claim (no look-up before it); the
# shop with its area; the same client id or an open visit; policy; template; the stop's
# objective; savepoint, INSERT, release; the last-visit row; the key's answer, release
# (the answer is the visit as written, not read again)
CHECK_IN = 16
# session, user, memberships; the key (2); the visit in scope; savepoint, the locked
# visit, UPDATE, release; the answer with its price checks, stock lines and photos;
# the key's answer, release (a list in the form adds two: the old lines go, the new in)
CHECK_OUT = 16
# session, user, memberships; savepoint, the claim that finds the key, release; the
# stored answer
REPLAY = 7


def visited_before(personas, shops):
    """A shop in today's approved plan (with an objective), visited last week, and the
    company's saved policy: what a rep's ordinary check-in finds."""
    today = timezone.localdate()
    plan = make_plan(personas.rep, personas.org.area, today.replace(day=1),
                     stops=[(today, shops.a)])
    plan.stops.update(objective="推新品")
    make_visit(personas.rep, shops.a, today - timedelta(days=7))
    make_template(personas.org.company, personas.admin, business_type="convenience",
                  steps=PHARMACY_STEPS[:1])  # a price step, no required question
    VisitPolicy.objects.create(company=personas.org.company)
    return today


def post(client, path, body, key):
    return client.post(path, body, format="json", HTTP_IDEMPOTENCY_KEY=key,
                       HTTP_X_DEVICE_TIME=timezone.now().isoformat())


def test_a_check_in_takes_a_fixed_number_of_statements_and_answers_its_detail(
        personas, shops, client_for, django_assert_num_queries):
    today = visited_before(personas, shops)
    client = client_for(personas.rep)
    body = {"client_id": str(uuid.uuid4()), "retailer": shops.a.pk,
            "latitude": str(NORTH_250M[0]), "longitude": str(NORTH_250M[1])}
    with django_assert_num_queries(CHECK_IN):
        response = post(client, VISITS, body, "in-1")
    assert response.status_code == 201, response.data
    visit = Visit.objects.get(pk=response.data["id"])
    assert visit.objective == "推新品" and visit.template_version is not None
    assert visit.far_from_store and response.data["flags"]["far_from_store"]
    assert RetailerLastVisit.objects.get(retailer=shops.a).last_on_site_date == today
    detail = client.get(f"{VISITS}{visit.pk}/")
    assert json.loads(response.content) == json.loads(detail.content)
    assert response.data["price_checks"] == response.data["photos"] == []
    with django_assert_num_queries(REPLAY):
        replay = post(client, VISITS, body, "in-1")
    stored = stored_data(IdempotencyRecord.objects.get(user=personas.rep,
                                                       key="in-1").response_body)
    assert replay["Idempotent-Replayed"] == "true" and json.loads(replay.content) == stored
    assert replay.content == response.content  # evidence's datetimes as in the first
    assert stored["id"] == visit.pk and stored["objective"] == "推新品"
    assert Visit.objects.filter(client_id=body["client_id"]).count() == 1


def test_a_check_out_takes_a_fixed_number_of_statements_and_answers_its_detail(
        personas, shops, client_for, django_assert_num_queries):
    visited_before(personas, shops)
    client = client_for(personas.rep)
    checked_in = post(client, VISITS, {
        "client_id": str(uuid.uuid4()), "retailer": shops.a.pk,
        "latitude": str(CORNER[0]), "longitude": str(CORNER[1])}, "in-1").data
    body = {"latitude": str(CORNER[0]), "longitude": str(CORNER[1]),
            "communication_notes": "老板要新品海报",
            "stock_lines": [{"product_name": "红塔山", "on_hand": "12"}]}
    with django_assert_num_queries(CHECK_OUT + 2):
        response = post(client, f"{VISITS}{checked_in['id']}/checkout/", body, "out-1")
    assert response.status_code == 200, response.data
    assert response.data["status"] == "completed"
    assert [line["product_name"] for line in response.data["stock_lines"]] == ["红塔山"]
    detail = client.get(f"{VISITS}{checked_in['id']}/")
    assert json.loads(response.content) == json.loads(detail.content)
    record = IdempotencyRecord.objects.get(user=personas.rep, key="out-1")
    stored = stored_data(record.response_body)
    assert record.response_status == 200 and stored["status"] == "completed"
    assert stored["stock_lines"] == json.loads(response.content)["stock_lines"]
    assert post(client, f"{VISITS}{checked_in['id']}/checkout/", body,
                "out-1").content == response.content


def test_a_second_on_site_check_in_is_refused_until_the_first_is_checked_out(
        personas, shops, client_for):
    visited_before(personas, shops)
    client = client_for(personas.rep)
    first = post(client, VISITS, {"client_id": str(uuid.uuid4()), "retailer": shops.a.pk,
                                  "latitude": str(CORNER[0]),
                                  "longitude": str(CORNER[1])}, "in-1").data
    second = post(client, VISITS, {"client_id": str(uuid.uuid4()), "retailer": shops.b.pk,
                                   "latitude": str(CORNER[0]),
                                   "longitude": str(CORNER[1])}, "in-2")
    assert second.status_code == 400 and "non_field_errors" in second.data
    assert shops.a.name in second.data["non_field_errors"][0]
    # A phone call meanwhile is no on-site visit: allowed.
    call = post(client, VISITS, {"client_id": str(uuid.uuid4()), "retailer": shops.b.pk,
                                 "kind": "phone"}, "in-3")
    assert call.status_code == 201
    post(client, f"{VISITS}{first['id']}/checkout/", {}, "out-1")
    again = post(client, VISITS, {"client_id": str(uuid.uuid4()), "retailer": shops.b.pk,
                                  "latitude": str(CORNER[0]),
                                  "longitude": str(CORNER[1])}, "in-4")
    assert again.status_code == 201


def test_a_check_out_without_lists_takes_the_base_statements(
        personas, shops, client_for, django_assert_num_queries):
    visited_before(personas, shops)
    client = client_for(personas.rep)
    checked_in = post(client, VISITS, {"client_id": str(uuid.uuid4()), "retailer": shops.a.pk,
                                       "kind": "phone"}, "in-1").data
    with django_assert_num_queries(CHECK_OUT):
        response = post(client, f"{VISITS}{checked_in['id']}/checkout/",
                        {"communication_notes": "电话沟通"}, "out-1")
    assert response.status_code == 200 and response.data["duration_s"] is not None


def test_the_written_visits_answer_is_what_the_detail_serializer_gives(personas, shops):
    """`visit_detail` (the answer of check-in, form and check-out) equals
    VisitDetailSerializer field for field, lines, photos and flags included."""
    today = visited_before(personas, shops)
    visit = make_visit(personas.rep, shops.a, today, completed=True, answers={"x": 1},
                       communication_notes="谈了新品", far_from_store=True,
                       checkin_latitude=NORTH_250M[0], checkin_longitude=NORTH_250M[1])
    PriceCheck.objects.create(visit=visit, product_code="P01", product_name="板蓝根",
                              guide_price=Decimal("12.50"), observed_price=Decimal("13"),
                              compliant=False)
    StockLine.objects.create(visit=visit, product_name="红塔山", on_hand=Decimal("4"),
                             suggested_order=Decimal("10"))
    first = make_photo(make_visit(personas.rep, shops.b, today), sha256="ab" * 32)
    make_photo(visit, sha256=first.sha256)
    Photo.objects.filter(visit=visit).update(reused_from=first)
    found = visits_for_user(personas.rep).prefetch_related(
        "price_checks", "stock_lines", "photos").get(pk=visit.pk)
    expected = VisitDetailSerializer(found).data
    assert expected["price_checks"] and expected["stock_lines"] and expected["photos"]
    assert expected["flags"]["photo_reused"] and expected["flags"]["far_from_store"]
    assert visit_detail(found) == expected
    assert json.dumps(visit_detail(found), cls=DjangoJSONEncoder) == json.dumps(
        expected, cls=DjangoJSONEncoder)
