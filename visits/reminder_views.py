"""The rep's care reminders page (the API is /api/visits/reminders/).

Thin: the page carries its URLs, choices and sentences as json_script blocks; the script
reads the reminders from the API and closes them there.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.views import js_strings
from visits.models import Reminder


def reminder_strings() -> dict:
    """Sentences the reminder scripts show, in the request's language."""
    return {
        **js_strings(),
        "none_today": _("Nothing due today. Well done."),
        "none_upcoming": _("Nothing due in the next days."),
        "none_closed": _("No closed reminders yet."),
        "done_ok": _("Done: a care call to %(retailer)s is logged."),
        "skipped_ok": _("Skipped."),
        "due_count": _("%(count)s due"),
        "overdue": _("overdue"),
        "birthday_of": _("Birthday of %(name)s"),
    }


@login_required
def reminders_page(request):
    when = request.GET.get("when", "today")
    config = {
        "user_id": request.user.pk,
        "today": timezone.localdate().isoformat(),
        "when": when if when in ("today", "upcoming", "closed") else "today",
        "urls": {"list": reverse("visits-api:reminder-list"),
                 "done": reverse("visits-api:reminder-done", args=[0]).replace("/0/", "/{id}/"),
                 "skip": reverse("visits-api:reminder-skip", args=[0]).replace("/0/", "/{id}/"),
                 "card": reverse("kehu:retailer-card", args=[0]).replace("/0/", "/{id}/")},
        "skip_reasons": [{"value": v, "label": str(label)}
                         for v, label in Reminder.SkipReason.choices],
    }
    return render(request, "visits/reminders/list.html",
                  {"config": config, "i18n": reminder_strings()})
