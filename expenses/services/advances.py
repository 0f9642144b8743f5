"""Payout as a cash advance (借支) under a per-company cap, settlement, and spot checks."""

import random
import secrets
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import OrgNode, Role, User
from accounts.services import audit_record
from expenses import selectors, workdays
from expenses.models import (
    DEFAULT_ADVANCE_CAP,
    AdvanceAccount,
    AdvanceEntry,
    AdvanceLimit,
    MonthlyStatement,
    SpotCheck,
    SpotCheckItem,
)
from expenses.services.common import (
    check_money,
    company_of,
    lock_rep_account,
    refuse_own,
    require_role_above,
)

SPOT_CHECK_SIZE = 3
MANAGERS = (Role.OFFICE_MANAGER, Role.REGIONAL_MANAGER)
Status = MonthlyStatement.Status


def _payout_guards(statement: MonthlyStatement, actor: User, today: date) -> None:
    require_role_above(actor, (Role.FINANCE,), statement.area)
    refuse_own(actor, statement.rep_id, _("Nobody pays out to themselves."))
    if statement.status == Status.PAID:
        raise ValidationError({"status": _("This statement is already paid out in full.")})
    if statement.status != Status.APPROVED:
        raise ValidationError({"status": _(
            "Only a statement approved by finance can be paid out; this one is %(status)s.")
            % {"status": statement.get_status_display()}})
    if today < statement.payout_from:
        raise ValidationError({"non_field_errors": _(
            "Payouts for %(month)s start on the 9th working day, %(date)s.") % {
            "month": f"{statement.month:%Y-%m}", "date": statement.payout_from}})


def advance_payout(*, statement: MonthlyStatement, actor: User, amount: Decimal | None = None,
                   note: str = "", today: date | None = None) -> AdvanceEntry:
    """Pay (part of) an approved statement out as an advance to its rep.

    Locks the rep's advance account first (then the statement), so concurrent payouts to
    one rep queue up and each sees the outstanding amount the previous one left: the cap
    holds. Without `amount`, pays what is left of the statement.
    """
    today = today or workdays.today()
    with transaction.atomic():
        account = lock_rep_account(statement.rep, statement.area)
        statement = MonthlyStatement.objects.select_for_update().select_related(
            "area", "rep").get(pk=statement.pk)
        _payout_guards(statement, actor, today)
        remaining = statement.payable_total - statement.paid_total
        amount = remaining if amount is None else check_money(amount)
        if amount <= 0:
            raise ValidationError({"amount": _("Nothing is payable on this statement.")})
        if amount > remaining:
            raise ValidationError({"amount": _(
                "Only %(remaining)s yuan of this statement is left to pay.") % {
                "remaining": remaining}})
        cap = selectors.advance_cap(company_of(statement.area))
        if account.outstanding + amount > cap:
            raise ValidationError({"amount": _(
                "This payout would bring %(rep)s's outstanding advance to %(total)s yuan, "
                "above the cap of %(cap)s yuan (outstanding now: %(outstanding)s yuan).") % {
                "rep": statement.rep, "total": account.outstanding + amount, "cap": cap,
                "outstanding": account.outstanding}})
        account.outstanding += amount
        account.save(update_fields=["outstanding", "updated_at"])
        entry = AdvanceEntry.objects.create(
            account=account, kind=AdvanceEntry.Kind.PAYOUT, amount=amount,
            outstanding_after=account.outstanding, statement=statement, by=actor,
            note=note.strip())
        before = statement.status
        statement.paid_total += amount
        if statement.paid_total == statement.payable_total:
            statement.mark_paid()
        statement.save()
        audit_record(actor=actor, node=statement.area, obj=statement, action="payout",
                     from_state=before, to_state=statement.status,
                     reason=_("advance %(amount)s yuan") % {"amount": amount})
        spot_check_ensure(statement=statement)
    return entry


