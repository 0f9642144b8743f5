"""What a rep spends (claim lines), what finance allows (standards), and new-customer
pre-approvals."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from accounts.models import OrgNode
from accounts.scoping import ScopedQuerySet
from kehu.models import KeyPerson, Retailer

MONEY = {"max_digits": 12, "decimal_places": 2}


def ancestor_paths(path: str) -> list[str]:
    """The materialised paths of a node and every node above it."""
    step = OrgNode.steplen
    return [path[:end] for end in range(step, len(path) + 1, step)]


class ProductLine(models.Model):
    """A product line of a company (卷烟, 白酒…): standards are set per line."""

    company = models.ForeignKey(OrgNode, verbose_name=_("company"), on_delete=models.PROTECT,
                                related_name="+", limit_choices_to={"depth": 1})
    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=100)
    active = models.BooleanField(_("active"), default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("product line")
        verbose_name_plural = _("product lines")
        ordering = ["company_id", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "code"], name="productline_code_unique_per_company",
                violation_error_message=_("This product line code is already used."))
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_filter(cls, membership, user) -> Q:
        """Everybody in a company sees its product lines."""
        return Q(company__path=membership.node.path[: OrgNode.steplen])


class ExpenseStandard(models.Model):
    """Finance's standard for one product line at one org node, from a month on.

    The most specific node above a retailer wins; at one node the latest `valid_from`.
    """

    class Basis(models.TextChoices):
        PER_UNIT = "per_unit", _("Yuan per unit sold")
        SHARE = "share", _("Share of sales (%)")

    class CollectionRule(models.TextChoices):
        FULL = "full_collection", _("Payable only once the month's purchases are fully collected")
        RATE = "collection_rate", _("Payable rate follows the collection rate")

    node = models.ForeignKey(OrgNode, verbose_name=_("applies under"), on_delete=models.PROTECT,
                             related_name="+")
    product_line = models.ForeignKey(ProductLine, verbose_name=_("product line"),
                                     on_delete=models.PROTECT, related_name="standards")
    basis = models.CharField(_("basis"), max_length=16, choices=Basis.choices)
    rate = models.DecimalField(
        _("rate"), max_digits=10, decimal_places=4,
        help_text=_("Yuan per unit, or percent of the purchase amount."))
    collection_rule = models.CharField(_("payable rule"), max_length=20,
                                       choices=CollectionRule.choices,
                                       default=CollectionRule.RATE)
    valid_from = models.DateField(_("valid from month"))
    valid_until = models.DateField(_("valid until month"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("set by"),
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("expense standard")
        verbose_name_plural = _("expense standards")
        ordering = ["product_line_id", "-valid_from", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["node", "product_line", "valid_from"], name="standard_unique_from",
                violation_error_message=_(
                    "This product line already has a standard here from that month.")),
            models.CheckConstraint(condition=Q(rate__gt=0), name="standard_rate_positive",
                                   violation_error_message=_("The rate must be above zero.")),
            models.CheckConstraint(
                condition=Q(basis="per_unit") | Q(rate__lte=100), name="standard_share_max_100",
                violation_error_message=_("A share of sales is at most 100%.")),
            models.CheckConstraint(
                condition=Q(valid_from__day=1), name="standard_from_first_day",
                violation_error_message=_("A month is its first day.")),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True)
                | (Q(valid_until__day=1) & Q(valid_until__gte=F("valid_from"))),
                name="standard_until_after_from",
                violation_error_message=_("The last month cannot be before the first.")),
        ]

    def __str__(self) -> str:
        return f"{self.product_line} {self.get_basis_display()} {self.rate}"

    @classmethod
    def scope_filter(cls, membership, user) -> Q:
        """Standards that apply to the member (set above them) or that they look after
        (set below them)."""
        path = membership.node.path
        return Q(node__path__startswith=path) | Q(node__path__in=ancestor_paths(path))


class PreApproval(ConcurrentTransitionMixin, models.Model):
    """An application for a new-customer special expense (新客户特殊费用).

    Valid only when applied for and approved on or before the contract date: an application
    or approval dated after the contract is void.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        VOID = "void", _("Void")

    rep = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("rep"),
                            on_delete=models.PROTECT, related_name="pre_approvals")
    area = models.ForeignKey(OrgNode, verbose_name=_("area"), on_delete=models.PROTECT,
                             related_name="+")
    retailer = models.ForeignKey(Retailer, verbose_name=_("retailer"), on_delete=models.PROTECT,
                                 related_name="pre_approvals")
    amount = models.DecimalField(_("amount"), **MONEY)
    purpose = models.CharField(_("purpose"), max_length=300)
    applied_on = models.DateField(_("applied on"))
    contract_date = models.DateField(_("contract date"), null=True, blank=True)
    status = FSMField(_("status"), max_length=16, choices=Status.choices,
                      default=Status.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"),
                                   on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    scope_path_lookup = "area__path"
    scope_owner_lookup = "rep_id"

    class Meta:
        verbose_name = _("new-customer pre-approval")
        verbose_name_plural = _("new-customer pre-approvals")
        ordering = ["-applied_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="preapproval_amount_positive",
                                   violation_error_message=_("The amount must be above zero.")),
            models.CheckConstraint(
                condition=Q(status="void") | Q(contract_date__isnull=True)
                | Q(applied_on__lte=F("contract_date")),
                name="preapproval_applied_by_contract",
                violation_error_message=_("An application dated after the contract is void.")),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(contract_date__isnull=True)
                | Q(decided_on__lte=F("contract_date")),
                name="preapproval_approved_by_contract",
                violation_error_message=_("An approval dated after the contract is void.")),
            models.CheckConstraint(
                condition=~Q(decided_by=F("rep")), name="preapproval_not_own",
                violation_error_message=_("Nobody decides on their own application.")),
        ]

    def __str__(self) -> str:
        return f"{self.retailer_id} {self.amount} {self.get_status_display()}"

    @transition(field=status, source=Status.PENDING, target=Status.APPROVED)
    def approve(self, *, by, on) -> None:
        self.decided_by, self.decided_on = by, on

    @transition(field=status, source=Status.PENDING, target=Status.REJECTED)
    def reject(self, *, by, on, reason: str) -> None:
        self.decided_by, self.decided_on, self.reason = by, on, reason

    @transition(field=status, source=[Status.PENDING, Status.APPROVED], target=Status.VOID)
    def void(self, *, reason: str) -> None:
        self.reason = reason


