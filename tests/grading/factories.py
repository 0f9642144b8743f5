"""Grading test data: retailers with monthly facts, policies through the service."""

from datetime import date
from decimal import Decimal

from grading import services
from kehu.models import MonthlyFact
from kehu.selectors import add_months
from tests.factories import make_retailer

# The business date of most grading tests: the window is the months before November 2026.
DAY = date(2026, 11, 20)
LAST_MONTH = date(2026, 10, 1)


def shop(area, rep=None, *, amounts=(), months=None, quantity=None, collected=None,
         **fields):
    """A retailer with one fact per amount, in consecutive months ending last month
    (or in `months`)."""
    retailer = make_retailer(area, rep, **fields)
    months = months or [add_months(LAST_MONTH, -i) for i in range(len(amounts))]
    MonthlyFact.objects.bulk_create(
        MonthlyFact(retailer=retailer, month=month, purchase_amount=Decimal(str(amount)),
                    purchase_quantity=Decimal(str(quantity if quantity is not None else amount)),
                    collected_amount=Decimal(str(collected if collected is not None
                                                 else amount)),
                    order_success_rate=90, e_settlement_rate=50)
        for amount, month in zip(amounts, months, strict=True))
    return retailer


def policy(scope, actor=None, *, name="分级政策", business_type="", valid_from=date(2026, 1, 1),
           **rule):
    rule.setdefault("method", "pareto")
    shares = {"pareto": (75, 20, 5), "rank": (20, 40, 40), "weighted": (20, 40, 40)}
    a, b, c = shares[rule["method"]]
    rule.setdefault("share_a", Decimal(a))
    rule.setdefault("share_b", Decimal(b))
    rule.setdefault("share_c", Decimal(c))
    return services.policy_create(actor=actor, scope=scope, name=name,
                                  business_type=business_type, valid_from=valid_from, **rule)


def grades(*retailers) -> list[str]:
    from kehu.models import Retailer

    by_pk = dict(Retailer.objects.filter(pk__in=[r.pk for r in retailers])
                 .values_list("pk", "grade"))
    return [by_pk[r.pk] for r in retailers]
