"""The rep's field day on a phone: today's route, a stop's preparation, the visit form,
the offline queue, and the service worker that keeps them working without signal.

The pages are thin: they carry the URLs, choices, map tiles and sentences the scripts
need (as `json_script` blocks, never executed) and the scripts read everything else from
/api/visits/. Writes go through an IndexedDB outbox (static/js/visits/field/outbox.js)
with client ids and Idempotency-Keys, so a visit made offline arrives exactly once.

The service worker is a template rendered at /visits/sw.js: it needs the static URLs of
the app shell (hashed in production) and a version that changes whenever one of those
files does, so phones pick up new code.
"""

import hashlib
import json
from functools import lru_cache

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.models import Role
from accounts.page_strings import api_error_strings
from accounts.selectors import user_roles
from kehu.models import Retailer
from kehu.views import _tiles
from visits.api.common import FIELD_WORKERS
from visits.models import MissedVisit, Photo, Problem, Visit

# Where the service worker acts: every field page lives under it; the plan pages
# (/visits/plans/) do not, so the worker never serves them from a cache.
SW_SCOPE = "/visits/today/"

# The app shell the service worker stores on install (paths under STATIC_URL). ES modules
# import each other by relative, unhashed paths, so both the hashed and the plain URL of
# each file are stored.
SHELL_FILES = [
    "css/app.css",
    "css/visits/field.css",
    "img/favicon.svg",
    "js/app.js",
    "js/lib/alpine.js",
    "js/lib/api.js",
    "js/lib/format.js",
    "js/lib/geo.js",
    "js/lib/i18n.js",
    "js/visits/field/common.js",
    "js/visits/field/outbox.js",
    "js/visits/field/photo.js",
    "js/visits/field/prepare.js",
    "js/visits/field/queue-page.js",
    "js/visits/field/queue-panel.js",
    "js/visits/field/register.js",
    "js/visits/field/route-map.js",
    "js/visits/field/store.js",
    "js/visits/field/today.js",
    "js/visits/field/visit.js",
    "vendor/alpine/alpine-csp.esm.js",
    "vendor/idb/index.js",
    "vendor/leaflet/leaflet-src.esm.js",
    "vendor/leaflet/leaflet.css",
    "vendor/leaflet/images/marker-icon.png",
    "vendor/leaflet/images/marker-icon-2x.png",
    "vendor/leaflet/images/marker-shadow.png",
]


def _field_roles(user) -> set:
    roles = set(user_roles(user))
    return roles | ({Role.ADMIN} if user.is_superuser else set())


def _require(user, roles) -> None:
    """Field pages are for the people who visit shops; others get a 403 page."""
    if not _field_roles(user) & set(roles):
        raise PermissionDenied


def _choices(choices) -> list[dict]:
    return [{"value": value, "label": str(label)} for value, label in choices]


def _api_urls() -> dict:
    visits = reverse("visits-api:visit-list")
    return {
        "today": reverse("visits-api:dayroute-today"),
        "day_routes": reverse("visits-api:dayroute-list"),
        "reorder": reverse("visits-api:dayroute-reorder", args=[0]).replace("/0/", "/{id}/"),
        "optimise": reverse("visits-api:dayroute-optimise", args=[0]).replace("/0/", "/{id}/"),
        "visits": visits,
        "checkout": reverse("visits-api:visit-checkout", args=[0]).replace("/0/", "/{id}/"),
        "prepare": reverse("visits-api:visit-prepare", args=[0]).replace("/0/", "/{id}/"),
        "photos": reverse("visits-api:photo-list"),
        "problems": reverse("visits-api:problem-list"),
        "missed": reverse("visits-api:missedvisit-list"),
        "me": reverse("accounts-api:me"),
    }


def _page_urls() -> dict:
    return {
        "today": reverse("visits:today"),
        "prepare": reverse("visits:prepare", args=[0]).replace("/0/", "/{id}/"),
        "visit": reverse("visits:visit", args=[0]).replace("/0/", "/{id}/"),
        "queue": reverse("visits:queue"),
        "card": reverse("kehu:retailer-card", args=[0]).replace("/0/", "/{id}/"),
        "sw": reverse("visits:sw"),
        "scope": SW_SCOPE,
    }


