"""Tables of 客情费: the working-day calendar, claims, statements, advances, spot checks."""

from expenses.models.advances import (
    DEFAULT_ADVANCE_CAP,
    AdvanceAccount,
    AdvanceEntry,
    AdvanceLimit,
    SpotCheck,
    SpotCheckItem,
)
from expenses.models.calendar import CalendarDay, CalendarYear
from expenses.models.claims import ClaimLine, ExpenseStandard, PreApproval, ProductLine
from expenses.models.statements import MonthlyStatement, NewCustomerRow, StatementRow

__all__ = [
    "DEFAULT_ADVANCE_CAP",
    "AdvanceAccount",
    "AdvanceEntry",
    "AdvanceLimit",
    "CalendarDay",
    "CalendarYear",
    "ClaimLine",
    "ExpenseStandard",
    "MonthlyStatement",
    "NewCustomerRow",
    "PreApproval",
    "ProductLine",
    "SpotCheck",
    "SpotCheckItem",
    "StatementRow",
]
