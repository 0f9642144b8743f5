"""Payout as an advance (借支) from the 9th working day, under each rep's cap."""

import threading
import uuid
from datetime import date
from decimal import Decimal as D

import pytest
from django.db import connection

from accounts.models import AuditEvent
from expenses.models import AdvanceAccount, AdvanceEntry, MonthlyStatement, SpotCheck
from tests.expenses import factories as f
from tests.factories import make_retailer

PAYOUT_DAY = date(2026, 10, 19)  # the 9th working day of October 2026


def payout_url(statement):
    return f"/api/expenses/statements/{statement.pk}/payout/"


@pytest.fixture
def approved(personas, shop):
    return f.make_approved_statement(personas, payable="1000.00", rows=[
        (shop.r1, "600.00", "600.00"), (shop.r2, "400.00", "400.00")])


@pytest.fixture
def finance(personas, client_for, clock):
    clock(PAYOUT_DAY)
    return client_for(personas.finance)


def test_finance_pays_an_approved_statement_out_as_an_advance(approved, finance, personas):
    response = finance.post(payout_url(approved), {"amount": "400.00"}, format="json")
    assert response.status_code == 201, response.data
    assert response.data["amount"] == "400.00" and response.data["outstanding_after"] == "400.00"
    assert AdvanceAccount.objects.get(rep=personas.rep).outstanding == D("400.00")
    rest = finance.post(payout_url(approved), {}, format="json")  # the rest by default
    assert rest.data["amount"] == "600.00"
    statement = MonthlyStatement.objects.get()
    assert (statement.status, statement.paid_total) == ("paid", D("1000.00"))
    assert list(AuditEvent.objects.filter(action="payout").values_list("from_state",
                                                                      "to_state")) == [
        ("approved", "paid"), ("approved", "approved")]


def test_no_payout_before_the_9th_working_day(approved, finance, clock):
    clock(date(2026, 10, 16))  # the 8th working day
    response = finance.post(payout_url(approved), {"amount": "100.00"}, format="json")
    assert response.status_code == 400 and "non_field_errors" in response.data
    assert not AdvanceEntry.objects.exists()


def test_a_payout_over_the_cap_is_refused_and_writes_nothing(personas, shop, finance, english):
    english(personas.finance)
    big = f.make_approved_statement(personas, payable="5000.00")
    response = finance.post(payout_url(big), {"amount": "3000.01"}, format="json")
    assert response.status_code == 400
    assert "above the cap of 3000.00 yuan" in response.data["amount"][0]
    assert not AdvanceEntry.objects.exists() and not AuditEvent.objects.exists()
    assert MonthlyStatement.objects.get().paid_total == 0
    assert finance.post(payout_url(big), {"amount": "3000.00"}, format="json").status_code == 201
    assert finance.post(payout_url(big), {"amount": "0.01"}, format="json").status_code == 400


@pytest.mark.parametrize(("amount", "field"), [("-1.00", "amount"), ("0.001", "amount"),
                                               ("1000.01", "amount"), ("abc", "amount")])
def test_bad_payout_amounts_get_field_named_400s(approved, finance, amount, field):
    response = finance.post(payout_url(approved), {"amount": amount}, format="json")
    assert response.status_code == 400 and field in response.data
    assert not AdvanceEntry.objects.exists()


def test_only_a_statement_approved_by_finance_is_paid(personas, finance):
    checked = f.make_statement(personas.rep, personas.org.area, status="manager_approved",
                               clerk=personas.clerk, manager=personas.manager,
                               payable="100.00")
    response = finance.post(payout_url(checked), {"amount": "10.00"}, format="json")
    assert response.status_code == 400 and "status" in response.data


def test_only_finance_pays_out(approved, personas, client_for, clock):
    clock(PAYOUT_DAY)
    for user in (personas.manager, personas.clerk, personas.rep):
        assert client_for(user).post(payout_url(approved), {"amount": "1.00"},
                                     format="json").status_code in (403, 404)
    assert not AdvanceEntry.objects.exists()


