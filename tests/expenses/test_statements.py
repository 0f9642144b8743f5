"""The monthly statement: generation, submission by the 3rd working day, the review chain by
the 8th, returns, voiding, and its audit trail."""

import uuid
from datetime import date
from decimal import Decimal as D

import pytest
from django.db import IntegrityError, transaction

from accounts.models import AuditEvent, Membership, Role
from expenses import services
from expenses.models import ClaimLine, MonthlyStatement, PreApproval
from tests.expenses import factories as f
from tests.factories import make_person, make_retailer

URL = "/api/expenses/statements/"
SEPT = date(2026, 9, 1)
# September 2026's statement: due Sat 10 Oct (a make-up working day), reviews by Fri 16 Oct,
# payout from Mon 19 Oct (see test_workdays for the count).


@pytest.fixture
def month(personas, shop):
    """September of the rep: two retailers with facts and lines, one without lines, one
    new-customer special expense."""
    f.make_fact(shop.r1, SEPT, "10000.00", "50.00", "8000.00")
    f.make_fact(shop.r2, SEPT, "5000.00", "20.00", "5000.00")
    r3 = make_retailer(personas.org.area, personas.rep, code="R3", name="鼓楼小超市")
    f.make_fact(r3, SEPT, "300.00", "2.00", "0.00")
    approval = f.make_pre_approval(personas.rep, shop.r2, amount="500.00",
                                   status=PreApproval.Status.APPROVED,
                                   decided_by=personas.manager, decided_on=date(2026, 8, 25))
    f.make_line(personas.rep, shop.r1, "150.00", date(2026, 9, 10), product_line=shop.line)
    f.make_line(personas.rep, shop.r2, "30.00", date(2026, 9, 12), product_line=shop.line,
                category="meal")
    f.make_line(personas.rep, shop.r2, "200.00", date(2026, 9, 15), category="new_customer",
                pre_approval=approval)
    return r3


def submit(client, key=None, month="2026-09"):
    extra = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(URL, {"month": month}, format="json", **extra)


def test_the_preview_generates_the_month_from_lines_and_facts_without_saving(
        personas, shop, month, clock, client_for):
    clock(date(2026, 10, 8))
    response = client_for(personas.rep).get(f"{URL}preview/?month=2026-09")
    assert response.status_code == 200
    assert response.data["deadlines"]["submit_due"] == date(2026, 10, 10)
    rows = {row["retailer_code"]: row for row in response.data["rows"]}
    # R1: allowance 50 × 2.00 = 100.00 of the 150.00 line, × 80 % collected = 80.00
    # R2: allowance 20 × 2.00 = 40.00 ≥ the 30.00 meal, × 100 % = 30.00; plus 200.00
    #     new-customer expense within its 500.00 approval
    assert (rows["R1"]["claimed_amount"], rows["R1"]["payable_amount"]) == ("150.00", "80.00")
    assert (rows["R2"]["claimed_amount"], rows["R2"]["payable_amount"]) == ("230.00", "230.00")
    assert (rows["R3"]["claimed_amount"], rows["R3"]["line_count"]) == ("0.00", 0)
    assert response.data["totals"] == {
        "purchase_total": "15300.00", "collected_total": "13000.00",
        "claimed_total": "380.00", "payable_total": "310.00", "new_customer_total": "200.00"}
    assert not MonthlyStatement.objects.exists()


def test_a_rep_submits_the_month_by_the_3rd_working_day(personas, shop, month, clock,
                                                         client_for):
    clock(date(2026, 10, 10))  # the make-up Saturday is the 3rd working day: on time
    response = submit(client_for(personas.rep))
    assert response.status_code == 201, response.data
    assert response.data["status"] == "submitted" and response.data["late"] is False
    assert response.data["payable_total"] == "310.00"
    assert len(response.data["rows"]) == 3 and len(response.data["new_customer_rows"]) == 1
    statement = MonthlyStatement.objects.get()
    assert (statement.submit_due, statement.review_due, statement.payout_from) == (
        date(2026, 10, 10), date(2026, 10, 16), date(2026, 10, 19))
    lines = ClaimLine.objects.order_by("spent_on")
    assert [line.payable_amount for line in lines] == [D("80.00"), D("30.00"), D("200.00")]
    assert {line.statement_id for line in lines} == {statement.pk}
    event = AuditEvent.objects.get(object_id=str(statement.pk))
    assert (event.action, event.actor, event.to_state) == ("submit", personas.rep, "submitted")


