"""The import page: thin, the page's ES module talks to /api/kehu/imports/."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.selectors import user_has_role
from kehu.imports import services
from kehu.models import ImportBatch


@login_required
def import_page(request):
    if not (request.user.is_superuser or user_has_role(request.user, *services.IMPORT_ROLES)):
        raise PermissionDenied
    kinds = [(kind, label, reverse("kehu-api:import-template", kwargs={"kind": kind}))
             for kind, label in ImportBatch.Kind.choices]
    return render(request, "kehu/import.html", {
        "kinds": kinds,
        "api_url": reverse("kehu-api:importbatch-list"),
        "export_url": reverse("kehu-api:retailer-export"),
        "inline_rows": services.inline_rows(),
        "strings": _page_strings(),
    })


def _page_strings() -> dict[str, str]:
    """Sentences the page's script shows; %(name)s placeholders are filled in there."""
    return {
        "choose_file": _("Choose an .xlsx file first."),
        "uploading": _("Uploading and checking…"),
        "queued": _("The file is queued; the import starts shortly."),
        "running": _("Importing…"),
        "writing": _("All rows checked; writing…"),
        "progress": _("%(done)s of %(total)s rows checked"),
        "facts_done": _("Imported %(facts)s monthly facts: %(added)s new, %(replaced)s "
                        "replaced."),
        "retailers_done": _("Imported: %(created)s new cards, %(updated)s updated, "
                            "%(unchanged)s unchanged."),
        "refused": _("Nothing was imported: %(count)s problems were found. Fix them and "
                     "upload the file again."),
        "refused_more": _("The first %(shown)s are listed; the error report has all of "
                          "them."),
        "failed": _("The import failed; nothing was written."),
        "whole_file": _("whole file"),
        "forbidden": _("You may not import files."),
        "network": _("The server cannot be reached. Check the connection and try again."),
        "server": _("Something went wrong on the server. Try again later."),
    }
