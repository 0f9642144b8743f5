"""The statement deadlines of 客情费, counted in working days of the next month.

The working days come from the product's one calendar (`accounts.workdays`), always read
strictly: a year not entered yet raises `CalendarNotCovered` naming the field, never a
Monday–Friday guess.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from accounts.workdays import working_days_of_month

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
    days = working_days_of_month(following.year, following.month, strict=True, field=field)
    return Deadlines(
        month=month_start(month),
        submit_due=days[SUBMIT_BY_WORKDAY - 1],
        review_due=days[REVIEW_BY_WORKDAY - 1],
        payout_from=days[PAYOUT_FROM_WORKDAY - 1],
    )
