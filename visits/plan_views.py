"""Pages of monthly plans and the manager's team views.

Thin views: they check who may open the page, find the plan in the reader's scope (a
plan outside it is a 404) and render a template whose ES module (static/js/visits/plans/)
calls /api/visits/ for everything else, so the pages and the API agree on scoping and
rules. What the scripts need besides the API — the month's days with the statutory
working-day flag, URLs, translated labels and sentences — goes into the page as
`json_script` blocks (JSON, never executed: nothing for the CSP to allow).
"""

from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _

from accounts.models import OrgNode, Role
from accounts.selectors import query_node, user_roles
from accounts.workdays import month_end, working_days
from kehu.models import Retailer
from kehu.selectors import add_months
from kehu.views import js_strings as kehu_js_strings
from visits.api.common import MANAGERS
from visits.models import MissedVisit, Problem
from visits.selectors.common import APPROVER_ROLES
from visits.selectors.plans import plans_for_user
from visits.selectors.team import team_reps

# Who gets which page. The API enforces the same on its own; these only keep people
# away from pages that could do nothing for them (a clerk has no plan to make).
PLAN_ROLES = {Role.REP, *MANAGERS, Role.ADMIN}
TEAM_ROLES = {*MANAGERS, Role.ADMIN}

# Sentences of lib/api.js that every page needs.
BASE_STRINGS = ("network_error", "server_error", "forbidden", "not_found", "session_ended",
                "fix_fields", "required")


def _roles(user) -> set:
    return user_roles(user) | ({Role.ADMIN} if user.is_superuser else set())


def _require(user, allowed: set) -> set:
    roles = _roles(user)
    if not roles & allowed:
        raise PermissionDenied
    return roles


def _month_label(month: date) -> str:
    return formats.date_format(month, "YEAR_MONTH_FORMAT")


def _day_label(day: date) -> str:
    return f"{formats.date_format(day, 'MONTH_DAY_FORMAT')} {WEEKDAYS_ABBR[day.weekday()]}"


def _choices(choices) -> dict:
    return {value: str(label) for value, label in choices}


def _strings(**extra) -> dict:
    base = kehu_js_strings()
    return {**{key: base[key] for key in BASE_STRINGS}, **extra}


def _plan_urls() -> dict:
    return {
        "plans": reverse("visits-api:visitplan-list"),
        "stops": reverse("visits-api:planstop-list"),
        "retailers": reverse("kehu-api:retailer-list"),
        "list_page": reverse("visits:plans"),
        "page": reverse("visits:plan-detail", args=[0]).replace("/0/", "/{id}/"),
        "card": reverse("kehu:retailer-card", args=[0]).replace("/0/", "/{id}/"),
    }


def _plan_strings() -> dict:
    return _strings(
        proposed=_("A draft was proposed: adjust it, then submit it."),
        submitted=_("Submitted for approval."),
        approved=_("Approved. The plan is locked."),
        returned=_("Returned to the rep."),
        revised=_("A new version was opened: change it and submit it again."),
        commented=_("Comment added."),
        saved=_("Saved."),
        version_n=_("Version %(version)s"),
        stops_n=_("%(count)s planned visits"),
        day_stops_n=_("%(count)s stops"),
        waiting_n=_("%(count)s plans wait for approval."),
        no_plan=_("No plan yet."),
        none=_("—"),
        this_month=_("This month"),
        next_month=_("Next month"),
    )


@login_required
def plan_list(request):
    """A rep's plans (this month and next, propose a draft); a manager's plans waiting
    for approval and the team's plans of a month."""
    roles = _require(request.user, PLAN_ROLES)
    today = timezone.localdate()
    this_month = today.replace(day=1)
    next_month = add_months(this_month, 1)
    months = [{"month": m.isoformat(), "label": _month_label(m)}
              for m in (add_months(this_month, -1), this_month, next_month)]
    config = {
        "user_id": request.user.pk,
        "is_rep": Role.REP in roles,
        "can_review": bool(roles & set(APPROVER_ROLES)) or request.user.is_superuser,
        "today": today.isoformat(),
        "this_month": this_month.isoformat(),
        "next_month": next_month.isoformat(),
        "months": months,
        "urls": _plan_urls(),
    }
    return render(request, "visits/plans/list.html", {
        "config": config, "abilities": config, "i18n": _plan_strings(),
        "this_month_label": _month_label(this_month),
        "next_month_label": _month_label(next_month), "months": months,
    })


