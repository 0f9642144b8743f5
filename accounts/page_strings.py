"""Sentences every page script shows when an API call fails, in the request's language
(static/js/lib/api.js picks them by key). Each page's own strings are added to these."""

from django.utils.translation import gettext as _


def api_error_strings() -> dict:
    return {
        "network_error": _("No connection. Check the network and try again."),
        "server_error": _("The server had a problem. Try again in a moment."),
        "forbidden": _("You are not allowed to do this."),
        "not_found": _("Not found, or not in your area."),
        "session_ended": _("Your session has ended. Log in again."),
        "fix_fields": _("Please correct the marked fields."),
    }
