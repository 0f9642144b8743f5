"""Demo market information for the reports (a step of `manage.py demo`, registered by
reports/demo.py).

The demo visits (visits.demo_month) carry communication notes only; the 早夕会 view and
the information-feedback figures read what reps bring back from the shops. This step gives
part of this month's demo on-site visits competitor information, consumer feedback, the
retailer's requests and counted stock, drawn from one seeded random source, and dates the
demo's problems back to the visit that raised them (they are inserted at load time). It
runs before the demo's night (grading.demo.build_grading), so the daily aggregates and the
scorecards count the items.

Idempotent: when a demo visit of the month already carries market information, nothing is
written again.
"""

import random
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import F, OuterRef, Subquery
from django.utils import timezone

from accounts.demo import COMPANY, STEPS, DemoContext
from accounts.models import Membership, OrgNode, Role
from accounts.workdays import month_end
from grading import services as grading_services
from grading.models import GradeOverride
from kehu.models import MonthlyFact, Retailer
from kehu.selectors import add_months
from visits.models import Problem, StockLine, Visit

BATCH = 1000
COMPETITOR = ["对手推出买十送一活动", "竞品新品进店，给了陈列费", "竞品批发价下调 2 元",
              "对手业务员每周来两次", "竞品在做扫码返现"]
CONSUMER = ["顾客反映新包装不好认", "老顾客说口味比以前淡", "年轻顾客问细支款",
            "有顾客嫌价格偏高", "节前礼盒装问的人多"]
REQUESTS = ["希望增加一个陈列架", "想要更多促销物料", "希望送货提前到上午",
            "想参加下次新品品鉴会", "希望赊账额度提高一些"]
PRODUCTS = [("6901028001", "中华(软)"), ("6901028045", "南京(红)"), ("6901028101", "苏烟(金砂)")]


def _month_visits(company: OrgNode):
    today = timezone.localdate()
    return Visit.objects.filter(retailer__area__path__startswith=company.path,
                                visit_date__gte=today.replace(day=1), visit_date__lt=today,
                                kind=Visit.Kind.ON_SITE)


def _date_problems(company: OrgNode) -> int:
    """The demo's problems are bulk-inserted at load time; each is dated back to the visit
    that raised it, so the daily figures show problems on the day they were raised."""
    raised_at = Visit.objects.filter(pk=OuterRef("visit_id")).values("started_at")[:1]
    return (Problem.objects.filter(visit__in=_month_visits(company),
                                   created_at__gt=F("visit__ended_at"))
            .update(created_at=Subquery(raised_at)))


def add_market_information(ctx: DemoContext) -> None:
    company = OrgNode.objects.filter(code=COMPANY[0], depth=1).first()
    if company is None:
        return
    ctx.created["problems dated to their visit"] += _date_problems(company)
    visits = _month_visits(company)
    if visits.exclude(competitor_info="").exists():
        ctx.existing["visits with market information"] += 1
        return
    rng = random.Random(ctx.seed * 13 + timezone.localdate().toordinal())
    changed, stock = [], []
    for visit in visits.order_by("id").only("id", "competitor_info", "consumer_feedback",
                                            "retailer_requests"):
        touched = False
        for field, texts, share in (("competitor_info", COMPETITOR, .25),
                                    ("consumer_feedback", CONSUMER, .2),
                                    ("retailer_requests", REQUESTS, .15)):
            if rng.random() < share:
                setattr(visit, field, rng.choice(texts))
                touched = True
        if touched:
            changed.append(visit)
        if rng.random() < .2:
            for position, (code, name) in enumerate(rng.sample(PRODUCTS, 2)):
                stock.append(StockLine(visit_id=visit.pk, position=position, product_code=code,
                                       product_name=name, on_hand=rng.randrange(0, 40),
                                       suggested_order=rng.randrange(0, 20)))
    Visit.objects.bulk_update(changed, ["competitor_info", "consumer_feedback",
                                        "retailer_requests"], batch_size=BATCH)
    StockLine.objects.bulk_create(stock, batch_size=BATCH)
    ctx.created["visits with market information"] += len(changed)
    ctx.created["stock lines"] += len(stock)