def receipt_upload_to(line: "ClaimLine", filename: str) -> str:
    """Receipts are stored under a random name (never the phone's file name)."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"receipts/{line.rep_id}/{line.spent_on:%Y/%m}/{uuid.uuid4().hex}.{extension}"


class ClaimLine(models.Model):
    """One 客情费 spend: on which retailer (and person), what, how much, when, the receipt."""

    class Category(models.TextChoices):
        GIFT = "gift", _("Gift")
        MEAL = "meal", _("Meal / gathering (联谊)")
        EVENT = "event", _("Event / promotion meeting")
        NEW_CUSTOMER = "new_customer", _("New-customer special expense")
        OTHER = "other", _("Other")

    rep = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("rep"),
                            on_delete=models.PROTECT, related_name="claim_lines")
    area = models.ForeignKey(OrgNode, verbose_name=_("area"), on_delete=models.PROTECT,
                             related_name="+")
    retailer = models.ForeignKey(Retailer, verbose_name=_("retailer"), on_delete=models.PROTECT,
                                 related_name="claim_lines")
    key_person = models.ForeignKey(KeyPerson, verbose_name=_("key person"),
                                   on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    product_line = models.ForeignKey(ProductLine, verbose_name=_("product line"),
                                     on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    pre_approval = models.ForeignKey(PreApproval, verbose_name=_("pre-approval"),
                                     on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="lines")
    amount = models.DecimalField(_("amount"), **MONEY)
    spent_on = models.DateField(_("spent on"))
    month = models.DateField(_("month"), editable=False)
    receipt = models.FileField(_("receipt photo"), upload_to=receipt_upload_to, max_length=200)
    note = models.CharField(_("note"), max_length=500, blank=True)
    # Set when the month's statement is submitted: the payable amount then computed.
    statement = models.ForeignKey("expenses.MonthlyStatement", verbose_name=_("statement"),
                                  on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="lines")
    payable_amount = models.DecimalField(_("payable amount"), **MONEY, null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    scope_path_lookup = "area__path"
    scope_owner_lookup = "rep_id"

    class Meta:
        verbose_name = _("expense claim line")
        verbose_name_plural = _("expense claim lines")
        ordering = ["-spent_on", "-id"]
        indexes = [
            models.Index(fields=["rep", "month"], name="claimline_rep_month"),
            models.Index(fields=["retailer", "month"], name="claimline_retailer_month"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="claimline_amount_positive",
                                   violation_error_message=_("The amount must be above zero.")),
            models.CheckConstraint(condition=Q(month__day=1), name="claimline_month_first_day",
                                   violation_error_message=_("A month is its first day.")),
            models.CheckConstraint(
                condition=(Q(category="new_customer") & Q(pre_approval__isnull=False))
                | (~Q(category="new_customer") & Q(pre_approval__isnull=True)
                   & Q(product_line__isnull=False)),
                name="claimline_category_fields",
                violation_error_message=_(
                    "A new-customer special expense names its pre-approval; any other line "
                    "names its product line.")),
        ]

    def __str__(self) -> str:
        return f"{self.spent_on} {self.retailer_id} {self.amount}"
