"""The monthly statement: submit, the review chain, return, resubmit, void.

Every transition: lock (select_for_update, plus django-fsm's compare-and-set on save) →
guard (state, role at a node above the rep, segregation of duties, deadline) → act →
audit (one AuditEvent row, in the same transaction).
"""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import AuditEvent, Role, User
from accounts.request_context import current_request_id
from accounts.services import audit_record
from expenses import selectors, workdays
from expenses.models import ClaimLine, MonthlyStatement, NewCustomerRow, StatementRow
from expenses.services.common import lock_rep_account, refuse_own, rep_area, require_role_above

Status = MonthlyStatement.Status


@dataclass(frozen=True)
class ReviewStep:
    name: str
    source: str
    roles: tuple
    signed_by: str  # the field holding who signed this step
    label: Promise


STEPS = [
    ReviewStep("clerk_check", Status.SUBMITTED, (Role.CLERK,), "clerk_checked_by",
               gettext_lazy("the clerk's check")),
    ReviewStep("manager_approve", Status.CLERK_CHECKED,
               (Role.OFFICE_MANAGER, Role.REGIONAL_MANAGER), "manager_approved_by",
               gettext_lazy("the manager's approval")),
    ReviewStep("finance_approve", Status.MANAGER_APPROVED, (Role.FINANCE,),
               "finance_approved_by", gettext_lazy("finance's approval")),
]
STEP_BY_NAME = {step.name: step for step in STEPS}
STEP_BY_SOURCE = {step.source: step for step in STEPS}


def _status_error(statement: MonthlyStatement, step: ReviewStep) -> ValidationError:
    signer = getattr(statement, step.signed_by)
    if signer is not None:
        return ValidationError({"status": _("%(step)s is already done (by %(name)s).") % {
            "step": str(step.label).capitalize(), "name": signer}})
    waiting = STEP_BY_SOURCE.get(statement.status)
    if waiting is not None:
        return ValidationError({"status": _(
            "Out of order: this statement is waiting for %(next)s, not for %(step)s.") % {
            "next": waiting.label, "step": step.label}})
    return ValidationError({"status": _("This statement is %(status)s: no review step is "
                                        "open.") % {"status": statement.get_status_display()}})


def _lock(statement: MonthlyStatement) -> MonthlyStatement:
    return MonthlyStatement.objects.select_for_update().select_related("area").get(
        pk=statement.pk)


def _audit(statement, actor, action, before, reason="") -> None:
    audit_record(actor=actor, node=statement.area, obj=statement, action=action,
                 from_state=before, to_state=statement.status, reason=reason)


def _overdue_reason(statement: MonthlyStatement) -> str:
    if statement.status == Status.DRAFT:
        return _("The statement was not submitted by the review deadline %(date)s: it is "
                 "void.") % {"date": statement.review_due}
    missing = [str(step.label) for step in STEPS if getattr(statement, step.signed_by) is None]
    return _("The review deadline %(date)s passed with %(missing)s missing: the statement "
             "is void.") % {"date": statement.review_due, "missing": "、".join(missing)}


def _void_if_overdue(statement: MonthlyStatement, today: date) -> bool:
    """Void a statement whose review deadline has passed before every step was signed."""
    if statement.status not in MonthlyStatement.OPEN or today <= statement.review_due:
        return False
    before = statement.status
    statement.void(at=timezone.now(), reason=_overdue_reason(statement))
    statement.save()
    _audit(statement, None, "void", before, statement.void_reason)
    return True


