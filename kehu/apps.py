from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KehuConfig(AppConfig):
    name = "kehu"
    verbose_name = _("Retailers")

    def ready(self):
        from accounts.signals import job_runs_lost

        job_runs_lost.connect(_fail_lost_import_batches, dispatch_uid="kehu.import_batches_lost")


def _fail_lost_import_batches(sender, *, run_ids, now, **kwargs):
    from kehu.imports.services import import_batches_fail_lost

    import_batches_fail_lost(run_ids=run_ids, now=now)
