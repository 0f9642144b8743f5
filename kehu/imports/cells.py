"""Turning spreadsheet cells into Python values, or a translated reason why not.

python-calamine hands back str, float, int, bool, date and datetime. Codes, licence
numbers and phones typed as numbers arrive as floats (13800138000.0) and are turned
back into text; money goes through Decimal(str(value)) and never through float
arithmetic.
"""

import math
import re
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

# Float noise from spreadsheets (0.30000000000000004) is not a third decimal place.
FLOAT_NOISE = Decimal("1e-9")
MONTH_TEXT = re.compile(
    r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?\s*(?:[-/.]?\s*(\d{1,2})\s*日?)?\s*$")
THOUSANDS = str.maketrans("", "", ",，  ")


class CellError(Exception):
    """A cell's value is not acceptable; `str(error)` is the translated reason."""


def is_empty(value) -> bool:
    return value is None or value == "" or (isinstance(value, str) and not value.strip())


def as_text(value) -> str:
    """Text as the user sees it: 13800138000.0 → "13800138000", dates as YYYY-MM-DD."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else \
            value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if value is None:
        return ""
    return str(value).strip()


def text(value, *, max_length: int) -> str:
    result = as_text(value)
    if len(result) > max_length:
        raise CellError(_("At most %(count)d characters (this one has %(length)d).")
                        % {"count": max_length, "length": len(result)})
    return result


def _number(value) -> Decimal:
    kind = type(value)
    if kind is float:
        if not math.isfinite(value):
            raise CellError(_("“%(value)s” is not a number.") % {"value": value})
        return Decimal(repr(value))
    if kind is int:
        return Decimal(value)
    if kind is not str:  # bool, date, datetime, time
        raise CellError(_("“%(value)s” is not a number.") % {"value": as_text(value)})
    cleaned = value.strip().translate(THOUSANDS)
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise CellError(_("“%(value)s” is not a number.") % {"value": value.strip()}) \
            from None
    if not number.is_finite():
        raise CellError(_("“%(value)s” is not a number.") % {"value": value.strip()})
    return number


QUANTA = {places: Decimal(1).scaleb(-places) for places in range(7)}


def decimal(value, *, places: int, max_digits: int, minimum=None, maximum=None,
            round_extra: bool = False) -> Decimal:
    """A Decimal with at most `places` decimals (more are refused, or rounded when
    `round_extra`), within [minimum, maximum] and `max_digits` digits."""
    number = _number(value)
    try:
        rounded = number.quantize(QUANTA[places], rounding=ROUND_HALF_UP)
    except InvalidOperation:
        raise CellError(_("This number is too large.")) from None
    if rounded != number and not round_extra:
        noise = type(value) is float and abs(rounded - number) < FLOAT_NOISE
        if not noise:
            raise CellError(_("At most %(places)d decimal places (this is %(value)s).")
                            % {"places": places, "value": as_text(value)})
    if minimum is not None and rounded < minimum:
        if minimum == 0:
            raise CellError(_("Must not be negative (this is %(value)s).")
                            % {"value": as_text(value)})
        raise CellError(_("Must be at least %(minimum)s (this is %(value)s).")
                        % {"minimum": minimum, "value": as_text(value)})
    if maximum is not None and rounded > maximum:
        raise CellError(_("Must be at most %(maximum)s (this is %(value)s).")
                        % {"maximum": maximum, "value": as_text(value)})
    if abs(rounded) >= LIMITS[max_digits - places]:
        raise CellError(_("This number is too large."))
    return rounded


LIMITS = {digits: Decimal(10) ** digits for digits in range(1, 20)}


def money(value) -> Decimal:
    """CNY with at most 2 decimals, not negative (DecimalField(12, 2))."""
    return decimal(value, places=2, max_digits=12, minimum=0)


def percent(value) -> Decimal:
    """Percentage points 0–100; "95.5%" is accepted as text."""
    if isinstance(value, str) and value.strip().endswith(("%", "％")):
        value = value.strip()[:-1]
    return decimal(value, places=2, max_digits=5, minimum=0, maximum=100)


def month(value) -> date:
    """The first day of a month from a date cell, "2026-10", "2026/10", "2026年10月",
    "2026-10-15" or 202610."""
    if isinstance(value, datetime):
        return value.date().replace(day=1)
    if isinstance(value, date):
        return value.replace(day=1)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if float(value).is_integer() and 190001 <= value <= 299912:
            number = int(value)
            year, mon = divmod(number, 100)
            if 1 <= mon <= 12:
                return date(year, mon, 1)
    elif isinstance(value, str):
        match = MONTH_TEXT.match(value)
        if match:
            year, mon, day = int(match[1]), int(match[2]), match[3]
            try:
                date(year, mon, int(day) if day else 1)
                return date(year, mon, 1)
            except ValueError:
                pass
    raise CellError(_("“%(value)s” is not a month: write it as YYYY-MM, e.g. 2026-10.")
                    % {"value": as_text(value)})


YES = {"是", "y", "yes", "true", "1", "√", "✓", "有"}
NO = {"否", "n", "no", "false", "0", "×", "无"}


def yes_no(value) -> bool:
    if isinstance(value, bool):
        return value
    key = as_text(value).lower()
    if key in YES:
        return True
    if key in NO:
        return False
    if key == _("Yes").lower():
        return True
    if key == _("No").lower():
        return False
    raise CellError(_("Write 是 or 否 (this is “%(value)s”).") % {"value": as_text(value)})


def choice(value, accepted: dict[str, str], shown: list[str]) -> str:
    """A choice's code from its label (or the code itself); `accepted` maps lowercase
    labels and codes to codes, `shown` lists the labels to suggest."""
    code = accepted.get(as_text(value).lower())
    if code is None:
        raise CellError(_("Unknown value “%(value)s”; use one of: %(choices)s.")
                        % {"value": as_text(value), "choices": "、".join(shown)})
    return code