def write_rows(statement: MonthlyStatement, draft: selectors.StatementDraft) -> None:
    """Replace the statement's rows, new-customer rows and totals with the draft's (the
    caller saves the statement)."""
    statement.rows.all().delete()
    statement.new_customer_rows.all().delete()
    StatementRow.objects.bulk_create([
        StatementRow(statement=statement, **vars(row)) for row in draft.rows])
    NewCustomerRow.objects.bulk_create([
        NewCustomerRow(
            statement=statement, pre_approval=row.pre_approval,
            retailer_id=row.pre_approval.retailer_id,
            retailer_code=row.pre_approval.retailer.code,
            retailer_name=row.pre_approval.retailer.name,
            applied_on=row.pre_approval.applied_on, approved_on=row.pre_approval.decided_on
            if row.pre_approval.status == "approved" else None,
            contract_date=row.pre_approval.contract_date, status=row.pre_approval.status,
            approved_amount=row.pre_approval.amount, claimed_amount=row.claimed_amount,
            payable_amount=row.payable_amount)
        for row in draft.new_customer_rows])
    for name, value in draft.totals.items():
        setattr(statement, name, value)


def _write_snapshot(statement: MonthlyStatement, draft: selectors.StatementDraft) -> None:
    """Write the rows and freeze the month's lines with their payable amounts."""
    write_rows(statement, draft)
    lines = list(ClaimLine.objects.filter(rep=statement.rep, month=statement.month))
    for line in lines:
        line.statement = statement
        line.payable_amount = draft.line_payables[line.pk].payable
    ClaimLine.objects.bulk_update(lines, ["statement", "payable_amount"])


def _check_month(month: date, today: date) -> workdays.Deadlines:
    if month >= workdays.month_start(today):
        raise ValidationError({"month": _("A month's statement can be filed once the month "
                                          "is over.")})
    deadlines = workdays.statement_deadlines(month)
    if today > deadlines.review_due:
        raise ValidationError({"month": _(
            "The review deadline for %(month)s (%(date)s) has passed: its statement can no "
            "longer be filed.") % {"month": f"{month:%Y-%m}", "date": deadlines.review_due}})
    return deadlines


def statement_submit(*, rep: User, month: date, today: date | None = None) -> MonthlyStatement:
    """File `rep`'s statement for `month`, generated from the month's lines and facts.

    The month's draft (if the batch generated one) is regenerated and submitted. Late (after
    the 3rd working day of the next month) is flagged, not refused; a second statement for
    the same month is refused.
    """
    today = today or workdays.today()
    month = workdays.month_start(month)
    deadlines = _check_month(month, today)
    area = rep_area(rep)
    duplicate = ValidationError({"month": _("Your statement for %(month)s is already "
                                            "submitted.") % {"month": f"{month:%Y-%m}"}})
    with transaction.atomic():
        lock_rep_account(rep, area)
        statement = (MonthlyStatement.objects.select_for_update()
                     .filter(rep=rep, month=month).first())
        if statement is not None and statement.status != Status.DRAFT:
            raise duplicate
        late = today > deadlines.submit_due
        before = "" if statement is None else statement.status
        if statement is None:
            statement = MonthlyStatement(
                rep=rep, area=area, month=month, submit_due=deadlines.submit_due,
                review_due=deadlines.review_due, payout_from=deadlines.payout_from)
            try:
                with transaction.atomic():
                    statement.save()
            except IntegrityError as exc:
                raise duplicate from exc
        statement.submit(at=timezone.now(), late=late)
        _write_snapshot(statement, selectors.statement_draft(rep, month))
        statement.save()
        _audit(statement, rep, "submit", before,
               _("late: due %(date)s") % {"date": deadlines.submit_due} if late else "")
    return statement


def statement_resubmit(*, statement: MonthlyStatement, rep: User,
                       today: date | None = None) -> MonthlyStatement:
    """The rep files a returned statement again, regenerated; the chain restarts.

    Past the review deadline it is voided instead (when called under an Idempotency-Key the
    refused request is rolled back whole, and the nightly sweep voids it).
    """
    today = today or workdays.today()
    with transaction.atomic():
        lock_rep_account(statement.rep)
        statement = _lock(statement)
        refuse_other = statement.rep_id != rep.pk
        if refuse_other:
            raise ValidationError({"non_field_errors": _("Only the rep may resubmit their "
                                                         "statement.")})
        overdue = _void_if_overdue(statement, today)
        if not overdue:
            if statement.status != Status.RETURNED:
                raise ValidationError({"status": _("Only a returned statement can be "
                                                   "resubmitted; this one is %(status)s.") % {
                    "status": statement.get_status_display()}})
            statement.resubmit(at=timezone.now())
            _write_snapshot(statement, selectors.statement_draft(statement.rep,
                                                                 statement.month))
            statement.save()
            _audit(statement, rep, "resubmit", Status.RETURNED)
    if overdue:
        raise ValidationError({"status": statement.void_reason})
    return statement


