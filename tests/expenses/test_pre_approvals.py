"""New-customer special expense: applied for and approved on or before the contract date."""

import uuid
from datetime import date

import pytest

from accounts.models import AuditEvent
from expenses.models import ClaimLine, PreApproval
from tests.expenses import factories as f

URL = "/api/expenses/pre-approvals/"


@pytest.fixture
def rep_client(personas, shop, clock, client_for):
    clock(date(2026, 9, 1))
    return client_for(personas.rep)


def apply(client, shop, **changes):
    data = {"retailer": shop.r1.pk, "amount": "800.00", "purpose": "新店开业陈列支持"}
    data.update(changes)
    return client.post(URL, data, format="json")


def test_a_rep_applies_before_the_contract_and_a_manager_approves(rep_client, shop, personas,
                                                                  client_for, clock):
    applied = apply(rep_client, shop, contract_date="2026-09-15")
    assert applied.status_code == 201 and applied.data["status"] == "pending"
    assert applied.data["applied_on"] == "2026-09-01"  # the server's date, not the phone's
    clock(date(2026, 9, 15))  # the contract day itself is still in time
    approved = client_for(personas.manager).post(f"{URL}{applied.data['id']}/approve/")
    assert approved.status_code == 200 and approved.data["status"] == "approved"
    assert approved.data["decided_on"] == "2026-09-15"
    event = AuditEvent.objects.get(action="approve")
    assert (event.actor, event.from_state, event.to_state) == (personas.manager, "pending",
                                                               "approved")


def test_an_application_dated_after_the_contract_is_refused_and_writes_nothing(
        rep_client, shop, personas, english):
    english(personas.rep)
    response = apply(rep_client, shop, contract_date="2026-08-31")
    assert response.status_code == 400
    assert "dated after the contract is void" in response.data["contract_date"][0]
    assert not PreApproval.objects.exists() and not AuditEvent.objects.exists()


def test_an_approval_after_the_contract_date_voids_the_application(rep_client, shop, personas,
                                                                   client_for, clock, english):
    english(personas.manager)
    applied = apply(rep_client, shop, contract_date="2026-09-10").data
    clock(date(2026, 9, 11))
    response = client_for(personas.manager).post(f"{URL}{applied['id']}/approve/")
    assert response.status_code == 400 and "this application is void" in \
        response.data["contract_date"][0]
    approval = PreApproval.objects.get()
    assert approval.status == "void" and approval.decided_by is None
    assert AuditEvent.objects.filter(action="void", object_id=str(approval.pk)).exists()


def test_recording_a_contract_signed_before_approval_voids_a_pending_application(
        rep_client, shop):
    applied = apply(rep_client, shop).data
    response = rep_client.post(f"{URL}{applied['id']}/contract/",
                               {"contract_date": "2026-08-30"}, format="json")
    assert response.status_code == 200 and response.data["status"] == "void"
    assert response.data["reason"]


def test_recording_a_contract_after_the_approval_keeps_it_valid(rep_client, shop, personas,
                                                                client_for, clock):
    applied = apply(rep_client, shop).data
    client_for(personas.manager).post(f"{URL}{applied['id']}/approve/")
    clock(date(2026, 9, 20))
    response = rep_client.post(f"{URL}{applied['id']}/contract/",
                               {"contract_date": "2026-09-05"}, format="json")
    assert response.data["status"] == "approved" and response.data["contract_date"] == \
        "2026-09-05"
    again = rep_client.post(f"{URL}{applied['id']}/contract/", {"contract_date": "2026-09-06"},
                            format="json")
    assert again.status_code == 400 and "contract_date" in again.data


def test_nobody_approves_their_own_application(shop, personas, clock, client_for):
    from accounts.models import Membership, Role

    clock(date(2026, 9, 1))
    # A manager who also serves retailers as a rep applies; approving it himself is refused.
    Membership.objects.create(user=personas.manager, node=personas.org.area, role=Role.REP)
    shop.r1.assigned_rep = personas.manager
    shop.r1.save()
    applied = apply(client_for(personas.manager), shop).data
    response = client_for(personas.manager).post(f"{URL}{applied['id']}/approve/")
    assert response.status_code == 400 and "non_field_errors" in response.data
    assert PreApproval.objects.get().status == "pending"


def test_reps_cannot_approve_and_other_offices_cannot_see(rep_client, shop, personas,
                                                         client_for):
    applied = apply(rep_client, shop).data
    assert rep_client.post(f"{URL}{applied['id']}/approve/").status_code == 403
    assert client_for(personas.sibling_manager).post(
        f"{URL}{applied['id']}/approve/").status_code == 404


def test_a_rejection_needs_a_reason_and_a_decision_is_made_once(rep_client, shop, personas,
                                                               client_for):
    applied = apply(rep_client, shop).data
    manager = client_for(personas.manager)
    assert "reason" in manager.post(f"{URL}{applied['id']}/reject/", {}, format="json").data
    assert manager.post(f"{URL}{applied['id']}/reject/", {"reason": "预算不足"},
                        format="json").data["status"] == "rejected"
    twice = manager.post(f"{URL}{applied['id']}/approve/")
    assert twice.status_code == 400 and "status" in twice.data


@pytest.mark.parametrize(("changes", "field"), [
    ({"amount": "-1.00"}, "amount"), ({"amount": "1.001"}, "amount"),
    ({"purpose": ""}, "purpose"), ({"contract_date": "2026-08-01"}, "contract_date"),
])
def test_bad_applications_get_field_named_400s(rep_client, shop, changes, field):
    response = apply(rep_client, shop, **changes)
    assert response.status_code == 400 and field in response.data
    assert not PreApproval.objects.exists()


def test_an_application_for_a_retailer_outside_scope_is_404(rep_client, shop, personas):
    from tests.factories import make_retailer

    other = make_retailer(personas.org.sibling_area, personas.sibling_rep)
    assert apply(rep_client, shop, retailer=other.pk).status_code == 404
    assert not PreApproval.objects.exists()


def test_a_double_clicked_application_is_filed_once(rep_client, shop):
    key, data = str(uuid.uuid4()), {"retailer": shop.r1.pk, "amount": "800.00",
                                    "purpose": "开业"}
    first = rep_client.post(URL, data, format="json", HTTP_IDEMPOTENCY_KEY=key)
    again = rep_client.post(URL, data, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert first.data["id"] == again.data["id"] and PreApproval.objects.count() == 1


def test_a_new_customer_line_needs_an_approved_pre_approval_of_that_retailer(
        shop, personas, clock, client_for):
    clock(date(2026, 9, 20))
    pending = f.make_pre_approval(personas.rep, shop.r1)
    approved = f.make_pre_approval(personas.rep, shop.r1, status="approved",
                                   decided_by=personas.manager, decided_on=date(2026, 9, 2))
    other_shop = f.make_pre_approval(personas.rep, shop.r2, status="approved",
                                     decided_by=personas.manager, decided_on=date(2026, 9, 2))
    client = client_for(personas.rep)

    def file(pre_approval, spent_on="2026-09-10"):
        return client.post("/api/expenses/claim-lines/", {
            "retailer": shop.r1.pk, "category": "new_customer", "amount": "300.00",
            "spent_on": spent_on, "pre_approval": pre_approval.pk,
            "receipt": f.receipt_file()}, format="multipart")

    assert "pre_approval" in file(pending).data
    assert "pre_approval" in file(other_shop).data
    assert "spent_on" in file(approved, spent_on="2026-09-01").data
    assert not ClaimLine.objects.exists()
    assert file(approved).status_code == 201
