"""The exports page: choose an export and its filters, follow my jobs (progress polled
from /api/reports/exports/), download, retry. Thin: the page's ES module does the rest."""

from datetime import date

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.page_strings import api_error_strings
from kehu.models import Retailer
from reports.models.exports import ExportJob
from visits.selectors.team import team_reps


def _choices(choices) -> list[dict]:
    return [{"value": value, "label": str(label)} for value, label in choices]


def _last_month(today: date) -> str:
    first = today.replace(day=1)
    previous = date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1)
    return f"{previous:%Y-%m}"


def js_strings() -> dict:
    """Sentences the page's script shows; %(name)s placeholders are filled there."""
    return {
        **api_error_strings(),
        "requested": _("Export requested: it is written in the background."),
        "rows": _("%(done)s of %(total)s rows"),
        "rows_done": _("%(count)s rows"),
        "download": _("Download"),
        "retry": _("Run again"),
        "expires": _("until %(time)s"),
        "no_jobs": _("No exports yet."),
        "any_rep": _("All my reps"),
    }


@login_required
def exports_page(request):
    today = date.today()
    reps = [{"value": str(rep.pk), "label": str(rep)} for rep in team_reps(request.user)]
    config = {
        "api_url": reverse("reports-api:exportjob-list"),
        "kinds": _choices(ExportJob.Kind.choices),
        "kind": request.GET.get("kind", "") if request.GET.get("kind", "") in
        ExportJob.Kind.values else ExportJob.Kind.RETAILERS,
        "reps": reps,
        "grades": _choices(Retailer.Grade.choices),
        "statuses": _choices(Retailer.Status.choices),
        "this_month": f"{today:%Y-%m}",
        "last_month": _last_month(today),
        "today": today.isoformat(),
        "month_ago": today.replace(day=1).isoformat(),
    }
    return render(request, "reports/exports/page.html", {"config": config,
                                                          "i18n": js_strings()})
