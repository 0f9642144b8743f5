"""Test data for 客情费: real image receipts, product lines, standards, facts, lines,
statements in any state (written directly; the services are tested on their own)."""

import io
from datetime import date, datetime
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from accounts.models import OrgNode, User
from expenses import workdays
from expenses.models import (
    AdvanceAccount,
    AdvanceEntry,
    ClaimLine,
    ExpenseStandard,
    MonthlyStatement,
    PreApproval,
    ProductLine,
    SpotCheck,
    SpotCheckItem,
    StatementRow,
)
from kehu.models import MonthlyFact, Retailer

D = Decimal


def image_bytes(fmt: str = "JPEG", size=(8, 8)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=fmt)
    return buffer.getvalue()


def receipt_file(name: str = "receipt.jpg", fmt: str = "JPEG") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes(fmt), content_type="image/jpeg")


def company_of(node: OrgNode) -> OrgNode:
    return OrgNode.objects.get(path=node.path[: OrgNode.steplen])


def make_product_line(company: OrgNode, code: str = "YC", name: str = "卷烟") -> ProductLine:
    line, _created = ProductLine.objects.get_or_create(company=company, code=code,
                                                        defaults={"name": name})
    return line


def make_standard(node: OrgNode, product_line: ProductLine, by: User, *, basis="per_unit",
                  rate="2.0000", rule="collection_rate", valid_from=date(2026, 1, 1),
                  valid_until=None) -> ExpenseStandard:
    return ExpenseStandard.objects.create(
        node=node, product_line=product_line, basis=basis, rate=D(rate),
        collection_rule=rule, valid_from=valid_from, valid_until=valid_until, created_by=by)


def make_fact(retailer: Retailer, month: date, purchase="10000.00", quantity="50.00",
              collected="8000.00") -> MonthlyFact:
    return MonthlyFact.objects.create(
        retailer=retailer, month=month, purchase_amount=D(purchase),
        purchase_quantity=D(quantity), collected_amount=D(collected), order_success_rate=90,
        e_settlement_rate=50)


def make_line(rep: User, retailer: Retailer, amount="100.00", spent_on=date(2026, 9, 10), *,
              product_line: ProductLine | None = None, category="gift",
              pre_approval: PreApproval | None = None, **extra) -> ClaimLine:
    if product_line is None and pre_approval is None:
        product_line = make_product_line(retailer.company)
    return ClaimLine.objects.create(
        rep=rep, area=retailer.area, retailer=retailer, category=category,
        product_line=product_line, pre_approval=pre_approval, amount=D(amount),
        spent_on=spent_on, month=spent_on.replace(day=1), receipt="receipts/test.jpg", **extra)


def make_pre_approval(rep: User, retailer: Retailer, *, amount="500.00",
                      applied_on=date(2026, 8, 20), contract_date=None,
                      status=PreApproval.Status.PENDING, decided_by=None,
                      decided_on=None) -> PreApproval:
    return PreApproval.objects.create(
        rep=rep, area=retailer.area, retailer=retailer, amount=D(amount), purpose="开业支持",
        applied_on=applied_on, contract_date=contract_date, status=status,
        decided_by=decided_by, decided_on=decided_on)


def at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


def make_statement(rep: User, area: OrgNode, month: date = date(2026, 9, 1), *,
                   status=MonthlyStatement.Status.SUBMITTED, clerk=None, manager=None,
                   finance=None, payable="0.00", rows=()) -> MonthlyStatement:
    """A statement in `status`, with the signatures given (and rows of (retailer, claimed,
    payable))."""
    deadlines = workdays.statement_deadlines(month)
    statement = MonthlyStatement.objects.create(
        rep=rep, area=area, month=month, status=status, submit_due=deadlines.submit_due,
        review_due=deadlines.review_due, payout_from=deadlines.payout_from,
        submitted_at=at(deadlines.submit_due), payable_total=D(payable),
        claimed_total=D(payable), clerk_checked_by=clerk, manager_approved_by=manager,
        finance_approved_by=finance,
        clerk_checked_at=clerk and at(deadlines.submit_due),
        manager_approved_at=manager and at(deadlines.submit_due),
        finance_approved_at=finance and at(deadlines.submit_due))
    for retailer, claimed, row_payable in rows:
        StatementRow.objects.create(
            statement=statement, retailer=retailer, retailer_code=retailer.code,
            retailer_name=retailer.name, purchase_amount=D("1000.00"),
            purchase_quantity=D("10.00"), collected_amount=D("1000.00"),
            collection_rate=D("1.0000"), claimed_amount=D(claimed),
            payable_amount=D(row_payable), line_count=1)
    return statement


def make_approved_statement(personas, month: date = date(2026, 9, 1), payable="1000.00",
                            rows=()) -> MonthlyStatement:
    return make_statement(personas.rep, personas.org.area, month,
                          status=MonthlyStatement.Status.APPROVED, clerk=personas.clerk,
                          manager=personas.manager, finance=personas.finance, payable=payable,
                          rows=rows)


def make_payout(personas, amount="100.00") -> AdvanceEntry:
    statement = make_approved_statement(personas)
    account, _created = AdvanceAccount.objects.get_or_create(
        rep=personas.rep, defaults={"area": personas.org.area})
    return AdvanceEntry.objects.create(account=account, kind=AdvanceEntry.Kind.PAYOUT,
                                       amount=D(amount), outstanding_after=D(amount),
                                       statement=statement, by=personas.finance)


def make_spot_check(personas, retailers) -> SpotCheck:
    statement = make_approved_statement(personas, rows=[(r, "100.00", "100.00")
                                                        for r in retailers])
    check = SpotCheck.objects.create(statement=statement, seed=42, sample_size=3,
                                     candidates=[r.pk for r in retailers])
    for retailer in retailers[:3]:
        SpotCheckItem.objects.create(spot_check=check, retailer=retailer)
    return check
