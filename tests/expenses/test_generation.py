"""The batch generation of every rep's draft statement: the same numbers as the per-rep rule
the rep is shown (set-based SQL on PostgreSQL, rep by rep elsewhere)."""

import random
from datetime import date
from decimal import Decimal as D

import pytest

from accounts.models import JobRun, Role
from expenses import services
from expenses.generation import statements_generate
from expenses.models import ClaimLine, MonthlyStatement, PreApproval
from expenses.selectors import statement_draft
from tests.expenses import factories as f
from tests.factories import make_person, make_retailer

SEPT = date(2026, 9, 1)


def snapshot_of(statement: MonthlyStatement) -> dict:
    rows = [(r.retailer_id, r.retailer_code, r.purchase_amount, r.purchase_quantity,
             r.collected_amount, r.collection_rate, r.claimed_amount, r.payable_amount,
             r.line_count) for r in statement.rows.order_by("retailer_code", "retailer_id")]
    new = [(r.pre_approval_id, r.status, r.approved_on, r.approved_amount, r.claimed_amount,
            r.payable_amount) for r in statement.new_customer_rows.order_by(
        "retailer_code", "pre_approval_id")]
    totals = {name: getattr(statement, name) for name in (
        "purchase_total", "collected_total", "claimed_total", "payable_total",
        "new_customer_total")}
    return {"rows": rows, "new": new, "totals": totals}


def snapshot_expected(rep, month) -> dict:
    draft = statement_draft(rep, month)
    rows = [(r.retailer_id, r.retailer_code, r.purchase_amount, r.purchase_quantity,
             r.collected_amount, r.collection_rate, r.claimed_amount, r.payable_amount,
             r.line_count) for r in draft.rows]
    new = [(r.pre_approval.pk, r.pre_approval.status,
            r.pre_approval.decided_on if r.pre_approval.status == "approved" else None,
            r.pre_approval.amount, r.claimed_amount, r.payable_amount)
           for r in draft.new_customer_rows]
    return {"rows": rows, "new": new, "totals": draft.totals}


def assert_same_as_the_rule(reps, month=SEPT):
    for rep in reps:
        statement = MonthlyStatement.objects.get(rep=rep, month=month)
        expected = snapshot_expected(rep, month)
        assert snapshot_of(statement) == expected, rep


@pytest.fixture
def busy_month(personas, shop):
    """Two reps; shared allowances, both payable rules, an office standard, a share
    standard, a reassigned retailer, a pre-approval partly used by an earlier statement."""
    company, office = personas.org.company, personas.org.office
    liquor = f.make_product_line(company, "BJ", "白酒")
    f.make_standard(company, liquor, personas.finance, basis="share", rate="1.2500",
                    rule="full_collection")
    f.make_standard(office, shop.line, personas.finance, rate="1.7500",
                    valid_from=date(2026, 9, 1))
    r3 = make_retailer(personas.org.area, personas.rep, code="R3")
    r4 = make_retailer(personas.org.area, personas.rep2, code="R4")
    f.make_fact(shop.r1, SEPT, "10000.00", "50.00", "8000.00")
    f.make_fact(shop.r2, SEPT, "3000.00", "7.00", "1000.00")
    f.make_fact(r3, SEPT, "999.99", "3.00", "999.99")
    f.make_fact(r4, SEPT, "4321.09", "13.00", "4000.00")
    for amount, day, retailer, line in [
            ("60.00", 5, shop.r1, shop.line), ("70.00", 6, shop.r1, shop.line),
            ("33.33", 6, shop.r2, shop.line), ("0.05", 7, shop.r2, shop.line),
            ("20.00", 8, shop.r1, liquor), ("12.50", 9, r3, liquor),
            ("99.99", 10, r4, shop.line)]:
        f.make_line(personas.rep, retailer, amount, date(2026, 9, day), product_line=line)
    f.make_line(personas.rep2, r4, "45.60", date(2026, 9, 3), product_line=shop.line)
    # an earlier statement used 300.00 of a 500.00 pre-approval
    approval = f.make_pre_approval(personas.rep, shop.r2, amount="500.00",
                                   status=PreApproval.Status.APPROVED,
                                   decided_by=personas.manager, decided_on=date(2026, 7, 20))
    august = f.make_approved_statement(personas, month=date(2026, 8, 1))
    f.make_line(personas.rep, shop.r2, "300.00", date(2026, 8, 3), category="new_customer",
                pre_approval=approval, statement=august, payable_amount=D("300.00"))
    f.make_line(personas.rep, shop.r2, "150.00", date(2026, 9, 12), category="new_customer",
                pre_approval=approval)
    f.make_line(personas.rep, shop.r2, "150.00", date(2026, 9, 13), category="new_customer",
                pre_approval=approval)
    f.make_pre_approval(personas.rep, r3, applied_on=date(2026, 9, 20))  # applied this month
    return personas