def test_a_statement_after_the_3rd_working_day_is_flagged_late(personas, shop, month, clock,
                                                               client_for):
    clock(date(2026, 10, 12))  # Monday, the 4th working day
    response = submit(client_for(personas.rep))
    assert response.status_code == 201 and response.data["late"] is True


@pytest.mark.parametrize(("today", "month_text"), [
    (date(2026, 9, 30), "2026-09"),  # the month is not over
    (date(2026, 10, 17), "2026-09"),  # the review deadline (16 Oct) has passed
    (date(2026, 10, 9), "2026-9"),  # not a month
])
def test_a_statement_that_cannot_be_filed_gets_a_month_error(personas, shop, month, clock,
                                                             client_for, today, month_text):
    clock(today)
    response = submit(client_for(personas.rep), month=month_text)
    assert response.status_code == 400 and "month" in response.data
    assert not MonthlyStatement.objects.exists()


def test_a_second_statement_for_the_same_month_is_refused(personas, shop, month, clock,
                                                          client_for, english):
    english(personas.rep)
    clock(date(2026, 10, 9))
    client = client_for(personas.rep)
    assert submit(client).status_code == 201
    again = submit(client)
    assert again.status_code == 400
    assert again.data["month"] == ["Your statement for 2026-09 is already submitted."]
    assert MonthlyStatement.objects.count() == 1 and AuditEvent.objects.count() == 1


def test_a_double_clicked_submit_files_once(personas, shop, month, clock, client_for):
    clock(date(2026, 10, 9))
    client, key = client_for(personas.rep), str(uuid.uuid4())
    first, again = submit(client, key), submit(client, key)
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true" and MonthlyStatement.objects.count() == 1


def test_a_statement_due_in_an_uncovered_year_is_an_explicit_error(personas, shop, clock,
                                                                   client_for, english):
    english(personas.rep)
    clock(date(2027, 1, 5))
    response = submit(client_for(personas.rep), month="2026-12")
    assert response.status_code == 400
    assert "working-day calendar for 2027 has not been entered" in response.data["month"][0]
    assert not MonthlyStatement.objects.exists()


# The review chain -------------------------------------------------------------------------

@pytest.fixture
def submitted(personas, shop, month, clock):
    clock(date(2026, 10, 9))
    statement = services.statement_submit(rep=personas.rep, month=SEPT)
    clock(date(2026, 10, 13))
    return statement


def step(client, statement, name):
    return client.post(f"{URL}{statement.pk}/{name}/", format="json")


def test_clerk_then_manager_then_finance_approve_each_audited(submitted, personas,
                                                              client_for):
    for user, name, status in [(personas.clerk, "clerk-check", "clerk_checked"),
                               (personas.manager, "manager-approve", "manager_approved"),
                               (personas.finance, "finance-approve", "approved")]:
        response = step(client_for(user), submitted, name)
        assert response.status_code == 200 and response.data["status"] == status
    statement = MonthlyStatement.objects.get()
    assert (statement.clerk_checked_by, statement.manager_approved_by,
            statement.finance_approved_by) == (personas.clerk, personas.manager,
                                               personas.finance)
    trail = list(AuditEvent.objects.filter(object_id=str(statement.pk)).order_by("id")
                 .values_list("action", "actor__username", "from_state", "to_state"))
    assert trail == [
        ("submit", "rep_a", "", "submitted"),
        ("clerk_check", "clerk", "submitted", "clerk_checked"),
        ("manager_approve", "manager", "clerk_checked", "manager_approved"),
        ("finance_approve", "finance", "manager_approved", "approved"),
    ]
    history = client_for(personas.rep).get(f"{URL}{statement.pk}/history/")
    assert [event["action"] for event in history.data] == [t[0] for t in trail]


def test_approving_out_of_order_is_refused(submitted, personas, client_for, english):
    english(personas.finance)
    early = step(client_for(personas.finance), submitted, "finance-approve")
    assert early.status_code == 400
    assert early.data["status"] == ["Out of order: this statement is waiting for the clerk's "
                                    "check, not for finance's approval."]
    assert step(client_for(personas.manager), submitted, "manager-approve").status_code == 400
    assert MonthlyStatement.objects.get().status == "submitted"


