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
