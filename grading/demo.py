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


def build_grading(ctx: DemoContext) -> None:
    """The company's default grading policy, then one run of the nightly jobs."""
    company = OrgNode.objects.filter(code=COMPANY[0], depth=1).first()
    if company is None:
        return
    if GradingPolicy.objects.filter(scope=company, business_type="", is_active=True).exists():
        ctx.existing["grading policies"] += 1
    else:
        actor = User.objects.filter(memberships__role=Role.ADMIN,
                                    memberships__node=company).first()
        services.policy_create(
            actor=actor, scope=company, name=_("Company default (80/20)"),
            method="pareto", measure="purchase_amount", window_months=12,
            share_a=Decimal(75), share_b=Decimal(20), share_c=Decimal(5),
            valid_from=timezone.localdate().replace(month=1, day=1),
            note=_("Demo: A = first 75 % of the purchase amount, B the next 20 %."))
        ctx.created["grading policies"] += 1
    ctx.created["nightly runs"] += len(nightly.run_in_process(business_date=services.today()))


def _register() -> None:
    if not any(getattr(step, "__qualname__", "") == build_grading.__qualname__
               and step.__module__ == __name__ for step in STEPS):
        STEPS.append(build_grading)


_register()
