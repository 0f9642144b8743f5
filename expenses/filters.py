"""FilterSets of 客情费 lists (the API and the pages use the same)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from accounts.filters import OrgNodeFilter
from expenses.models import (
    AdvanceEntry,
    ClaimLine,
    ExpenseStandard,
    MonthlyStatement,
    PreApproval,
    SpotCheckItem,
)


class MonthFilter(django_filters.DateFilter):
    """A month as YYYY-MM (or YYYY-MM-01)."""

    def filter(self, qs, value):
        return super().filter(qs, value.replace(day=1) if value else value)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("input_formats", ["%Y-%m", "%Y-%m-%d"])
        super().__init__(*args, **kwargs)


class ClaimLineFilterSet(django_filters.FilterSet):
    month = MonthFilter(label=_("month"))
    category = django_filters.MultipleChoiceFilter(label=_("category"),
                                                   choices=ClaimLine.Category.choices)

    class Meta:
        model = ClaimLine
        fields = ["month", "retailer", "rep", "category", "statement"]


class PreApprovalFilterSet(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(label=_("status"),
                                                 choices=PreApproval.Status.choices)

    class Meta:
        model = PreApproval
        fields = ["status", "retailer", "rep"]


class MonthlyStatementFilterSet(django_filters.FilterSet):
    month = MonthFilter(label=_("month"))
    status = django_filters.MultipleChoiceFilter(label=_("status"),
                                                 choices=MonthlyStatement.Status.choices)
    node = OrgNodeFilter(path_lookup="area__path")

    class Meta:
        model = MonthlyStatement
        fields = ["month", "status", "rep", "late", "node"]


class ExpenseStandardFilterSet(django_filters.FilterSet):
    class Meta:
        model = ExpenseStandard
        fields = ["product_line", "node", "basis"]


class AdvanceEntryFilterSet(django_filters.FilterSet):
    month = MonthFilter(field_name="statement__month", label=_("month"))
    rep = django_filters.NumberFilter(field_name="account__rep", label=_("rep"))

    class Meta:
        model = AdvanceEntry
        fields = ["month", "rep", "kind", "statement"]


class SpotCheckItemFilterSet(django_filters.FilterSet):
    result = django_filters.MultipleChoiceFilter(label=_("result"),
                                                 choices=SpotCheckItem.Result.choices)
    month = MonthFilter(field_name="spot_check__statement__month", label=_("month"))

    class Meta:
        model = SpotCheckItem
        fields = ["result", "month", "spot_check", "retailer"]