def _days(month: date) -> list[dict]:
    last = month_end(month)
    open_days = set(working_days(month.replace(day=1), last, strict=False))
    return [{"date": date(month.year, month.month, n).isoformat(), "day": n,
             "weekday": date(month.year, month.month, n).weekday(),
             "working": date(month.year, month.month, n) in open_days,
             "label": _day_label(date(month.year, month.month, n))}
            for n in range(1, last.day + 1)]


@login_required
def plan_detail(request, pk: int):
    """One version of a plan: the month's calendar, a day's stops, warnings, comments,
    the decision and the version history."""
    roles = _require(request.user, PLAN_ROLES)
    plan = get_object_or_404(plans_for_user(request.user), pk=pk)
    config = {
        "plan_id": plan.pk,
        "user_id": request.user.pk,
        "can_review": bool(roles & set(APPROVER_ROLES)) or request.user.is_superuser,
        "today": timezone.localdate().isoformat(),
        "days": _days(plan.month),
        "weekdays": [str(WEEKDAYS_ABBR[n]) for n in range(7)],
        "urls": {**_plan_urls(),
                 "plan": reverse("visits-api:visitplan-detail", args=[plan.pk])},
        "warning_labels": {
            "frequency_not_met": _("Frequency not met"),
            "not_rep_retailer": _("Not the rep's retailer"),
            "non_working_day": _("Non-working day"),
            "too_many_stops": _("Too many stops"),
        },
    }
    return render(request, "visits/plans/detail.html", {
        "plan": plan, "config": config, "i18n": _plan_strings(),
        "month_label": _month_label(plan.month),
    })


def _team_config(request, tab: str, node: OrgNode | None) -> dict:
    today = timezone.localdate()
    return {
        "tab": tab,
        "today": today.isoformat(),
        "this_month": today.replace(day=1).strftime("%Y-%m"),
        "node": {"id": node.pk, "name": node.name} if node else None,
        "reps": [{"id": rep.pk, "name": str(rep)} for rep in team_reps(request.user, node)],
        "reasons": {**_choices(MissedVisit.Reason.choices), "none": _("No reason given")},
        "urls": {
            "summary": reverse("visits-api:team-summary"),
            "overdue": reverse("visits-api:team-overdue"),
            "problems": reverse("visits-api:problem-list"),
            "visits": reverse("visits-api:visit-list"),
            "card": reverse("kehu:retailer-card", args=[0]).replace("/0/", "/{id}/"),
            "plans_page": reverse("visits:plans"),
            "overdue_page": reverse("visits:team-overdue"),
        },
        "grades": _choices(Retailer.Grade.choices),
        "problem_statuses": _choices(Problem.Status.choices),
        "flags": {"far": _("Too far from the store"), "no_gps": _("No GPS")},
    }


def _team_strings() -> dict:
    return _strings(
        none=_("—"),
        never=_("Never visited"),
        days_overdue=_("%(days)s days over"),
        every_n_days=_("every %(days)s days"),
        of=_("%(part)s of %(whole)s"),
        no_plan=_("No approved plan"),
    )


def _team_page(request, tab: str, template: str):
    _require(request.user, TEAM_ROLES)
    node = query_node(request)
    return render(request, template, {
        "config": _team_config(request, tab, node), "i18n": _team_strings(), "tab": tab,
        "node": node, "node_query": f"?node={node.pk}" if node else "",
    })


@login_required
def team_adherence(request):
    """Plan adherence (planned vs done on the right day, misses by reason), A-retailer
    coverage and overdue counts per rep, for today or a month."""
    return _team_page(request, "adherence", "visits/team/adherence.html")


@login_required
def team_overdue(request):
    """Retailers of the team not visited within their grade's interval."""
    return _team_page(request, "overdue", "visits/team/overdue.html")


@login_required
def team_problems(request):
    """Open and overdue problems of the team with owner, due date and status."""
    return _team_page(request, "problems", "visits/team/problems.html")


@login_required
def team_flagged(request):
    """The team's check-ins flagged too far from the store or without GPS, in a range of
    days (the dashboard's flagged check-ins)."""
    return _team_page(request, "flagged", "visits/team/flagged.html")
