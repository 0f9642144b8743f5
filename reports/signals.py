"""Keeping today's RepDay rows live: when a visit, missed visit, problem or approved plan
is saved or deleted, the (rep, day) rows it touches are recomputed by a Celery task
enqueued after the commit (visits knows nothing of reports: the receivers live here); a
problem's area has its unsolved problems recounted (AreaProblemDay) the same way.

Bulk writes (QuerySet.update, bulk_create, the bench generators) send no signals; the
nightly fill (reports.aggregates) catches them.

The cached dashboards (reports.cache) are bumped here by the writes to what they read
that reports.aggregates does not make: a finished nightly step (grading's rep scorecards
and the others), statements (waiting for approval, counted live) and their nightly
voiding (a bulk UPDATE: bumped when its Celery task ends), the org tree, memberships and
users' names.
"""

from datetime import date

from celery.signals import task_postrun
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from reports import cache as dashboard_cache
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


# The cached dashboards ------------------------------------------------------------------

def job_run_changed(sender, instance, **kwargs) -> None:
    """A nightly step's part finished (grading's rep scorecards are written in bulk, no
    signal): its office's dashboards change. Exports change nothing the dashboards read."""
    from accounts.models import JobRun

    if instance.status != JobRun.Status.RUNNING and not instance.name.startswith(
            "reports.export"):
        dashboard_cache.bump_nodes([instance.scope_id])


def statement_changed(sender, instance, **kwargs) -> None:
    dashboard_cache.bump_nodes([instance.area_id])


def node_changed(sender, instance, **kwargs) -> None:
    dashboard_cache.bump_paths([instance.path])


def membership_changed(sender, instance, **kwargs) -> None:
    dashboard_cache.bump_nodes([instance.node_id])


def user_changed(sender, instance, update_fields=None, **kwargs) -> None:
    """A rep's name is on the dashboards; a login (last_login only) changes nothing."""
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    if instance.pk is not None:
        from accounts.models import Membership

        dashboard_cache.bump_nodes(Membership.objects.filter(user_id=instance.pk)
                                   .values_list("node_id", flat=True))


def task_ended(sender=None, task=None, **kwargs) -> None:
    """Celery tasks whose bulk writes reach the dashboards without model signals."""
    if getattr(task, "name", None) in BULK_TASKS:
        dashboard_cache.bump_all()


BULK_TASKS = {"expenses.void_overdue_statements"}


def _cache_receivers():
    from accounts.models import JobRun, Membership, OrgNode, User
    from expenses.models import MonthlyStatement

    return [(JobRun, job_run_changed), (MonthlyStatement, statement_changed),
            (OrgNode, node_changed), (Membership, membership_changed), (User, user_changed)]


RECEIVERS = [(Visit, visit_changed), (MissedVisit, missed_changed),
             (Problem, problem_changed), (VisitPlan, plan_changed)]


def connect() -> None:
    for model, receiver in RECEIVERS:
        uid = f"reports.rep_day.{model.__name__}"
        post_save.connect(receiver, sender=model, dispatch_uid=f"{uid}.save")
        post_delete.connect(receiver, sender=model, dispatch_uid=f"{uid}.delete")
    for model, receiver in _cache_receivers():
        uid = f"reports.dashboard_cache.{model.__name__}"
        post_save.connect(receiver, sender=model, dispatch_uid=f"{uid}.save")
        if model.__name__ != "JobRun":  # pruned runs change nothing (and stay fast deletes)
            post_delete.connect(receiver, sender=model, dispatch_uid=f"{uid}.delete")
    task_postrun.connect(task_ended, dispatch_uid="reports.dashboard_cache.task_postrun")
