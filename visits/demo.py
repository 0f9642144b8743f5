"""Demo visits: a step of `manage.py demo` (discovered by accounts.demo.run).

This month: every demo rep's approved plan with the days before today worked (visits,
missed visits with reasons, problems), drawn by `visits.demo_month.build_visits`.
Next month, through the plan services (so the audit trail is the real one):
- `rep02` has proposed and submitted a plan that waits for `om1`'s approval;
- `rep03`'s plan was returned by `om1` with a reason, to show what a rep then sees.
`rep01` (the login printed for reps) has no plan for next month yet, so the demo shows
"propose a draft" on the first click.

Idempotent: a rep who has a plan for the month is left alone. Plans and visits PROTECT
their retailers, so a demo card with visit history can no longer be deleted (the kehu
demo test deletes a card nobody planned).
"""

from django.utils import timezone

from accounts.demo import STEPS, DemoContext
from accounts.models import User
from kehu.selectors import add_months
from visits import services
from visits.demo_month import build_visits
from visits.models import VisitPlan

# (rep, what happens to their plan for next month, the office manager's note)
NEXT_MONTH = [
    ("rep02", VisitPlan.Status.SUBMITTED, ""),
    ("rep03", VisitPlan.Status.RETURNED, "周三的店太多，请把几家挪到周四；A 类店每周都要排上。"),
]
MANAGER = "om1"


def _next_month_plan(ctx: DemoContext, username: str, status: str, note: str) -> None:
    rep = User.objects.filter(username=username).first()
    manager = User.objects.filter(username=MANAGER).first()
    month = add_months(timezone.localdate().replace(day=1), 1)
    if rep is None or manager is None or not rep.retailers.exists():
        return
    if VisitPlan.objects.filter(rep=rep, month=month).exists():
        ctx.existing["visit plans"] += 1
        return
    plan = services.plan_propose(rep=rep, month=month, actor=rep)
    plan = services.plan_submit(plan=plan, actor=rep)
    if status == VisitPlan.Status.RETURNED:
        services.plan_return(plan=plan, actor=manager, note=note)
    ctx.created["visit plans"] += 1


def build_visit_plans(ctx: DemoContext) -> None:
    """This month's approved plans and worked days; next month's plans in review."""
    build_visits(seed=ctx.seed, created=ctx.created, existing=ctx.existing)
    for username, status, note in NEXT_MONTH:
        _next_month_plan(ctx, username, status, note)


def _register() -> None:
    # autodiscover may import this module more than once (e.g. after a reload).
    if not any(getattr(step, "__qualname__", "") == build_visit_plans.__qualname__
               and step.__module__ == __name__ for step in STEPS):
        STEPS.append(build_visit_plans)


_register()