def field_strings() -> dict:
    """Sentences the field scripts show, in the request's language."""
    return {
        **api_error_strings(),
        "needs_connection": _("This needs a connection. Try again when you are online."),
        "offline_copy": _("Offline copy saved at %(time)s."),
        "no_data_offline": _("Today's data is not on this phone yet. Open this page once "
                             "with a connection."),
        "queued": _("Waiting to send"),
        "sending": _("Sending…"),
        "sent": _("Sent"),
        "refused": _("Refused"),
        "blocked": _("Log in again to send"),
        "depends_refused": _("Not sent: the check-in of this visit was refused."),
        "queue_count": _("%(count)s waiting to send"),
        "queue_empty": _("Everything is sent."),
        "kind_checkin": _("Check-in"),
        "kind_checkout": _("Check-out"),
        "kind_photo": _("Photo"),
        "kind_problem": _("Problem"),
        "kind_missed": _("Missed-visit reason"),
        "gps_denied": _("Location permission was refused: the visit is logged and "
                        "flagged for review."),
        "gps_unavailable": _("No GPS position: the visit is logged and flagged for review."),
        "gps_timeout": _("The GPS did not answer in time: the visit is logged and flagged "
                         "for review."),
        "gps_ok": _("Position recorded (±%(accuracy)s m)."),
        "checked_in": _("Checked in at %(time)s."),
        "checked_out": _("Checked out at %(time)s."),
        "photo_added": _("Photo added (%(kb)s KB)."),
        "photo_failed": _("This file could not be read as a photo."),
        "problem_added": _("Problem recorded."),
        "missed_saved": _("Reason recorded."),
        "order_saved": _("Route order saved."),
        "optimised": _("Route optimised: %(km)s km."),
        "required_missing": _("Answer the required questions first."),
        "describe_problem": _("Describe the problem."),
        "other_needs_note": _("Say what the other reason is."),
        "distance_m": _("%(distance)s m from the store"),
        "duration_min": _("%(minutes)s min"),
        "stop_done": _("Visited"),
        "stop_in_progress": _("In progress"),
        "stop_queued": _("Logged on this phone"),
        "stop_missed": _("Missed: %(reason)s"),
        "stop_todo": _("To visit"),
        "flagged": _("Flagged"),
        "map_failed": _("The map could not be shown."),
        "yes": _("Yes"),
        "no": _("No"),
        "guide": _("Guide %(price)s"),
        "grade": _("Grade %(grade)s"),
        "ungraded": _("Not graded yet (counts as C)"),
        "step_communication": _("Communication"),
        "step_price_check": _("Price check"),
        "step_display": _("Display and shelf photos"),
        "step_stock": _("Stock and suggested order"),
        "step_promotion": _("Brand promotion"),
        "step_competitor": _("Competitor information"),
        "step_feedback": _("Consumer feedback"),
        "step_problems": _("Problems raised"),
        "step_requests": _("The retailer's requests"),
        "step_questions": _("Questions"),
        "sync_failed": _("Sending failed; it will be retried."),
        "checkin_refused": _("The server refused this check-in: %(reason)s Fix the cause, "
                             "then press \"Send again\" in the queue, or discard it."),
        "check_out_first": _("Check out of %(name)s first."),
    }


def _config(request, **extra) -> dict:
    return {
        "user_id": request.user.pk,
        "today": timezone.localdate().isoformat(),
        "urls": {"api": _api_urls(), "pages": _page_urls()},
        "tiles": _tiles(),
        "choices": {
            "visit_kind": _choices(Visit.Kind.choices),
            "photo_kind": _choices(Photo.Kind.choices),
            "problem_category": _choices(Problem.Category.choices),
            "missed_reason": _choices(MissedVisit.Reason.choices),
        },
        **extra,
    }


def _render(request, template: str, config: dict, **context):
    return render(request, template, {"config": config, "i18n": field_strings(),
                                      "choices": config["choices"], **context})


@login_required
def today_route(request):
    """The rep's stops for today, in route order, as a list and a map."""
    _require(request.user, [Role.REP])
    return _render(request, "visits/field/today.html", _config(request))


def _retailer(request, pk: int) -> Retailer:
    _require(request.user, FIELD_WORKERS)
    # Scoped: another rep's shop is a 404, as in the API.
    return get_object_or_404(Retailer.objects.for_user(request.user), pk=pk)


@login_required
def stop_preparation(request, pk: int):
    """Before the visit: the card, last visit, open problems, objective, recent facts."""
    retailer = _retailer(request, pk)
    config = _config(request, retailer_id=retailer.pk, name=retailer.name)
    return _render(request, "visits/field/prepare.html", config, retailer=retailer)


@login_required
def visit_form(request, pk: int):
    """Check in, walk the on-site steps, photos and problems, check out."""
    retailer = _retailer(request, pk)
    kind = request.GET.get("kind", Visit.Kind.ON_SITE)
    if kind not in Visit.Kind.values:
        kind = Visit.Kind.ON_SITE
    config = _config(request, retailer_id=retailer.pk, name=retailer.name, kind=kind)
    return _render(request, "visits/field/visit.html", config, retailer=retailer)


@login_required
def queue(request):
    """What this phone has waiting to send, what was sent and what was refused."""
    _require(request.user, FIELD_WORKERS)
    return _render(request, "visits/field/queue.html", _config(request))


def _file_bytes(path: str) -> bytes:
    found = finders.find(path)
    if found:
        with open(found, "rb") as handle:
            return handle.read()
    from django.contrib.staticfiles.storage import staticfiles_storage

    with staticfiles_storage.open(path) as handle:
        return handle.read()


def _shell_version() -> str:
    digest = hashlib.sha256()
    for path in SHELL_FILES:
        digest.update(path.encode())
        digest.update(_file_bytes(path))
    return digest.hexdigest()[:16]


_cached_shell_version = lru_cache(maxsize=1)(_shell_version)


def _static_prefix() -> str:
    return settings.STATIC_URL if settings.STATIC_URL.startswith("/") \
        else f"/{settings.STATIC_URL}"


def _shell_urls() -> list[str]:
    urls = []
    for path in SHELL_FILES:
        for url in (static(path), f"{_static_prefix()}{path}"):
            if url not in urls:
                urls.append(url)
    return urls


@require_GET
def service_worker(request):
    """The service worker script (no login: the browser fetches it on its own; it holds
    no data, only URLs). Served from /visits/ so it may control /visits/today/."""
    version = _shell_version() if settings.DEBUG else _cached_shell_version()
    config = {
        "version": version,
        "shell": _shell_urls(),
        "scope": SW_SCOPE,
        "static_prefix": _static_prefix(),
        # Network first, the last answer kept for offline use.
        "api_prefixes": [reverse("visits-api:dayroute-today"),
                         reverse("visits-api:visit-prepare", args=[0])[:-2]],
    }
    # JSON of URLs we build ourselves: nothing a user typed goes into the script.
    body = render_to_string("visits/field/sw.js", {"config": mark_safe(json.dumps(config))})
    response = HttpResponse(body, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = SW_SCOPE
    # Browsers check for a new worker on navigation; never let a proxy serve an old one.
    response["Cache-Control"] = "no-cache"
    return response
