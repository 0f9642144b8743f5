"""Retailer pages: thin views rendering templates whose ES modules call /api/kehu/.

The pages carry no data beyond what the first paint needs (the card's name); the
components load everything else from the API, so a page and the API always agree on
scoping and masking. What the browser needs besides the API — role flags, choices with
translated labels, URLs, map tiles and the strings JS shows — goes into the page as
`json_script` blocks (JSON, not executed, so CSP has nothing to allow).
"""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.page_strings import api_error_strings
from accounts.selectors import user_roles
from kehu import selectors
from kehu.api import views as api_views
from kehu.models import KeyPerson, Retailer

# Map tiles (WGS-84 OpenStreetMap by default). Chinese providers (AMap, Tencent) draw
# GCJ-02: set MAP_TILES_GCJ02 = True with them and markers are shifted for display.
# The tile host must also be in CSP_IMG_HOSTS.
DEFAULT_TILE_URL = "https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png"
DEFAULT_TILE_ATTRIBUTION = "© OpenStreetMap contributors"

# The pages offer what the API allows: the role sets are the viewsets' own.
MANAGER_ROLES = set(api_views.MANAGERS)
WRITE_ROLES = set(api_views.RetailerViewSet.write_roles)
TICK_ROLES = set(api_views.RelationshipTickViewSet.write_roles)
PEOPLE_WRITE_ROLES = set(api_views.KeyPersonViewSet.write_roles)


def _abilities(user) -> dict:
    """What the pages offer this user; the API enforces the same rules on its own."""
    roles = {Role.ADMIN} if user.is_superuser else set()
    roles |= user_roles(user)
    return {
        "user_id": user.pk,
        "is_manager": bool(roles & MANAGER_ROLES),
        "can_write": bool(roles & WRITE_ROLES),
        "can_tick": bool(roles & TICK_ROLES),
        # Key persons: the assigned rep and office managers, who also see them unmasked.
        "can_edit_people": bool(roles & PEOPLE_WRITE_ROLES),
        "can_review": bool(roles & MANAGER_ROLES),
        "rep_only": roles == {Role.REP},
    }


def _choices(choices) -> list[dict]:
    return [{"value": value, "label": str(label)} for value, label in choices]


def _level_choices() -> list[dict]:
    return [{"value": "0", "label": _("Not yet rated")},
            *({"value": str(n), "label": _("Level %(level)s") % {"level": n}}
              for n in range(1, 5))]


def _form_choices() -> dict:
    return {
        "grade": _choices(Retailer.Grade.choices),
        "business_type": _choices(Retailer.BusinessType.choices),
        "trade_area": _choices(Retailer.TradeArea.choices),
        "status": _choices(Retailer.Status.choices),
        "relationship_level": _level_choices(),
    }


def _urls() -> dict:
    return {
        "retailers": reverse("kehu-api:retailer-list"),
        "reassign": reverse("kehu-api:retailer-reassign"),
        "ticks": reverse("kehu-api:relationshiptick-list"),
        "users": reverse("accounts-api:user-list"),
        "nodes": reverse("accounts-api:orgnode-list"),
        "card": reverse("kehu:retailer-card", args=[0]).replace("/0/", "/{id}/"),
    }


def js_strings() -> dict:
    """Sentences the scripts show, in the request's language."""
    return {
        **api_error_strings(),
        "saved": _("Saved."),
        "reassigned": _("%(count)s retailers reassigned to %(name)s."),
        "selected": _("%(count)s selected"),
        "level_n": _("Level %(level)s"),
        "not_rated": _("Not yet rated"),
        "purchase": _("Purchase amount"),
        "collected": _("Collected amount"),
        "chart_failed": _("The chart could not be drawn."),
        "map_failed": _("The map could not be shown."),
        "geo_unsupported": _("This browser cannot tell its location."),
        "geo_denied": _("Location permission was refused."),
        "geo_failed": _("Could not get your location. Try again outdoors."),
        "reason_licence": _("Same licence number"),
        "reason_phone": _("Same key-person phone"),
        "reason_name_nearby": _("Similar name within 100 m"),
        "distance_m": _("%(distance)s m apart"),
        "lunar_birthday": _("Lunar calendar: month %(month)s, day %(day)s"),
        "lunar_leap": _("(leap month)"),
        "required": _("This field is required."),
        "chip": _("%(name)s: %(value)s"),
        "yes": _("Yes"),
        "no": _("No"),
        "pending_review": _("%(count)s ticks wait for your review."),
        "tick_sent": _("Ticked. A manager will confirm it."),
        "tick_confirmed": _("Tick confirmed."),
        "tick_rejected": _("Tick rejected."),
        "level_now": _("The relationship level is now: %(level)s."),
        "person_saved": _("Key person saved."),
        "lunar_needs_day": _("A lunar birthday needs its month and day."),
    }


def _tiles() -> dict:
    return {
        "url": getattr(settings, "MAP_TILE_URL", DEFAULT_TILE_URL),
        "attribution": getattr(settings, "MAP_TILE_ATTRIBUTION", DEFAULT_TILE_ATTRIBUTION),
        "gcj02": bool(getattr(settings, "MAP_TILES_GCJ02", False)),
    }


@login_required
def retailer_list(request):
    abilities = _abilities(request.user)
    config = {**abilities, "urls": _urls(), "choices": _form_choices(),
              "filter_labels": {"grade": _("Grade"), "business_type": _("Business type"),
                                "trade_area": _("Trade area"), "status": _("Status"),
                                "relationship_level": _("Relationship level")}}
    return render(request, "kehu/retailer_list.html", {
        "abilities": abilities, "config": config, "choices": config["choices"],
        "i18n": js_strings(),
    })


@login_required
def retailer_card(request, pk: int):
    retailer = get_object_or_404(selectors.retailer_card(request.user), pk=pk)
    abilities = _abilities(request.user)
    urls = _urls()
    detail = f"{urls['retailers']}{retailer.pk}/"
    config = {
        **abilities, "retailer_id": retailer.pk, "name": retailer.name, "tiles": _tiles(),
        "icons": {"icon": static("vendor/leaflet/images/marker-icon.png"),
                  "icon2x": static("vendor/leaflet/images/marker-icon-2x.png"),
                  "shadow": static("vendor/leaflet/images/marker-shadow.png")},
        "urls": {**urls, "detail": detail, "trend": f"{detail}trend/",
                 "checklist": f"{detail}checklist/",
                 "key_persons": reverse("kehu-api:keyperson-list")},
        "choices": {**_form_choices(),
                    "key_person_role": _choices(KeyPerson.PersonRole.choices)},
    }
    return render(request, "kehu/retailer_card.html", {
        "retailer": retailer, "abilities": abilities, "config": config,
        "choices": config["choices"], "i18n": js_strings(),
    })
