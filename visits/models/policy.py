"""Visit policy per company, and on-site step templates per business type."""

from datetime import date

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import OrgNode
from accounts.scoping import ScopedQuerySet
from kehu.models import Retailer


class VisitPolicy(models.Model):
    """How often each grade is visited and the thresholds of the visit rules.

    One per company; a company without a row uses the defaults below.
    """

    company = models.OneToOneField(
        OrgNode, verbose_name=_("company"), on_delete=models.PROTECT, related_name="+",
        limit_choices_to={"depth": 1})
    interval_days_a = models.PositiveSmallIntegerField(
        _("A retailers: visit every (days)"), default=7,
        validators=[MinValueValidator(1), MaxValueValidator(366)])
    interval_days_b = models.PositiveSmallIntegerField(
        _("B retailers: visit every (days)"), default=14,
        validators=[MinValueValidator(1), MaxValueValidator(366)])
    interval_days_c = models.PositiveSmallIntegerField(
        _("C retailers: visit every (days)"), default=30,
        validators=[MinValueValidator(1), MaxValueValidator(366)])
    # 前密后疏 (DOMAIN.md, visit plans): a new customer is visited more often at first.
    new_retailer_days = models.PositiveSmallIntegerField(
        _("new retailers: denser visits for (days)"), default=90,
        validators=[MaxValueValidator(366)],
        help_text=_("A retailer whose card was created and who started buying within this "
                    "many days is visited at the new-retailer frequency; 0 turns it off."))
    interval_days_new = models.PositiveSmallIntegerField(
        _("new retailers: visit every (days)"), default=7,
        validators=[MinValueValidator(1), MaxValueValidator(366)])
    max_stops_per_day = models.PositiveSmallIntegerField(
        _("most stops in a day"), default=25,
        validators=[MinValueValidator(1), MaxValueValidator(200)])
    checkin_radius_m = models.PositiveIntegerField(
        _("check-in radius (m)"), default=200,
        validators=[MinValueValidator(10), MaxValueValidator(50_000)])
    price_tolerance_pct = models.DecimalField(
        _("price tolerance (%)"), max_digits=5, decimal_places=2, default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)])
    clock_skew_minutes = models.PositiveSmallIntegerField(
        _("phone clock tolerance (minutes)"), default=10,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 60)])
    problem_due_days = models.PositiveSmallIntegerField(
        _("problems due after (days)"), default=7,
        validators=[MinValueValidator(1), MaxValueValidator(366)])
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("updated by"),
                                   on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("visit policy")
        verbose_name_plural = _("visit policies")

    def __str__(self) -> str:
        return f"{self.company_id}: A/{self.interval_days_a} B/{self.interval_days_b} " \
               f"C/{self.interval_days_c}"

    def interval_days(self, grade: str, new: bool = False) -> int:
        """Days between visits for a grade; a retailer not graded yet counts as C. A new
        retailer gets the new-retailer interval when it is shorter (dense first)."""
        interval = {"A": self.interval_days_a, "B": self.interval_days_b}.get(
            grade, self.interval_days_c)
        if new and self.new_retailer_days:
            return min(interval, self.interval_days_new)
        return interval

    def visits_required(self, grade: str, first: date, last: date, new: bool = False) -> int:
        """Visits the grade needs between two days (both included): at least one."""
        return max(1, ((last - first).days + 1) // self.interval_days(grade, new))


def ancestor_paths(path: str) -> list[str]:
    step = OrgNode.steplen
    return [path[:end] for end in range(step, len(path) + 1, step)]


class NodeChainQuerySet(ScopedQuerySet):
    """Rows placed at a node apply to everything under it: a user sees the rows at the
    nodes above their own (which apply to them) and below it (which they manage)."""


def chain_scope_filter(lookup: str, membership) -> Q:
    path = membership.node.path
    return Q(**{f"{lookup}__startswith": path}) | Q(**{f"{lookup}__in": ancestor_paths(path)})


class VisitTemplate(models.Model):
    """The on-site steps for one business type, defined at a node (company or region);
    the deepest node above a retailer's area wins. Edits make new versions."""

    node = models.ForeignKey(OrgNode, verbose_name=_("defined at"), on_delete=models.PROTECT,
                             related_name="+")
    business_type = models.CharField(_("business type"), max_length=32,
                                     choices=Retailer.BusinessType.choices)
    name = models.CharField(_("name"), max_length=100)
    current_version = models.PositiveIntegerField(_("current version"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = NodeChainQuerySet.as_manager()

    scope_path_lookup = "node__path"
    scope_owner_lookup = None

    class Meta:
        verbose_name = _("visit template")
        verbose_name_plural = _("visit templates")
        ordering = ["business_type", "node__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["node", "business_type"], name="visit_template_unique_node_type",
                violation_error_message=_(
                    "This business type already has a template at this node.")),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.current_version}"

    @classmethod
    def scope_filter(cls, membership, user) -> Q:
        return chain_scope_filter("node__path", membership)


class VisitTemplateVersion(models.Model):
    """One immutable version of a template's steps; visits keep answers against it."""

    template = models.ForeignKey(VisitTemplate, verbose_name=_("template"),
                                 on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    steps = models.JSONField(_("steps"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"),
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = NodeChainQuerySet.as_manager()

    scope_path_lookup = "template__node__path"
    scope_owner_lookup = None

    class Meta:
        verbose_name = _("visit template version")
        verbose_name_plural = _("visit template versions")
        ordering = ["template_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["template", "number"],
                                    name="visit_template_version_unique",
                                    violation_error_message=_("This version already exists.")),
        ]

    def __str__(self) -> str:
        return f"{self.template_id} v{self.number}"

    @classmethod
    def scope_filter(cls, membership, user) -> Q:
        return chain_scope_filter("template__node__path", membership)
