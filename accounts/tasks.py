from celery import shared_task

from accounts import services


@shared_task(name="accounts.tasks.housekeeping", acks_late=True)
def housekeeping() -> int:
    """Nightly housekeeping, recorded as a JobRun; returns the run id."""
    with services.job_run_recorded(name="housekeeping", scope=services.company_root()) as run:
        run.counts = services.housekeeping_run()
    return run.pk
