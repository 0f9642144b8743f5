"""Every write of 客情费: plain keyword-only functions, one transaction each."""

from expenses.services.advances import (
    advance_cap_set,
    advance_payout,
    advance_settle,
    spot_check_ensure,
    spot_check_pick,
    spot_check_record,
)
from expenses.services.claims import (
    claim_line_create,
    claim_line_delete,
    claim_line_update,
    preapproval_approve,
    preapproval_create,
    preapproval_record_contract,
    preapproval_reject,
)
from expenses.services.standards import product_line_create, standard_create, standard_end
from expenses.services.statements import (
    STEPS,
    statement_resubmit,
    statement_return,
    statement_review,
    statement_submit,
    statements_void_overdue,
)

__all__ = [
    "STEPS",
    "advance_cap_set",
    "advance_payout",
    "advance_settle",
    "claim_line_create",
    "claim_line_delete",
    "claim_line_update",
    "preapproval_approve",
    "preapproval_create",
    "preapproval_record_contract",
    "preapproval_reject",
    "product_line_create",
    "spot_check_ensure",
    "spot_check_pick",
    "spot_check_record",
    "standard_create",
    "standard_end",
    "statement_resubmit",
    "statement_return",
    "statement_review",
    "statement_submit",
    "statements_void_overdue",
]