def test_approving_twice_is_refused(submitted, personas, client_for):
    clerk = client_for(personas.clerk)
    assert step(clerk, submitted, "clerk-check").status_code == 200
    twice = step(clerk, submitted, "clerk-check")
    assert twice.status_code == 400 and "status" in twice.data
    assert AuditEvent.objects.filter(action="clerk_check").count() == 1


def test_one_person_cannot_sign_two_steps(submitted, personas, client_for):
    Membership.objects.create(user=personas.clerk, node=personas.org.office,
                              role=Role.OFFICE_MANAGER)
    clerk = client_for(personas.clerk)
    assert step(clerk, submitted, "clerk-check").status_code == 200
    second = step(clerk, submitted, "manager-approve")
    assert second.status_code == 400 and "non_field_errors" in second.data
    assert MonthlyStatement.objects.get().status == "clerk_checked"


def test_nobody_approves_their_own_statement(personas, shop, clock, client_for):
    # A clerk of the office who also serves retailers as a rep in its area.
    Membership.objects.create(user=personas.clerk, node=personas.org.area, role=Role.REP)
    clock(date(2026, 10, 9))
    own = services.statement_submit(rep=personas.clerk, month=SEPT)
    response = step(client_for(personas.clerk), own, "clerk-check")
    assert response.status_code == 400 and "non_field_errors" in response.data
    assert MonthlyStatement.objects.get(pk=own.pk).status == "submitted"


def test_each_step_needs_its_role_at_a_node_above_the_rep(submitted, personas, client_for):
    assert step(client_for(personas.rep), submitted, "clerk-check").status_code == 403
    assert step(client_for(personas.manager), submitted, "clerk-check").status_code == 403
    sibling_clerk = make_person(personas.org.sibling_office, Role.CLERK, "clerk_sibling")
    assert step(client_for(sibling_clerk), submitted, "clerk-check").status_code == 404
    regional_clerk = make_person(personas.org.region, Role.CLERK, "clerk_region")
    assert step(client_for(regional_clerk), submitted, "clerk-check").status_code == 200


def test_a_step_returns_the_statement_with_a_reason_and_the_rep_resubmits(
        submitted, personas, shop, client_for):
    clerk, rep = client_for(personas.clerk), client_for(personas.rep)
    step(clerk, submitted, "clerk-check")
    manager = client_for(personas.manager)
    no_reason = manager.post(f"{URL}{submitted.pk}/return/", {}, format="json")
    assert no_reason.status_code == 400 and "reason" in no_reason.data
    returned = manager.post(f"{URL}{submitted.pk}/return/", {"reason": "R1 的发票不清楚"},
                            format="json")
    assert returned.data["status"] == "returned"
    assert returned.data["return_reason"] == "R1 的发票不清楚"
    line = ClaimLine.objects.get(amount=D("150.00"))
    assert rep.patch(f"/api/expenses/claim-lines/{line.pk}/", {"amount": "90.00"},
                     format="multipart").status_code == 200
    again = rep.post(f"{URL}{submitted.pk}/resubmit/", format="json")
    assert again.status_code == 200 and again.data["status"] == "submitted"
    assert again.data["submissions"] == 2 and again.data["clerk_checked_by"] is None
    # R1 now 90.00 claimed, within the 100.00 allowance, × 80 % = 72.00
    assert again.data["payable_total"] == "302.00"


def test_an_approved_statement_cannot_be_returned_or_resubmitted(submitted, personas,
                                                                 client_for):
    for user, name in [(personas.clerk, "clerk-check"), (personas.manager, "manager-approve"),
                       (personas.finance, "finance-approve")]:
        step(client_for(user), submitted, name)
    back = client_for(personas.finance).post(f"{URL}{submitted.pk}/return/", {"reason": "x"},
                                             format="json")
    assert back.status_code == 400 and "status" in back.data
    assert step(client_for(personas.rep), submitted, "resubmit").status_code == 400


def test_a_statement_missing_a_step_at_the_8th_working_day_is_void(submitted, personas,
                                                                   clock, client_for):
    step(client_for(personas.clerk), submitted, "clerk-check")
    clock(date(2026, 10, 17))  # the day after the 8th working day
    late = step(client_for(personas.manager), submitted, "manager-approve")
    assert late.status_code == 400 and "status" in late.data
    statement = MonthlyStatement.objects.get()
    assert statement.status == "void" and statement.manager_approved_by is None
    assert "2026-10-16" in statement.void_reason
    assert AuditEvent.objects.filter(action="void", object_id=str(statement.pk)).exists()
    payout = client_for(personas.finance).post(f"{URL}{statement.pk}/payout/", format="json")
    assert payout.status_code == 400


