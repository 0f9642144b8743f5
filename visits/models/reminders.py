"""Care reminders (客情维护提醒): tasks the nightly run gives reps, and their policy."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import OrgNode
from accounts.scoping import ScopedQuerySet
from kehu.models import KeyPerson, Retailer
from visits.care_calendar import DEFAULT_HOLIDAYS


def default_holidays() -> list[str]:
    return list(DEFAULT_HOLIDAYS)


def _days(default: int, low: int, high: int, label):
    return models.PositiveSmallIntegerField(
        label, default=default, validators=[MinValueValidator(low), MaxValueValidator(high)])


class ReminderPolicy(models.Model):
    """How often and when reps are reminded, per company (defaults without a row).

    DOMAIN.md: phone care A monthly, everyone at least four times a year; gifts and
    events for A and B.
    """

    company = models.OneToOneField(
        OrgNode, verbose_name=_("company"), on_delete=models.PROTECT, related_name="+",
        limit_choices_to={"depth": 1})
    care_call_months_a = _days(1, 1, 12, _("A retailers: care call every (months)"))
    care_call_months_b = _days(3, 1, 12, _("B retailers: care call every (months)"))
    care_call_months_c = _days(3, 1, 12, _("C and ungraded retailers: care call every (months)"))
    notice_days = _days(3, 0, 30, _("show reminders this many days ahead"))
    holiday_lead_days = _days(3, 0, 30, _("holiday care: days before the festival"))
    holiday_grades = models.CharField(_("holiday care for grades"), max_length=3, default="AB",
                                      help_text=_("Letters of the grades, e.g. AB."))
    holidays = models.JSONField(_("festivals"), default=default_holidays, blank=True)
    follow_up_days = _days(7, 1, 30, _("call A retailers this many days after a visit"))
    birthdays = models.BooleanField(_("key persons' birthdays"), default=True)
    rewards_due = models.BooleanField(_("rewards due when a month is fully collected"),
                                      default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("updated by"),
                                   on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("reminder policy")
        verbose_name_plural = _("reminder policies")

    def __str__(self) -> str:
        return f"{self.company_id}: A/{self.care_call_months_a} B/{self.care_call_months_b} " \
               f"C/{self.care_call_months_c}"

    def care_call_months(self, grade: str) -> int:
        """Months between care calls for a grade; an ungraded retailer counts as C."""
        return {"A": self.care_call_months_a, "B": self.care_call_months_b}.get(
            grade, self.care_call_months_c)


class Reminder(models.Model):
    """One care task for a rep: call, birthday, festival, follow-up or reward due.

    (kind, retailer, occasion) is unique: the nightly run inserts with ON CONFLICT DO
    NOTHING, so rerunning a night creates nothing twice.
    """

    class Kind(models.TextChoices):
        CARE_CALL = "care_call", _("Care call")
        BIRTHDAY = "birthday", _("Birthday")
        HOLIDAY = "holiday", _("Festival care")
        FOLLOW_UP = "follow_up", _("Follow-up call after a visit")
        REWARDS_DUE = "rewards_due", _("Reward due")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        SKIPPED = "skipped", _("Skipped")

    class SkipReason(models.TextChoices):
        UNREACHABLE = "unreachable", _("Could not reach them")
        NOT_NEEDED = "not_needed", _("Not needed")
        RETAILER_CLOSED = "retailer_closed", _("Retailer closed")
        OTHER = "other", _("Other")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    rep = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("rep"),
                            on_delete=models.PROTECT, related_name="reminders")
    retailer = models.ForeignKey(Retailer, verbose_name=_("retailer"), on_delete=models.CASCADE,
                                 related_name="reminders")
    key_person = models.ForeignKey(KeyPerson, verbose_name=_("key person"),
                                   on_delete=models.CASCADE, null=True, blank=True,
                                   related_name="reminders")
    # What makes this reminder one of a kind for the retailer: the care-call period, the
    # person and day of a birthday, the festival and its date, the visit, the fact month.
    occasion = models.CharField(_("occasion"), max_length=40)
    # `holiday` code for festivals; empty otherwise.
    detail = models.CharField(_("detail"), max_length=40, blank=True)
    due_date = models.DateField(_("due"))
    event_date = models.DateField(_("event date"), null=True, blank=True)
    source_visit = models.ForeignKey("visits.Visit", verbose_name=_("after visit"),
                                     on_delete=models.CASCADE, null=True, blank=True,
                                     related_name="+")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices,
                              default=Status.OPEN)
    done_visit = models.ForeignKey("visits.Visit", verbose_name=_("care call logged"),
                                   on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    skip_reason = models.CharField(_("reason"), max_length=16, choices=SkipReason.choices,
                                   blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("closed by"),
                                  on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    scope_path_lookup = "retailer__area__path"
    scope_owner_lookup = "rep_id"

    class Meta:
        verbose_name = _("care reminder")
        verbose_name_plural = _("care reminders")
        ordering = ["due_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "retailer", "occasion"], name="reminder_unique_occasion",
                violation_error_message=_("This reminder already exists.")),
            models.CheckConstraint(
                condition=~Q(status="skipped") | ~Q(skip_reason=""),
                name="reminder_skipped_has_reason",
                violation_error_message=_("A skipped reminder says why.")),
        ]
        indexes = [
            models.Index(fields=["rep", "status", "due_date"], name="reminder_rep_status_due"),
            # The nightly maintenance looks an office's open reminders up by retailer.
            models.Index(fields=["retailer", "kind"], name="reminder_open_retailer",
                         condition=Q(status="open")),
        ]

    def __str__(self) -> str:
        return f"{self.due_date} {self.get_kind_display()} {self.retailer_id}"
