"""Reads of grading: scoped querysets, the preview of a policy, a retailer's grade card."""

from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts.models import OrgNode, User
from grading import engine
from grading.models import (
    GradeHistory,
    GradeOverride,
    GradingPolicy,
    GradingPolicyVersion,
    GradingRun,
    RetailerGrade,
)
from grading.services import VERSION_FIELDS, rule_of, today
from kehu.models import Retailer


def policies_for_user(user: User):
    return GradingPolicy.objects.for_user(user).select_related("scope").prefetch_related(
        "versions")


def versions_for_user(user: User):
    return GradingPolicyVersion.objects.for_user(user).select_related("policy", "created_by")


def runs_for_user(user: User):
    return GradingRun.objects.for_user(user).select_related("scope", "started_by")


def overrides_for_user(user: User):
    return GradeOverride.objects.for_user(user).select_related(
        "retailer", "created_by", "ended_by")


def history_for_user(user: User):
    return GradeHistory.objects.for_user(user).select_related(
        "retailer", "policy_version__policy", "changed_by")


def draft_version(**fields) -> GradingPolicyVersion:
    """An unsaved version with these rule fields, validated like a saved one (field-named
    errors: shares that do not add up, a weight out of range…)."""
    version = GradingPolicyVersion(**{k: v for k, v in fields.items() if k in VERSION_FIELDS},
                                   number=1, valid_from=fields.get("valid_from") or today())
    version.full_clean(exclude=["policy", "number", "created_by"])
    return version


def policy_preview(*, policy: GradingPolicy | None = None, scope: OrgNode | None = None,
                   business_type: str = "", business_date: date | None = None,
                   **rule_fields) -> dict:
    """What the rule would do today, per office: retailers per grade, how many would move
    from the grade they have now, how many are not graded for lack of data, how many are
    kept by an override. One set-based read; nothing is written."""
    if policy is None and scope is None:
        raise ValidationError({"scope": _("Choose the policy's scope.")})
    day = business_date or today()
    version = draft_version(**rule_fields)
    rule = rule_of(policy=policy, version=version, scope=scope, business_type=business_type)
    rows = engine.preview_rows(rule, day)
    names = dict(OrgNode.objects.filter(path__in=[r[0] for r in rows])
                 .values_list("path", "name"))
    ids = dict(OrgNode.objects.filter(path__in=[r[0] for r in rows]).values_list("path", "pk"))
    offices = []
    totals = {"A": 0, "B": 0, "C": 0, "moves": 0, "no_data": 0, "overridden": 0}
    for path, a, b, c, moves, no_data, overridden in rows:
        office = {"office": ids.get(path), "office_name": names.get(path, ""),
                  "A": int(a or 0), "B": int(b or 0), "C": int(c or 0),
                  "moves": int(moves or 0), "no_data": int(no_data or 0),
                  "overridden": int(overridden or 0)}
        offices.append(office)
        for key in totals:
            totals[key] += office[key]
    start, end = engine.window(day, version.window_months)
    return {"business_date": day, "window_from": start, "window_until": end,
            "offices": offices, "totals": totals}


def retailer_grade_card(retailer: Retailer) -> dict:
    """The grade in effect with what it rests on: the computed grade and its basis (value,
    share, rank, policy version), the override in effect, the last changes."""
    day = today()
    basis = (RetailerGrade.objects.filter(retailer=retailer)
             .select_related("policy_version__policy").first())
    override = (GradeOverride.objects.filter(retailer=retailer, ended_at__isnull=True)
                .select_related("created_by").first())
    if override is not None and override.expires_on is not None and override.expires_on < day:
        override = None  # expired: the next run ends it
    history = list(GradeHistory.objects.filter(retailer=retailer)
                   .select_related("policy_version__policy", "changed_by")[:10])
    return {"retailer": retailer.pk, "grade": retailer.grade,
            "computed": basis, "override": override, "history": history}

