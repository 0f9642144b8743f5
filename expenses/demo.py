"""Demo 客情费: a step of `manage.py demo` (discovered by accounts.demo.run).

For the ten reps of 南京办事处 (rep01–rep10, under clerk1 and om1) it plays the monthly
cycle through the services, each action on a business date no later than today, so every
rule holds (deadlines, segregation of duties, the cap) and the audit trail is real:

- two months ago: statements filed, signed by clerk1, om1 and finance, paid out as
  advances (some settled since), spot checks recorded (one retailer not confirmed); one
  rep filed late and was never approved, so the nightly rule voided it;
- last month: where the cycle stands today. Within the review window (up to the 8th
  working day) statements wait at each step (for the clerk, the manager, finance), one is
  returned with a reason and three reps have not filed yet; past it, most are approved
  and, from the 9th working day, paid out with spot checks waiting for om1, a returned one
  never filed again and a half-signed one are void;
- this month: claim lines being recorded, new-customer pre-approvals (approved, waiting,
  void because the contract came first).

Idempotent per rep: a rep who already has claim lines is left alone. A month whose
deadlines fall in a year the working-day calendar does not cover is skipped.
"""

import io
import random
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts.demo import STEPS, DemoContext
from accounts.models import Membership, OrgNode, Role, User
from accounts.workdays import working_days_of_month
from expenses import selectors, services, workdays
from expenses.models import (
    AdvanceAccount,
    ClaimLine,
    ExpenseStandard,
    MonthlyStatement,
    PreApproval,
    ProductLine,
    SpotCheckItem,
)
from kehu.models import KeyPerson, MonthlyFact, Retailer

OFFICE = "DEMO-NJ"
REPS = [f"rep{n:02d}" for n in range(1, 11)]
CLERK, MANAGER, FINANCE = "clerk1", "om1", "finance"
CATEGORIES = ["gift", "gift", "meal", "event", "other"]
NOTES = {"gift": ["中秋礼盒", "春节年货", "生日蛋糕", "茶叶礼盒"],
         "meal": ["店主联谊晚餐", "片区客户联谊会"], "event": ["新品品鉴会", "陈列促销活动"],
         "other": ["店招维修补贴", "冷柜电费补贴"]}
RETURN_REASON = "发票照片不清楚，请重拍后重新提交"
FAILED_NOTE = "店主称未收到礼品"
Status = MonthlyStatement.Status


def _receipt(rng: random.Random) -> SimpleUploadedFile:
    colour = tuple(rng.randrange(120, 255) for _ in range(3))
    buffer = io.BytesIO()
    Image.new("RGB", (48, 64), colour).save(buffer, format="JPEG")
    return SimpleUploadedFile("receipt.jpg", buffer.getvalue(), content_type="image/jpeg")


def _month_before(month: date) -> date:
    return workdays.month_start(month - timedelta(days=1))


def _deadlines(month: date) -> workdays.Deadlines | None:
    try:
        return workdays.statement_deadlines(month)
    except ValidationError:  # the calendar does not cover the next month's year yet
        return None


def _working_days(first: date, last: date) -> list[date]:
    """Working days in [first, last] (within covered years)."""
    days, month = [], workdays.month_start(first)
    while month <= last:
        try:
            days += working_days_of_month(month.year, month.month, strict=True)
        except ValidationError:
            break
        month = workdays.next_month(month)
    return [d for d in days if first <= d <= last]


