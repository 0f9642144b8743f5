"""Every write to visits: keyword-only functions, one transaction each."""

from visits.services.plans import (
    day_route_optimise,
    day_route_reorder,
    day_route_start,
    missed_visit_record,
    missed_visit_update,
    plan_approve,
    plan_comment,
    plan_propose,
    plan_return,
    plan_revise,
    plan_stop_add,
    plan_stop_remove,
    plan_stop_update,
    plan_submit,
)
from visits.services.problems import problem_raise, problem_solve, problem_update
from visits.services.templates import policy_update, template_create, template_revise
from visits.services.visits import photo_add, visit_check_in, visit_check_out, visit_record

__all__ = [
    "day_route_optimise",
    "day_route_reorder",
    "day_route_start",
    "missed_visit_record",
    "missed_visit_update",
    "photo_add",
    "plan_approve",
    "plan_comment",
    "plan_propose",
    "plan_return",
    "plan_revise",
    "plan_stop_add",
    "plan_stop_remove",
    "plan_stop_update",
    "plan_submit",
    "policy_update",
    "problem_raise",
    "problem_solve",
    "problem_update",
    "template_create",
    "template_revise",
    "visit_check_in",
    "visit_check_out",
    "visit_record",
]
