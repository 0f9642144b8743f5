"""Celery tasks of reports: thin, JSON arguments, idempotent."""

from celery import shared_task

# Excel exports ---------------------------------------------------------------------------


@shared_task(name="reports.tasks.export_job_run", acks_late=True)
def export_job_run(job_id: int, attempt: int) -> str | None:
    """Write an export job's file; returns its final status, or None when there was
    nothing to do (the job is gone, or this attempt was already run or superseded)."""
    from reports.exports import services

    job = services.export_job_run(job_id=job_id, attempt=attempt)
    return job.status if job else None


@shared_task(name="reports.tasks.exports_cleanup", acks_late=True)
def exports_cleanup() -> dict:
    """Hourly: expired files removed, dead workers' jobs failed (recorded as a JobRun)."""
    from accounts import services as accounts_services
    from reports.exports import services

    with accounts_services.job_run_recorded(name="reports.exports_cleanup",
                                            scope=accounts_services.company_root()) as run:
        run.counts = services.export_files_cleanup()
    return run.counts


# Daily aggregates (reports.aggregates) ---------------------------------------------------


@shared_task(name="reports.tasks.rep_day_refresh", acks_late=True)
def rep_day_refresh(rep_id: int, day: str) -> bool:
    """Recompute one rep's day after a visit, missed visit, problem or plan changed;
    returns whether the rep has a row for that day now."""
    from datetime import date

    from reports import aggregates

    return aggregates.rep_day_refresh(rep_id=rep_id, day=date.fromisoformat(day)) is not None


@shared_task(name="reports.tasks.area_problems_refresh", acks_late=True)
def area_problems_refresh(retailer_id: int) -> int:
    """Recount the unsolved problems of the retailer's area after one of them changed;
    returns the area's rows written."""
    from reports import aggregates

    return aggregates.area_problems_refresh(retailer_id=retailer_id)
