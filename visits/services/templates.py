"""Writes to visit templates (new versions, never edits in place) and the visit policy."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import OrgNode, User
from accounts.scoping import memberships_of
from accounts.services import audit_record
from visits.models import VisitPolicy, VisitTemplate, VisitTemplateVersion
from visits.selectors.common import TEMPLATE_ROLES, holds_role_over, policy_for
from visits.template_schema import validate_steps

TEMPLATE_NODE_KINDS = (OrgNode.Kind.COMPANY, OrgNode.Kind.REGION)
POLICY_FIELDS = ("interval_days_a", "interval_days_b", "interval_days_c", "new_retailer_days",
                 "interval_days_new", "max_stops_per_day",
                 "checkin_radius_m", "price_tolerance_pct", "clock_skew_minutes",
                 "problem_due_days")


def _guard_template_node(node: OrgNode, actor: User) -> None:
    if node.kind not in TEMPLATE_NODE_KINDS:
        raise ValidationError({"node": _("Templates are defined for a company or a region.")})
    if not holds_role_over(actor, node, TEMPLATE_ROLES):
        raise ValidationError({"node": _("Only a regional manager of this region (or an "
                                         "administrator) edits its templates.")})


@transaction.atomic
def template_create(*, actor: User, node: OrgNode, business_type: str, name: str,
                    steps: list) -> VisitTemplate:
    """A template for a business type at a node, with its first version."""
    _guard_template_node(node, actor)
    validate_steps(steps)
    if VisitTemplate.objects.filter(node=node, business_type=business_type).exists():
        raise ValidationError({"business_type": _(
            "This business type already has a template at this node.")})
    template = VisitTemplate(node=node, business_type=business_type, name=name.strip())
    template.full_clean(validate_constraints=False)
    template.save()
    _add_version(template, steps, actor)
    audit_record(actor=actor, node=node, obj=template, action="create", to_state="v1")
    return template


def _add_version(template: VisitTemplate, steps: list, actor: User) -> VisitTemplateVersion:
    number = template.current_version + 1
    version = VisitTemplateVersion.objects.create(template=template, number=number,
                                                  steps=steps, created_by=actor)
    template.current_version = number
    template.save(update_fields=["current_version"])
    return version


@transaction.atomic
def template_revise(*, template: VisitTemplate, actor: User, steps: list | None = None,
                    name: str | None = None) -> VisitTemplate:
    """New steps make a new version; visits already made keep theirs."""
    template = VisitTemplate.objects.select_for_update(of=("self",)).select_related("node").get(
        pk=template.pk)
    _guard_template_node(template.node, actor)
    if name is not None:
        template.name = name.strip()
        template.full_clean(validate_constraints=False)
        template.save(update_fields=["name"])
    if steps is not None:
        validate_steps(steps)
        old = template.current_version
        _add_version(template, steps, actor)
        audit_record(actor=actor, node=template.node, obj=template, action="revise",
                     from_state=f"v{old}", to_state=f"v{template.current_version}")
    return template


@transaction.atomic
def policy_update(*, company: OrgNode, actor: User, **fields) -> VisitPolicy:
    """Change the company's visit policy (kept as history)."""
    allowed = actor.is_superuser or any(
        m.role in TEMPLATE_ROLES and m.node.path.startswith(company.path)
        for m in memberships_of(actor))
    if not allowed:
        raise ValidationError({"non_field_errors": [
            _("Only a regional manager or an administrator changes the visit policy.")]})
    policy = policy_for(company)
    if policy.pk:
        policy = VisitPolicy.objects.select_for_update().get(pk=policy.pk)
    for field, value in fields.items():
        if field not in POLICY_FIELDS:
            raise TypeError(field)
        setattr(policy, field, value)
    policy.updated_by = actor
    policy.full_clean(exclude=["company", "updated_by"], validate_unique=False)
    policy.save()
    return policy
