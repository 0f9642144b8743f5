"""Demo grading: a step of `manage.py demo` (discovered by accounts.demo.run).

The demo company gets its default policy (Pareto on 12 months of purchases: A = the first
75 % of the amount, B the next 20 %, C the rest), set by the first regional manager, and
the nightly jobs run once so every card has a grade with its basis. Idempotent: the policy
is looked up by scope, and a rerun of the night changes nothing.
"""

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.demo import COMPANY, STEPS, DemoContext
from accounts.models import OrgNode, Role, User
from grading import nightly, services
from grading.models import GradingPolicy


def grade_retailers(ctx: DemoContext) -> None:
    """The company's default grading policy and one grading run, before the visit plans
    are drafted: the plans' frequencies follow the grades."""
    company = OrgNode.objects.filter(code=COMPANY[0], depth=1).first()
    if company is None:
        return
    if GradingPolicy.objects.filter(scope=company, business_type="", is_active=True).exists():
        ctx.existing["grading policies"] += 1
    else:
        actor = User.objects.filter(memberships__role=Role.ADMIN,
                                    memberships__node=company).first()
        services.policy_create(
            actor=actor, scope=company, name=_("Company default (75/20/5)"),
            method="pareto", measure="purchase_amount", window_months=12,
            share_a=Decimal(75), share_b=Decimal(20), share_c=Decimal(5),
            valid_from=timezone.localdate().replace(month=1, day=1),
            note=_("Demo: A = first 75 % of the purchase amount, B the next 20 %."))
        ctx.created["grading policies"] += 1
    ctx.created["grading runs"] += len(nightly.run_in_process(
        business_date=services.today(), steps=["grading"]))


def build_grading(ctx: DemoContext) -> None:
    """The rest of the night (scorecards, reminders) once visits and 客情费 exist; the
    grading step reruns too and changes nothing."""
    ctx.created["nightly runs"] += len(nightly.run_in_process(business_date=services.today()))


def _register() -> None:
    mine = [step for step in STEPS if step.__module__ == __name__]
    if mine:
        return
    # Before the visit plans are drafted (visits registers its step before grading,
    # INSTALLED_APPS order), so that they are drafted for graded retailers.
    names = [getattr(step, "__name__", "") for step in STEPS]
    at = names.index("build_visit_plans") if "build_visit_plans" in names else len(STEPS)
    STEPS.insert(at, grade_retailers)
    STEPS.append(build_grading)


_register()
