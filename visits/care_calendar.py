"""Dates of care occasions: lunar and solar birthdays, Chinese festivals.

Lunar dates come from `lunardate` (1900–2099); nothing here is a hand-typed table of
dates, only the festivals' definitions (Spring Festival is lunar 1/1, and so on).

Lunar birthdays that a year lacks fall back to the nearest existing date:
- born in a leap month (闰月): in a year without that leap month, the same day of the
  ordinary month of that number;
- born on day 30: in a year whose month has 29 days (小月), day 29.
Solar birthdays on 29 February fall on 28 February in common years.
"""

from datetime import date, timedelta
from functools import lru_cache

from django.utils.translation import gettext_lazy as _
from lunardate import LunarDate

# code → (calendar, month, day, label). Lunar festivals are converted per year.
HOLIDAYS = {
    "new_year": ("solar", 1, 1, _("New Year's Day")),
    "spring_festival": ("lunar", 1, 1, _("Spring Festival")),
    "lantern": ("lunar", 1, 15, _("Lantern Festival")),
    "dragon_boat": ("lunar", 5, 5, _("Dragon Boat Festival")),
    "mid_autumn": ("lunar", 8, 15, _("Mid-Autumn Festival")),
    "national_day": ("solar", 10, 1, _("National Day")),
}
DEFAULT_HOLIDAYS = ["spring_festival", "dragon_boat", "mid_autumn", "national_day"]


def holiday_choices() -> list[tuple[str, str]]:
    return [(code, label) for code, (_cal, _m, _d, label) in HOLIDAYS.items()]


@lru_cache(maxsize=512)
def holiday_date(code: str, year: int) -> date:
    """The solar date of a festival in a (solar) year; lunar festivals of lunar year
    `year` all fall in solar `year` (the lunar year starts in January or February)."""
    calendar, month, day, _label = HOLIDAYS[code]
    if calendar == "solar":
        return date(year, month, day)
    return LunarDate(year, month, day).to_solar_date()


def lunar_birthday(year: int, month: int, day: int, leap: bool = False) -> date:
    """The solar date of a lunar birthday (month/day, leap or not) in lunar year `year`,
    with the fallbacks of the module docstring."""
    if leap and LunarDate.leap_month_for_year(year) != month:
        leap = False
    for candidate in (day, day - 1):
        try:
            return LunarDate(year, month, candidate, leap).to_solar_date()
        except ValueError:
            continue
    raise ValueError(f"no lunar date {year}/{month}/{day}")


@lru_cache(maxsize=4096)
def lunar_birthdays_on(day: date) -> frozenset[tuple[int, int, bool]]:
    """Every lunar birthday (month, day, leap) celebrated on the solar `day` — the
    inverse of `lunar_birthday`, so a nightly query can match key persons directly."""
    lunar = LunarDate.from_solar_date(day.year, day.month, day.day)
    leap = bool(lunar.is_leap_month)
    days = [lunar.day]
    if lunar.day == 29 and LunarDate.from_solar_date(*_ymd(day + timedelta(days=1))).day == 1:
        days.append(30)  # a 29-day month: those born on the 30th celebrate today
    matches = {(lunar.month, d, leap) for d in days}
    if not leap and LunarDate.leap_month_for_year(lunar.year) != lunar.month:
        matches |= {(lunar.month, d, True) for d in days}  # no leap month this year
    return frozenset(matches)


def solar_birthdays_on(day: date) -> frozenset[tuple[int, int]]:
    """Solar birthdays (month, day) celebrated on `day` (29 Feb → 28 Feb in common years)."""
    matches = {(day.month, day.day)}
    if (day.month, day.day) == (2, 28) and not _is_leap_year(day.year):
        matches.add((2, 29))
    return frozenset(matches)


def _ymd(day: date) -> tuple[int, int, int]:
    return day.year, day.month, day.day


def _is_leap_year(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