def test_the_nightly_sweep_voids_overdue_statements_once(submitted, personas):
    done = f.make_approved_statement(personas, month=date(2026, 8, 1))
    assert services.statements_void_overdue(today=date(2026, 10, 16)) == 0
    assert services.statements_void_overdue(today=date(2026, 10, 17)) == 1
    assert services.statements_void_overdue(today=date(2026, 10, 17)) == 0
    assert MonthlyStatement.objects.get(pk=submitted.pk).status == "void"
    assert MonthlyStatement.objects.get(pk=done.pk).status == "approved"
    assert AuditEvent.objects.filter(action="void").count() == 1


def test_the_database_refuses_a_signed_statement_missing_a_step(personas):
    with pytest.raises(IntegrityError), transaction.atomic():
        f.make_statement(personas.rep, personas.org.area, status="approved",
                         clerk=personas.clerk, manager=personas.manager, finance=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        f.make_statement(personas.rep, personas.org.area, status="approved",
                         clerk=personas.clerk, manager=personas.clerk, finance=personas.finance)


def test_the_audit_trail_cannot_be_altered_through_the_api(submitted, personas, client_for):
    event = AuditEvent.objects.get(object_id=str(submitted.pk))
    for user in (personas.admin, personas.finance, personas.rep):
        client = client_for(user)
        url = f"/api/accounts/audit-events/{event.pk}/"
        assert client.patch(url, {"reason": "x"}, format="json").status_code in (403, 404, 405)
        assert client.put(url, {"reason": "x"}, format="json").status_code in (403, 404, 405)
        assert client.delete(url).status_code in (403, 404, 405)
        assert client.post("/api/accounts/audit-events/", {}, format="json").status_code in (
            403, 405)
        assert client.post(f"{URL}{submitted.pk}/history/", {}, format="json").status_code in (
            403, 405)
    assert client_for(personas.admin).patch(
        f"/api/accounts/audit-events/{event.pk}/", {"reason": "x"}).status_code == 405
    assert AuditEvent.objects.get(pk=event.pk).reason == event.reason


def test_other_offices_do_not_see_the_statement(submitted, personas, client_for):
    for user in (personas.sibling_manager, personas.sibling_rep, personas.rep2):
        assert client_for(user).get(f"{URL}{submitted.pk}/").status_code == 404


def _statement_reps(client, **query) -> list[int]:
    response = client.get(URL, query)
    assert response.status_code == 200, response.content
    return sorted(row["rep"] for row in response.json()["results"])


def test_the_node_filter_keeps_to_the_statements_under_the_node(personas, client_for):
    """The dashboards' drill-downs pass node=: the statements whose area is under it (the
    dashboard's "statements to approve" counts the same)."""
    org, checked = personas.org, MonthlyStatement.Status.CLERK_CHECKED
    f.make_statement(personas.rep, org.area, status=checked, clerk=personas.clerk)
    f.make_statement(personas.rep2, org.area2, status=checked, clerk=personas.clerk)
    f.make_statement(personas.sibling_rep, org.sibling_area, status=checked,
                     clerk=personas.clerk)
    regional = client_for(personas.regional_manager)
    assert len(_statement_reps(regional, status=checked)) == 3
    assert _statement_reps(regional, status=checked, node=org.office.pk) == sorted(
        [personas.rep.pk, personas.rep2.pk])
    assert _statement_reps(client_for(personas.manager), node=org.area2.pk) == [
        personas.rep2.pk]


def test_a_node_outside_the_scope_gives_no_statements_and_never_widens_it(personas,
                                                                          client_for):
    """Like the visits and problems lists: a node the reader may not see is an empty list;
    a node above the reader's own is not theirs either; a rep naming their area still
    gets only their own statements."""
    org = personas.org
    f.make_statement(personas.rep, org.area)
    f.make_statement(personas.rep2, org.area)
    f.make_statement(personas.sibling_rep, org.sibling_area)
    manager = client_for(personas.manager)
    for outside in (org.sibling_office.pk, org.region.pk, 999999):
        assert _statement_reps(manager, node=outside) == []
    assert _statement_reps(client_for(personas.rep), node=org.area.pk) == [personas.rep.pk]
    assert _statement_reps(client_for(personas.rep), node=org.office.pk) == []
    assert manager.get(URL, {"node": "x"}).status_code == 400
