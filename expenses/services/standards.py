"""Product lines and the standards finance sets for them."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import OrgNode, Role, User
from accounts.services import audit_record
from expenses import workdays
from expenses.models import ExpenseStandard, ProductLine
from expenses.services.common import company_of, require_role_above

SETTERS = (Role.FINANCE, Role.ADMIN)
RATE_STEP = Decimal("0.0001")


@transaction.atomic
def product_line_create(*, company: OrgNode, code: str, name: str, actor: User) -> ProductLine:
    require_role_above(actor, SETTERS, company)
    line = ProductLine(company=company, code=code.strip(), name=name.strip())
    line.full_clean()
    line.save()
    audit_record(actor=actor, node=company, obj=line, action="create", to_state=line.code)
    return line


def _check_rate(rate, basis: str) -> Decimal:
    try:
        value = rate if isinstance(rate, Decimal) else Decimal(str(rate))
    except (InvalidOperation, TypeError, ValueError):
        value = None
    if value is None or not value.is_finite() or value <= 0:
        raise ValidationError({"rate": _("The rate must be a number above zero.")})
    if value != value.quantize(RATE_STEP):
        raise ValidationError({"rate": _("A rate has at most four decimals.")})
    if basis == ExpenseStandard.Basis.SHARE and value > 100:
        raise ValidationError({"rate": _("A share of sales is at most 100%.")})
    return value


@transaction.atomic
def standard_create(
    *, node: OrgNode, product_line: ProductLine, basis: str, rate: Decimal,
    collection_rule: str, valid_from: date, actor: User, valid_until: date | None = None,
) -> ExpenseStandard:
    """Set a standard for a product line under `node` (a company, region or office)."""
    require_role_above(actor, SETTERS, node)
    if product_line.company_id != company_of(node).pk:
        raise ValidationError({"product_line": _("This product line is not one of the "
                                                 "company's.")})
    standard = ExpenseStandard(
        node=node, product_line=product_line, basis=basis, rate=_check_rate(rate, basis),
        collection_rule=collection_rule, valid_from=workdays.month_start(valid_from),
        valid_until=workdays.month_start(valid_until) if valid_until else None,
        created_by=actor)
    standard.full_clean()
    standard.save()
    audit_record(actor=actor, node=node, obj=standard, action="create",
                 to_state=f"{basis} {standard.rate} {collection_rule}")
    return standard


@transaction.atomic
def standard_end(*, standard: ExpenseStandard, valid_until: date | None,
                 actor: User) -> ExpenseStandard:
    """Set (or clear) the last month of a standard; a standard's terms never change, a new
    one is set from a later month instead."""
    standard = ExpenseStandard.objects.select_for_update().select_related("node").get(
        pk=standard.pk)
    require_role_above(actor, SETTERS, standard.node)
    before = standard.valid_until
    standard.valid_until = workdays.month_start(valid_until) if valid_until else None
    standard.full_clean()
    standard.save(update_fields=["valid_until"])
    audit_record(actor=actor, node=standard.node, obj=standard, action="end",
                 from_state=str(before or ""), to_state=str(standard.valid_until or ""))
    return standard
