"""The hand-computed month the report, meeting and home tests share."""

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.workdays import month_end
from expenses.models import AdvanceAccount, MonthlyStatement, SpotCheck, SpotCheckItem
from grading.scorecards import rep_scorecards_compute
from reports import aggregates
from tests.factories import make_retailer
from tests.visits.factories import make_missed, make_plan, make_problem, make_visit
from visits.models import Problem, StockLine, Visit


class Month:
    """A complete month before today's: D1, D2, D3 are its 5th, 6th and 7th."""

    def __init__(self):
        today = timezone.localdate()
        self.first = (today.replace(day=1) - timedelta(days=40)).replace(day=1)
        self.last = month_end(self.first)
        self.d1, self.d2, self.d3 = (self.first + timedelta(days=n) for n in (4, 5, 6))
        self.today = today


def _at(day, hour):
    return datetime(day.year, day.month, day.day, hour, tzinfo=timezone.get_current_timezone())


def build_month(personas) -> Month:
    """rep: stops a, b on D1 and c on D2 — a visited on site (competitor note and stock),
    b missed with a reason, c only phoned (no GPS), b got a care call (consumer feedback);
    a problem raised at a's visit on D1 and solved on D2.
    rep2: stops d on D1 (visited on site, far from the store) and D2 (nothing).
    sibling_rep (other office): a visit on D1."""
    m = Month()
    area, rep, rep2 = personas.org.area, personas.rep, personas.rep2
    a = make_retailer(area, rep, name="甲店", grade="A")
    b = make_retailer(area, rep, name="乙店", grade="B")
    c = make_retailer(area, rep, name="丙店", grade="C")
    d = make_retailer(area, rep2, name="丁店", grade="A")
    make_plan(rep, area, m.first, stops=[(m.d1, a), (m.d1, b), (m.d2, c)])
    make_plan(rep2, area, m.first, stops=[(m.d1, d), (m.d2, d)])
    on_a = make_visit(rep, a, m.d1, competitor_info="对手降价两元")
    StockLine.objects.create(visit=on_a, product_name="中华(软)", on_hand=5)
    make_missed(rep, b, m.d1)
    make_visit(rep, c, m.d2, kind=Visit.Kind.PHONE, gps_missing=True)
    make_visit(rep, b, m.d2, kind=Visit.Kind.CARE_CALL, hour=15, consumer_feedback="嫌贵")
    make_visit(rep2, d, m.d1, far_from_store=True)
    problem = make_problem(a, rep, due=m.d3)
    Problem.objects.filter(pk=problem.pk).update(
        visit=on_a, created_at=_at(m.d1, 11), status=Problem.Status.SOLVED,
        resolution="已补货", solved_at=_at(m.d2, 9), solved_by=rep)
    sibling = make_retailer(personas.org.sibling_area, personas.sibling_rep)
    make_visit(personas.sibling_rep, sibling, m.d1)
    for office in (personas.org.office, personas.org.sibling_office):
        aggregates.rep_days_compute(areas=aggregates.rep_areas(node=office),
                                    first=m.first, last=m.last)
    rep_scorecards_compute(node=personas.org.office, month=m.first, today=m.today)
    m.shops = {"a": a, "b": b, "c": c, "d": d}
    return m


def _statement(rep, area, month, status, *, review_due, payable="100.00", paid="0.00",
               signers=()):
    clerk, manager, finance = signers or (None, None, None)
    return MonthlyStatement.objects.create(
        rep=rep, area=area, month=month, status=status, submit_due=review_due,
        review_due=review_due, payout_from=review_due + timedelta(days=1),
        payable_total=Decimal(payable), paid_total=Decimal(paid), claimed_total=Decimal(payable),
        clerk_checked_by=clerk, manager_approved_by=manager, finance_approved_by=finance)


def build_finance(personas) -> MonthlyStatement:
    """Last month: rep's statement waits for finance past its deadline; rep2's is at the
    clerk, due in the future; sibling_rep's is approved and payable. Advances: rep at the
    cap (3,000), sibling_rep 1,200. A spot check of an older statement failed."""
    today = timezone.localdate()
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    org = personas.org
    signed = (personas.clerk, personas.manager, personas.finance)
    late = _statement(personas.rep, org.area, last_month, "manager_approved",
                      review_due=today - timedelta(days=1), payable="850.00")
    _statement(personas.rep2, org.area, last_month, "clerk_checked",
               review_due=today + timedelta(days=20))
    _statement(personas.sibling_rep, org.sibling_area, last_month, "approved",
               review_due=today - timedelta(days=3), payable="500.00", paid="200.00",
               signers=(personas.clerk, personas.sibling_manager, personas.finance))
    older = _statement(personas.rep, org.area, date(2026, 1, 1), "paid",
                       review_due=date(2026, 2, 10), payable="300.00", paid="300.00",
                       signers=signed)
    AdvanceAccount.objects.create(rep=personas.rep, area=org.area, outstanding=3000)
    AdvanceAccount.objects.create(rep=personas.sibling_rep, area=org.sibling_area,
                                  outstanding=1200)
    AdvanceAccount.objects.create(rep=personas.rep2, area=org.area, outstanding=0)
    check = SpotCheck.objects.create(statement=older, seed=1, sample_size=3, candidates=[])
    shop = make_retailer(org.area, personas.rep, name="被抽查的店")
    SpotCheckItem.objects.create(spot_check=check, retailer=shop, result="not_confirmed",
                                 note="店主称未收到礼品", checked_by=personas.manager,
                                 checked_at=timezone.now())
    SpotCheckItem.objects.create(spot_check=check, retailer=make_retailer(org.area),
                                 result="pending")
    return late
