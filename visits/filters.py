import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from visits.models import MissedVisit, PlanStop, Problem, Visit, VisitPlan


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

    class Meta:
        model = Visit
        fields = ["date_from", "date_to", "rep", "retailer", "kind", "status", "flagged"]

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

    class Meta:
        model = Problem
        fields = ["status", "category", "owner", "retailer", "overdue", "due_from", "due_to"]


class MissedVisitFilterSet(django_filters.FilterSet):
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte", label=_("from"))
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte", label=_("to"))
    reason = django_filters.MultipleChoiceFilter(label=_("reason"),
                                                 choices=MissedVisit.Reason.choices)
    rep = django_filters.NumberFilter(label=_("rep"))

    class Meta:
        model = MissedVisit
        fields = ["date_from", "date_to", "reason", "rep"]
