from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


def seed_calendar(sender, using="default", **kwargs) -> None:
    """After every migrate (and every test-database flush): add the years the
    chinesecalendar library knows and the calendar table lacks."""
    from accounts.models import CalendarYear
    from accounts.workdays import sync_from_library

    if CalendarYear._meta.db_table not in connections[using].introspection.table_names():
        return  # migrated only part of the way (the table is created by expenses 0001)
    sync_from_library()


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and organisation")

    def ready(self) -> None:
        from accounts.models import CalendarDay, CalendarYear
        from accounts.workdays import calendar_changed

        post_migrate.connect(seed_calendar, sender=self, dispatch_uid="accounts_seed_calendar")
        for model in (CalendarYear, CalendarDay):
            post_save.connect(calendar_changed, sender=model,
                              dispatch_uid=f"accounts_calendar_saved_{model.__name__}")
            post_delete.connect(calendar_changed, sender=model,
                                dispatch_uid=f"accounts_calendar_deleted_{model.__name__}")
