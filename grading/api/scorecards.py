"""Scorecards, read from the precomputed tables (one query per list): a rep's months and
a team's month (`/api/grading/scorecards/reps/`), a retailer's months with the
indicators' breakdown (`/api/grading/scorecards/retailers/?retailer=…`)."""

import django_filters
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.pagination import CursorPagination

from accounts.api.base import ScopedReadOnlyViewSet
from accounts.filters import OrgNodeFilter
from grading import indicators
from grading.models import RepScorecard, RetailerScorecard


class RepScorecardSerializer(serializers.ModelSerializer):
    rep_name = serializers.SerializerMethodField()
    area_name = serializers.CharField(source="area.name", read_only=True)

    class Meta:
        model = RepScorecard
        fields = ["id", "rep", "rep_name", "area", "area_name", "month", "has_approved_plan",
                  "planned", "done", "missed", "pending", "adherence_pct", "visits", "on_site",
                  "a_total", "a_visited", "a_coverage_pct", "overdue", "problems_solved",
                  "info_items", "grade_ups", "grade_downs", "a_to_b", "expense_amount",
                  "sales_amount", "expense_pct", "as_of"]
        read_only_fields = fields

    def get_rep_name(self, card) -> str:
        return str(card.rep)


class RetailerScorecardSerializer(serializers.ModelSerializer):
    retailer_name = serializers.CharField(source="retailer.name", read_only=True)
    breakdown = serializers.SerializerMethodField()

    class Meta:
        model = RetailerScorecard
        fields = ["id", "retailer", "retailer_name", "month", "closeness", "tightness",
                  "feedback", "relationship_level", "grade", "purchase_amount",
                  "collected_amount", "expense_amount", "as_of", "breakdown"]
        read_only_fields = fields

    def get_breakdown(self, card) -> list[dict]:
        """The three indicators with the points and rule of every part."""
        return indicators.breakdown(card)


class RepScorecardFilterSet(django_filters.FilterSet):
    month = django_filters.DateFilter(label=_("month"))
    rep = django_filters.NumberFilter(label=_("rep"))
    area = django_filters.NumberFilter(label=_("area"))
    node = OrgNodeFilter(path_lookup="area__path")

    class Meta:
        model = RepScorecard
        fields = ["month", "rep", "area", "node"]


class RetailerScorecardFilterSet(django_filters.FilterSet):
    retailer = django_filters.NumberFilter(label=_("retailer"))
    month = django_filters.DateFilter(label=_("month"))

    class Meta:
        model = RetailerScorecard
        fields = ["retailer", "month"]


class NewestMonthFirst(CursorPagination):
    ordering = ("-month", "-id")
    page_size = 24
    page_size_query_param = "page_size"
    max_page_size = 200


class RepScorecardViewSet(ScopedReadOnlyViewSet):
    """Rep scorecards by month (a rep: their own; a manager: their team)."""

    queryset = RepScorecard.objects.select_related("rep", "area")
    serializer_class = RepScorecardSerializer
    filterset_class = RepScorecardFilterSet
    pagination_class = NewestMonthFirst


class RetailerScorecardViewSet(ScopedReadOnlyViewSet):
    """Retailer scorecards by month: the trend of the three indicators, relationship
    level, grade, purchases, collection and 客情费, with the breakdown of each score."""

    queryset = RetailerScorecard.objects.select_related("retailer")
    serializer_class = RetailerScorecardSerializer
    filterset_class = RetailerScorecardFilterSet
    pagination_class = NewestMonthFirst
