"""What every export layout shares: the streaming workbook, the progress ticker and the
checks of the filters (periods of at most a year, months, a rep of the user's team).

A layout is a module with:
- `STEM`: the start of the file name;
- `clean_filters(*, user, data) -> dict`: the filters, checked (a `ValidationError`
  naming the filter) and normalised to JSON values;
- `count(*, user, filters) -> int`: the rows it will write (the progress total);
- `write(book, *, user, filters, tick) -> int`: writes into an xlsxwriter workbook in
  constant_memory mode, calling `tick(rows_done)` after each row; returns the rows written.
The user is the requester: every query starts from their `for_user` scope.
"""

import re
import time
from collections.abc import Callable
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from kehu.exports import SheetWriter, new_workbook  # noqa: F401 - the layouts' writer
from visits.selectors.team import team_reps

MAX_PERIOD_DAYS = 366
MAX_MONTHS = 12
MONTH = re.compile(r"^(\d{4})-(\d{1,2})(?:-01)?$")


class Abandoned(Exception):
    """The job was declared dead (or retried) while this worker was still writing."""


class Ticker:
    """Calls `report(done)` every `every` rows or `seconds` seconds, whichever comes
    first (the clock is read once per `check` rows, so a row costs one comparison)."""

    def __init__(self, report: Callable[[int], None], *, every: int = 2000,
                 seconds: float = 2.0, check: int = 100):
        self.report, self.every, self.seconds, self.check = report, every, seconds, check
        self.reported, self.next_check = 0, check
        self.clock = time.monotonic()

    def __call__(self, done: int) -> None:
        if done < self.next_check:
            return
        self.next_check = done + self.check
        now = time.monotonic()
        if done - self.reported >= self.every or now - self.clock >= self.seconds:
            self.flush(done, now)

    def flush(self, done: int, now: float | None = None) -> None:
        self.reported, self.clock = done, now or time.monotonic()
        self.report(done)


def refuse(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


def unknown_filters(data: dict, known: set[str]) -> None:
    extra = sorted(set(data) - known)
    if extra:
        raise refuse("filters", _("Unknown filter(s): %(names)s.") % {"names": ", ".join(extra)})


def parse_day(data: dict, field: str, label: str, *, required: bool) -> date | None:
    value = data.get(field)
    if value in (None, ""):
        if required:
            raise refuse(field, _("%(field)s: this filter is required.") % {"field": label})
        return None
    day = parse_date(str(value)) if isinstance(value, str) else None
    if day is None:
        raise refuse(field, _("%(field)s: enter a date as YYYY-MM-DD.") % {"field": label})
    return day


def parse_month(data: dict, field: str, label: str, *, required: bool = True) -> date | None:
    """A month given as YYYY-MM (or its first day, YYYY-MM-01): its first day."""
    value = data.get(field)
    if value in (None, ""):
        if required:
            raise refuse(field, _("%(field)s: this filter is required.") % {"field": label})
        return None
    match = MONTH.match(str(value).strip())
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1900:
        raise refuse(field, _("%(field)s: enter a month as YYYY-MM.") % {"field": label})
    return date(int(match.group(1)), int(match.group(2)), 1)


def check_period(first: date, last: date, *, first_label: str, last_field: str,
                 last_label: str) -> None:
    """At most a year (366 days) from `first` to `last`: a longer export is refused with
    a message naming the field, so the user narrows it (or exports year by year)."""
    if last < first:
        raise refuse(last_field, _("%(last)s is before %(first)s.")
                     % {"last": last_label, "first": first_label})
    if last - first >= timedelta(days=MAX_PERIOD_DAYS):
        raise refuse(last_field, _(
            "%(last)s: the period is longer than a year. Choose at most %(days)s days "
            "from %(first)s on.") % {"last": last_label, "first": first_label,
                                     "days": MAX_PERIOD_DAYS})


def check_months(first: date, last: date, *, first_label: str, last_field: str,
                 last_label: str) -> None:
    """At most twelve months from `first` to `last` (both first days)."""
    if last < first:
        raise refuse(last_field, _("%(last)s is before %(first)s.")
                     % {"last": last_label, "first": first_label})
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    if months > MAX_MONTHS:
        raise refuse(last_field, _(
            "%(last)s: the period is longer than a year. Choose at most %(months)s months "
            "from %(first)s on.") % {"last": last_label, "first": first_label,
                                     "months": MAX_MONTHS})


def parse_rep(data: dict, field: str, label: str, *, user) -> int | None:
    """An optional rep id, which must be one of the user's reps (a rep: themselves)."""
    value = data.get(field)
    if value in (None, ""):
        return None
    try:
        rep_id = int(value)
    except (TypeError, ValueError):
        raise refuse(field, _("%(field)s: choose a rep from the list.") % {"field": label}) \
            from None
    if not team_reps(user).filter(pk=rep_id).exists():
        raise refuse(field, _("%(field)s: not one of your reps.") % {"field": label})
    return rep_id


def filterset_data(data: dict, filterset_class, *, skip: tuple = ()) -> dict:
    """The keys of `data` a FilterSet knows, checked by it (its errors name the filter),
    as JSON values (lists stay lists)."""
    known = set(filterset_class.base_filters) - set(skip)
    unknown_filters(data, known)
    cleaned = {key: value for key, value in data.items() if value not in (None, "", [])}
    filterset = filterset_class(cleaned, queryset=filterset_class._meta.model.objects.none())
    if not filterset.is_valid():
        raise ValidationError({name: list(errors) for name, errors in filterset.errors.items()})
    return cleaned


def month_label(month: date) -> str:
    return f"{month:%Y-%m}"


def sheet_name(text: str, used: set[str]) -> str:
    """A worksheet name Excel accepts (≤ 31 characters, none of []:*?/\\), unique."""
    base = re.sub(r"[\[\]:*?/\\]", "_", text)[:31] or "Sheet"
    name, n = base, 2
    while name.lower() in used:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(name.lower())
    return name


__all__ = ["Abandoned", "SheetWriter", "Ticker", "new_workbook"]
