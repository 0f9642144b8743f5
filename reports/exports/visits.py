"""Visit log (拜访记录): one row per visit of the period, oldest first, with the
check-in evidence flags and what the rep wrote down. The period (`date_from`–`date_to`)
is required and at most a year; the other filters are the visit list's own."""

from django.utils.translation import gettext as _

from reports.exports.base import (
    SheetWriter,
    check_period,
    filterset_data,
    parse_day,
)
from visits.filters import VisitFilterSet
from visits.models import Visit
from visits.selectors.visits import visits_for_user

STEM = "visits"
VALUES = ("visit_date", "rep__name", "rep__username", "retailer__code", "retailer__name",
          "retailer__area__name", "kind", "status", "started_at", "ended_at", "duration_s",
          "checkin_distance_m", "gps_missing", "far_from_store", "clock_suspect", "objective",
          "communication_notes", "promotion_notes", "competitor_info", "consumer_feedback",
          "retailer_requests")
TEXT_FIELDS = VALUES[-6:]


def headers() -> list[str]:
    def label(name: str) -> str:
        return str(Visit._meta.get_field(name).verbose_name)

    return [label("visit_date"), _("Rep"), _("Retailer code"), _("Retailer"), _("Area"),
            label("kind"), label("status"), label("started_at"), label("ended_at"),
            _("Duration (min)"), label("checkin_distance_m"), label("gps_missing"),
            label("far_from_store"), label("clock_suspect"),
            *(label(name) for name in TEXT_FIELDS)]


def clean_filters(*, user, data: dict) -> dict:
    filters = filterset_data(data, VisitFilterSet)
    first = parse_day(filters, "date_from", str(VisitFilterSet.base_filters["date_from"].label),
                      required=True)
    last = parse_day(filters, "date_to", str(VisitFilterSet.base_filters["date_to"].label),
                     required=True)
    check_period(first, last, first_label=_("From date"), last_field="date_to",
                 last_label=_("To date"))
    return filters


def queryset(*, user, filters: dict):
    return VisitFilterSet(filters, queryset=visits_for_user(user)).qs


def count(*, user, filters: dict) -> int:
    return queryset(user=user, filters=filters).order_by().count()


def write(book, *, user, filters: dict, tick) -> int:
    writer = SheetWriter(book, _("Visits"))
    writer.header(0, headers())
    writer.sheet.freeze_panes(1, 0)
    kinds, statuses = dict(Visit.Kind.choices), dict(Visit.Status.choices)
    yes, no = _("yes"), _("no")
    rows = (queryset(user=user, filters=filters).order_by("visit_date", "started_at", "id")
            .values_list(*VALUES))
    done = 0
    for done, (day, rep_name, username, code, name, area, kind, status, started, ended,
               duration, distance, gps_missing, far, clock, *texts) in enumerate(
            rows.iterator(chunk_size=2000), start=1):
        minutes = None if duration is None else round(duration / 60, 1)
        writer.row(done, [day, rep_name or username, code, name, area, str(kinds.get(kind, kind)),
                          str(statuses.get(status, status)), started, ended, minutes, distance,
                          yes if gps_missing else no, yes if far else no, yes if clock else no,
                          *texts])
        tick(done)
    return done
