"""Celery tasks of 客情费: thin, idempotent, they call services."""

from datetime import timedelta

from celery import shared_task

from expenses import services


@shared_task(name="expenses.void_overdue_statements")
def void_overdue_statements() -> int:
    """Nightly: void statements whose review deadline passed with a step missing."""
    return services.statements_void_overdue()


@shared_task(name="expenses.generate_statements")
def generate_statements(company_id: int, month: str) -> dict | None:
    """On the 1st: every rep's draft statement of the month just ended (idempotent)."""
    from datetime import date

    from accounts.models import OrgNode
    from expenses.generation import statements_generate

    company = OrgNode.objects.filter(pk=company_id).first()
    if company is None:
        return None
    return statements_generate(company=company, month=date.fromisoformat(month))


@shared_task(name="expenses.generate_last_month_statements")
def generate_last_month_statements() -> int:
    """Monthly (beat, on the 1st): enqueue each company's drafts of the month just ended,
    one task per company; returns how many were enqueued."""
    from accounts.models import OrgNode
    from expenses import workdays

    today = workdays.today()
    last_month = workdays.month_start(workdays.month_start(today) - timedelta(days=1))
    companies = list(OrgNode.objects.filter(depth=1).values_list("pk", flat=True))
    for company_id in companies:
        generate_statements.delay(company_id, last_month.isoformat())
    return len(companies)
