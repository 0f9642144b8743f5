"""Working days on the Chinese statutory calendar, and the statement deadlines built on them.

Reads only the calendar tables (`CalendarYear`, `CalendarDay`). They are seeded from the
`chinesecalendar` library for every year it knows (`sync_from_library`, run after each
`migrate` and by `manage.py calendar_sync`) and corrected or extended by an administrator.
A year with no row raises `CalendarNotCovered`: never a Monday–Friday guess.
"""

import calendar as stdlib_calendar
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

# The policy: statements by the 3rd working day of the next month, every review step by
# the 8th, payout from the 9th.
SUBMIT_BY_WORKDAY = 3
REVIEW_BY_WORKDAY = 8
PAYOUT_FROM_WORKDAY = 9


def today() -> date:
    """The business date in Asia/Shanghai (tests replace this function)."""
    return timezone.localdate()


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


class CalendarNotCovered(ValidationError):
    """The working-day calendar has no data for a year the computation needs."""

    def __init__(self, year: int, field: str = "month"):
        self.year = year
        super().__init__({field: _(
            "The working-day calendar for %(year)s has not been entered yet, so its working "
            "days and deadlines cannot be computed. An administrator must enter that year's "
            "State Council holiday notice in the working-day calendar.") % {"year": year}},
            code="calendar_not_covered")


def _calendar_models():
    from expenses.models import CalendarDay, CalendarYear

    return CalendarYear, CalendarDay


def covered_years() -> set[int]:
    CalendarYear, _day = _calendar_models()
    return set(CalendarYear.objects.values_list("year", flat=True))


def _require_year(year: int, field: str) -> None:
    CalendarYear, _day = _calendar_models()
    if not CalendarYear.objects.filter(year=year).exists():
        raise CalendarNotCovered(year, field)


def working_days_of_month(year: int, month: int, *, field: str = "month") -> list[date]:
    """Every working day of the month in order (holidays out, make-up days in)."""
    _require_year(year, field)
    _year, CalendarDay = _calendar_models()
    last = stdlib_calendar.monthrange(year, month)[1]
    first_day, last_day = date(year, month, 1), date(year, month, last)
    exceptions = dict(CalendarDay.objects.filter(date__range=(first_day, last_day))
                      .values_list("date", "is_workday"))
    days = (first_day + timedelta(days=offset) for offset in range(last))
    return [d for d in days if exceptions.get(d, d.weekday() < 5)]


def is_workday(day: date, *, field: str = "date") -> bool:
    _require_year(day.year, field)
    _year, CalendarDay = _calendar_models()
    exception = CalendarDay.objects.filter(date=day).values_list("is_workday", flat=True).first()
    return exception if exception is not None else day.weekday() < 5


def nth_working_day(year: int, month: int, n: int, *, field: str = "month") -> date:
    """The n-th (1-based) working day of the month."""
    days = working_days_of_month(year, month, field=field)
    if not 1 <= n <= len(days):
        raise ValueError(f"{year}-{month:02d} has {len(days)} working days, not {n}")
    return days[n - 1]


@dataclass(frozen=True)
class Deadlines:
    """The dates of one month's statement cycle (all in the next month)."""

    month: date
    submit_due: date
    review_due: date
    payout_from: date

    def as_dict(self) -> dict:
        return {"month": self.month.strftime("%Y-%m"), "submit_due": self.submit_due,
                "review_due": self.review_due, "payout_from": self.payout_from}


def statement_deadlines(month: date, *, field: str = "month") -> Deadlines:
    """Submit by the 3rd working day of the next month, review by the 8th, pay from the 9th."""
    following = next_month(month_start(month))
    days = working_days_of_month(following.year, following.month, field=field)
    return Deadlines(
        month=month_start(month),
        submit_due=days[SUBMIT_BY_WORKDAY - 1],
        review_due=days[REVIEW_BY_WORKDAY - 1],
        payout_from=days[PAYOUT_FROM_WORKDAY - 1],
    )


def library_calendar() -> dict[int, dict[date, tuple[bool, str]]]:
    """The library's holidays and make-up days per year: {year: {date: (is_workday, name)}}."""
    from chinese_calendar import Holiday
    from chinese_calendar.constants import holidays, workdays

    chinese = {h.value: h.chinese for h in Holiday}
    years: dict[int, dict[date, tuple[bool, str]]] = {}
    for table, working in ((holidays, False), (workdays, True)):
        for day, name in table.items():
            years.setdefault(day.year, {})[day] = (working, chinese.get(name, name))
    return years


def sync_from_library(CalendarYear=None, CalendarDay=None) -> list[int]:  # noqa: N803
    """Add every year the library knows and the table lacks; returns the years added.

    Years already in the table are left alone: an administrator may have corrected them.
    Takes the model classes so a data migration can pass its historical models.
    """
    if CalendarYear is None:
        CalendarYear, CalendarDay = _calendar_models()
    known = set(CalendarYear.objects.values_list("year", flat=True))
    added = []
    for year, days in sorted(library_calendar().items()):
        if year in known:
            continue
        row = CalendarYear.objects.create(year=year, source="library",
                                          notice="chinesecalendar")
        CalendarDay.objects.bulk_create(
            [CalendarDay(calendar_year=row, date=day, is_workday=working, name=name)
             for day, (working, name) in sorted(days.items())],
            ignore_conflicts=True)
        added.append(year)
    return added