@transaction.atomic
def advance_settle(*, account: AdvanceAccount, actor: User, amount: Decimal,
                   note: str = "") -> AdvanceEntry:
    """Settle (part of) a rep's outstanding advance: the outstanding amount goes down."""
    account = AdvanceAccount.objects.select_for_update().select_related("area").get(
        pk=account.pk)
    require_role_above(actor, (Role.FINANCE,), account.area)
    refuse_own(actor, account.rep_id, _("Nobody settles their own advance."))
    amount = check_money(amount)
    if amount > account.outstanding:
        raise ValidationError({"amount": _("Only %(outstanding)s yuan is outstanding.") % {
            "outstanding": account.outstanding}})
    before = account.outstanding
    account.outstanding -= amount
    account.save(update_fields=["outstanding", "updated_at"])
    entry = AdvanceEntry.objects.create(
        account=account, kind=AdvanceEntry.Kind.SETTLEMENT, amount=amount,
        outstanding_after=account.outstanding, by=actor, note=note.strip())
    audit_record(actor=actor, node=account.area, obj=account, action="settle",
                 from_state=str(before), to_state=str(account.outstanding), reason=entry.note)
    return entry


@transaction.atomic
def advance_cap_set(*, company: OrgNode, cap: Decimal, actor: User) -> AdvanceLimit:
    """Finance or an administrator of the company sets its cap per rep."""
    require_role_above(actor, (Role.FINANCE, Role.ADMIN), company)
    cap = check_money(cap, field="cap", allow_zero=True)
    AdvanceLimit.objects.bulk_create([AdvanceLimit(company=company, cap=DEFAULT_ADVANCE_CAP)],
                                     ignore_conflicts=True)
    limit = AdvanceLimit.objects.select_for_update().get(company=company)
    before = limit.cap
    limit.cap, limit.updated_by = cap, actor
    limit.full_clean()
    limit.save()
    audit_record(actor=actor, node=company, obj=limit, action="set_cap",
                 from_state=str(before), to_state=str(cap))
    return limit


# Spot checks ------------------------------------------------------------------------------

def spot_check_pick(candidates, seed: int, size: int = SPOT_CHECK_SIZE) -> list[int]:
    """The retailers drawn: the same candidates and seed always give the same draw."""
    pool = sorted(set(candidates))
    return random.Random(seed).sample(pool, min(size, len(pool)))


def spot_check_ensure(*, statement: MonthlyStatement, seed: int | None = None) -> SpotCheck | None:
    """Draw the statement's spot check once (at its first payout): retailers that received
    客情费 this month, the seed stored so the draw can be reproduced."""
    existing = SpotCheck.objects.filter(statement=statement).first()
    if existing is not None:
        return existing
    candidates = sorted(statement.rows.filter(claimed_amount__gt=0)
                        .values_list("retailer_id", flat=True))
    if not candidates:
        return None
    seed = secrets.randbits(62) if seed is None else seed
    picked = spot_check_pick(candidates, seed)
    check = SpotCheck.objects.create(statement=statement, seed=seed,
                                     sample_size=SPOT_CHECK_SIZE, candidates=candidates)
    SpotCheckItem.objects.bulk_create([SpotCheckItem(spot_check=check, retailer_id=pk)
                                       for pk in picked])
    audit_record(actor=None, node=statement.area, obj=check, action="draw",
                 to_state=",".join(map(str, picked)), reason=f"seed={seed}")
    return check


@transaction.atomic
def spot_check_record(*, item: SpotCheckItem, actor: User, result: str,
                      note: str = "") -> SpotCheckItem:
    """The manager records whether the money reached the retailer."""
    item = SpotCheckItem.objects.select_for_update().select_related(
        "spot_check__statement__area").get(pk=item.pk)
    statement = item.spot_check.statement
    require_role_above(actor, MANAGERS, statement.area)
    refuse_own(actor, statement.rep_id, _("Nobody spot-checks their own retailers."))
    if result not in (SpotCheckItem.Result.CONFIRMED, SpotCheckItem.Result.NOT_CONFIRMED):
        raise ValidationError({"result": _("Choose confirmed or not confirmed.")})
    if result == SpotCheckItem.Result.NOT_CONFIRMED and not note.strip():
        raise ValidationError({"note": _("Say what was found when the money is not "
                                         "confirmed.")})
    if item.result != SpotCheckItem.Result.PENDING:
        raise ValidationError({"result": _("This retailer's check is already recorded.")})
    item.result, item.note = result, note.strip()
    item.checked_by, item.checked_at = actor, timezone.now()
    item.save()
    audit_record(actor=actor, node=statement.area, obj=item, action="spot_check",
                 from_state=SpotCheckItem.Result.PENDING, to_state=result, reason=item.note)
    return item
