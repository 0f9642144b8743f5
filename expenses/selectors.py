"""Reads of 客情费: scoped querysets, standards in force, a month's statement draft."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q, QuerySet, Sum

from accounts.models import OrgNode, User
from expenses import payable
from expenses.models import (
    DEFAULT_ADVANCE_CAP,
    AdvanceAccount,
    AdvanceEntry,
    AdvanceLimit,
    ClaimLine,
    ExpenseStandard,
    MonthlyStatement,
    PreApproval,
    ProductLine,
    SpotCheck,
    SpotCheckItem,
)
from expenses.workdays import next_month
from kehu.models import MonthlyFact

ZERO = Decimal("0.00")
RATE_STEP = Decimal("0.0001")


def claim_lines_for_user(user: User) -> QuerySet[ClaimLine]:
    return ClaimLine.objects.for_user(user).select_related(
        "rep", "retailer", "key_person", "product_line", "statement")


def pre_approvals_for_user(user: User) -> QuerySet[PreApproval]:
    return PreApproval.objects.for_user(user).select_related("rep", "retailer", "decided_by")


def statements_for_user(user: User) -> QuerySet[MonthlyStatement]:
    return MonthlyStatement.objects.for_user(user).select_related(
        "rep", "area", "clerk_checked_by", "manager_approved_by", "finance_approved_by",
        "returned_by")


def standards_for_user(user: User) -> QuerySet[ExpenseStandard]:
    return ExpenseStandard.objects.for_user(user).select_related("node", "product_line")


def product_lines_for_user(user: User) -> QuerySet[ProductLine]:
    return ProductLine.objects.for_user(user)


def advance_accounts_for_user(user: User) -> QuerySet[AdvanceAccount]:
    return AdvanceAccount.objects.for_user(user).select_related("rep", "area")


def advance_entries_for_user(user: User) -> QuerySet[AdvanceEntry]:
    return AdvanceEntry.objects.for_user(user).select_related(
        "account__rep", "account__area", "statement", "by")


def spot_checks_for_user(user: User) -> QuerySet[SpotCheck]:
    return SpotCheck.objects.for_user(user).select_related("statement__rep")


def spot_check_items_for_user(user: User) -> QuerySet[SpotCheckItem]:
    return SpotCheckItem.objects.for_user(user).select_related(
        "retailer", "checked_by", "spot_check__statement__rep")


def advance_cap(company: OrgNode) -> Decimal:
    """The company's cap on each rep's outstanding advance (default 3,000 元)."""
    cap = AdvanceLimit.objects.filter(company=company).values_list("cap", flat=True).first()
    return DEFAULT_ADVANCE_CAP if cap is None else cap


# Standards --------------------------------------------------------------------------------

def standards_in_force(*, company: OrgNode, month: date,
                       product_line_ids) -> dict[int, list[ExpenseStandard]]:
    """The standards valid in `month` per product line, most specific node first, then the
    latest start."""
    rows = (ExpenseStandard.objects
            .filter(product_line_id__in=list(product_line_ids),
                    node__path__startswith=company.path, valid_from__lte=month)
            .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=month))
            .select_related("node", "product_line"))
    by_line = defaultdict(list)
    for standard in rows:
        by_line[standard.product_line_id].append(standard)
    for standards in by_line.values():
        standards.sort(key=lambda s: (-len(s.node.path), -s.valid_from.toordinal(), -s.pk))
    return by_line


def standard_for_path(standards: list[ExpenseStandard], path: str) -> ExpenseStandard | None:
    """The first (most specific) standard set at a node above or at `path`."""
    return next((s for s in standards if path.startswith(s.node.path)), None)


def as_payable_standard(standard: ExpenseStandard) -> payable.Standard:
    return payable.Standard(basis=standard.basis, rate=standard.rate,
                            collection_rule=standard.collection_rule,
                            label=f"{standard.product_line.name} @ {standard.node.name}")


# The statement draft ----------------------------------------------------------------------

@dataclass
class RowDraft:
    retailer_id: int
    retailer_code: str
    retailer_name: str
    purchase_amount: Decimal = ZERO
    purchase_quantity: Decimal = ZERO
    collected_amount: Decimal = ZERO
    collection_rate: Decimal = Decimal("0.0000")
    claimed_amount: Decimal = ZERO
    payable_amount: Decimal = ZERO
    line_count: int = 0


@dataclass
class NewCustomerDraft:
    pre_approval: PreApproval
    claimed_amount: Decimal = ZERO
    payable_amount: Decimal = ZERO


@dataclass
class StatementDraft:
    rep: User
    month: date
    rows: list[RowDraft] = field(default_factory=list)
    new_customer_rows: list[NewCustomerDraft] = field(default_factory=list)
    line_payables: dict[int, payable.LinePayable] = field(default_factory=dict)

    def total(self, name: str) -> Decimal:
        return sum((getattr(row, name) for row in self.rows), ZERO)

    @property
    def totals(self) -> dict[str, Decimal]:
        return {
            "purchase_total": self.total("purchase_amount"),
            "collected_total": self.total("collected_amount"),
            "claimed_total": self.total("claimed_amount"),
            "payable_total": self.total("payable_amount"),
            "new_customer_total": sum((r.claimed_amount for r in self.new_customer_rows),
                                      ZERO),
        }


def _month_lines(rep: User, month: date) -> list[ClaimLine]:
    return list(ClaimLine.objects.filter(rep=rep, month=month)
                .select_related("retailer__area", "pre_approval"))


def _month_facts(rep: User, month: date, retailer_ids: set[int]) -> dict[int, dict]:
    rows = (MonthlyFact.objects.filter(month=month)
            .filter(Q(retailer__assigned_rep=rep) | Q(retailer_id__in=retailer_ids))
            .values("retailer_id", "retailer__code", "retailer__name", "purchase_amount",
                    "purchase_quantity", "collected_amount"))
    return {row["retailer_id"]: row for row in rows}


def _pre_approval_states(rep: User, month: date,
                         lines: list[ClaimLine]) -> tuple[dict, dict[int, PreApproval]]:
    """Pre-approvals used by the month's lines or applied for in the month, with what their
    lines of earlier (not void) statements already used."""
    month_end = next_month(month)
    used_ids = {line.pre_approval_id for line in lines if line.pre_approval_id}
    approvals = {a.pk: a for a in PreApproval.objects.filter(
        Q(pk__in=used_ids) | Q(rep=rep, applied_on__gte=month, applied_on__lt=month_end))
        .select_related("retailer")}
    used_before = dict(
        ClaimLine.objects.filter(pre_approval_id__in=list(approvals), month__lt=month,
                                 statement__isnull=False)
        .exclude(statement__status=MonthlyStatement.Status.VOID)
        .values("pre_approval_id").annotate(total=Sum("payable_amount"))
        .values_list("pre_approval_id", "total"))
    states = {
        pk: payable.PreApprovalState(
            approved=a.status == PreApproval.Status.APPROVED, amount=a.amount,
            used_before=used_before.get(pk) or ZERO, status_label=str(a.get_status_display()))
        for pk, a in approvals.items()
    }
    return states, approvals


def statement_draft(rep: User, month: date) -> StatementDraft:
    """Generate one rep's statement for `month` from its lines and facts (nothing saved)."""
    lines = _month_lines(rep, month)
    facts = _month_facts(rep, month, {line.retailer_id for line in lines})
    states, approvals = _pre_approval_states(rep, month, lines)
    results = _line_results(rep, month, lines, facts, states)
    draft = StatementDraft(rep=rep, month=month, line_payables=results)
    draft.rows = _rows(lines, facts, results)
    draft.new_customer_rows = _new_customer_rows(lines, approvals, results)
    return draft


