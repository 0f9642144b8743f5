"""The managers' dashboard page (/reports/dashboard/): desk and phone layouts, period and
org-node pickers, ECharts charts; every figure links to the list behind it. The page
renders its config; static/js/reports/dashboard.js reads the whole dashboard in one
request to /api/reports/dashboards/office|regional/<node>/."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import OrgNode, Role
from accounts.scoping import memberships_of
from kehu.views import js_strings as kehu_js_strings
from reports.selectors.dashboards import dashboard_nodes

BASE_STRINGS = ("network_error", "server_error", "forbidden", "not_found", "session_ended",
                "fix_fields", "required")


def _strings() -> dict:
    base = kehu_js_strings()
    return {
        **{key: base[key] for key in BASE_STRINGS},
        "none": _("—"),
        "of": _("%(part)s of %(whole)s"),
        "planned": _("Planned"),
        "done": _("Done on the day"),
        "visits": _("Visits"),
        "on_site": _("On site"),
        "phone": _("Phone"),
        "care": _("Care calls"),
        "far": _("Too far"),
        "no_gps": _("No GPS"),
        "flagged": _("Flagged check-ins"),
        "adherence": _("Plan adherence"),
        "start_of_month": _("Start of month"),
        "now": _("Now"),
        "grade": _("Grade %(grade)s"),
        "as_of": _("Scorecards as of %(day)s"),
        "today_live": _("Today, live"),
        "expense": _("客情费"),
        "sales": _("Sales"),
    }


def _is_regional(user) -> bool:
    return user.is_superuser or any(
        m.role in (Role.REGIONAL_MANAGER, Role.ADMIN) for m in memberships_of(user))


@login_required
def dashboard(request):
    """The office manager's (or, for a regional manager, the regional) dashboard; a user
    who manages nothing gets a 404, like any node outside their scope."""
    nodes = list(dashboard_nodes(request.user))
    if not nodes:
        raise Http404
    regional = _is_regional(request.user)
    top = min(nodes, key=lambda n: (n.depth, n.path))
    chosen = request.GET.get("node", "")
    node = next((n for n in nodes if str(n.pk) == chosen), top)
    today = timezone.localdate()
    base = "reports-api:regional-dashboard-detail" if regional else \
        "reports-api:office-dashboard-detail"
    config = {
        "regional": regional,
        "node": node.pk,
        "nodes": [{"id": n.pk, "name": n.name, "kind": n.kind, "depth": n.depth - top.depth,
                   "label": f"{'· ' * (n.depth - top.depth)}{n.name} ({n.get_kind_display()})"}
                  for n in nodes if n.kind != OrgNode.Kind.AREA or not regional],
        "period": request.GET.get("period", "today"),
        "today": today.isoformat(),
        "this_month": today.strftime("%Y-%m"),
        "urls": {"dashboard": reverse(base, args=[0]).replace("/0/", "/{id}/")},
    }
    return render(request, "reports/dashboards/dashboard.html", {
        "config": config, "i18n": _strings(), "regional": regional})