def test_a_double_clicked_payout_pays_once(approved, finance):
    key = str(uuid.uuid4())
    first = finance.post(payout_url(approved), {"amount": "100.00"}, format="json",
                         HTTP_IDEMPOTENCY_KEY=key)
    again = finance.post(payout_url(approved), {"amount": "100.00"}, format="json",
                         HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == again.status_code == 201 and first.data["id"] == again.data["id"]
    assert AdvanceEntry.objects.count() == 1
    assert AdvanceAccount.objects.get().outstanding == D("100.00")


def test_settling_reduces_the_outstanding_advance_and_frees_the_cap(personas, finance):
    big = f.make_approved_statement(personas, payable="5000.00")
    finance.post(payout_url(big), {"amount": "3000.00"}, format="json")
    account = AdvanceAccount.objects.get()
    url = f"/api/expenses/advance-accounts/{account.pk}/settle/"
    too_much = finance.post(url, {"amount": "3000.01"}, format="json")
    assert too_much.status_code == 400 and "amount" in too_much.data
    settled = finance.post(url, {"amount": "1200.00", "note": "收回原始票据"}, format="json")
    assert settled.status_code == 201 and settled.data["outstanding_after"] == "1800.00"
    assert finance.post(payout_url(big), {"amount": "1200.00"}, format="json").status_code == 201
    assert AdvanceAccount.objects.get().outstanding == D("3000.00")
    kinds = list(AdvanceEntry.objects.order_by("id").values_list("kind", "amount"))
    assert kinds == [("payout", D("3000.00")), ("settlement", D("1200.00")),
                     ("payout", D("1200.00"))]


def test_the_cap_is_set_per_company_by_finance_or_an_admin(personas, finance, client_for):
    url = "/api/expenses/advance-cap/"
    assert client_for(personas.rep).get(url).data["cap"] == "3000.00"
    assert client_for(personas.manager).put(url, {"cap": "5000.00"},
                                            format="json").status_code == 403
    assert "cap" in finance.put(url, {"cap": "-1.00"}, format="json").data
    assert finance.put(url, {"cap": "5000.00"}, format="json").data["cap"] == "5000.00"
    assert client_for(personas.admin).put(url, {"cap": "4000.00"},
                                          format="json").status_code == 200
    big = f.make_approved_statement(personas, payable="5000.00")
    assert finance.post(payout_url(big), {"amount": "4000.00"}, format="json").status_code == 201
    assert finance.post(payout_url(big), {"amount": "0.01"}, format="json").status_code == 400
    event = AuditEvent.objects.filter(action="set_cap").order_by("id").last()
    assert (event.from_state, event.to_state) == ("5000.00", "4000.00")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real concurrency")
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_payouts_to_one_rep_never_exceed_the_cap(personas, shop, clock):
    from rest_framework.test import APIClient

    clock(PAYOUT_DAY)
    statements = [f.make_approved_statement(personas, month=date(2026, m, 1), payable="2500.00",
                                            rows=[(shop.r1, "2500.00", "2500.00")])
                  for m in (7, 8, 9)]
    results, barrier = [], threading.Barrier(20)

    def pay(index: int):
        client = APIClient()
        client.force_login(personas.finance)
        barrier.wait()
        response = client.post(payout_url(statements[index % 3]), {"amount": "200.00"},
                               format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))
        results.append((response.status_code, dict(response.data)))
        connection.close()

    threads = [threading.Thread(target=pay, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(results) == 20
    codes = sorted(code for code, _ in results)
    assert codes == [201] * 15 + [400] * 5  # 15 × 200.00 = 3000.00, the cap
    assert all("amount" in data for code, data in results if code == 400)
    account = AdvanceAccount.objects.get(rep=personas.rep)
    assert account.outstanding == D("3000.00")
    assert sum(AdvanceEntry.objects.values_list("amount", flat=True)) == D("3000.00")
    assert sum(MonthlyStatement.objects.values_list("paid_total", flat=True)) == D("3000.00")
    assert sorted(AdvanceEntry.objects.values_list("outstanding_after", flat=True)) == [
        D(200 * n) for n in range(1, 16)]
    assert SpotCheck.objects.count() == 3  # one draw per statement, however many payouts


def test_a_payout_draws_the_statements_spot_check_once(approved, finance, personas, shop):
    third = make_retailer(personas.org.area, personas.rep, code="R9")
    f.make_fact(third, date(2026, 9, 1))
    finance.post(payout_url(approved), {"amount": "100.00"}, format="json")
    check = SpotCheck.objects.get()
    assert check.candidates == sorted([shop.r1.pk, shop.r2.pk])  # those who got 客情费
    assert check.items.count() == 2  # fewer than 3 candidates: all of them
    finance.post(payout_url(approved), {"amount": "100.00"}, format="json")
    assert SpotCheck.objects.count() == 1