def _line_results(rep, month, lines, facts, states) -> dict[int, payable.LinePayable]:
    if not lines:
        return {}
    company = lines[0].retailer.company
    standards = standards_in_force(
        company=company, month=month,
        product_line_ids={line.product_line_id for line in lines if line.product_line_id})
    paths = {line.retailer_id: line.retailer.area.path for line in lines}

    def standard_for(retailer_id: int, product_line_id: int) -> payable.Standard | None:
        found = standard_for_path(standards.get(product_line_id, []), paths[retailer_id])
        return as_payable_standard(found) if found else None

    return payable.compute(
        [payable.Line(id=line.pk, retailer_id=line.retailer_id, category=line.category,
                      amount=line.amount, spent_on=line.spent_on,
                      product_line_id=line.product_line_id,
                      pre_approval_id=line.pre_approval_id) for line in lines],
        facts={pk: payable.Facts(purchase_amount=row["purchase_amount"],
                                 purchase_quantity=row["purchase_quantity"],
                                 collected_amount=row["collected_amount"])
               for pk, row in facts.items()},
        standard_for=standard_for, pre_approvals=states)


def _rows(lines, facts, results) -> list[RowDraft]:
    rows: dict[int, RowDraft] = {}
    for pk, fact in facts.items():
        collection = payable.Facts(fact["purchase_amount"], fact["purchase_quantity"],
                                   fact["collected_amount"]).collection_rate
        rows[pk] = RowDraft(
            retailer_id=pk, retailer_code=fact["retailer__code"],
            retailer_name=fact["retailer__name"], purchase_amount=fact["purchase_amount"],
            purchase_quantity=fact["purchase_quantity"],
            collected_amount=fact["collected_amount"],
            collection_rate=collection.quantize(RATE_STEP, rounding=ROUND_HALF_UP))
    for line in lines:
        row = rows.get(line.retailer_id)
        if row is None:
            row = rows[line.retailer_id] = RowDraft(
                retailer_id=line.retailer_id, retailer_code=line.retailer.code,
                retailer_name=line.retailer.name)
        row.claimed_amount += line.amount
        row.payable_amount += results[line.pk].payable
        row.line_count += 1
    return sorted(rows.values(), key=lambda row: (row.retailer_code, row.retailer_id))


def _new_customer_rows(lines, approvals, results) -> list[NewCustomerDraft]:
    rows = {pk: NewCustomerDraft(pre_approval=approval) for pk, approval in approvals.items()}
    for line in lines:
        if line.pre_approval_id:
            rows[line.pre_approval_id].claimed_amount += line.amount
            rows[line.pre_approval_id].payable_amount += results[line.pk].payable
    return sorted(rows.values(),
                  key=lambda r: (r.pre_approval.retailer.code, r.pre_approval.pk))


def line_payable(line: ClaimLine) -> payable.LinePayable:
    """The payable amount of one line with its steps (computed over its whole month, since
    the lines of a retailer share the month's allowance)."""
    return statement_draft(line.rep, line.month).line_payables[line.pk]
