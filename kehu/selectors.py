"""Reads of retailers: scoped querysets, the card, the 12-month trend."""

from datetime import date

from django.db.models import QuerySet

from kehu.models import (
    KeyPerson,
    MonthlyFact,
    PersonalDataRead,
    RelationshipCriterion,
    RelationshipTick,
    Retailer,
    RetailerAssignment,
)

LIST_FIELDS = ("id", "code", "name", "address", "business_type", "trade_area", "status",
               "grade", "relationship_level", "assigned_rep_id", "area_id", "latitude",
               "longitude")


def retailers_for_user(user) -> QuerySet[Retailer]:
    return Retailer.objects.for_user(user)


def retailer_list_rows(user) -> QuerySet:
    """The light rows of the list page: plain values, no model instances."""
    return retailers_for_user(user).values(*LIST_FIELDS, "assigned_rep__name", "area__name")


def retailer_card(user) -> QuerySet[Retailer]:
    return retailers_for_user(user).select_related("area", "assigned_rep", "company")


def key_persons_for_user(user) -> QuerySet[KeyPerson]:
    return KeyPerson.objects.for_user(user).select_related("retailer")


def facts_for_user(user) -> QuerySet[MonthlyFact]:
    return MonthlyFact.objects.for_user(user)


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def retailer_trend(retailer: Retailer, *, months: int = 12, until: date | None = None) -> list:
    """Purchases and collections per month for the last `months` months, gaps as zero."""
    last = month_start(until or date.today())
    first = add_months(last, -(months - 1))
    rows = {f.month: f for f in MonthlyFact.objects.filter(
        retailer=retailer, month__range=(first, last))}
    series = []
    for offset in range(months):
        month = add_months(first, offset)
        fact = rows.get(month)
        series.append({
            "month": month.strftime("%Y-%m"),
            "purchase_amount": str(fact.purchase_amount) if fact else "0.00",
            "collected_amount": str(fact.collected_amount) if fact else "0.00",
            "purchase_quantity": str(fact.purchase_quantity) if fact else "0.00",
        })
    return series


def relationship_checklist(retailer: Retailer) -> list[dict]:
    ticks = {t.criterion_id: t for t in RelationshipTick.objects.filter(retailer=retailer)}
    return [
        {"criterion": c, "tick": ticks.get(c.pk)}
        for c in RelationshipCriterion.objects.all()
    ]


def ticks_for_user(user) -> QuerySet[RelationshipTick]:
    return RelationshipTick.objects.for_user(user).select_related("criterion", "retailer")


def assignments_for_user(user) -> QuerySet[RetailerAssignment]:
    return RetailerAssignment.objects.for_user(user).select_related("from_rep", "to_rep", "by")


def personal_data_reads_for_user(user) -> QuerySet[PersonalDataRead]:
    return PersonalDataRead.objects.for_user(user).select_related("reader", "key_person")
