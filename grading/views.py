"""Grading pages: the regional manager's policy editor (preview, save, run now). Thin:
the page's module calls /api/grading/; what it needs besides goes in json_script blocks."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import OrgNode, Role
from accounts.page_strings import api_error_strings
from accounts.selectors import user_has_role
from grading.api.views import POLICY_ROLES
from grading.models import GradingPolicyVersion
from grading.services import POLICY_NODE_KINDS, today
from kehu.models import Retailer


def _choices(choices) -> list[dict]:
    return [{"value": value, "label": str(label)} for value, label in choices]


def js_strings() -> dict:
    return {
        **api_error_strings(),
        "saved_policy": _("Policy saved."),
        "saved_version": _("Saved as version %(number)s, in force from %(date)s."),
        "run_started": _("Grading started…"),
        "run_succeeded": _("Grading finished: A %(a)s, B %(b)s, C %(c)s; %(moves)s moved "
                           "(%(seconds)s s)."),
        "run_failed": _("Grading failed: %(error)s"),
        "run_skipped": _("Nothing was graded: the policy has no version in force today."),
        "shares_sum": _("A + B + C = %(sum)s %%"),
        "version_summary": _("v%(number)s: %(method)s, %(measure)s, %(window)s months, "
                             "A %(a)s %% / B %(b)s %% / C %(c)s %%"),
        "no_version": _("No version in force today"),
        "all_types": _("Every business type"),
        "inactive": _("Retired"),
        "new_policy": _("New policy"),
        "save_new": _("Save policy"),
        "save_version": _("Save as a new version"),
    }


@login_required
def policy_editor(request):
    if not user_has_role(request.user, *POLICY_ROLES):
        raise PermissionDenied
    scopes = (OrgNode.objects.for_user(request.user).filter(kind__in=POLICY_NODE_KINDS)
              .order_by("path"))
    config = {
        "today": today().isoformat(),
        "is_admin": user_has_role(request.user, Role.ADMIN),
        "urls": {
            "policies": reverse("grading-api:policy-list"),
            "preview": reverse("grading-api:policy-preview"),
            "versions": reverse("grading-api:version-list"),
            "runs": reverse("grading-api:run-list"),
        },
        "scopes": [{"value": node.pk, "label": node.name, "kind": node.kind,
                    "depth": node.depth} for node in scopes],
        "choices": {
            "method": _choices(GradingPolicyVersion.Method.choices),
            "measure": _choices(GradingPolicyVersion.Measure.choices),
            "rank_within": _choices(GradingPolicyVersion.RankWithin.choices),
            "business_type": _choices(Retailer.BusinessType.choices),
        },
        "defaults": {method: [str(n) for n in shares] for method, shares in
                     GradingPolicyVersion.DEFAULT_SHARES.items()},
    }
    return render(request, "grading/policies.html", {"config": config, "i18n": js_strings()})
