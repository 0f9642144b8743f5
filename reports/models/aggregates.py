"""Precomputed daily figures the dashboards and reports read instead of the visit log.

`RepDay` is one row per (rep, day): what the rep's approved plan asked for that day and
what happened (visits by kind, flagged check-ins, problems, information fed back). The
nightly fill (reports.aggregates) writes it set-based per office; a visit, missed visit
or problem that is saved or deleted refreshes its own (rep, day) row right after the
commit, so today's figures are live.

`node_path` copies the area's materialized path: "every row under node N" is the
indexed prefix lookup `node_path LIKE 'N.path%'` without a join to the org tree.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import OrgNode
from accounts.scoping import ScopedQuerySet


def _count(label):
    return models.PositiveIntegerField(label, default=0)


class RepDay(models.Model):
    rep = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("rep"),
                            on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("day"))
    area = models.ForeignKey(OrgNode, verbose_name=_("area"), on_delete=models.PROTECT,
                             related_name="+")
    node_path = models.CharField(_("area path"), max_length=255)
    planned = _count(_("planned stops"))
    done = _count(_("planned stops done on their day"))
    missed = _count(_("missed with a reason"))
    visits = _count(_("visits"))
    on_site = _count(_("on-site visits"))
    phone = _count(_("phone visits"))
    care = _count(_("care calls"))
    far = _count(_("check-ins far from the store"))
    no_gps = _count(_("check-ins without GPS"))
    # A visit both far and without GPS is in `far` and in `no_gps` but once here: the
    # flagged check-ins figure, equal to the list filtered on either flag.
    flagged = _count(_("flagged check-ins"))
    problems_raised = _count(_("problems raised"))
    problems_solved = _count(_("problems solved"))
    info_items = _count(_("information items fed back"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    scope_path_lookup = "node_path"
    scope_owner_lookup = "rep_id"

    class Meta:
        verbose_name = _("rep's day")
        verbose_name_plural = _("reps' days")
        ordering = ["-day", "rep_id"]
        constraints = [models.UniqueConstraint(fields=["rep", "day"],
                                               name="rep_day_unique")]
        indexes = [
            # "Everything under node X between two days": a prefix range on node_path.
            models.Index(fields=["node_path", "day"], name="rep_day_path_day",
                         opclasses=["varchar_pattern_ops", "date_ops"]),
            models.Index(fields=["day"], name="rep_day_day"),
        ]

    def __str__(self) -> str:
        return f"{self.rep_id} {self.day}"


class AreaGradeMonth(models.Model):
    """An area's retailers by grade in a month: how many hold the grade (active, as of the
    last night of the month filled) and how many grade changes of the month went into and
    out of it, so the start of the month is `retailers - moved_in + moved_out`. Filled
    nightly with the RepDay rows; the regional dashboard's grade distribution reads it."""

    area = models.ForeignKey(OrgNode, verbose_name=_("area"), on_delete=models.CASCADE,
                             related_name="+")
    node_path = models.CharField(_("area path"), max_length=255)
    month = models.DateField(_("month"))
    grade = models.CharField(_("grade"), max_length=1, blank=True)
    retailers = _count(_("retailers"))
    moved_in = _count(_("moved into the grade"))
    moved_out = _count(_("moved out of the grade"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    scope_path_lookup = "node_path"
    scope_owner_lookup = None

    class Meta:
        verbose_name = _("area's grades in a month")
        verbose_name_plural = _("areas' grades by month")
        ordering = ["-month", "node_path", "grade"]
        constraints = [models.UniqueConstraint(fields=["area", "month", "grade"],
                                               name="area_grade_month_unique")]
        indexes = [models.Index(fields=["node_path", "month"], name="area_grade_path_month",
                                opclasses=["varchar_pattern_ops", "date_ops"])]

    def __str__(self) -> str:
        return f"{self.area_id} {self.month:%Y-%m} {self.grade or '-'}"


class AreaProblemDay(models.Model):
    """Unsolved problems of an area's retailers by due date: "open" is the sum of an
    area's rows, "overdue" the sum of those due before today. Recomputed for the area
    when one of its problems is saved or deleted, and nightly for every area."""

    area = models.ForeignKey(OrgNode, verbose_name=_("area"), on_delete=models.CASCADE,
                             related_name="+")
    node_path = models.CharField(_("area path"), max_length=255)
    due_date = models.DateField(_("due date"))
    unsolved = _count(_("unsolved problems"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    scope_path_lookup = "node_path"
    scope_owner_lookup = None

    class Meta:
        verbose_name = _("area's unsolved problems by due date")
        verbose_name_plural = _("areas' unsolved problems by due date")
        ordering = ["node_path", "due_date"]
        constraints = [models.UniqueConstraint(fields=["area", "due_date"],
                                               name="area_problem_day_unique")]
        indexes = [models.Index(fields=["node_path", "due_date"], name="area_problem_path_due",
                                opclasses=["varchar_pattern_ops", "date_ops"])]

    def __str__(self) -> str:
        return f"{self.area_id} {self.due_date}: {self.unsolved}"
