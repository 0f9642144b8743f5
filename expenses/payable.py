"""How much of each claim line is payable, with the calculation shown step by step.

Pure functions on plain values (no queries), so the rule is tested against hand-computed
cases and the statement generator feeds it one month of one rep at a time.

The rule, per line, in the order the lines were spent (date, then id):
1. The month's facts of the retailer: purchases P, quantity Q, collected C.
2. The standard of the line's product line at the retailer: an allowance of Q × 元/unit or
   P × share. Lines of the same retailer and product line share the month's allowance.
3. The line counts up to what is left of the allowance.
4. The payable rule: "full collection" pays it only when C ≥ P; "collection rate" pays it
   × min(C / P, 1). Money is rounded to the fen (half up) once, at the end of each amount.
New-customer special expenses are paid within their approved pre-approval instead.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def money(value: Decimal) -> str:
    return f"{cents(value):.2f}"


def percent(value: Decimal) -> str:
    return f"{(value * HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)}%"


@dataclass(frozen=True)
class Facts:
    purchase_amount: Decimal = ZERO
    purchase_quantity: Decimal = ZERO
    collected_amount: Decimal = ZERO
    present: bool = True

    @property
    def collection_rate(self) -> Decimal:
        """min(C / P, 1), exact; 0 when nothing was purchased."""
        if self.purchase_amount <= 0:
            return Decimal(0)
        return min(self.collected_amount / self.purchase_amount, Decimal(1))

    @property
    def fully_collected(self) -> bool:
        return self.purchase_amount > 0 and self.collected_amount >= self.purchase_amount


NO_FACTS = Facts(present=False)


@dataclass(frozen=True)
class Standard:
    basis: str  # "per_unit" | "share"
    rate: Decimal
    collection_rule: str  # "full_collection" | "collection_rate"
    label: str = ""

    def allowance(self, facts: Facts) -> Decimal:
        if self.basis == "per_unit":
            return cents(facts.purchase_quantity * self.rate)
        return cents(facts.purchase_amount * self.rate / HUNDRED)

    def allowance_formula(self, facts: Facts) -> str:
        if self.basis == "per_unit":
            return _("%(quantity)s units × %(rate)s yuan per unit") % {
                "quantity": facts.purchase_quantity, "rate": self.rate}
        return _("%(amount)s yuan × %(rate)s%%") % {
            "amount": money(facts.purchase_amount), "rate": self.rate.normalize()}


@dataclass(frozen=True)
class PreApprovalState:
    approved: bool
    amount: Decimal
    used_before: Decimal = ZERO  # lines of this pre-approval in earlier months
    status_label: str = ""


@dataclass(frozen=True)
class Line:
    id: int
    retailer_id: int
    category: str
    amount: Decimal
    spent_on: date
    product_line_id: int | None = None
    pre_approval_id: int | None = None


@dataclass
class LinePayable:
    line_id: int
    payable: Decimal = ZERO
    steps: list[dict] = field(default_factory=list)

    def step(self, name: str, label: str, formula: str, value: str) -> None:
        self.steps.append({"name": name, "label": label, "formula": formula, "value": value})


def compute(
    lines: Iterable[Line],
    *,
    facts: dict[int, Facts],
    standard_for: Callable[[int, int], Standard | None],
    pre_approvals: dict[int, PreApprovalState],
) -> dict[int, LinePayable]:
    """The payable amount of every line of one rep's month, with its steps."""
    allowance_used: dict[tuple[int, int], Decimal] = {}
    approval_used = {pk: state.used_before for pk, state in pre_approvals.items()}
    results = {}
    for line in sorted(lines, key=lambda item: (item.spent_on, item.id)):
        if line.pre_approval_id is not None:
            results[line.id] = _new_customer(line, pre_approvals.get(line.pre_approval_id),
                                             approval_used)
        else:
            results[line.id] = _standard_line(line, facts.get(line.retailer_id, NO_FACTS),
                                              standard_for(line.retailer_id,
                                                           line.product_line_id),
                                              allowance_used)
    return results


def _standard_line(line: Line, facts: Facts, standard: Standard | None,
                   used: dict[tuple[int, int], Decimal]) -> LinePayable:
    result = LinePayable(line.id)
    result.step("claimed", _("Claimed"), "", money(line.amount))
    if facts.present:
        result.step("facts", _("This month's business"),
                    _("purchases %(p)s yuan, %(q)s units, collected %(c)s yuan") % {
                        "p": money(facts.purchase_amount), "q": facts.purchase_quantity,
                        "c": money(facts.collected_amount)}, "")
    else:
        result.step("facts", _("This month's business"),
                    _("no business facts for this retailer and month: counted as zero"), "")
    if standard is None:
        result.step("standard", _("Standard"),
                    _("no standard is set for this product line in this month"), money(ZERO))
        return _done(result, ZERO)
    allowance = standard.allowance(facts)
    result.step("allowance", _("Allowance by the standard"),
                standard.allowance_formula(facts), money(allowance))
    key = (line.retailer_id, line.product_line_id)
    before = used.get(key, ZERO)
    left = max(allowance - before, ZERO)
    counted = min(line.amount, left)
    used[key] = before + counted
    result.step("within_allowance", _("Counted within the allowance"),
                _("min(%(claimed)s, %(allowance)s − %(before)s already used by earlier lines)")
                % {"claimed": money(line.amount), "allowance": money(allowance),
                   "before": money(before)}, money(counted))
    return _done(result, _apply_collection(result, standard, facts, counted))


def _apply_collection(result: LinePayable, standard: Standard, facts: Facts,
                      counted: Decimal) -> Decimal:
    rate = facts.collection_rate
    result.step("collection_rate", _("Collection rate"),
                _("collected %(c)s ÷ purchases %(p)s, at most 100%%") % {
                    "c": money(facts.collected_amount), "p": money(facts.purchase_amount)},
                percent(rate))
    if standard.collection_rule == "full_collection":
        payable = counted if facts.fully_collected else ZERO
        formula = (_("fully collected: payable in full") if facts.fully_collected
                   else _("not fully collected: nothing is payable yet"))
    else:
        payable = cents(counted * rate)
        formula = _("%(counted)s × %(rate)s") % {"counted": money(counted),
                                                 "rate": percent(rate)}
    result.step("rule", _("Payable rule"), formula, money(payable))
    return payable


def _new_customer(line: Line, state: PreApprovalState | None,
                  used: dict[int, Decimal]) -> LinePayable:
    result = LinePayable(line.id)
    result.step("claimed", _("Claimed"), "", money(line.amount))
    if state is None or not state.approved:
        label = state.status_label if state else ""
        result.step("pre_approval", _("New-customer pre-approval"),
                    _("the pre-approval is not approved (%(status)s): nothing is payable")
                    % {"status": label}, money(ZERO))
        return _done(result, ZERO)
    before = used.get(line.pre_approval_id, ZERO)
    left = max(state.amount - before, ZERO)
    payable = min(line.amount, left)
    used[line.pre_approval_id] = before + payable
    result.step("pre_approval", _("Within the approved new-customer amount"),
                _("min(%(claimed)s, approved %(approved)s − %(before)s already used)") % {
                    "claimed": money(line.amount), "approved": money(state.amount),
                    "before": money(before)}, money(payable))
    return _done(result, payable)


def _done(result: LinePayable, payable: Decimal) -> LinePayable:
    result.payable = cents(payable)
    result.step("payable", _("Payable"), "", money(result.payable))
    return result