class Cycle:
    """One demo run's people, product line and dates."""

    def __init__(self, ctx: DemoContext, today: date):
        self.ctx = ctx
        self.today = today
        self.rng = random.Random(ctx.rng.getrandbits(64))  # one draw: later steps keep step
        self.users = {u.username: u for u in User.objects.filter(
            username__in=[*REPS, CLERK, MANAGER, FINANCE])}
        self.office = OrgNode.objects.filter(code=OFFICE).first()

    @property
    def company(self) -> OrgNode:
        return OrgNode.objects.get(path=self.office.path[: OrgNode.steplen])

    def ready(self) -> bool:
        return self.office is not None and {CLERK, MANAGER, FINANCE} <= set(self.users)

    def product_line(self) -> ProductLine:
        company = self.company
        line, created = ProductLine.objects.get_or_create(
            company=company, code="YC", defaults={"name": "卷烟"})
        if created:
            self.ctx.created["product lines"] += 1
            # 2.00 元 per carton sold, paid in proportion to what was collected.
            services.standard_create(
                actor=self.users[FINANCE], node=company, product_line=line,
                basis=ExpenseStandard.Basis.PER_UNIT, rate=Decimal("2.0000"),
                collection_rule=ExpenseStandard.CollectionRule.RATE,
                valid_from=date(self.today.year - 1, 1, 1))
        return line

    # ---- claim lines ------------------------------------------------------------------
    def lines(self, rep: User, month: date, count: int, last_day: date) -> None:
        """`count` lines spent in [month start, last_day] on the rep's buying retailers,
        each recorded the day after it was spent (or on last_day)."""
        retailers = self.retailers_with_business(rep, month)
        if not retailers:
            return
        for _n in range(count):
            spent = month + timedelta(days=self.rng.randrange((last_day - month).days + 1))
            retailer = self.rng.choice(retailers)
            category = self.rng.choice(CATEGORIES)
            person = KeyPerson.objects.filter(retailer=retailer, erased_at=None).first()
            services.claim_line_create(
                rep=rep, retailer=retailer, category=category,
                amount=Decimal(self.rng.randrange(40, 260)) + Decimal("0.00"),
                spent_on=spent, receipt=_receipt(self.rng), key_person=person,
                product_line=self.line, note=self.rng.choice(NOTES[category]),
                today=min(spent + timedelta(days=1), last_day))
            self.ctx.created["claim lines"] += 1

    def retailers_with_business(self, rep: User, month: date) -> list[Retailer]:
        buying = list(Retailer.objects.filter(
            assigned_rep=rep, pk__in=MonthlyFact.objects.filter(
                month=month, purchase_amount__gt=0).values("retailer_id")).order_by("code")[:8])
        return buying or list(Retailer.objects.filter(assigned_rep=rep).order_by("code")[:3])

    # ---- the statement chain ----------------------------------------------------------
    def on(self, days: list[date], index: int) -> date:
        """The index-th working day of `days` (clamped), never after today."""
        return min(days[min(index, len(days) - 1)], self.today)

    def submit(self, rep: User, month: date, day: date) -> MonthlyStatement:
        statement = services.statement_submit(rep=rep, month=month, today=day)
        self.ctx.created["statements"] += 1
        return statement

    def sign(self, statement: MonthlyStatement, steps: int, day: date) -> MonthlyStatement:
        people = [CLERK, MANAGER, FINANCE]
        for step in services.STEPS[:steps]:
            statement = services.statement_review(
                statement=statement, actor=self.users[people.pop(0)], step=step.name,
                today=day)
        return statement

    def pay(self, statement: MonthlyStatement, day: date, share: Decimal = Decimal(1)) -> None:
        if statement.payable_total <= 0 or day < statement.payout_from:
            return
        amount = (statement.payable_total * share).quantize(Decimal("0.01"))
        account = AdvanceAccount.objects.filter(rep=statement.rep).first()
        outstanding = account.outstanding if account else Decimal("0.00")
        amount = min(amount, selectors.advance_cap(self.company) - outstanding)
        if amount <= 0:
            return  # the rep's cap is reached: finance settles first
        services.advance_payout(statement=statement, actor=self.users[FINANCE],
                                amount=amount, note="借支", today=day)
        self.ctx.created["advance payouts"] += 1

    # ---- the months -------------------------------------------------------------------
    def closed_month(self, index: int, rep: User, month: date) -> None:
        """Two months ago: the whole cycle is over."""
        deadlines = _deadlines(month)
        if deadlines is None:
            return
        window = _working_days(workdays.next_month(month), deadlines.review_due)
        self.lines(rep, month, 3 + index % 3, workdays.next_month(month) - timedelta(days=1))
        if index == 9:  # late, checked by the clerk, never approved: void by now
            statement = self.submit(rep, month, self.on(window, 4))
            self.sign(statement, 1, self.on(window, 5))
            return
        statement = self.submit(rep, month, self.on(window, 1 if index != 3 else 3))
        statement = self.sign(statement, 3, self.on(window, 6))
        paying = _working_days(deadlines.payout_from, self.today)
        if paying:
            self.pay(statement, paying[0])
        check = getattr(MonthlyStatement.objects.get(pk=statement.pk), "spot_check", None)
        for n, item in enumerate(check.items.all() if check else []):
            failed = index == 2 and n == 0
            services.spot_check_record(
                item=item, actor=self.users[MANAGER],
                result=SpotCheckItem.Result.NOT_CONFIRMED if failed
                else SpotCheckItem.Result.CONFIRMED, note=FAILED_NOTE if failed else "")
        account = AdvanceAccount.objects.filter(rep=rep).first()
        if account and account.outstanding > 0 and index % 3 != 0:
            services.advance_settle(account=account, actor=self.users[FINANCE],
                                    amount=account.outstanding, note="报销冲账")
            self.ctx.created["advance settlements"] += 1

    def last_month(self, index: int, rep: User, month: date) -> None:
        """Last month: where the cycle stands today."""
        deadlines = _deadlines(month)
        if deadlines is None:
            return
        self.lines(rep, month, 2 + index % 3, workdays.next_month(month) - timedelta(days=1))
        window = _working_days(workdays.next_month(month), self.today)
        if not window:
            return  # nothing can have been filed yet
        if self.today <= deadlines.review_due:
            self.in_review(index, rep, month, window, deadlines)
        else:
            self.after_review(index, rep, month, window, deadlines)

    def in_review(self, index, rep, month, window, deadlines) -> None:
        late = self.today > deadlines.submit_due
        steps = {0: 3, 1: 3, 2: 2, 3: 1, 4: 0, 5: 0, 6: 0}
        if index not in steps:
            return  # rep08–rep10 have not filed yet
        day = self.on(window, 3 if index == 5 and late else 0)
        statement = self.submit(rep, month, day)
        statement = self.sign(statement, steps[index], self.on(window, 1))
        if index == 6:
            services.statement_return(statement=statement, actor=self.users[CLERK],
                                      reason=RETURN_REASON, today=self.on(window, 1))

    def after_review(self, index, rep, month, window, deadlines) -> None:
        if index == 9:
            return  # never filed (and too late now)
        statement = self.submit(rep, month, self.on(window, 4 if index == 8 else 1))
        if index == 7:  # returned, never filed again: void
            services.statement_return(statement=statement, actor=self.users[CLERK],
                                      reason=RETURN_REASON, today=self.on(window, 3))
            return
        if index == 8:  # the manager never signed: void
            self.sign(statement, 1, self.on(window, 5))
            return
        statement = self.sign(statement, 3, self.on(window, 6))
        if index <= 4 and self.today >= deadlines.payout_from:
            self.pay(statement, self.today, Decimal("0.5") if index == 4 else Decimal(1))

    def this_month(self, index: int, rep: User, month: date) -> None:
        self.lines(rep, month, 1 + index % 3, self.today)
        if index > 2:
            return
        retailer = self.retailers_with_business(rep, _month_before(month))[-1]
        approval = services.preapproval_create(
            rep=rep, retailer=retailer, amount=Decimal("800.00"), purpose="新店开业陈列支持",
            today=month)
        self.ctx.created["pre-approvals"] += 1
        if index == 0:
            approval = services.preapproval_approve(
                pre_approval=approval, actor=self.users[MANAGER], today=month)
            services.claim_line_create(
                rep=rep, retailer=retailer, category=ClaimLine.Category.NEW_CUSTOMER,
                amount=Decimal("300.00"), spent_on=self.today, receipt=_receipt(self.rng),
                pre_approval=approval, note="开业花篮与陈列物料", today=self.today)
            self.ctx.created["claim lines"] += 1
        elif index == 2 and self.today > month:
            # The contract was signed before anyone approved: the application is void.
            services.preapproval_record_contract(pre_approval=approval, actor=rep,
                                                 contract_date=month, today=self.today)


