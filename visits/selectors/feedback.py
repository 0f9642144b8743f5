"""What reps bring back from the field, counted per rep: problems solved and information
items fed back (DOMAIN.md: the retailer's own business information, our stock in and out,
end-consumer feedback, competitor policies).

An information item is one kind of information on one visit: a visit with a note of the
retailer's ideas and requests, consumer feedback, competitor information, and stock lines
counts four. The rep scorecard (grading) and the relationship indicators use these
definitions.
"""

from datetime import datetime, time, timedelta

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Sum, When
from django.utils import timezone

from visits.models import Problem, StockLine, Visit

INFO_NOTE_FIELDS = ("retailer_requests", "consumer_feedback", "competitor_info")


def info_items_expression():
    """Information items on one visit (0–4), as an SQL expression over visits."""
    has_stock = Exists(StockLine.objects.filter(visit_id=OuterRef("pk")))
    notes = [Case(When(~Q(**{field: ""}), then=1), default=0, output_field=IntegerField())
             for field in INFO_NOTE_FIELDS]
    stock = Case(When(has_stock, then=1), default=0, output_field=IntegerField())
    return sum(notes[1:], notes[0]) + stock


def info_items_by_rep(visits: QuerySet[Visit], first, last) -> dict[int, int]:
    """Per rep: information items on their visits dated `first`..`last`."""
    rows = (visits.filter(visit_date__range=(first, last))
            .annotate(items=info_items_expression()).values("rep_id")
            .annotate(n=Sum("items")).order_by())
    return {row["rep_id"]: row["n"] or 0 for row in rows}


def day_bounds(first, last) -> tuple[datetime, datetime]:
    """Local midnight of `first` and of the day after `last` (aware)."""
    zone = timezone.get_current_timezone()
    return (datetime.combine(first, time.min, zone),
            datetime.combine(last + timedelta(days=1), time.min, zone))


def problems_solved_by_rep(problems: QuerySet[Problem], first, last) -> dict[int, int]:
    """Per rep: problems they solved (solved_by) on days `first`..`last`."""
    start, end = day_bounds(first, last)
    rows = (problems.filter(status=Problem.Status.SOLVED, solved_at__gte=start,
                            solved_at__lt=end, solved_by__isnull=False)
            .values("solved_by_id").annotate(n=Count("pk")).order_by())
    return {row["solved_by_id"]: row["n"] for row in rows}
