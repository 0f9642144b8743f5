"""Working days on the Chinese statutory calendar: the one calendar of the whole product.

The data is the `CalendarYear` / `CalendarDay` tables (accounts.models): seeded from the
`chinesecalendar` library for every year it knows (`sync_from_library`, run after each
`migrate` and by `manage.py calendar_sync`), corrected or extended by an administrator
(the next year's State Council notice is entered in the admin). Listed days are holidays
(off) or make-up working days; every other day of a covered year follows Monday–Friday.

A year with no row is not covered, and each caller says what that means (`strict`, a
required keyword, so no caller gets either behaviour by accident):

- `strict=True` raises `CalendarNotCovered` naming the field: deadlines (客情费 statements)
  are never guessed.
- `strict=False` falls back to Monday–Friday and logs a warning once per year: planning,
  adherence and reports keep working until the year is entered.

Reads are cheap: the whole table (a few hundred rows) is loaded once per process into a
snapshot and reused until the calendar changes. A save or delete of a calendar row (the
admin, a service, `sync_from_library`) replaces a version token kept in the shared cache
(Redis in production, so every worker and Celery process sees it); each public function
reads that token once per call and reloads the snapshot when it differs, so a correction
is seen at once, without a restart.
"""

import calendar as stdlib_calendar
import logging
import threading
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

VERSION_KEY = "accounts:workdays:version"


class CalendarNotCovered(ValidationError):
    """The working-day calendar has no data for a year the computation needs."""

    def __init__(self, year: int, field: str = "month"):
        self.year = year
        super().__init__({field: _(
            "The working-day calendar for %(year)s has not been entered yet, so its working "
            "days and deadlines cannot be computed. An administrator must enter that year's "
            "State Council holiday notice in the working-day calendar.") % {"year": year}},
            code="calendar_not_covered")


@dataclass(frozen=True)
class _Snapshot:
    token: str | None
    years: frozenset[int]
    exceptions: dict[date, bool]  # listed days: date → is a working day

    def is_working_day(self, day: date) -> bool:
        if day.year not in self.years:
            return day.weekday() < 5
        return self.exceptions.get(day, day.weekday() < 5)

    def check(self, years: range, *, strict: bool, field: str) -> None:
        for year in years:
            if year not in self.years:
                if strict:
                    raise CalendarNotCovered(year, field)
                _warn_uncovered(year)


_snapshot: _Snapshot | None = None
_load_lock = threading.Lock()


@lru_cache(maxsize=64)
def _warn_uncovered(year: int) -> None:
    logger.warning("The working-day calendar has no year %s: using Monday-Friday for it "
                   "(an administrator enters it in the admin, or run calendar_sync after "
                   "upgrading chinesecalendar)", year)


def _current_token() -> str | None:
    """The shared version token; None when the cache cannot be read (then every call
    reloads: slower, never stale)."""
    try:
        token = cache.get(VERSION_KEY)
        if token is None:
            cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)  # first process wins
            token = cache.get(VERSION_KEY)
        return token
    except Exception:  # noqa: BLE001 - a cache outage must not stop the calendar
        logger.exception("working-day calendar: cannot read the version token")
        return None


def _calendar() -> _Snapshot:
    """The current snapshot: one cache read, and two queries when the calendar changed."""
    global _snapshot
    token = _current_token()
    snapshot = _snapshot
    if snapshot is not None and token is not None and snapshot.token == token:
        return snapshot
    from accounts.models import CalendarDay, CalendarYear

    with _load_lock:
        # The token was read before the rows: a change meanwhile leaves an older token on
        # newer rows, and the next call loads again.
        snapshot = _Snapshot(
            token=token,
            years=frozenset(CalendarYear.objects.values_list("year", flat=True)),
            exceptions=dict(CalendarDay.objects.values_list("date", "is_workday")))
        _snapshot = snapshot
    return snapshot


def invalidate() -> None:
    """Every process reloads the calendar on its next read (this one included)."""
    global _snapshot
    _snapshot = None
    try:
        cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)
    except Exception:  # noqa: BLE001
        logger.exception("working-day calendar: cannot bump the version token")


def clear_local_cache() -> None:
    """Forget this process's snapshot and the years already warned about (tests: a
    rolled-back transaction sends no signal)."""
    global _snapshot
    _snapshot = None
    _warn_uncovered.cache_clear()


def calendar_changed(sender, using: str = "default", **kwargs) -> None:
    """post_save / post_delete of a calendar row: invalidate now (this process and the
    others) and again once the transaction commits (a process that reloaded in between
    saw the rows before the commit)."""
    invalidate()
    transaction.on_commit(invalidate, using=using)


def covered_years() -> set[int]:
    return set(_calendar().years)


def is_working_day(day: date, *, strict: bool, field: str = "date") -> bool:
    """True on a statutory working day (make-up Saturdays/Sundays included)."""
    snapshot = _calendar()
    snapshot.check(range(day.year, day.year + 1), strict=strict, field=field)
    return snapshot.is_working_day(day)


def working_days(start: date, end: date, *, strict: bool, field: str = "date") -> list[date]:
    """The working days from `start` to `end`, both included, in order."""
    if end < start:
        return []
    snapshot = _calendar()
    snapshot.check(range(start.year, end.year + 1), strict=strict, field=field)
    days = (start + timedelta(days=offset) for offset in range((end - start).days + 1))
    return [day for day in days if snapshot.is_working_day(day)]


def working_days_of_month(year: int, month: int, *, strict: bool,
                          field: str = "month") -> list[date]:
    """Every working day of the month in order (holidays out, make-up days in)."""
    last = stdlib_calendar.monthrange(year, month)[1]
    return working_days(date(year, month, 1), date(year, month, last), strict=strict,
                        field=field)


def nth_working_day(year: int, month: int, n: int, *, strict: bool,
                    field: str = "month") -> date:
    """The n-th (1-based) working day of the month."""
    days = working_days_of_month(year, month, strict=strict, field=field)
    if not 1 <= n <= len(days):
        raise ValueError(f"{year}-{month:02d} has {len(days)} working days, not {n}")
    return days[n - 1]


def month_end(month: date) -> date:
    """The last day of the month `month` falls in."""
    following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return following - timedelta(days=1)


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
        from accounts.models import CalendarDay, CalendarYear
    known = set(CalendarYear.objects.values_list("year", flat=True))
    added = []
    for year, days in sorted(library_calendar().items()):
        if year in known:
            continue
        with transaction.atomic():
            row = CalendarYear.objects.create(year=year, source="library",
                                              notice="chinesecalendar")
            CalendarDay.objects.bulk_create(
                [CalendarDay(calendar_year=row, date=day, is_workday=working, name=name)
                 for day, (working, name) in sorted(days.items())],
                ignore_conflicts=True)
        added.append(year)
    if added:
        invalidate()  # bulk_create sends no signal
    return added
