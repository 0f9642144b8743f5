"""Scorecard pages: a rep's month (a manager: the team's) and a retailer's scorecard.

Thin: the pages carry URLs and sentences (json_script blocks); the scripts read the
precomputed scorecards from /api/grading/scorecards/.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.selectors import query_node
from kehu.models import Retailer
from kehu.views import js_strings


def _strings() -> dict:
    return {
        **js_strings(),
        "no_scorecards": _("No scorecard yet: scorecards are computed every night."),
        "warning_a_to_b": _("%(count)s A retailers moved to B"),
        "of_total": _("%(part)s of %(whole)s"),
    }


@login_required
def rep_scorecards(request):
    """The reps' scorecards of a month; with `node` (the dashboards' drill-downs pass it)
    only the reps under that org node (one outside the reader's scope is a 404)."""
    node = query_node(request)
    config = {"urls": {"reps": reverse("grading-api:repscorecard-list")},
              "month": request.GET.get("month", ""),
              "node": {"id": node.pk, "name": node.name} if node else None}
    return render(request, "grading/scorecards/reps.html",
                  {"config": config, "i18n": _strings(), "node": node})


@login_required
def retailer_scorecard(request, pk: int):
    retailer = get_object_or_404(Retailer.objects.for_user(request.user), pk=pk)
    config = {"retailer": retailer.pk,
              "urls": {"scorecards": reverse("grading-api:retailerscorecard-list"),
                       "history": reverse("grading-api:history-list")}}
    return render(request, "grading/scorecards/retailer.html",
                  {"config": config, "i18n": _strings(), "retailer": retailer})