def test_generated_drafts_match_the_rule_the_rep_is_shown(busy_month, shop):
    personas = busy_month
    counts = statements_generate(company=personas.org.company, month=SEPT)
    reps = [personas.rep, personas.rep2, personas.sibling_rep]
    assert counts["drafts_created"] == len(reps) and counts["drafts"] == len(reps)
    assert_same_as_the_rule(reps)
    mine = MonthlyStatement.objects.get(rep=personas.rep, month=SEPT)
    assert mine.status == "draft" and mine.submitted_at is None
    # the second 150.00 new-customer line only gets the 50.00 left of the approval
    assert mine.new_customer_total == D("300.00")
    assert snapshot_of(mine)["new"][0][-1] == D("200.00")
    assert JobRun.objects.get(name="expenses.generate_statements").counts == counts


def test_random_months_match_the_rule_to_the_fen(personas, shop):
    rng = random.Random(20261001)
    lines = [shop.line, f.make_product_line(personas.org.company, "BJ", "白酒")]
    f.make_standard(personas.org.company, lines[1], personas.finance, basis="share",
                    rate="0.3333")
    f.make_standard(personas.org.area, lines[0], personas.finance, rate="0.0700",
                    rule="full_collection")
    reps = [personas.rep, personas.rep2,
            make_person(personas.org.area2, Role.REP, "rep_c")]
    area_of = {personas.rep: personas.org.area, personas.rep2: personas.org.area,
               reps[2]: personas.org.area2}
    for rep in reps:
        for _ in range(6):
            retailer = make_retailer(area_of[rep], rep)
            purchase = D(rng.randint(0, 900000)) / 100
            f.make_fact(retailer, SEPT, purchase, D(rng.randint(0, 5000)) / 100,
                        min(purchase, D(rng.randint(0, 900000)) / 100) if rng.random() < .8
                        else purchase)
            for _ in range(rng.randint(0, 4)):
                f.make_line(rep, retailer, D(rng.randint(1, 30000)) / 100,
                            date(2026, 9, rng.randint(1, 30)),
                            product_line=rng.choice(lines))
    statements_generate(company=personas.org.company, month=SEPT)
    assert_same_as_the_rule(reps)


def test_rerunning_refreshes_drafts_and_leaves_submitted_statements_alone(busy_month, shop,
                                                                          clock):
    personas = busy_month
    clock(date(2026, 10, 9))
    submitted = services.statement_submit(rep=personas.rep2, month=SEPT)
    before = snapshot_of(submitted)
    statements_generate(company=personas.org.company, month=SEPT)
    f.make_line(personas.rep, shop.r1, "5.00", date(2026, 9, 20), product_line=shop.line)
    f.make_line(personas.rep2, shop.r1, "5.00", date(2026, 9, 20), product_line=shop.line)
    statements_generate(company=personas.org.company, month=SEPT)
    assert MonthlyStatement.objects.filter(month=SEPT).count() == 3
    assert_same_as_the_rule([personas.rep])
    assert snapshot_of(MonthlyStatement.objects.get(pk=submitted.pk)) == before
    assert not ClaimLine.objects.filter(month=SEPT, rep=personas.rep,
                                        statement__isnull=False).exists()  # not frozen


def test_a_rep_submits_the_generated_draft_once(busy_month, clock, client_for):
    personas = busy_month
    statements_generate(company=personas.org.company, month=SEPT)
    draft = MonthlyStatement.objects.get(rep=personas.rep, month=SEPT)
    clock(date(2026, 10, 9))
    client = client_for(personas.rep)
    submitted = client.post("/api/expenses/statements/", {"month": "2026-09"}, format="json")
    assert submitted.status_code == 201 and submitted.data["id"] == draft.pk
    assert submitted.data["status"] == "submitted" and submitted.data["late"] is False
    assert ClaimLine.objects.filter(month=SEPT, rep=personas.rep,
                                    statement=draft).count() == 9
    again = client.post("/api/expenses/statements/", {"month": "2026-09"}, format="json")
    assert again.status_code == 400 and "month" in again.data


def test_a_draft_never_submitted_is_void_after_the_review_deadline(busy_month):
    statements_generate(company=busy_month.org.company, month=SEPT)
    assert services.statements_void_overdue(today=date(2026, 10, 17)) == 3
    assert set(MonthlyStatement.objects.filter(month=SEPT).values_list("status", flat=True)) \
        == {"void"}


def test_only_finance_or_an_admin_generates(busy_month, client_for):
    personas = busy_month
    url = "/api/expenses/statements/generate/"
    assert client_for(personas.manager).post(url, {"month": "2026-09"},
                                             format="json").status_code == 403
    response = client_for(personas.finance).post(url, {"month": "2026-09"}, format="json")
    assert response.status_code == 200 and response.data["drafts"] == 3
    uncovered = client_for(personas.finance).post(url, {"month": "2026-12"}, format="json")
    assert uncovered.status_code == 400 and "month" in uncovered.data


def test_the_monthly_task_generates_last_months_drafts_per_company(busy_month, clock,
                                                                  monkeypatch):
    from expenses import tasks

    sent = []
    monkeypatch.setattr(tasks.generate_statements, "delay",
                        lambda *args: sent.append(args) or tasks.generate_statements(*args))
    clock(date(2026, 10, 1))
    assert tasks.generate_last_month_statements() == 1
    assert sent == [(busy_month.org.company.pk, "2026-09-01")]  # plain JSON arguments
    assert MonthlyStatement.objects.filter(month=SEPT, status="draft").count() == 3
