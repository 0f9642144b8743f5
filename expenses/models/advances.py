"""Payout as a cash advance (借支) with a per-company cap, and the spot checks after it."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import OrgNode, Role
from accounts.scoping import NOTHING, ScopedQuerySet, default_scope_filter
from expenses.models.claims import MONEY
from expenses.models.statements import MonthlyStatement
from kehu.models import Retailer

DEFAULT_ADVANCE_CAP = Decimal("3000.00")


class AdvanceLimit(models.Model):
    """The cap on each rep's outstanding advance in one company (default 3,000 元)."""

    company = models.OneToOneField(OrgNode, verbose_name=_("company"), on_delete=models.CASCADE,
                                   related_name="+", limit_choices_to={"depth": 1})
    cap = models.DecimalField(_("advance cap per rep"), **MONEY)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("updated by"),
                                   on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("advance cap")
        verbose_name_plural = _("advance caps")
        constraints = [models.CheckConstraint(
            condition=Q(cap__gte=0), name="advancelimit_cap_not_negative",
            violation_error_message=_("The cap cannot be negative."))]

    def __str__(self) -> str:
        return f"{self.company}: {self.cap}"


class AdvanceAccount(models.Model):
    """A rep's outstanding advance. Its row is the lock every payout, settlement and claim
    write of the rep takes, so the cap holds under concurrency."""

    rep = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("rep"),
                               on_delete=models.PROTECT, related_name="advance_account")
    area = models.ForeignKey(OrgNode, verbose_name=_("area"), on_delete=models.PROTECT,
                             related_name="+")
    outstanding = models.DecimalField(_("outstanding advance"), **MONEY, default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    scope_path_lookup = "area__path"
    scope_owner_lookup = "rep_id"

    class Meta:
        verbose_name = _("advance account")
        verbose_name_plural = _("advance accounts")
        ordering = ["rep_id"]
        constraints = [models.CheckConstraint(
            condition=Q(outstanding__gte=0), name="advanceaccount_not_negative",
            violation_error_message=_("More cannot be settled than is outstanding."))]

    def __str__(self) -> str:
        return f"{self.rep}: {self.outstanding}"


class AdvanceEntry(models.Model):
    """One movement of an advance account: a payout (借支) or a settlement (冲销)."""

    class Kind(models.TextChoices):
        PAYOUT = "payout", _("Payout")
        SETTLEMENT = "settlement", _("Settlement")

    account = models.ForeignKey(AdvanceAccount, verbose_name=_("account"),
                                on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    amount = models.DecimalField(_("amount"), **MONEY)
    outstanding_after = models.DecimalField(_("outstanding after"), **MONEY)
    statement = models.ForeignKey(MonthlyStatement, verbose_name=_("statement"),
                                  on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="advance_entries")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"),
                           on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"), auto_now_add=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects = ScopedQuerySet.as_manager()

    scope_path_lookup = "account__area__path"
    scope_owner_lookup = "account__rep_id"

    class Meta:
        verbose_name = _("advance entry")
        verbose_name_plural = _("advance entries")
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="advanceentry_amount_positive",
                                   violation_error_message=_("The amount must be above zero.")),
            models.CheckConstraint(
                condition=Q(kind="settlement") | Q(statement__isnull=False),
                name="advanceentry_payout_has_statement",
                violation_error_message=_("A payout is made against a statement.")),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"


def hidden_from_reps(model, membership, user) -> Q:
    """Spot checks are a control on the rep: reps never see them."""
    if membership.role == Role.REP:
        return NOTHING
    return default_scope_filter(model, membership, user)


class SpotCheck(models.Model):
    """After payout: retailers of one rep's statement drawn for the manager to check (抽查).

    The draw is `random.Random(seed).sample(sorted(candidates), k)`: the stored seed and
    candidates reproduce it.
    """

    statement = models.OneToOneField(MonthlyStatement, verbose_name=_("statement"),
                                     on_delete=models.PROTECT, related_name="spot_check")
    seed = models.BigIntegerField(_("seed"))
    sample_size = models.PositiveSmallIntegerField(_("sample size"))
    candidates = models.JSONField(_("candidates"), default=list)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    scope_path_lookup = "statement__area__path"
    scope_owner_lookup = "statement__rep_id"

    class Meta:
        verbose_name = _("spot check")
        verbose_name_plural = _("spot checks")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.statement}"

    @classmethod
    def scope_filter(cls, membership, user) -> Q:
        return hidden_from_reps(cls, membership, user)


class SpotCheckItem(models.Model):
    class Result(models.TextChoices):
        PENDING = "pending", _("Not checked yet")
        CONFIRMED = "confirmed", _("Confirmed: the money reached the retailer")
        NOT_CONFIRMED = "not_confirmed", _("Not confirmed")

    spot_check = models.ForeignKey(SpotCheck, verbose_name=_("spot check"),
                                   on_delete=models.CASCADE, related_name="items")
    retailer = models.ForeignKey(Retailer, verbose_name=_("retailer"), on_delete=models.PROTECT,
                                 related_name="+")
    result = models.CharField(_("result"), max_length=16, choices=Result.choices,
                              default=Result.PENDING)
    note = models.CharField(_("note"), max_length=300, blank=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("checked by"),
                                   on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    scope_path_lookup = "spot_check__statement__area__path"
    scope_owner_lookup = "spot_check__statement__rep_id"

    class Meta:
        verbose_name = _("spot-checked retailer")
        verbose_name_plural = _("spot-checked retailers")
        ordering = ["spot_check_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["spot_check", "retailer"],
                                    name="spotcheckitem_unique_retailer"),
            models.CheckConstraint(
                condition=~Q(result="not_confirmed") | ~Q(note=""),
                name="spotcheckitem_failure_has_note",
                violation_error_message=_("Say what was found when the money is not confirmed.")),
        ]

    def __str__(self) -> str:
        return f"{self.spot_check_id} {self.retailer_id} {self.result}"

    @classmethod
    def scope_filter(cls, membership, user) -> Q:
        return hidden_from_reps(cls, membership, user)
