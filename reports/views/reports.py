"""The report pages: 日报 / 周报 / 月报 (and a custom range) and the 早夕会 view.

Thin: each page carries what its first paint needs (the API's URL, the nodes and reps the
reader may pick, today, the sentences the script shows); the figures come from
/api/reports/report/ and /api/reports/meeting/, so the page and the API agree on scope.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import OrgNode, Role
from accounts.page_strings import api_error_strings
from accounts.selectors import primary_placement
from reports.selectors.reports import MAX_DAYS, previous_working_day
from visits.selectors.team import team_reps

PAGES = {"day": "reports:daily", "week": "reports:weekly", "month": "reports:monthly",
         "range": "reports:range"}
# Nodes a manager may pick are listed up to this many (a company has a few hundred).
MAX_NODES = 500


def js_strings() -> dict:
    return {
        **api_error_strings(),
        "none": _("none"),
        "of": _("%(part)s of %(whole)s"),
        "through": _("%(first)s – %(last)s (figures up to %(until)s)"),
        "one_day": _("%(day)s"),
        "as_of": _("scorecard as of %(date)s"),
        "minutes": _("%(count)s min"),
        "no_reps": _("No reps under this node."),
        "no_visits": _("No visits in this period."),
        "truncated": _("Only the first %(count)s visits are listed."),
        "competitor_info": _("Competitor information"),
        "consumer_feedback": _("Consumer feedback"),
        "retailer_requests": _("Retailer's requests"),
        "stock": _("Stock counted"),
        "far": _("far from the store"),
        "no_gps": _("no GPS"),
        "problems": _("%(count)s problems raised"),
        "not_working_day": _("%(day)s is not a working day."),
        "no_visit_that_day": _("No visit that day."),
    }


def _nodes(user) -> list[dict]:
    nodes = (OrgNode.objects.for_user(user).exclude(kind=OrgNode.Kind.COMPANY)
             .order_by("path").values("pk", "name", "kind", "depth")[:MAX_NODES])
    kinds = dict(OrgNode.Kind.choices)
    return [{"id": n["pk"], "name": n["name"], "kind": str(kinds.get(n["kind"], n["kind"])),
             "depth": n["depth"]} for n in nodes]


def page_config(request, **extra) -> dict:
    user = request.user
    placement = primary_placement(user)
    rep_only = placement is not None and placement.role == Role.REP
    today = timezone.localdate()
    return {
        "today": today.isoformat(),
        "previous_working_day": previous_working_day(today).isoformat(),
        "user_id": user.pk,
        "rep_only": rep_only,
        "home_node": placement.node.pk if placement else None,
        "nodes": [] if rep_only else _nodes(user),
        "reps": [] if rep_only else [{"id": r.pk, "name": str(r)} for r in team_reps(user)],
        "max_days": MAX_DAYS,
        "urls": {"report": reverse("reports-api:report"),
                 "meeting": reverse("reports-api:meeting"),
                 "retailer": reverse("kehu:retailer-card", args=[0]),
                 **{kind: reverse(name) for kind, name in PAGES.items()}},
        **extra,
    }


def _render(request, template: str, **config):
    return render(request, template, {"config": page_config(request, **config),
                                      "i18n": js_strings()})


@login_required
def reports_home(request):
    return redirect("reports:daily")


def report_page(kind: str):
    @login_required
    def view(request):
        return _render(request, "reports/reports/report.html", period=kind)

    view.__name__ = f"{kind}_report"
    return view


daily = report_page("day")
weekly = report_page("week")
monthly = report_page("month")
custom_range = report_page("range")


@login_required
def meeting(request):
    return _render(request, "reports/reports/meeting.html", period="meeting")