def build_expenses(ctx: DemoContext) -> None:
    """客情费 for the reps of 南京办事处: three months of the cycle, through the services."""
    cycle = Cycle(ctx, workdays.today())
    if not cycle.ready():
        return
    cycle.line = cycle.product_line()
    this_month = workdays.month_start(cycle.today)
    last_month = _month_before(this_month)
    two_ago = _month_before(last_month)
    for index, username in enumerate(REPS):
        rep = cycle.users.get(username)
        if rep is None or not Membership.objects.filter(user=rep, role=Role.REP).exists():
            continue
        lines = ClaimLine.objects.filter(rep=rep).count()
        if lines or PreApproval.objects.filter(rep=rep).exists():
            ctx.existing["claim lines"] += lines
            ctx.existing["statements"] += MonthlyStatement.objects.filter(rep=rep).count()
            continue
        cycle.closed_month(index, rep, two_ago)
        cycle.last_month(index, rep, last_month)
        cycle.this_month(index, rep, this_month)
    # What the nightly job does: statements past their review deadline with a step
    # missing are void.
    services.statements_void_overdue(today=cycle.today)


def _register() -> None:
    """Before the demo's night (grading.demo.build_grading, registered by grading, an app
    before this one), so that the scorecards count the 客情费 recorded here."""
    if any(getattr(step, "__qualname__", "") == build_expenses.__qualname__
           and step.__module__ == __name__ for step in STEPS):
        return
    names = [getattr(step, "__name__", "") for step in STEPS]
    at = names.index("build_grading") if "build_grading" in names else len(STEPS)
    STEPS.insert(at, build_expenses)


_register()
