import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kehu.models import MonthlyFact, Retailer
from kehu.pinyin import normalise_query


class RetailerFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("search"), method="search")
    grade = django_filters.MultipleChoiceFilter(label=_("grade"), choices=Retailer.Grade.choices)
    business_type = django_filters.MultipleChoiceFilter(
        label=_("business type"), choices=Retailer.BusinessType.choices)
    trade_area = django_filters.MultipleChoiceFilter(
        label=_("trade area"), choices=Retailer.TradeArea.choices)
    status = django_filters.MultipleChoiceFilter(label=_("status"),
                                                 choices=Retailer.Status.choices)
    relationship_level = django_filters.NumberFilter(label=_("relationship level"))
    assigned_rep = django_filters.NumberFilter(label=_("assigned rep"))
    area = django_filters.NumberFilter(label=_("area"))

    class Meta:
        model = Retailer
        fields = ["q", "grade", "business_type", "trade_area", "status", "relationship_level",
                  "assigned_rep", "area"]

    def search(self, queryset, name, value):
        """Name, code, address, or pinyin (initials or full) from the start of a word."""
        text = value.strip()
        if not text:
            return queryset
        condition = (Q(name__icontains=text) | Q(code__istartswith=text)
                     | Q(address__icontains=text))
        key = normalise_query(text)
        if key.isascii() and key.isalnum():
            condition |= Q(search_keys__contains=f" {key}")
        return queryset.filter(condition)


class MonthlyFactFilterSet(django_filters.FilterSet):
    month_from = django_filters.DateFilter(field_name="month", lookup_expr="gte",
                                           label=_("from month"))
    month_to = django_filters.DateFilter(field_name="month", lookup_expr="lte",
                                         label=_("to month"))

    class Meta:
        model = MonthlyFact
        fields = ["retailer", "month", "month_from", "month_to"]
