"""Tables of 客情费: claims, statements, advances, spot checks (the working-day calendar is
`accounts.CalendarYear` / `accounts.CalendarDay`)."""

from expenses.models.advances import (
    DEFAULT_ADVANCE_CAP,
    AdvanceAccount,
    AdvanceEntry,
    AdvanceLimit,
    SpotCheck,
    SpotCheckItem,
)
from expenses.models.claims import ClaimLine, ExpenseStandard, PreApproval, ProductLine
from expenses.models.statements import MonthlyStatement, NewCustomerRow, StatementRow

__all__ = [
    "DEFAULT_ADVANCE_CAP",
    "AdvanceAccount",
    "AdvanceEntry",
    "AdvanceLimit",
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
