"""The order-system feed: a token bound to a node pushes monthly facts as JSON; a batch
is written whole or refused whole with every bad row named; sending it again changes
nothing."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import translation
from django.utils.translation import gettext
from rest_framework.test import APIClient

from accounts.models import User
from kehu.imports import services as imports
from kehu.models import MonthlyFact
from reports import feed
from reports.models import FeedBatch, FeedToken
from tests.factories import make_retailer
from tests.kehu.xlsx_files import fact_row, facts_file, media_root  # noqa: F401

OCT, NOV = date(2026, 10, 1), date(2026, 11, 1)
FACT_VALUES = ["retailer__code", "month", "purchase_amount", "purchase_quantity",
               "collected_amount", "order_success_rate", "e_settlement_rate"]


@pytest.fixture
def shops(personas):
    make_retailer(personas.org.sibling_area, personas.sibling_rep, code="S1")
    make_retailer(personas.org.area2, personas.rep2, code="A2")
    return [make_retailer(personas.org.area, personas.rep, code=f"R{n}") for n in (1, 2, 3)]


def issue(node, name="order system") -> tuple[FeedToken, str]:
    return feed.feed_token_issue(name=name, node=node)


def bearer(secret: str, language: str = "en") -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ACCEPT_LANGUAGE=language)
    return client


@pytest.fixture
def token(personas):
    return issue(personas.org.office)


@pytest.fixture
def client(token):
    return bearer(token[1])


def fact(code, month="2026-10", **changes) -> dict:
    row = {"code": code, "month": month, "purchase_amount": 1000, "purchase_quantity": 10,
           "collected_amount": 900, "order_success_rate": 95.5, "e_settlement_rate": 80}
    row.update(changes)
    return {key: value for key, value in row.items() if value is not ...}


def push(client, node, facts, **headers):
    code = node if isinstance(node, str) else node.code
    return client.post(f"/api/reports/feed/nodes/{code}/facts/", {"facts": facts},
                       format="json", **headers)


def facts_now() -> list[tuple]:
    return list(MonthlyFact.objects.order_by("retailer__code", "month")
                .values_list(*FACT_VALUES))


def test_a_clean_batch_is_written_whole(personas, shops, client):
    response = push(client, personas.org.office,
                    [fact("R1", purchase_amount=12800.5), fact("R2", month="2026-11")])

    assert response.status_code == 201, response.data
    assert response.data["status"] == "accepted"
    assert (response.data["rows"], response.data["accepted"], response.data["rejected"]) == \
        (2, 2, 0)
    assert response.data["counts"] == {"facts": 2, "added": 2, "replaced": 0, "unchanged": 0}
    assert response.data["errors"] == []
    assert facts_now() == [
        ("R1", OCT, Decimal("12800.50"), Decimal("10.00"), Decimal("900.00"), Decimal("95.50"),
         Decimal("80.00")),
        ("R2", NOV, Decimal("1000.00"), Decimal("10.00"), Decimal("900.00"), Decimal("95.50"),
         Decimal("80.00")),
    ]


def test_facts_pushed_equal_what_the_excel_import_writes_from_the_same_figures(
        personas, shops, client):
    figures = [["R1", "2026-10", 12800.5, 64, 12000, 95.5, 80],
               ["R2", "2026/11", "1,234.56", "3", 0, "99.9%", 0.5],
               [" R3 ", 202612, 0.1, 0, 0.3, 100, 0]]
    batch = imports.import_batch_submit(actor=personas.clerk, kind="facts",
                                        upload=facts_file(figures))
    assert batch.status == "succeeded", batch.errors
    imported = facts_now()
    MonthlyFact.objects.all().delete()

    response = push(client, personas.org.office, [dict(zip(feed.FIELDS, row, strict=True))
                                                   for row in figures])

    assert response.status_code == 201, response.data
    assert facts_now() == imported
    assert len(imported) == 3


def test_sending_a_batch_again_changes_nothing(personas, shops, client):
    batch = [fact("R1"), fact("R2"), fact("R2", month="2026-11")]
    push(client, personas.org.office, batch)
    first = facts_now()

    response = push(client, personas.org.office, batch)

    assert response.status_code == 201
    assert response.data["counts"] == {"facts": 3, "added": 0, "replaced": 3, "unchanged": 3}
    assert facts_now() == first
    assert FeedBatch.objects.filter(status="accepted").count() == 2


def test_a_newer_value_for_a_month_replaces_the_older_one(personas, shops, client):
    push(client, personas.org.office, [fact("R1", purchase_amount=100), fact("R2")])

    response = push(client, personas.org.office, [fact("R1", purchase_amount=150.25)])

    assert response.data["counts"] == {"facts": 1, "added": 0, "replaced": 1, "unchanged": 0}
    assert MonthlyFact.objects.count() == 2
    assert MonthlyFact.objects.get(retailer__code="R1").purchase_amount == Decimal("150.25")


def test_an_idempotency_key_replays_the_first_answer(personas, shops, client):
    batch = [fact("R1"), fact("R2")]
    first = push(client, personas.org.office, batch, HTTP_IDEMPOTENCY_KEY="run-2026-10")
    MonthlyFact.objects.filter(retailer__code="R1").update(purchase_amount=1)

    again = push(client, personas.org.office, batch, HTTP_IDEMPOTENCY_KEY="run-2026-10")

    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.data == first.data
    assert FeedBatch.objects.count() == 1
    # Replayed, not run again: the fact changed since is left as it is.
    assert MonthlyFact.objects.get(retailer__code="R1").purchase_amount == 1


def test_the_same_idempotency_key_with_another_batch_is_refused(personas, shops, client):
    push(client, personas.org.office, [fact("R1")], HTTP_IDEMPOTENCY_KEY="k1")

    response = push(client, personas.org.office, [fact("R1", purchase_amount=5)],
                    HTTP_IDEMPOTENCY_KEY="k1")

    assert response.status_code == 422
    assert response.data == {"non_field_errors": [
        "This Idempotency-Key was already used for another request."]}
    assert MonthlyFact.objects.get().purchase_amount == 1000


def test_a_refused_batch_leaves_its_idempotency_key_free_for_the_fixed_batch(
        personas, shops, client):
    refused = push(client, personas.org.office, [fact("R1", month="2026-13")],
                   HTTP_IDEMPOTENCY_KEY="k2")
    fixed = push(client, personas.org.office, [fact("R1")], HTTP_IDEMPOTENCY_KEY="k2")

    assert (refused.status_code, fixed.status_code) == (422, 201)
    assert "Idempotent-Replayed" not in fixed
    assert MonthlyFact.objects.count() == 1


def test_an_idempotency_key_over_100_characters_is_refused(personas, shops, client):
    response = push(client, personas.org.office, [fact("R1")], HTTP_IDEMPOTENCY_KEY="k" * 101)

    assert response.status_code == 400
    assert not MonthlyFact.objects.exists()


def test_one_bad_row_refuses_the_whole_batch_and_it_is_logged(personas, shops, client, token):
    response = push(client, personas.org.office,
                    [fact("R1"), fact("R2", purchase_amount="abc"), fact("R3")])

    assert response.status_code == 422
    assert response.data["status"] == "refused"
    assert response.data["errors"] == [
        {"index": 1, "field": "purchase_amount", "message": "“abc” is not a number."}]
    assert not MonthlyFact.objects.exists()
    batch = FeedBatch.objects.get()
    assert (batch.token, batch.node, batch.status, batch.rows, batch.accepted, batch.rejected,
            batch.error_count) == (token[0], personas.org.office, "refused", 3, 0, 1, 1)
    assert batch.errors == response.data["errors"]


@pytest.mark.parametrize(("row", "field", "message"), [
    pytest.param(fact("R9"), "code", "Unknown retailer code “R9”.", id="unknown code"),
    pytest.param(fact("S1"), "code", "Unknown retailer code “S1”.",
                 id="code of a retailer outside the token's node"),
    pytest.param(fact("R1", month="2026-13"), "month",
                 "“2026-13” is not a month: write it as YYYY-MM, e.g. 2026-10.", id="bad month"),
    pytest.param(fact("R1", purchase_quantity="十"), "purchase_quantity",
                 "“十” is not a number.", id="text in a number field"),
    pytest.param(fact("R1", purchase_amount=-5), "purchase_amount",
                 "Must not be negative (this is -5).", id="negative amount"),
    pytest.param(fact("R1", collected_amount="-0.01"), "collected_amount",
                 "Must not be negative (this is -0.01).", id="negative collected amount"),
    pytest.param(fact("R1", collected_amount=1.005), "collected_amount",
                 "At most 2 decimal places (this is 1.005).", id="three decimals"),
    pytest.param(fact("R1", order_success_rate=120), "order_success_rate",
                 "Must be at most 100 (this is 120).", id="rate over 100"),
    pytest.param(fact("R1", e_settlement_rate=-1), "e_settlement_rate",
                 "Must not be negative (this is -1).", id="rate under 0"),
    pytest.param(fact("R1", collected_amount=...), "collected_amount",
                 "This field is required.", id="missing field"),
    pytest.param(fact("R1", month=None), "month", "This field is required.", id="null field"),
    pytest.param(fact("  "), "code", "This field is required.", id="blank code"),
    pytest.param(fact("R1", purchase_amount=True), "purchase_amount",
                 "“true” is neither a number nor a text.", id="boolean"),
    pytest.param(fact(["R1"]), "code", "“[\"R1\"]” is neither a number nor a text.",
                 id="list"),
    pytest.param("R1", "", "Each row must be an object with the fields code, month, "
                 "purchase_amount, purchase_quantity, collected_amount, order_success_rate, "
                 "e_settlement_rate.", id="row not an object"),
])
def test_each_bad_row_is_answered_with_its_index_field_and_reason(
        personas, shops, client, row, field, message):
    response = push(client, personas.org.office, [fact("R2"), row])

    assert response.status_code == 422
    assert response.data["errors"] == [{"index": 1, "field": field, "message": message}]
    assert not MonthlyFact.objects.exists()


def test_the_same_retailer_and_month_twice_in_a_batch_is_an_error(personas, shops, client):
    response = push(client, personas.org.office,
                    [fact("R1"), fact("R2"), fact("R1", month="2026/10")])

    assert response.data["errors"] == [
        {"index": 2, "field": "month", "message": "Retailer R1 has 2026-10 on row 0 already."}]


def test_every_bad_row_is_listed_not_just_the_first(personas, shops, client):
    response = push(client, personas.org.office, [
        fact("R1", purchase_amount=-5, order_success_rate=101),
        fact("R2"),
        fact("R9", month="sometime"),
    ])

    assert [(e["index"], e["field"]) for e in response.data["errors"]] == [
        (0, "purchase_amount"), (0, "order_success_rate"), (2, "month"), (2, "code")]
    assert (response.data["rejected"], response.data["error_count"]) == (2, 4)


def test_reasons_are_in_the_language_the_sender_asks_for(personas, shops, token):
    response = push(bearer(token[1], "zh-hans"), personas.org.office,
                    [fact("R1", month=...)])

    with translation.override("zh-hans"):
        expected = gettext("This field is required.")
    assert expected != "This field is required."
    assert response.data["errors"][0]["message"] == expected


def test_extra_fields_on_a_row_are_ignored(personas, shops, client):
    response = push(client, personas.org.office, [fact("R1", name="华联超市")])

    assert response.status_code == 201, response.data


def test_the_envelope_takes_facts_only(personas, shops, client):
    response = client.post(f"/api/reports/feed/nodes/{personas.org.office.code}/facts/",
                           {"facts": [fact("R1")], "orders": [{"code": "R1"}]}, format="json")

    assert response.status_code == 400
    assert response.data == {"orders": [
        "Unknown field. This feed takes monthly facts only: send {\"facts\": [...]}."]}
    assert not MonthlyFact.objects.exists()
    assert not FeedBatch.objects.exists()


@pytest.mark.parametrize("body", [{"facts": []}, {}, [fact("R1")], {"facts": {"code": "R1"}}])
def test_a_body_without_a_list_of_facts_is_a_bad_request(personas, shops, client, body):
    response = client.post(f"/api/reports/feed/nodes/{personas.org.office.code}/facts/",
                           body, format="json")

    assert response.status_code == 400


@override_settings(REPORTS_FEED_MAX_ROWS=3)
def test_a_batch_over_the_row_limit_is_refused_with_the_limit(personas, shops, client):
    response = push(client, personas.org.office, [fact("R1", month=f"2026-{m}")
                                                  for m in (1, 2, 3, 4)])

    assert response.status_code == 413
    assert response.data["errors"] == [{"index": None, "field": "facts", "message":
                                        "At most 3 rows per batch (this one has 4). Send them "
                                        "in several batches."}]
    assert not MonthlyFact.objects.exists()
    assert FeedBatch.objects.get().status == "refused"


def test_the_default_row_limit_is_ten_thousand(personas, shops, client):
    response = push(client, personas.org.office, [fact("R1")] * 10_001)

    assert response.status_code == 413
    assert "At most 10,000 rows per batch (this one has 10,001)" in \
        response.data["errors"][0]["message"]


@override_settings(REPORTS_FEED_MAX_BYTES=1000)
def test_a_request_over_the_byte_limit_is_refused_before_it_is_read(personas, shops, client):
    response = push(client, personas.org.office, [fact("R1", month=f"2026-{m}")
                                                  for m in range(1, 13)])

    assert response.status_code == 413
    assert not FeedBatch.objects.exists()


def test_a_token_pushes_for_a_node_under_its_own_and_only_its_retailers(
        personas, shops, client):
    response = push(client, personas.org.area, [fact("R1"), fact("A2")])

    assert response.data["errors"] == [
        {"index": 1, "field": "code", "message": "Unknown retailer code “A2”."}]
    assert push(client, personas.org.area, [fact("R1")]).status_code == 201


@pytest.mark.parametrize("node", ["sibling_office", "region", "company", "NOPE"])
def test_a_token_used_for_a_node_outside_its_own_is_not_found(personas, shops, client, node):
    target = getattr(personas.org, node, node)

    response = push(client, target, [fact("R1")])

    assert response.status_code == 404
    assert not MonthlyFact.objects.exists()
    assert not FeedBatch.objects.exists()


def test_a_revoked_token_is_refused(personas, shops, client, token):
    feed.feed_token_revoke(token=token[0])

    response = push(client, personas.org.office, [fact("R1")])

    assert response.status_code == 401
    assert response.data == {"detail": "This token was revoked."}
    assert not MonthlyFact.objects.exists()


@pytest.mark.parametrize("header", ["Bearer kqf_not-a-token", "Bearer", "Bearer a b", None])
def test_a_request_without_a_valid_token_is_unauthorised(personas, shops, header):
    client = APIClient()
    if header:
        client.credentials(HTTP_AUTHORIZATION=header)

    response = push(client, personas.org.office, [fact("R1")])

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert not MonthlyFact.objects.exists()


@pytest.mark.parametrize("who", ["manager", "clerk", "admin", "superuser"])
def test_a_logged_in_person_cannot_use_the_feed(personas, shops, client_for, who):
    user = User.objects.create_superuser("root", password="pass-word-123") \
        if who == "superuser" else getattr(personas, who)
    session = client_for(user)

    pushed = push(session, personas.org.office, [fact("R1")])
    listed = session.get("/api/reports/feed/batches/")

    assert (pushed.status_code, listed.status_code) == (401, 401)
    assert not MonthlyFact.objects.exists()


@pytest.mark.parametrize("url", ["/api/kehu/retailers/", "/api/kehu/facts/",
                                 "/api/accounts/nodes/"])
def test_a_feed_token_opens_no_other_endpoint(personas, shops, client, url):
    assert client.get(url).status_code in (401, 403)


def test_a_token_reads_its_own_batches_only(personas, shops, client):
    push(client, personas.org.office, [fact("R1")])
    other_token, other_secret = issue(personas.org.sibling_office, name="other")
    other = bearer(other_secret)
    push(other, personas.org.sibling_office, [fact("S1")])
    mine = FeedBatch.objects.get(node=personas.org.office)

    listed = client.get("/api/reports/feed/batches/")

    assert [row["id"] for row in listed.data["results"]] == [mine.pk]
    assert client.get(f"/api/reports/feed/batches/{mine.pk}/").data["node"] == \
        personas.org.office.code
    assert other.get(f"/api/reports/feed/batches/{mine.pk}/").status_code == 404


def test_using_a_token_records_when(personas, shops, client, token):
    assert token[0].last_used_at is None

    push(client, personas.org.office, [fact("R1")])

    token[0].refresh_from_db()
    assert token[0].last_used_at is not None


def test_only_the_secrets_digest_is_stored(personas):
    token, secret = issue(personas.org.office)

    assert secret.startswith("kqf_") and len(secret) > 40
    assert token.digest == feed.token_digest(secret) != secret
    assert token.prefix == secret[:12]
    assert secret not in str(FeedToken.objects.filter(pk=token.pk).values().get())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real concurrency")
@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_with_one_idempotency_key_write_one_batch(personas, shops, token):
    batch, results, barrier = [fact("R1"), fact("R2")], [], threading.Barrier(8)

    def send():
        barrier.wait()
        response = push(bearer(token[1]), personas.org.office, batch,
                        HTTP_IDEMPOTENCY_KEY="nightly-2026-10")
        results.append((response.status_code, response.data.get("id")))
        connection.close()

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(results) == 8
    assert {status for status, _ in results} == {201}
    assert len({pk for _, pk in results}) == 1
    assert FeedBatch.objects.count() == 1
    assert MonthlyFact.objects.count() == 2


@override_settings(REPORTS_FEED_RATE="2/min")
def test_a_token_sending_too_often_is_throttled(personas, shops, client):
    statuses = [push(client, personas.org.office, [fact("R1")]).status_code for _ in range(3)]

    assert statuses == [201, 201, 429]


def test_the_batch_list_takes_the_same_queries_however_many_batches(
        personas, shops, client, django_assert_max_num_queries):
    for month in range(1, 8):
        push(client, personas.org.office, [fact("R1", month=f"2026-{month:02d}")])

    # token, last use, count, page (with the node joined)
    with django_assert_max_num_queries(4):
        response = client.get("/api/reports/feed/batches/")

    assert len(response.data["results"]) == 7
