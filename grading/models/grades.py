"""Grades: each retailer's current computed grade with its basis, the history of grade
changes (with the basis that caused them), and managers' overrides."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import JobRun
from accounts.scoping import ScopedQuerySet
from grading.models.policies import GradingPolicyVersion
from kehu.models import Retailer

GRADE = {"max_length": 1, "choices": Retailer.Grade.choices}
# The value a retailer is ranked by: a sum of the measure over the window, or a
# weighted score (0–100).
VALUE = {"max_digits": 18, "decimal_places": 4}
# A percentage with four decimals (0.0000–100.0000).
SHARE = {"max_digits": 7, "decimal_places": 4}
# NO_DB_CONSTRAINT: the foreign keys of computed grades and grade history carry no database
# constraint. The nightly run writes up to a million rows of each from a join with the
# retailers and the version it just read; PostgreSQL checks a deferred foreign key once per
# row at COMMIT (~4.8 million checks, 38 s of a 146 s run at 1M retailers, see
# bench/README.md). The ORM still applies on_delete (cascade, protect, set null). Only the
# lookups the app makes are indexed (history by retailer and date, by business date, by
# run for JobRun pruning): every index is written a million times a night.


class RetailerGrade(models.Model):
    """The grade the retailer's policy computed for it at the last run, with its basis.

    `kehu.Retailer.grade` is the grade in effect: this one, unless an override is active.
    Written only by the nightly run (set-based SQL). Its foreign keys have no database
    constraint (NO_DB_CONSTRAINT below)."""

    retailer = models.OneToOneField(Retailer, verbose_name=_("retailer"), primary_key=True,
                                    on_delete=models.CASCADE, related_name="+",
                                    db_constraint=False)
    computed_grade = models.CharField(_("computed grade"), **GRADE)
    value = models.DecimalField(_("value"), **VALUE)
    active_months = models.PositiveSmallIntegerField(_("months with purchases"), default=0)
    cumulative_share = models.DecimalField(
        _("share compared to the thresholds (%)"), **SHARE,
        help_text=_("Pareto: cumulative share of the total up to and including this "
                    "retailer's value; rank methods: share of retailers ranked ahead."))
    rank = models.PositiveIntegerField(_("rank"))
    population = models.PositiveIntegerField(_("retailers ranked"))
    policy_version = models.ForeignKey(GradingPolicyVersion, verbose_name=_("policy version"),
                                       on_delete=models.PROTECT, related_name="+",
                                       db_constraint=False, db_index=False)
    run = models.ForeignKey(JobRun, verbose_name=_("run"), on_delete=models.SET_NULL,
                            null=True, blank=True, related_name="+", db_constraint=False)
    computed_on = models.DateField(_("computed for"))

    objects = ScopedQuerySet.as_manager()

    scope_path_lookup = "retailer__area__path"
    scope_owner_lookup = "retailer__assigned_rep_id"

    class Meta:
        verbose_name = _("computed grade")
        verbose_name_plural = _("computed grades")

    def __str__(self) -> str:
        return f"{self.retailer_id}: {self.computed_grade}"


class GradeOverride(models.Model):
    """A manager's override of a retailer's grade, with a written reason and an optional
    last day. The nightly run keeps it in effect until it expires or is lifted."""

    class EndReason(models.TextChoices):
        LIFTED = "lifted", _("Lifted")
        EXPIRED = "expired", _("Expired")
        REPLACED = "replaced", _("Replaced by a new override")

    retailer = models.ForeignKey(Retailer, verbose_name=_("retailer"), on_delete=models.CASCADE,
                                 related_name="+")
    grade = models.CharField(_("grade"), **GRADE)
    reason = models.TextField(_("reason"))
    expires_on = models.DateField(_("in effect until"), null=True, blank=True,
                                  help_text=_("Last day in effect; empty: until lifted."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("set by"),
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("set at"), auto_now_add=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    end_reason = models.CharField(_("end"), max_length=16, choices=EndReason.choices,
                                  blank=True)
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("ended by"),
                                 on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+")
    end_note = models.TextField(_("why it ended"), blank=True)
    ended_by_run = models.ForeignKey(JobRun, verbose_name=_("ended by run"),
                                     on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")

    objects = ScopedQuerySet.as_manager()

    scope_path_lookup = "retailer__area__path"
    scope_owner_lookup = "retailer__assigned_rep_id"

    class Meta:
        verbose_name = _("grade override")
        verbose_name_plural = _("grade overrides")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["retailer"], condition=Q(ended_at__isnull=True),
                name="grading_one_open_override_per_retailer",
                violation_error_message=_("This retailer already has an override in effect.")),
        ]

    def __str__(self) -> str:
        return f"{self.retailer_id}: {self.grade}"


class GradeHistory(models.Model):
    """One change of a retailer's grade in effect (`kehu.Retailer.grade`), with its basis.

    Written by the nightly run (source "nightly": value, share, rank, policy version, run)
    and by overrides being set or lifted. A rerun that computes the same grades writes
    nothing, so there are no duplicates."""

    class Source(models.TextChoices):
        NIGHTLY = "nightly", _("Grading run")
        OVERRIDE = "override", _("Override set")
        OVERRIDE_LIFTED = "override_lifted", _("Override lifted")

    retailer = models.ForeignKey(Retailer, verbose_name=_("retailer"), on_delete=models.CASCADE,
                                 related_name="+", db_constraint=False, db_index=False)
    old_grade = models.CharField(_("from"), max_length=1, blank=True)
    new_grade = models.CharField(_("to"), max_length=1, blank=True)
    computed_grade = models.CharField(_("computed grade"), max_length=1, blank=True)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    value = models.DecimalField(_("value"), **VALUE, null=True, blank=True)
    active_months = models.PositiveSmallIntegerField(_("months with purchases"), null=True,
                                                     blank=True)
    cumulative_share = models.DecimalField(_("share compared to the thresholds (%)"), **SHARE,
                                           null=True, blank=True)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    population = models.PositiveIntegerField(_("retailers ranked"), null=True, blank=True)
    policy_version = models.ForeignKey(GradingPolicyVersion, verbose_name=_("policy version"),
                                       on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="+", db_constraint=False,
                                       db_index=False)
    run = models.ForeignKey(JobRun, verbose_name=_("run"), on_delete=models.SET_NULL,
                            null=True, blank=True, related_name="+", db_constraint=False)
    override = models.ForeignKey(GradeOverride, verbose_name=_("override"),
                                 on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+", db_constraint=False, db_index=False)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("changed by"),
                                   on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", db_constraint=False,
                                   db_index=False)
    business_date = models.DateField(_("business date"))
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    scope_path_lookup = "retailer__area__path"
    scope_owner_lookup = "retailer__assigned_rep_id"

    class Meta:
        verbose_name = _("grade change")
        verbose_name_plural = _("grade history")
        ordering = ["-changed_at", "-id"]
        indexes = [
            models.Index(fields=["retailer", "changed_at"], name="grade_history_retailer"),
            models.Index(fields=["business_date"], name="grade_history_date"),
        ]

    def __str__(self) -> str:
        return f"{self.retailer_id}: {self.old_grade or '—'} → {self.new_grade or '—'}"
