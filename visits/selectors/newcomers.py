"""New retailers (前密后疏, "dense first, sparse later", DOMAIN.md visit plans).

A retailer is new while its card is younger than the policy's `new_retailer_days` and
it had no purchases from us before that window: a shop the rep has just won. Cards loaded
for existing customers (an import at roll-out) come with their purchase history, so they
are not new and do not flood the plans with weekly visits.
"""

from datetime import date, datetime, time, timedelta

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from kehu.models import MonthlyFact, Retailer


def new_since(policy, on: date) -> date | None:
    """The first day of the window a new retailer's card was created in (None: off)."""
    if not policy.new_retailer_days:
        return None
    return on - timedelta(days=policy.new_retailer_days)


def new_retailer_ids(retailers: QuerySet[Retailer], policy, on: date) -> set[int]:
    """The new retailers among `retailers` on a day."""
    since = new_since(policy, on)
    if since is None:
        return set()
    bought_before = MonthlyFact.objects.filter(
        retailer=OuterRef("pk"), month__lt=since.replace(day=1), purchase_amount__gt=0)
    created_from = timezone.make_aware(datetime.combine(since, time.min))
    return set(retailers.filter(created_at__gte=created_from)
               .exclude(Exists(bought_before)).values_list("pk", flat=True))
