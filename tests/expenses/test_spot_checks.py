"""Spot checks (抽查) after payout: 3 retailers per rep drawn reproducibly, results recorded by
the manager, failures visible to finance, never shown to the rep."""

import json
from datetime import date

import pytest

from accounts.models import AuditEvent
from expenses import services
from expenses.models import SpotCheck, SpotCheckItem
from tests.expenses import factories as f
from tests.factories import make_retailer

ITEMS = "/api/expenses/spot-check-items/"


@pytest.fixture
def retailers(personas):
    return [make_retailer(personas.org.area, personas.rep, code=f"S{n}") for n in range(7)]


@pytest.fixture
def statement(personas, retailers):
    return f.make_approved_statement(personas, payable="700.00",
                                     rows=[(r, "100.00", "100.00") for r in retailers])


def test_the_draw_is_reproducible_from_the_stored_seed(statement, retailers):
    check = services.spot_check_ensure(statement=statement)
    drawn = list(check.items.order_by("id").values_list("retailer_id", flat=True))
    assert len(drawn) == 3 and set(drawn) <= {r.pk for r in retailers}
    assert services.spot_check_pick(check.candidates, check.seed) == drawn
    # the same candidates and seed, in any order, always give the same three
    assert services.spot_check_pick(list(reversed(check.candidates)), check.seed) == drawn
    assert services.spot_check_ensure(statement=statement) == check  # drawn once


def test_the_same_seed_draws_the_same_retailers_and_the_seed_is_audited(statement, retailers):
    check = services.spot_check_ensure(statement=statement, seed=20261019)
    assert services.spot_check_pick([r.pk for r in retailers], 20261019) == list(
        check.items.order_by("id").values_list("retailer_id", flat=True))
    event = AuditEvent.objects.get(action="draw")
    assert event.reason == "seed=20261019"


def test_retailers_without_relationship_expense_are_not_drawn(personas, retailers):
    statement = f.make_approved_statement(personas, rows=[
        (retailers[0], "100.00", "100.00"), (retailers[1], "0.00", "0.00")])
    check = services.spot_check_ensure(statement=statement)
    assert list(check.items.values_list("retailer_id", flat=True)) == [retailers[0].pk]


@pytest.fixture
def check(statement):
    return services.spot_check_ensure(statement=statement, seed=7)


def record(client, item, **data):
    return client.post(f"{ITEMS}{item.pk}/record/", data, format="json")


def test_the_manager_confirms_a_retailer(check, personas, client_for):
    item = check.items.first()
    response = record(client_for(personas.manager), item, result="confirmed")
    assert response.status_code == 200 and response.data["result"] == "confirmed"
    assert response.data["checked_by"] == personas.manager.pk
    twice = record(client_for(personas.manager), item, result="not_confirmed", note="x")
    assert twice.status_code == 400 and "result" in twice.data


def test_a_failed_check_needs_a_note_and_finance_sees_it(check, personas, client_for):
    item = check.items.first()
    manager = client_for(personas.manager)
    no_note = record(manager, item, result="not_confirmed")
    assert no_note.status_code == 400 and "note" in no_note.data
    assert SpotCheckItem.objects.get(pk=item.pk).result == "pending"
    assert record(manager, item, result="not_confirmed",
                  note="店主说没收到中秋礼盒").status_code == 200
    failed = client_for(personas.finance).get(f"{ITEMS}?result=not_confirmed")
    assert [row["id"] for row in failed.data["results"]] == [item.pk]
    assert failed.data["results"][0]["note"] == "店主说没收到中秋礼盒"


def test_bad_results_are_refused(check, personas, client_for):
    response = record(client_for(personas.manager), check.items.first(), result="maybe")
    assert response.status_code == 400 and "result" in response.data


def test_the_rep_never_sees_the_spot_check_and_cannot_record_it(check, personas, client_for):
    rep = client_for(personas.rep)
    assert rep.get(ITEMS).data["results"] == []
    assert rep.get(f"/api/expenses/spot-checks/{check.pk}/").status_code == 404
    assert record(rep, check.items.first(), result="confirmed").status_code == 403
    assert record(client_for(personas.sibling_manager), check.items.first(),
                  result="confirmed").status_code == 404
    assert client_for(personas.finance).get(
        f"/api/expenses/spot-checks/{check.pk}/").data["seed"] == "7"


def test_the_seed_reaches_a_browser_exactly_as_stored(statement, retailers, personas,
                                                       client_for):
    seed = 2**62 - 3  # a JavaScript number would round this one
    check = services.spot_check_ensure(statement=statement, seed=seed)

    body = client_for(personas.finance).get(f"/api/expenses/spot-checks/{check.pk}/").content

    assert f'"seed":"{seed}"'.encode() in body
    assert services.spot_check_pick(check.candidates, int(json.loads(body)["seed"])) == list(
        check.items.order_by("id").values_list("retailer_id", flat=True))


def test_a_manager_does_not_spot_check_his_own_retailers(personas, clock):
    from accounts.models import Membership, Role

    clock(date(2026, 10, 19))
    Membership.objects.create(user=personas.manager, node=personas.org.area, role=Role.REP)
    retailer = make_retailer(personas.org.area, personas.manager)
    own = f.make_statement(personas.manager, personas.org.area, status="approved",
                           clerk=personas.clerk, manager=personas.regional_manager,
                           finance=personas.finance, rows=[(retailer, "1.00", "1.00")])
    item = services.spot_check_ensure(statement=own).items.get()
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.spot_check_record(item=item, actor=personas.manager, result="confirmed")
    assert SpotCheck.objects.count() == 1
