"""Monthly visit plans (月度巡访计划表), their stops, day routes and missed visits."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import OrgNode
from accounts.scoping import ScopedQuerySet
from kehu.models import Retailer


class VisitPlan(models.Model):
    """One version of a rep's plan for a month.

    An approved version is locked; changing it opens the next version (draft), and the
    approved one keeps counting until its successor is approved (it is then superseded).
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned")
        APPROVED = "approved", _("Approved")
        SUPERSEDED = "superseded", _("Superseded")

    OPEN = (Status.DRAFT, Status.SUBMITTED, Status.RETURNED)

    rep = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("rep"),
                            on_delete=models.PROTECT, related_name="visit_plans")
    area = models.ForeignKey(OrgNode, verbose_name=_("area"), on_delete=models.PROTECT,
                             related_name="+")
    month = models.DateField(_("month"), help_text=_("First day of the month."))
    starts_on = models.DateField(_("plans from"))
    version = models.PositiveIntegerField(_("version"), default=1)
    previous = models.OneToOneField("self", verbose_name=_("previous version"),
                                    on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="next_version")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices,
                              default=Status.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"),
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"),
                                   on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    objects = ScopedQuerySet.as_manager()

    scope_path_lookup = "area__path"
    scope_owner_lookup = "rep_id"

    class Meta:
        verbose_name = _("visit plan")
        verbose_name_plural = _("visit plans")
        ordering = ["-month", "rep_id", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["rep", "month", "version"], name="visit_plan_unique_version",
                violation_error_message=_("This version of the plan already exists.")),
            models.UniqueConstraint(
                fields=["rep", "month"], condition=Q(status="approved"),
                name="visit_plan_one_approved",
                violation_error_message=_("Only one approved plan per rep and month.")),
            models.UniqueConstraint(
                fields=["rep", "month"], condition=Q(status__in=["draft", "submitted",
                                                                  "returned"]),
                name="visit_plan_one_open",
                violation_error_message=_(
                    "This rep already has a plan for this month being prepared.")),
            models.CheckConstraint(condition=Q(month__day=1), name="visit_plan_month_first_day",
                                   violation_error_message=_("A month is its first day.")),
        ]
        indexes = [models.Index(fields=["status", "month"], name="visit_plan_status_month")]

    def __str__(self) -> str:
        return f"{self.rep} {self.month:%Y-%m} v{self.version} ({self.get_status_display()})"


class PlanStop(models.Model):
    """A planned visit: which retailer, which day, in which order, what for."""

    plan = models.ForeignKey(VisitPlan, verbose_name=_("plan"), on_delete=models.CASCADE,
                             related_name="stops")
    date = models.DateField(_("date"))
    retailer = models.ForeignKey(Retailer, verbose_name=_("retailer"), on_delete=models.PROTECT,
                                 related_name="+")
    position = models.PositiveSmallIntegerField(_("route position"), default=0)
    objective = models.CharField(_("objective"), max_length=200, blank=True)
    fixed_time = models.TimeField(_("appointment time"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    scope_path_lookup = "plan__area__path"
    scope_owner_lookup = "plan__rep_id"

    class Meta:
        verbose_name = _("planned visit")
        verbose_name_plural = _("planned visits")
        ordering = ["plan_id", "date", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "date", "retailer"], name="plan_stop_unique_day_retailer",
                violation_error_message=_("This retailer is already planned on this day.")),
        ]
        indexes = [models.Index(fields=["date", "retailer"], name="plan_stop_date_retailer")]

    def __str__(self) -> str:
        return f"{self.date} #{self.position} {self.retailer_id}"


class PlanComment(models.Model):
    """A reviewer's or the rep's comment on a plan (optionally on one day)."""

    plan = models.ForeignKey(VisitPlan, verbose_name=_("plan"), on_delete=models.CASCADE,
                             related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("author"),
                               on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("day"), null=True, blank=True)
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("plan comment")
        verbose_name_plural = _("plan comments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.plan_id}: {self.text[:30]}"


class DayRoute(models.Model):
    """The order a rep drives a day's stops in, and where the day starts.

    Kept apart from the plan: reordering on the road changes no planned visit, so it
    needs no new approval (adherence counts which retailer on which day, not the order).
    """

    rep = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("rep"),
                            on_delete=models.PROTECT, related_name="+")
    area = models.ForeignKey(OrgNode, verbose_name=_("area"), on_delete=models.PROTECT,
                             related_name="+")
    date = models.DateField(_("date"))
    start_latitude = models.DecimalField(_("start latitude"), max_digits=9, decimal_places=6,
                                         null=True, blank=True)
    start_longitude = models.DecimalField(_("start longitude"), max_digits=9,
                                          decimal_places=6, null=True, blank=True)
    retailer_order = models.JSONField(_("retailer order"), default=list, blank=True)
    distance_m = models.PositiveIntegerField(_("distance (m)"), null=True, blank=True)
    optimised_at = models.DateTimeField(_("optimised at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    scope_path_lookup = "area__path"
    scope_owner_lookup = "rep_id"

    class Meta:
        verbose_name = _("day route")
        verbose_name_plural = _("day routes")
        ordering = ["-date", "rep_id"]
        constraints = [
            models.UniqueConstraint(fields=["rep", "date"], name="day_route_unique_rep_date",
                                    violation_error_message=_(
                                        "This rep already has a route for this day.")),
        ]

    def __str__(self) -> str:
        return f"{self.rep} {self.date}"


class MissedVisit(models.Model):
    """Why a planned visit was not made on its day."""

    class Reason(models.TextChoices):
        CLOSED = "closed", _("Shop closed")
        OWNER_ABSENT = "owner_absent", _("Owner absent")
        WEATHER = "weather", _("Weather")
        REPLANNED = "replanned", _("Re-planned")
        OTHER = "other", _("Other")

    client_id = models.UUIDField(_("client id"), unique=True)
    rep = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("rep"),
                            on_delete=models.PROTECT, related_name="+")
    retailer = models.ForeignKey(Retailer, verbose_name=_("retailer"), on_delete=models.PROTECT,
                                 related_name="+")
    date = models.DateField(_("planned day"))
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"),
                                    on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    scope_path_lookup = "retailer__area__path"
    scope_owner_lookup = "rep_id"

    class Meta:
        verbose_name = _("missed visit")
        verbose_name_plural = _("missed visits")
        ordering = ["-date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["rep", "retailer", "date"], name="missed_visit_unique_day",
                violation_error_message=_("A reason is already recorded for this visit.")),
            models.CheckConstraint(
                condition=~Q(reason="other") | ~Q(note=""), name="missed_visit_other_has_note",
                violation_error_message=_("Say what the other reason is.")),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.retailer_id}: {self.reason}"
