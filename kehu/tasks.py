"""Celery tasks of kehu: thin, JSON arguments, idempotent."""

from celery import shared_task

from kehu.imports import services
from kehu.models import ImportBatch


@shared_task(name="kehu.tasks.import_batch_process", acks_late=True)
def import_batch_process(batch_id: int) -> str | None:
    """Import a queued batch; returns its final status (None when the batch is gone).
    Running it twice is harmless: only a queued batch is processed."""
    batch = ImportBatch.objects.filter(pk=batch_id).first()
    if batch is None:
        return None
    return services.import_batch_process(batch=batch).status
