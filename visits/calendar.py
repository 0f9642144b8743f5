"""Working days: the Chinese statutory calendar (holidays and make-up working days).

A thin wrapper over `chinesecalendar`, whose data is hard-coded per year (a new release
every winter). For a year it does not know yet we fall back to Monday–Friday and log a
warning once, so planning keeps working until the library is upgraded.

(expenses needs the same rule; visits may not import expenses, so this wrapper is
duplicated on purpose — see the note to the lead.)
"""

import logging
from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar

logger = logging.getLogger(__name__)


@lru_cache(maxsize=4096)
def is_working_day(day: date) -> bool:
    """True on a statutory working day (make-up Saturdays/Sundays included)."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        _warn_unknown_year(day.year)
        return day.weekday() < 5


@lru_cache(maxsize=64)
def _warn_unknown_year(year: int) -> None:
    logger.warning("chinesecalendar has no data for %s: using Monday-Friday; upgrade it", year)


def working_days(start: date, end: date) -> list[date]:
    """The working days from `start` to `end`, both included."""
    days, day = [], start
    while day <= end:
        if is_working_day(day):
            days.append(day)
        day += timedelta(days=1)
    return days


def month_end(month: date) -> date:
    following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return following - timedelta(days=1)
