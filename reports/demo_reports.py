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

from django.db.models import F, OuterRef, Subquery
from django.utils import timezone

from accounts.demo import COMPANY, STEPS, DemoContext
from accounts.models import OrgNode
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


def register() -> None:
    """Before the demo's night (so the aggregates count the items); once."""
    if any(getattr(step, "__qualname__", "") == add_market_information.__qualname__
           and step.__module__ == __name__ for step in STEPS):
        return
    names = [getattr(step, "__name__", "") for step in STEPS]
    at = names.index("build_grading") if "build_grading" in names else len(STEPS)
    STEPS.insert(at, add_market_information)
