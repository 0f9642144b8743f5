"""Claim lines and new-customer pre-approvals: every write, one transaction each."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Role, User
from accounts.services import audit_record
from expenses import workdays
from expenses.models import ClaimLine, MonthlyStatement, PreApproval, ProductLine
from expenses.receipts import validate_receipt
from expenses.services.common import (
    check_money,
    lock_rep_account,
    refuse_own,
    require_role_above,
)
from kehu.models import KeyPerson, Retailer

MANAGERS = (Role.OFFICE_MANAGER, Role.REGIONAL_MANAGER)
LINE_FIELDS = ("retailer", "key_person", "category", "product_line", "pre_approval", "amount",
               "spent_on", "note")


def _check_retailer(rep: User, retailer: Retailer) -> None:
    if retailer.assigned_rep_id != rep.pk:
        raise ValidationError({"retailer": _("This retailer is not assigned to you.")})


def _line_errors(line: ClaimLine, today: date) -> dict:
    errors = {}
    if line.spent_on > today:
        errors["spent_on"] = _("The spend date cannot be in the future.")
    if line.key_person_id and (line.key_person.retailer_id != line.retailer_id
                               or line.key_person.erased_at):
        errors["key_person"] = _("This person is not a key person of the retailer.")
    if line.category == ClaimLine.Category.NEW_CUSTOMER:
        errors.update(_pre_approval_errors(line))
    else:
        if line.pre_approval_id:
            errors["pre_approval"] = _(
                "Only a new-customer special expense names a pre-approval.")
        if line.product_line_id is None:
            errors["product_line"] = _("Choose the product line the spend supports.")
        elif (line.product_line.company_id != line.retailer.company_id
              or not line.product_line.active):
            errors["product_line"] = _("This product line is not one of the company's.")
    return errors


def _pre_approval_errors(line: ClaimLine) -> dict:
    approval = line.pre_approval
    if approval is None:
        return {"pre_approval": _("A new-customer special expense needs its approved "
                                  "pre-approval.")}
    if approval.retailer_id != line.retailer_id or approval.rep_id != line.rep_id:
        return {"pre_approval": _("This pre-approval is for another retailer.")}
    if approval.status != PreApproval.Status.APPROVED:
        return {"pre_approval": _("This pre-approval is %(status)s, not approved.")
                % {"status": approval.get_status_display()}}
    if line.spent_on < approval.decided_on:
        return {"spent_on": _("The spend is dated before its pre-approval was approved.")}
    return {}


def _check_month_open(rep: User, month: date, field: str = "spent_on") -> None:
    """Lines of a month whose statement is submitted (and not returned) are frozen."""
    statement = MonthlyStatement.objects.filter(rep=rep, month=month).first()
    if statement and statement.status not in MonthlyStatement.EDITABLE:
        raise ValidationError({field: _(
            "The statement for %(month)s is already submitted: lines of that month can no "
            "longer change.") % {"month": f"{month:%Y-%m}"}})


def _check_month_still_fileable(month: date, today: date) -> None:
    """A month whose statement can no longer be filed (review deadline passed) takes no
    new lines."""
    if month >= workdays.month_start(today):
        return
    review_due = workdays.statement_deadlines(month, field="spent_on").review_due
    if today > review_due:
        raise ValidationError({"spent_on": _(
            "The statement for %(month)s could be filed until %(date)s: spends of that month "
            "can no longer be claimed.") % {"month": f"{month:%Y-%m}", "date": review_due}})


def _validate_and_save(line: ClaimLine, today: date) -> ClaimLine:
    line.amount = check_money(line.amount)
    line.month = workdays.month_start(line.spent_on)
    errors = _line_errors(line, today)
    if errors:
        raise ValidationError(errors)
    _check_month_still_fileable(line.month, today)
    lock_rep_account(line.rep)
    _check_month_open(line.rep, line.month)
    line.full_clean()
    line.save()
    return line


@transaction.atomic
def claim_line_create(
    *, rep: User, retailer: Retailer, category: str, amount: Decimal, spent_on: date,
    receipt, key_person: KeyPerson | None = None, product_line: ProductLine | None = None,
    pre_approval: PreApproval | None = None, note: str = "", today: date | None = None,
) -> ClaimLine:
    """Record one 客情费 spend of `rep` (who must be the retailer's rep)."""
    _check_retailer(rep, retailer)
    line = ClaimLine(rep=rep, area=retailer.area, retailer=retailer, key_person=key_person,
                     category=category, product_line=product_line, pre_approval=pre_approval,
                     amount=amount, spent_on=spent_on, note=note.strip())
    line.receipt = validate_receipt(receipt)
    return _validate_and_save(line, today or workdays.today())


@transaction.atomic
def claim_line_update(*, line: ClaimLine, actor: User, receipt=None, today: date | None = None,
                      **changes) -> ClaimLine:
    """Change a line of a month whose statement is not submitted (or was returned)."""
    lock_rep_account(line.rep)
    line = ClaimLine.objects.select_for_update().get(pk=line.pk)
    if actor.pk != line.rep_id:
        raise ValidationError({"non_field_errors": _("Only the rep who filed a line may change "
                                                     "it.")})
    _check_month_open(line.rep, line.month)
    for name, value in changes.items():
        if name not in LINE_FIELDS:
            raise TypeError(f"claim_line_update() got an unexpected field {name!r}")
        setattr(line, name, value.strip() if name == "note" else value)
    if "retailer" in changes:
        _check_retailer(line.rep, line.retailer)
        line.area = line.retailer.area
    if receipt is not None:
        line.receipt = validate_receipt(receipt)
    return _validate_and_save(line, today or workdays.today())


@transaction.atomic
def claim_line_delete(*, line: ClaimLine, actor: User) -> None:
    lock_rep_account(line.rep)
    line = ClaimLine.objects.select_for_update().get(pk=line.pk)
    if actor.pk != line.rep_id:
        raise ValidationError({"non_field_errors": _("Only the rep who filed a line may "
                                                     "delete it.")})
    _check_month_open(line.rep, line.month, field="non_field_errors")
    receipt = line.receipt
    line.delete()
    if receipt:
        transaction.on_commit(lambda: receipt.storage.delete(receipt.name))


# New-customer special expense pre-approvals ----------------------------------------------

def _void_text(contract_date: date) -> str:
    return _("New-customer special expense must be applied for and approved before the "
             "contract is signed (%(date)s); this application is void.") % {
        "date": contract_date}


@transaction.atomic
def preapproval_create(
    *, rep: User, retailer: Retailer, amount: Decimal, purpose: str,
    contract_date: date | None = None, today: date | None = None,
) -> PreApproval:
    """Apply for a new-customer special expense, dated today (the server's date)."""
    today = today or workdays.today()
    _check_retailer(rep, retailer)
    amount = check_money(amount)
    if not purpose.strip():
        raise ValidationError({"purpose": _("Say what the special expense is for.")})
    if contract_date is not None and contract_date < today:
        raise ValidationError({"contract_date": _(
            "The contract was signed on %(date)s, before this application: an application "
            "dated after the contract is void.") % {"date": contract_date}})
    approval = PreApproval(rep=rep, area=retailer.area, retailer=retailer, amount=amount,
                           purpose=purpose.strip(), applied_on=today,
                           contract_date=contract_date)
    approval.full_clean()
    approval.save()
    audit_record(actor=rep, node=approval.area, obj=approval, action="apply",
                 to_state=approval.status)
    return approval


def _lock_pending(pre_approval: PreApproval, actor: User) -> PreApproval:
    approval = PreApproval.objects.select_for_update().get(pk=pre_approval.pk)
    require_role_above(actor, MANAGERS, approval.area)
    refuse_own(actor, approval.rep_id, _("Nobody approves their own application."))
    if approval.status != PreApproval.Status.PENDING:
        raise ValidationError({"status": _("This application is %(status)s, not waiting for "
                                           "a decision.") % {
            "status": approval.get_status_display()}})
    return approval


def preapproval_approve(*, pre_approval: PreApproval, actor: User,
                        today: date | None = None) -> PreApproval:
    """Approve on or before the contract date; later, the application becomes void."""
    today = today or workdays.today()
    with transaction.atomic():
        approval = _lock_pending(pre_approval, actor)
        too_late = approval.contract_date is not None and today > approval.contract_date
        before = approval.status
        if too_late:
            approval.void(reason=_void_text(approval.contract_date))
        else:
            approval.approve(by=actor, on=today)
        approval.save()
        audit_record(actor=actor, node=approval.area, obj=approval,
                     action="void" if too_late else "approve", from_state=before,
                     to_state=approval.status, reason=approval.reason)
    if too_late:
        # The void is kept (committed above); the approval itself is refused.
        raise ValidationError({"contract_date": _void_text(approval.contract_date)})
    return approval


@transaction.atomic
def preapproval_reject(*, pre_approval: PreApproval, actor: User, reason: str,
                       today: date | None = None) -> PreApproval:
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the application is rejected.")})
    approval = _lock_pending(pre_approval, actor)
    approval.reject(by=actor, on=today or workdays.today(), reason=reason.strip())
    approval.save()
    audit_record(actor=actor, node=approval.area, obj=approval, action="reject",
                 from_state=PreApproval.Status.PENDING, to_state=approval.status,
                 reason=approval.reason)
    return approval


@transaction.atomic
def preapproval_record_contract(*, pre_approval: PreApproval, actor: User, contract_date: date,
                                today: date | None = None) -> PreApproval:
    """Record when the contract was signed; an application not approved by then is void."""
    today = today or workdays.today()
    approval = PreApproval.objects.select_for_update().get(pk=pre_approval.pk)
    if actor.pk != approval.rep_id:
        require_role_above(actor, MANAGERS, approval.area)
    if approval.status not in (PreApproval.Status.PENDING, PreApproval.Status.APPROVED):
        raise ValidationError({"status": _("This application is %(status)s.") % {
            "status": approval.get_status_display()}})
    if approval.contract_date is not None:
        raise ValidationError({"contract_date": _("The contract date is already recorded.")})
    before = approval.status
    approval.contract_date = contract_date
    void = (contract_date < approval.applied_on
            or (before == PreApproval.Status.APPROVED and approval.decided_on > contract_date)
            or (before == PreApproval.Status.PENDING and contract_date < today))
    if void:
        approval.void(reason=_void_text(contract_date))
    approval.save()
    audit_record(actor=actor, node=approval.area, obj=approval,
                 action="void" if void else "contract", from_state=before,
                 to_state=approval.status, reason=approval.reason or str(contract_date))
    return approval
