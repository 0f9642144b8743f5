"""Grading policies: who is graded how, versioned (the version in force is the one used)."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import OrgNode
from accounts.scoping import ScopedQuerySet
from kehu.models import Retailer

PERCENT = {"max_digits": 5, "decimal_places": 2,
           "validators": [MinValueValidator(0), MaxValueValidator(100)]}


class GradingPolicy(models.Model):
    """A grading policy for a scope: the company, a region or an office, optionally only
    one business type. A retailer is graded by the most specific active policy that covers
    it (the deepest node; at the same node a business-type policy before a general one)."""

    company = models.ForeignKey(OrgNode, verbose_name=_("company"), on_delete=models.PROTECT,
                                related_name="+", limit_choices_to={"depth": 1})
    scope = models.ForeignKey(OrgNode, verbose_name=_("scope"), on_delete=models.PROTECT,
                              related_name="grading_policies")
    business_type = models.CharField(_("business type"), max_length=32, blank=True,
                                     choices=Retailer.BusinessType.choices,
                                     help_text=_("Empty: every business type."))
    name = models.CharField(_("name"), max_length=100)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"),
                                   on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    scope_path_lookup = "scope__path"
    scope_owner_lookup = None

    class Meta:
        verbose_name = _("grading policy")
        verbose_name_plural = _("grading policies")
        ordering = ["scope__path", "business_type", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "business_type"], condition=Q(is_active=True),
                name="grading_policy_one_active_per_scope",
                violation_error_message=_(
                    "This scope already has an active policy for this business type."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class GradingPolicyVersion(models.Model):
    """One immutable version of a policy's rule. The version in force on a day is the one
    with the latest `valid_from` on or before it (the highest number on the same day)."""

    class Method(models.TextChoices):
        PARETO = "pareto", _("Cumulative share (Pareto)")
        RANK = "rank", _("Rank shares")
        WEIGHTED = "weighted", _("Weighted purchase frequency and amount")

    class Measure(models.TextChoices):
        PURCHASE_AMOUNT = "purchase_amount", _("Purchase amount")
        PURCHASE_QUANTITY = "purchase_quantity", _("Purchase quantity")
        COLLECTED_AMOUNT = "collected_amount", _("Collected amount")

    class RankWithin(models.TextChoices):
        SCOPE = "scope", _("The whole scope")
        OFFICE = "office", _("Each office")
        BUSINESS_TYPE = "business_type", _("Each business type")

    # Typical shares per method (DOMAIN.md): A/B/C in percent.
    DEFAULT_SHARES = {Method.PARETO: (75, 20, 5), Method.RANK: (20, 40, 40),
                      Method.WEIGHTED: (20, 40, 40)}

    policy = models.ForeignKey(GradingPolicy, verbose_name=_("policy"),
                               on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    method = models.CharField(_("method"), max_length=16, choices=Method.choices,
                              default=Method.PARETO)
    measure = models.CharField(_("measure"), max_length=32, choices=Measure.choices,
                               default=Measure.PURCHASE_AMOUNT)
    window_months = models.PositiveSmallIntegerField(
        _("window (months)"), default=12, validators=[MinValueValidator(1), MaxValueValidator(36)],
        help_text=_("The trailing complete months before the run's month."))
    share_a = models.DecimalField(_("A share (%)"), **PERCENT, default=Decimal("75"))
    share_b = models.DecimalField(_("B share (%)"), **PERCENT, default=Decimal("20"))
    share_c = models.DecimalField(_("C share (%)"), **PERCENT, default=Decimal("5"))
    frequency_weight = models.DecimalField(
        _("weight of purchase frequency (%)"), **PERCENT, default=Decimal("0"),
        help_text=_("Weighted method only; the amount gets the rest."))
    rank_within = models.CharField(_("rank within"), max_length=16, choices=RankWithin.choices,
                                   default=RankWithin.SCOPE)
    valid_from = models.DateField(_("in force from"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"),
                                   on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    scope_path_lookup = "policy__scope__path"
    scope_owner_lookup = None

    class Meta:
        verbose_name = _("grading policy version")
        verbose_name_plural = _("grading policy versions")
        ordering = ["policy_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "number"],
                                    name="grading_version_unique_number",
                                    violation_error_message=_("This version number is taken.")),
            models.CheckConstraint(
                condition=Q(share_a__gt=0) & Q(share_b__gte=0) & Q(share_c__gte=0)
                & Q(share_a__lte=100) & Q(share_b__lte=100) & Q(share_c__lte=100),
                name="grading_version_shares_in_range",
                violation_error_message=_("Shares are percentages; the A share is above 0.")),
        ]

    def __str__(self) -> str:
        return f"{self.policy} v{self.number}"

    def clean(self) -> None:
        errors = {}
        shares = [self.share_a, self.share_b, self.share_c]
        if None not in shares and sum(shares) != 100:
            errors["share_c"] = _(
                "The A, B and C shares must add up to 100 %% (now %(sum)s %%).") % {
                "sum": sum(shares)}
        if self.share_a is not None and self.share_a <= 0:
            errors["share_a"] = _("The A share must be above 0 %.")
        if self.method == self.Method.WEIGHTED and self.frequency_weight is not None and not (
                0 < self.frequency_weight < 100):
            errors["frequency_weight"] = _(
                "A weighted mix needs a frequency weight between 0 % and 100 % (exclusive).")
        if errors:
            raise ValidationError(errors)
