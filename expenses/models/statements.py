"""The monthly statement (月客户采购及客情费统计表) and its review chain."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from accounts.models import OrgNode
from accounts.scoping import ScopedQuerySet
from expenses.models.claims import MONEY, PreApproval
from kehu.models import Retailer

RATE = {"max_digits": 7, "decimal_places": 4}


class MonthlyStatement(ConcurrentTransitionMixin, models.Model):
    """One rep's statement for one month, generated from the month's lines and facts.

    A draft is generated for every rep at the start of the month (set-based, see
    `expenses.generation`) for the rep to review; submitting regenerates and freezes it.
    Review chain: clerk → office manager → finance, each a different person who is not the
    rep, all by the 8th working day of the next month; a statement missing a step then is
    void. Payout (as an advance) from the 9th working day.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft (generated, not submitted)")
        SUBMITTED = "submitted", _("Submitted")
        CLERK_CHECKED = "clerk_checked", _("Checked by the clerk")
        MANAGER_APPROVED = "manager_approved", _("Approved by the manager")
        APPROVED = "approved", _("Approved by finance")
        PAID = "paid", _("Paid out")
        RETURNED = "returned", _("Returned to the rep")
        VOID = "void", _("Void")

    OPEN = (Status.DRAFT, Status.SUBMITTED, Status.CLERK_CHECKED, Status.MANAGER_APPROVED,
            Status.RETURNED)
    # The rep may still change the month's lines.
    EDITABLE = (Status.DRAFT, Status.RETURNED)
    SIGNED = (Status.APPROVED, Status.PAID)

    rep = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("rep"),
                            on_delete=models.PROTECT, related_name="expense_statements")
    area = models.ForeignKey(OrgNode, verbose_name=_("area"), on_delete=models.PROTECT,
                             related_name="+")
    month = models.DateField(_("month"))
    status = FSMField(_("status"), max_length=20, choices=Status.choices,
                      default=Status.DRAFT)
    submit_due = models.DateField(_("submit by"))
    review_due = models.DateField(_("review by"))
    payout_from = models.DateField(_("payout from"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    late = models.BooleanField(_("submitted late"), default=False)
    submissions = models.PositiveSmallIntegerField(_("submissions"), default=1)

    purchase_total = models.DecimalField(_("purchases"), **MONEY, default=0)
    collected_total = models.DecimalField(_("collected"), **MONEY, default=0)
    claimed_total = models.DecimalField(_("claimed"), **MONEY, default=0)
    payable_total = models.DecimalField(_("payable"), **MONEY, default=0)
    new_customer_total = models.DecimalField(_("new-customer special expense"), **MONEY,
                                             default=0)
    paid_total = models.DecimalField(_("paid out"), **MONEY, default=0)

    clerk_checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("checked by"),
                                         on_delete=models.PROTECT, null=True, blank=True,
                                         related_name="+")
    clerk_checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    manager_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("manager"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+")
    manager_approved_at = models.DateTimeField(_("manager approved at"), null=True, blank=True)
    finance_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("finance"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+")
    finance_approved_at = models.DateTimeField(_("finance approved at"), null=True, blank=True)
    returned_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("returned by"),
                                    on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    return_reason = models.CharField(_("reason for return"), max_length=300, blank=True)
    void_reason = models.CharField(_("why void"), max_length=300, blank=True)
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    scope_path_lookup = "area__path"
    scope_owner_lookup = "rep_id"

    class Meta:
        verbose_name = _("monthly expense statement")
        verbose_name_plural = _("monthly expense statements")
        ordering = ["-month", "rep_id"]
        indexes = [models.Index(fields=["month", "status"], name="statement_month_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["rep", "month"], name="statement_one_per_rep_month",
                violation_error_message=_("This month's statement is already submitted.")),
            models.CheckConstraint(condition=Q(month__day=1), name="statement_month_first_day",
                                   violation_error_message=_("A month is its first day.")),
            models.CheckConstraint(
                condition=~Q(status__in=["approved", "paid"])
                | (Q(clerk_checked_by__isnull=False) & Q(manager_approved_by__isnull=False)
                   & Q(finance_approved_by__isnull=False)),
                name="statement_signed_by_all_three",
                violation_error_message=_("A statement missing a review step is void.")),
            models.CheckConstraint(
                condition=~Q(clerk_checked_by=F("rep")) & ~Q(manager_approved_by=F("rep"))
                & ~Q(finance_approved_by=F("rep")),
                name="statement_not_signed_by_rep",
                violation_error_message=_("Nobody approves their own statement.")),
            models.CheckConstraint(
                condition=~Q(manager_approved_by=F("clerk_checked_by"))
                & ~Q(finance_approved_by=F("clerk_checked_by"))
                & ~Q(finance_approved_by=F("manager_approved_by")),
                name="statement_steps_by_different_people",
                violation_error_message=_("Each review step is done by a different person.")),
            models.CheckConstraint(
                condition=Q(paid_total__gte=0) & Q(paid_total__lte=F("payable_total")),
                name="statement_paid_within_payable",
                violation_error_message=_("More cannot be paid out than is payable.")),
        ]

    def __str__(self) -> str:
        return f"{self.rep} {self.month:%Y-%m} {self.get_status_display()}"

    @transition(field=status, source=Status.DRAFT, target=Status.SUBMITTED)
    def submit(self, *, at, late: bool) -> None:
        self.submitted_at, self.late = at, late

    @transition(field=status, source=Status.RETURNED, target=Status.SUBMITTED)
    def resubmit(self, *, at) -> None:
        self.submitted_at = at
        self.submissions += 1
        self.clerk_checked_by = self.manager_approved_by = self.finance_approved_by = None
        self.clerk_checked_at = self.manager_approved_at = self.finance_approved_at = None

    @transition(field=status, source=Status.SUBMITTED, target=Status.CLERK_CHECKED)
    def clerk_check(self, *, by, at) -> None:
        self.clerk_checked_by, self.clerk_checked_at = by, at

    @transition(field=status, source=Status.CLERK_CHECKED, target=Status.MANAGER_APPROVED)
    def manager_approve(self, *, by, at) -> None:
        self.manager_approved_by, self.manager_approved_at = by, at

    @transition(field=status, source=Status.MANAGER_APPROVED, target=Status.APPROVED)
    def finance_approve(self, *, by, at) -> None:
        self.finance_approved_by, self.finance_approved_at = by, at

    @transition(field=status,
                source=[Status.SUBMITTED, Status.CLERK_CHECKED, Status.MANAGER_APPROVED],
                target=Status.RETURNED)
    def send_back(self, *, by, at, reason: str) -> None:
        self.returned_by, self.returned_at, self.return_reason = by, at, reason

    @transition(field=status, source=Status.APPROVED, target=Status.PAID)
    def mark_paid(self) -> None:
        pass

    @transition(field=status, source=list(OPEN), target=Status.VOID)
    def void(self, *, at, reason: str) -> None:
        self.voided_at, self.void_reason = at, reason


class StatementRow(models.Model):
    """One retailer's line of the statement: purchases, collections, 客情费 (a snapshot)."""

    # Indexed by the unique (statement, retailer) constraint: no second index to maintain
    # when a month's rows are written.
    statement = models.ForeignKey(MonthlyStatement, verbose_name=_("statement"),
                                  on_delete=models.CASCADE, related_name="rows",
                                  db_index=False)
    # A snapshot row carries the retailer's code and name as filed, and outlives the card
    # (a merged or erased card must not block or alter a filed statement). No database
    # constraint and no index on it: a month writes a million of these rows, and the
    # per-row foreign-key check and index were half the cost (bench/statements.py).
    retailer = models.ForeignKey(Retailer, verbose_name=_("retailer"),
                                 on_delete=models.DO_NOTHING, db_constraint=False,
                                 db_index=False, related_name="+")
    retailer_code = models.CharField(_("retailer code"), max_length=32)
    retailer_name = models.CharField(_("retailer name"), max_length=100)
    purchase_amount = models.DecimalField(_("purchase amount"), **MONEY)
    purchase_quantity = models.DecimalField(_("purchase quantity"), max_digits=12,
                                            decimal_places=2)
    collected_amount = models.DecimalField(_("collected amount"), **MONEY)
    collection_rate = models.DecimalField(_("collection rate"), **RATE)
    claimed_amount = models.DecimalField(_("claimed"), **MONEY)
    payable_amount = models.DecimalField(_("payable"), **MONEY)
    line_count = models.PositiveIntegerField(_("lines"))

    objects = ScopedQuerySet.as_manager()

    scope_path_lookup = "statement__area__path"
    scope_owner_lookup = "statement__rep_id"

    class Meta:
        verbose_name = _("statement row")
        verbose_name_plural = _("statement rows")
        ordering = ["statement_id", "retailer_code"]
        constraints = [models.UniqueConstraint(fields=["statement", "retailer"],
                                               name="statementrow_unique_retailer")]

    def __str__(self) -> str:
        return f"{self.statement_id} {self.retailer_code}"


class NewCustomerRow(models.Model):
    """One pre-approval's line of the new-customer special expense summary (a snapshot)."""

    statement = models.ForeignKey(MonthlyStatement, verbose_name=_("statement"),
                                  on_delete=models.CASCADE, related_name="new_customer_rows",
                                  db_index=False)
    pre_approval = models.ForeignKey(PreApproval, verbose_name=_("pre-approval"),
                                     on_delete=models.PROTECT, related_name="+")
    retailer = models.ForeignKey(Retailer, verbose_name=_("retailer"), on_delete=models.PROTECT,
                                 related_name="+")
    retailer_code = models.CharField(_("retailer code"), max_length=32)
    retailer_name = models.CharField(_("retailer name"), max_length=100)
    applied_on = models.DateField(_("applied on"))
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    contract_date = models.DateField(_("contract date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=PreApproval.Status.choices)
    approved_amount = models.DecimalField(_("approved amount"), **MONEY)
    claimed_amount = models.DecimalField(_("claimed"), **MONEY)
    payable_amount = models.DecimalField(_("payable"), **MONEY)

    class Meta:
        verbose_name = _("new-customer summary row")
        verbose_name_plural = _("new-customer summary rows")
        ordering = ["statement_id", "retailer_code", "pre_approval_id"]
        constraints = [models.UniqueConstraint(fields=["statement", "pre_approval"],
                                               name="newcustomerrow_unique")]

    def __str__(self) -> str:
        return f"{self.statement_id} {self.retailer_code}"
