"""Problems and complaints (问题 / 投诉) raised at retailers, tracked until solved."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from accounts.scoping import ScopedQuerySet
from kehu.models import Retailer


class Problem(models.Model):
    class Category(models.TextChoices):
        LATE_DELIVERY = "late_delivery", _("Late delivery")
        PRICE_DISORDER = "price_disorder", _("Price disorder")
        CROSS_REGION = "cross_region", _("Cross-region goods")
        BROKEN_DISPLAY = "broken_display", _("Broken display")
        COMPLAINT = "complaint", _("Complaint")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        SOLVED = "solved", _("Solved")

    UNSOLVED = (Status.OPEN, Status.IN_PROGRESS)

    client_id = models.UUIDField(_("client id"), unique=True)
    retailer = models.ForeignKey(Retailer, verbose_name=_("retailer"), on_delete=models.PROTECT,
                                 related_name="problems")
    visit = models.ForeignKey("visits.Visit", verbose_name=_("raised at visit"),
                              on_delete=models.PROTECT, null=True, blank=True,
                              related_name="problems_raised")
    category = models.CharField(_("category"), max_length=32, choices=Category.choices)
    description = models.TextField(_("description"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"),
                              on_delete=models.PROTECT, related_name="problems_owned")
    due_date = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices,
                              default=Status.OPEN)
    resolution = models.TextField(_("resolution"), blank=True)
    solved_at = models.DateTimeField(_("solved at"), null=True, blank=True)
    solved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("solved by"),
                                  on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    solved_visit = models.ForeignKey("visits.Visit", verbose_name=_("solved at visit"),
                                     on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="problems_solved")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("raised by"),
                                  on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("raised at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    scope_path_lookup = "retailer__area__path"
    scope_owner_lookup = "retailer__assigned_rep_id"

    class Meta:
        verbose_name = _("problem")
        verbose_name_plural = _("problems")
        ordering = ["due_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="solved") | (~Q(resolution="") & Q(solved_at__isnull=False)),
                name="problem_solved_has_resolution",
                violation_error_message=_("A solved problem says how it was solved.")),
        ]
        indexes = [
            models.Index(fields=["status", "due_date"], name="problem_status_due"),
            models.Index(fields=["retailer", "status"], name="problem_retailer_status"),
        ]

    def __str__(self) -> str:
        return f"{self.retailer_id} {self.get_category_display()} ({self.get_status_display()})"

    @classmethod
    def scope_filter(cls, membership, user) -> Q:
        """Under the membership's node; a rep (by ownership alone) sees the problems of
        their retailers and those they raised or own."""
        if membership.role == Role.REP:
            theirs = Retailer.objects.filter(assigned_rep_id=user.pk).values("pk")
            return Q(retailer_id__in=theirs) | Q(owner_id=user.pk) | Q(raised_by_id=user.pk)
        return Q(retailer__area__path__startswith=membership.node.path)
