"""Celery tasks of reports: thin, JSON arguments, idempotent."""

from celery import shared_task

# Daily aggregates (reports.aggregates) ---------------------------------------------------


@shared_task(name="reports.tasks.rep_day_refresh", acks_late=True)
def rep_day_refresh(rep_id: int, day: str) -> bool:
    """Recompute one rep's day after a visit, missed visit, problem or plan changed;
    returns whether the rep has a row for that day now."""
    from datetime import date

    from reports import aggregates

    return aggregates.rep_day_refresh(rep_id=rep_id, day=date.fromisoformat(day)) is not None
