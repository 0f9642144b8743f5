import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.filters import OrgNodeFilter
from accounts.models import OrgNode
from accounts.selectors import scoped_node
from visits.models import MissedVisit, PlanStop, Problem, Visit, VisitPlan
from visits.selectors.team import reps_under


class VisitPlanFilterSet(django_filters.FilterSet):
    month = django_filters.DateFilter(label=_("month"))
    status = django_filters.MultipleChoiceFilter(label=_("status"),
                                                 choices=VisitPlan.Status.choices)
    rep = django_filters.NumberFilter(label=_("rep"))

    class Meta:
        model = VisitPlan
        fields = ["month", "status", "rep"]


class PlanStopFilterSet(django_filters.FilterSet):
    plan = django_filters.NumberFilter(label=_("plan"))
    date = django_filters.DateFilter(label=_("date"))
    retailer = django_filters.NumberFilter(label=_("retailer"))

    class Meta:
        model = PlanStop
        fields = ["plan", "date", "retailer"]


class VisitFilterSet(django_filters.FilterSet):
    date_from = django_filters.DateFilter(field_name="visit_date", lookup_expr="gte",
                                          label=_("from"))
    date_to = django_filters.DateFilter(field_name="visit_date", lookup_expr="lte",
                                        label=_("to"))
    rep = django_filters.NumberFilter(label=_("rep"))
    retailer = django_filters.NumberFilter(label=_("retailer"))
    kind = django_filters.MultipleChoiceFilter(label=_("kind"), choices=Visit.Kind.choices)
    status = django_filters.ChoiceFilter(label=_("status"), choices=Visit.Status.choices)
    flagged = django_filters.BooleanFilter(label=_("flagged"), method="filter_flagged")
    checkin_flag = django_filters.MultipleChoiceFilter(
        label=_("check-in flag"), method="filter_checkin_flag",
        choices=[("far", _("Too far from the store")), ("no_gps", _("No GPS"))],
        help_text=_("Visits flagged too far (far) or without GPS (no_gps); both given: "
                    "either (the dashboards' flagged check-ins)."))
    node = django_filters.NumberFilter(
        label=_("org node"), method="filter_node",
        help_text=_("Visits by the reps placed under this org node (as the dashboards "
                    "count them); a node you may not see gives an empty list."))

    class Meta:
        model = Visit
        fields = ["date_from", "date_to", "rep", "retailer", "kind", "status", "flagged",
                  "checkin_flag", "node"]

    def filter_checkin_flag(self, queryset, name, value):
        condition = Q(pk__in=[])
        if "far" in value:
            condition |= Q(far_from_store=True)
        if "no_gps" in value:
            condition |= Q(gps_missing=True)
        return queryset.filter(condition) if value else queryset

    def filter_node(self, queryset, name, value):
        # By the rep's placement, not the retailer's area: OrgNodeFilter's path lookup
        # cannot say that. A node the reader may not see gives no rows, as it does there.
        try:
            node = scoped_node(getattr(self.request, "user", None), value)
        except OrgNode.DoesNotExist:
            return queryset.none()
        return queryset.filter(rep_id__in=reps_under(node))

    def filter_flagged(self, queryset, name, value):
        flagged = (Q(gps_missing=True) | Q(far_from_store=True) | Q(clock_suspect=True)
                   | Q(photo_reused=True))
        return queryset.filter(flagged if value else ~flagged)


class ProblemFilterSet(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(label=_("status"),
                                                 choices=Problem.Status.choices)
    category = django_filters.MultipleChoiceFilter(label=_("category"),
                                                   choices=Problem.Category.choices)
    owner = django_filters.NumberFilter(label=_("owner"))
    retailer = django_filters.NumberFilter(label=_("retailer"))
    overdue = django_filters.BooleanFilter(label=_("overdue"))
    due_from = django_filters.DateFilter(field_name="due_date", lookup_expr="gte",
                                         label=_("due from"))
    due_to = django_filters.DateFilter(field_name="due_date", lookup_expr="lte",
                                       label=_("due by"))
    node = OrgNodeFilter(
        path_lookup="retailer__area__path",
        help_text=_("Problems of the retailers under this org node; a node you may not "
                    "see gives an empty list."))

    class Meta:
        model = Problem
        fields = ["status", "category", "owner", "retailer", "overdue", "due_from", "due_to",
                  "node"]



class MissedVisitFilterSet(django_filters.FilterSet):
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte", label=_("from"))
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte", label=_("to"))
    reason = django_filters.MultipleChoiceFilter(label=_("reason"),
                                                 choices=MissedVisit.Reason.choices)
    rep = django_filters.NumberFilter(label=_("rep"))

    class Meta:
        model = MissedVisit
        fields = ["date_from", "date_to", "reason", "rep"]
