"""Celery tasks of 客情费: thin, idempotent, they call services."""

from celery import shared_task

from expenses import services


@shared_task(name="expenses.void_overdue_statements")
def void_overdue_statements() -> int:
    """Nightly: void statements whose review deadline passed with a step missing."""
    return services.statements_void_overdue()
