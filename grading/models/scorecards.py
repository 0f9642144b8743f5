"""Precomputed scorecards: one row per retailer and month (with the three relationship
indicators and their breakdown) and one per rep and month. Written by the nightly run
(`grading.scorecards`, `grading.indicators`); pages read them in one query."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import JobRun, OrgNode
from accounts.scoping import ScopedQuerySet
from kehu.models import Retailer

MONEY = {"max_digits": 14, "decimal_places": 2, "default": 0}
PCT = {"max_digits": 6, "decimal_places": 1, "null": True, "blank": True}


def _points(label):
    return models.PositiveSmallIntegerField(label, default=0)


class RetailerScorecard(models.Model):
    """A retailer's month: the three indicators (0–100) with the points of every part of
    their formula (grading.indicators), relationship level and grade at the time, and
    the month's purchases, collection and 客情费 spent on it."""

    retailer = models.ForeignKey(Retailer, verbose_name=_("retailer"), on_delete=models.CASCADE,
                                 related_name="+")
    month = models.DateField(_("month"))
    # Personal closeness (个人关系密切度)
    pc_decision_maker = _points(_("decision maker known"))
    pc_contact = _points(_("contact phone known"))
    pc_birthday = _points(_("a birthday known"))
    pc_family = _points(_("family known"))
    pc_interests = _points(_("interests known"))
    pc_notes = _points(_("whereabouts and habits noted"))
    pc_care_calls = _points(_("care calls (90 days)"))
    # Business tightness (生意关系紧密度)
    bt_visits = _points(_("on-site visits (28 days)"))
    bt_problems = _points(_("problems solved (90 days)"))
    bt_recommends = _points(_("we are recommended first"))
    bt_display = _points(_("display checked (28 days)"))
    # Information feedback (信息工作反馈度)
    if_own_info = _points(_("retailer's own business information (90 days)"))
    if_stock = _points(_("stock in and out (90 days)"))
    if_consumer = _points(_("consumer feedback (90 days)"))
    if_competitor = _points(_("competitor information (90 days)"))
    closeness = models.PositiveSmallIntegerField(_("personal closeness"), default=0)
    tightness = models.PositiveSmallIntegerField(_("business tightness"), default=0)
    feedback = models.PositiveSmallIntegerField(_("information feedback"), default=0)
    relationship_level = models.PositiveSmallIntegerField(_("relationship level"), default=0)
    grade = models.CharField(_("grade"), max_length=1, blank=True)
    purchase_amount = models.DecimalField(_("purchase amount"), **MONEY)
    collected_amount = models.DecimalField(_("collected amount"), **MONEY)
    expense_amount = models.DecimalField(_("客情费 spent"), **MONEY)
    as_of = models.DateField(_("as of"))
    run = models.ForeignKey(JobRun, verbose_name=_("run"), on_delete=models.SET_NULL, null=True,
                            blank=True, related_name="+")

    objects = ScopedQuerySet.as_manager()

    scope_path_lookup = "retailer__area__path"
    scope_owner_lookup = "retailer__assigned_rep_id"

    class Meta:
        verbose_name = _("retailer scorecard")
        verbose_name_plural = _("retailer scorecards")
        ordering = ["retailer_id", "-month"]
        constraints = [models.UniqueConstraint(fields=["retailer", "month"],
                                               name="retailer_scorecard_unique_month")]

    def __str__(self) -> str:
        return f"{self.retailer_id} {self.month:%Y-%m}"


class RepScorecard(models.Model):
    """A rep's month, with the same definitions as the live team view
    (visits.selectors.team) plus problems, information, grade moves and 客情费."""

    rep = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("rep"),
                            on_delete=models.CASCADE, related_name="+")
    area = models.ForeignKey(OrgNode, verbose_name=_("area"), on_delete=models.PROTECT,
                             related_name="+")
    month = models.DateField(_("month"))
    has_approved_plan = models.BooleanField(_("approved plan"), default=False)
    planned = models.PositiveIntegerField(_("planned stops"), default=0)
    done = models.PositiveIntegerField(_("done on their day"), default=0)
    missed = models.PositiveIntegerField(_("missed"), default=0)
    pending = models.PositiveIntegerField(_("still to come"), default=0)
    adherence_pct = models.DecimalField(_("plan adherence (%)"), **PCT)
    visits = models.PositiveIntegerField(_("visits"), default=0)
    on_site = models.PositiveIntegerField(_("on-site visits"), default=0)
    a_total = models.PositiveIntegerField(_("A retailers"), default=0)
    a_visited = models.PositiveIntegerField(_("A retailers visited"), default=0)
    a_coverage_pct = models.DecimalField(_("A coverage (%)"), **PCT)
    overdue = models.PositiveIntegerField(_("overdue retailers"), default=0)
    problems_solved = models.PositiveIntegerField(_("problems solved"), default=0)
    info_items = models.PositiveIntegerField(_("information items fed back"), default=0)
    grade_ups = models.PositiveIntegerField(_("grades up"), default=0)
    grade_downs = models.PositiveIntegerField(_("grades down"), default=0)
    a_to_b = models.PositiveIntegerField(_("A → B (warning)"), default=0)
    expense_amount = models.DecimalField(_("客情费 spent"), **MONEY)
    sales_amount = models.DecimalField(_("sales"), **MONEY)
    expense_pct = models.DecimalField(_("客情费 / sales (%)"), max_digits=9, decimal_places=2,
                                      null=True, blank=True)
    as_of = models.DateField(_("as of"))
    run = models.ForeignKey(JobRun, verbose_name=_("run"), on_delete=models.SET_NULL, null=True,
                            blank=True, related_name="+")

    objects = ScopedQuerySet.as_manager()

    scope_path_lookup = "area__path"
    scope_owner_lookup = "rep_id"

    class Meta:
        verbose_name = _("rep scorecard")
        verbose_name_plural = _("rep scorecards")
        ordering = ["-month", "rep_id"]
        constraints = [models.UniqueConstraint(fields=["rep", "month"],
                                               name="rep_scorecard_unique_month")]
        indexes = [models.Index(fields=["month", "area"], name="rep_scorecard_month_area")]

    def __str__(self) -> str:
        return f"{self.rep_id} {self.month:%Y-%m}"