def add_month_to_date_sales(ctx: DemoContext) -> None:
    """This month's purchases so far, as the order system reports them during the month
    (the demo's facts end last month): last month's figures scaled to the days gone, so
    the dashboards and scorecards of this month have 客情费 against sales. Grading reads
    complete months only, so the grades do not move."""
    company = OrgNode.objects.filter(code=COMPANY[0], depth=1).first()
    if company is None:
        return
    today = timezone.localdate()
    this_month = today.replace(day=1)
    facts = MonthlyFact.objects.filter(retailer__area__path__startswith=company.path)
    if facts.filter(month=this_month).exists():
        ctx.existing["month-to-date facts"] += 1
        return
    share = Decimal(today.day) / Decimal(month_end(today).day)
    cent = Decimal("0.01")
    rows = [MonthlyFact(
        retailer_id=fact.retailer_id, month=this_month,
        purchase_amount=(fact.purchase_amount * share).quantize(cent, ROUND_HALF_UP),
        purchase_quantity=(fact.purchase_quantity * share).quantize(cent, ROUND_HALF_UP),
        collected_amount=(fact.collected_amount * share).quantize(cent, ROUND_HALF_UP),
        order_success_rate=fact.order_success_rate, e_settlement_rate=fact.e_settlement_rate)
        for fact in facts.filter(month=add_months(this_month, -1),
                                 retailer__status=Retailer.Status.ACTIVE).iterator()]
    MonthlyFact.objects.bulk_create(rows, batch_size=BATCH)
    ctx.created["month-to-date facts"] += len(rows)


# Each office manager's grade reviews this month: (from, to, reason), on the office's
# first retailers of that grade (by id).
REVIEWS = [("A", "B", "进货连续两个月下滑，降为 B 观察"),
           ("A", "B", "店主转让在即，暂按 B 管理"),
           ("C", "B", "新开连锁分店，进货量上来了")]


def add_grade_reviews(ctx: DemoContext) -> None:
    """Grade moves of the month for the dashboards (A → B warnings, ups and downs): each
    office manager overrides a few grades with a reason, through grading's service (the
    demo's grading runs move nothing: the demo's purchases are steady)."""
    company = OrgNode.objects.filter(code=COMPANY[0], depth=1).first()
    if company is None:
        return
    if GradeOverride.objects.filter(retailer__area__path__startswith=company.path).exists():
        ctx.existing["grade overrides"] += 1
        return
    managers = (Membership.objects.filter(role=Role.OFFICE_MANAGER,
                                          node__path__startswith=company.path)
                .select_related("user", "node").order_by("node__path"))
    for membership in managers:
        taken: set[int] = set()
        for old, new, reason in REVIEWS:
            retailer = (Retailer.objects
                        .filter(area__path__startswith=membership.node.path, grade=old,
                                status=Retailer.Status.ACTIVE, assigned_rep__isnull=False)
                        .exclude(pk__in=taken).order_by("pk").first())
            if retailer is None:
                continue
            taken.add(retailer.pk)
            grading_services.override_set(actor=membership.user, retailer=retailer, grade=new,
                                          reason=reason)
            ctx.created["grade overrides"] += 1


def _insert_before_the_night(step) -> None:
    if any(getattr(s, "__qualname__", "") == step.__qualname__ and s.__module__ == __name__
           for s in STEPS):
        return
    names = [getattr(s, "__name__", "") for s in STEPS]
    at = names.index("build_grading") if "build_grading" in names else len(STEPS)
    STEPS.insert(at, step)


def register() -> None:
    """Before the demo's night (so the aggregates and scorecards count them); once."""
    _insert_before_the_night(add_market_information)
    _insert_before_the_night(add_grade_reviews)
    _insert_before_the_night(add_month_to_date_sales)
