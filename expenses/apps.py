from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def seed_calendar(sender, using="default", **kwargs) -> None:
    """After every migrate (and every test-database flush): add the years the
    chinesecalendar library knows and the calendar table lacks."""
    from expenses.workdays import sync_from_library

    sync_from_library()


class ExpensesConfig(AppConfig):
    name = "expenses"
    verbose_name = _("Relationship expenses")

    def ready(self) -> None:
        post_migrate.connect(seed_calendar, sender=self, dispatch_uid="expenses_seed_calendar")