def statement_review(*, statement: MonthlyStatement, actor: User, step: str,
                     today: date | None = None) -> MonthlyStatement:
    """Sign one review step (clerk_check, manager_approve or finance_approve)."""
    spec = STEP_BY_NAME[step]
    today = today or workdays.today()
    with transaction.atomic():
        statement = _lock(statement)
        require_role_above(actor, spec.roles, statement.area)
        overdue = _void_if_overdue(statement, today)
        if not overdue:
            if statement.status != spec.source:
                raise _status_error(statement, spec)
            refuse_own(actor, statement.rep_id, _("Nobody approves their own statement."))
            _refuse_second_signature(statement, actor)
            before = statement.status
            getattr(statement, spec.name)(by=actor, at=timezone.now())
            statement.save()
            _audit(statement, actor, spec.name, before)
    if overdue:
        raise ValidationError({"status": statement.void_reason})
    return statement


def _refuse_second_signature(statement: MonthlyStatement, actor: User) -> None:
    for step in STEPS:
        if getattr(statement, f"{step.signed_by}_id") == actor.pk:
            raise ValidationError({"non_field_errors": _(
                "Each step is done by a different person: you already signed %(step)s.") % {
                "step": step.label}})


def statement_return(*, statement: MonthlyStatement, actor: User, reason: str,
                     today: date | None = None) -> MonthlyStatement:
    """The reviewer of the open step sends the statement back to the rep, with a reason."""
    today = today or workdays.today()
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the statement is returned.")})
    with transaction.atomic():
        statement = _lock(statement)
        spec = STEP_BY_SOURCE.get(statement.status)
        if spec is not None:
            require_role_above(actor, spec.roles, statement.area)
        overdue = _void_if_overdue(statement, today)
        if not overdue:
            if spec is None:
                raise ValidationError({"status": _(
                    "This statement is %(status)s: it cannot be returned.") % {
                    "status": statement.get_status_display()}})
            refuse_own(actor, statement.rep_id, _("Nobody reviews their own statement."))
            before = statement.status
            statement.send_back(by=actor, at=timezone.now(), reason=reason.strip())
            statement.save()
            _audit(statement, actor, "return", before, statement.return_reason)
    if overdue:
        raise ValidationError({"status": statement.void_reason})
    return statement


def statements_void_overdue(*, today: date | None = None) -> int:
    """Void every open statement whose review deadline has passed; returns how many.

    Set-based for the nightly job: one UPDATE per (state, reason) group, with the state
    compared and set, and the audit rows written in one bulk insert.
    """
    today = today or workdays.today()
    now = timezone.now()
    with transaction.atomic():
        overdue = list(MonthlyStatement.objects.select_for_update(skip_locked=True)
                       .filter(status__in=MonthlyStatement.OPEN, review_due__lt=today)
                       .select_related("area"))
        groups: dict[tuple[str, str], list[MonthlyStatement]] = {}
        for statement in overdue:
            groups.setdefault((statement.status, _overdue_reason(statement)),
                              []).append(statement)
        events = []
        for (before, reason), members in groups.items():
            voided = set(MonthlyStatement.objects.filter(
                pk__in=[s.pk for s in members], status=before).values_list("pk", flat=True))
            MonthlyStatement.objects.filter(pk__in=voided, status=before).update(
                status=Status.VOID, voided_at=now, void_reason=reason)
            events += [AuditEvent(actor=None, node=s.area, object_type=s._meta.label_lower,
                                  object_id=str(s.pk), action="void", from_state=before,
                                  to_state=Status.VOID, reason=reason,
                                  request_id=current_request_id())
                       for s in members if s.pk in voided]
        AuditEvent.objects.bulk_create(events)
    return len(events)
