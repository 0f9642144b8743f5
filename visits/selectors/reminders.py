"""Reads of care reminders: the rep's today and upcoming, a manager's team view."""

from datetime import date, timedelta

from django.db.models import Q, QuerySet

from kehu.privacy import has_personal_data_role
from visits.models import Reminder

WHEN = ("today", "upcoming", "closed", "all")


def birthday_privacy(queryset: QuerySet[Reminder], user) -> QuerySet[Reminder]:
    """Birthday reminders reveal a key person's birthday: besides the rep they are for,
    only roles that see birthdays unmasked (kehu.privacy) read them."""
    if user.is_superuser or has_personal_data_role(user):
        return queryset
    return queryset.filter(~Q(kind=Reminder.Kind.BIRTHDAY) | Q(rep_id=user.pk))


def reminders_for_user(user) -> QuerySet[Reminder]:
    """Reminders the user may read, with what a list shows."""
    return birthday_privacy(Reminder.objects.for_user(user), user).select_related(
        "retailer", "key_person", "rep")


def reminders_when(queryset: QuerySet[Reminder], when: str, today: date,
                   notice_days: int = 7) -> QuerySet[Reminder]:
    """today: open and due today or earlier (oldest first); upcoming: open and due in the
    next `notice_days`; closed: done or skipped, latest first."""
    if when == "today":
        return queryset.filter(status=Reminder.Status.OPEN, due_date__lte=today) \
            .order_by("due_date", "kind", "id")
    if when == "upcoming":
        return queryset.filter(status=Reminder.Status.OPEN, due_date__gt=today,
                               due_date__lte=today + timedelta(days=notice_days)) \
            .order_by("due_date", "kind", "id")
    if when == "closed":
        return queryset.exclude(status=Reminder.Status.OPEN).order_by("-closed_at", "-id")
    return queryset.order_by("-due_date", "-id")
