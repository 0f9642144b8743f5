"""Celery tasks of the nightly jobs and of "run now": thin, idempotent, JSON arguments."""

import logging
from datetime import date

from celery import chain, chord, group, shared_task

from grading import nightly

logger = logging.getLogger(__name__)


@shared_task(name="grading.nightly")
def nightly_dispatch(business_date: str | None = None, queue: str | None = None) -> int:
    """Beat, at night: per company, the nightly steps in order, each step's parts in
    parallel (a chord); returns how many companies were dispatched. `queue` routes the
    parts (tests use a private queue)."""
    from grading.services import today

    day = date.fromisoformat(business_date) if business_date else today()
    dispatched = 0
    for company in nightly.companies():
        links = []
        for step in nightly.STEPS:
            parts = step.parts_for(company, day)
            if not parts:
                continue
            # A list, not a generator: group() reads a generator lazily, after the loop
            # has moved `step` on to the last step.
            header = group([run_part.si(step.name, part, day.isoformat()).set(queue=queue)
                            for part in parts])
            done = step_done.si(company.pk, step.name, day.isoformat()).set(queue=queue)
            links.append(chord(header, done))
        if links:
            chain(*links).apply_async()
            dispatched += 1
    return dispatched


@shared_task(name="grading.nightly_part", acks_late=True)
def run_part(step_name: str, part: dict, business_date: str) -> int | None:
    """One part of a nightly step (its own transaction and JobRun row). A failed part is
    kept failed on its JobRun and logged; the night goes on with the other parts and
    steps (a rerun completes it)."""
    step = nightly.step_named(step_name)
    try:
        return step.run_part(business_date=date.fromisoformat(business_date), part=part)
    except Exception:
        logger.exception("nightly part failed: %s %s %s", step_name, part, business_date)
        return None


@shared_task(name="grading.nightly_step_done")
def step_done(company_id: int, step_name: str, business_date: str) -> str:
    """The barrier between two steps of a company's night."""
    return f"{company_id}:{step_name}:{business_date}"


@shared_task(name="grading.run_policy", acks_late=True)
def run_policy(run_id: int) -> int | None:
    """"Run now": grade one policy into the JobRun row the request created."""
    from accounts.models import JobRun
    from grading.models import GradingPolicy
    from grading.services import grading_run_policy

    run = JobRun.objects.filter(pk=run_id, status=JobRun.Status.RUNNING).first()
    if run is None:
        return None
    policy = GradingPolicy.objects.filter(pk=run.counts.get("policy")).first()
    if policy is None:
        return None
    return grading_run_policy(policy=policy, run=run).pk
