"""Helpers every expenses service uses: who sits where, money checks, the rep's lock row."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from accounts.models import Membership, OrgNode, Role, User
from accounts.scoping import memberships_of
from expenses.models import AdvanceAccount

MAX_MONEY = Decimal("9999999999.99")
CENT = Decimal("0.01")


def check_money(value, *, field: str = "amount", allow_zero: bool = False) -> Decimal:
    """A positive amount of yuan with at most two decimals, or a field-named error."""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        amount = None
    if amount is None or not amount.is_finite():
        raise ValidationError({field: _("Enter an amount in yuan, such as 12.50.")})
    if amount != amount.quantize(CENT):
        raise ValidationError({field: _("An amount has at most two decimals (fen).")})
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ValidationError({field: _("The amount must be greater than zero.")})
    if amount > MAX_MONEY:
        raise ValidationError({field: _("The amount is too large.")})
    return amount.quantize(CENT)


def rep_area(rep: User) -> OrgNode:
    """The area where the user is placed as a rep (their first such placement)."""
    membership = (Membership.objects.filter(user=rep, role=Role.REP).select_related("node")
                  .order_by("id").first())
    if membership is None:
        raise ValidationError({"rep": _("This person is not placed as a rep in any area.")})
    return membership.node


def holds_role_above(user: User, roles: tuple, node: OrgNode) -> bool:
    """Whether `user` holds one of `roles` at `node` or at a node above it."""
    return any(m.role in roles and node.path.startswith(m.node.path)
               for m in memberships_of(user))


def require_role_above(user: User, roles: tuple, node: OrgNode) -> None:
    if not holds_role_above(user, roles, node):
        labels = "、".join(str(Role(role).label) for role in roles)
        raise PermissionDenied(_("Only a %(roles)s placed above this rep may do this.")
                               % {"roles": labels})


def refuse_own(actor: User, owner_id: int, message: str) -> None:
    if actor.pk == owner_id:
        raise ValidationError({"non_field_errors": message})


def lock_rep_account(rep: User, area: OrgNode | None = None) -> AdvanceAccount:
    """Create the rep's advance account if missing and lock its row for this transaction.

    Every payout, settlement, claim-line write and statement submission of the rep takes
    this lock first, so they serialise: the advance cap holds, and no line slips into a
    month while its statement is being submitted.
    """
    if area is None:
        area = rep_area(rep)
    AdvanceAccount.objects.bulk_create([AdvanceAccount(rep=rep, area=area)],
                                       ignore_conflicts=True)
    return AdvanceAccount.objects.select_for_update().get(rep=rep)


def company_of(node: OrgNode) -> OrgNode:
    return OrgNode.objects.get(path=node.path[: OrgNode.steplen])
