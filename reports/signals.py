"""Keeping today's RepDay rows live: when a visit, missed visit, problem or approved plan
is saved or deleted, the (rep, day) rows it touches are recomputed by a Celery task
enqueued after the commit (visits knows nothing of reports: the receivers live here); a
problem's area has its unsolved problems recounted (AreaProblemDay) the same way.

Bulk writes (QuerySet.update, bulk_create, the bench generators) send no signals; the
nightly fill (reports.aggregates) catches them.
"""

from datetime import date

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from visits.models import MissedVisit, Problem, Visit, VisitPlan


def _enqueue(pairs: set[tuple[int, date]]) -> None:
    from reports.tasks import rep_day_refresh

    for rep_id, day in sorted(pairs):
        # robust: a broker that is down must not fail the request that saved the visit
        # (the row is then redone by the night).
        transaction.on_commit(
            lambda rep_id=rep_id, day=day: rep_day_refresh.delay(rep_id, day.isoformat()),
            robust=True)


def _enqueue_area(retailer_id: int) -> None:
    from reports.tasks import area_problems_refresh

    transaction.on_commit(lambda: area_problems_refresh.delay(retailer_id), robust=True)


def _local_day(moment) -> date | None:
    return timezone.localdate(moment) if moment else None


def visit_changed(sender, instance: Visit, **kwargs) -> None:
    _enqueue({(instance.rep_id, instance.visit_date)})


def missed_changed(sender, instance: MissedVisit, **kwargs) -> None:
    _enqueue({(instance.rep_id, instance.date)})


def problem_changed(sender, instance: Problem, **kwargs) -> None:
    pairs = set()
    if instance.raised_by_id and instance.created_at:
        pairs.add((instance.raised_by_id, _local_day(instance.created_at)))
    if instance.solved_by_id and instance.solved_at:
        pairs.add((instance.solved_by_id, _local_day(instance.solved_at)))
    _enqueue(pairs)
    _enqueue_area(instance.retailer_id)


def plan_changed(sender, instance: VisitPlan, **kwargs) -> None:
    """An approved (or withdrawn) plan changes today's planned stops; other days of the
    month are redone by the nightly fill."""
    today = timezone.localdate()
    if instance.month == today.replace(day=1):
        _enqueue({(instance.rep_id, today)})


RECEIVERS = [(Visit, visit_changed), (MissedVisit, missed_changed),
             (Problem, problem_changed), (VisitPlan, plan_changed)]


def connect() -> None:
    for model, receiver in RECEIVERS:
        uid = f"reports.rep_day.{model.__name__}"
        post_save.connect(receiver, sender=model, dispatch_uid=f"{uid}.save")
        post_delete.connect(receiver, sender=model, dispatch_uid=f"{uid}.delete")
