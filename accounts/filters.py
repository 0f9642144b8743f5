"""Filters shared by the apps' FilterSets."""

import django_filters
from django.utils.translation import gettext_lazy as _
from django_filters.constants import EMPTY_VALUES

from accounts.models import OrgNode
from accounts.selectors import scoped_node


class OrgNodeFilter(django_filters.NumberFilter):
    """`node=<org node id>`: the rows whose org path (`path_lookup`, e.g. "area__path") is
    under that node, as the dashboards count them. A node the reader may not see gives no
    rows, like the visits and problems lists (an out-of-scope node is not confirmed to
    exist). It narrows the list the user may see and never widens it: the viewset's
    queryset is already scoped."""

    def __init__(self, *, path_lookup: str, **kwargs):
        self.path_lookup = path_lookup
        kwargs.setdefault("label", _("org node"))
        super().__init__(**kwargs)

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        request = getattr(self.parent, "request", None)
        try:
            node = scoped_node(getattr(request, "user", None), int(value))
        except OrgNode.DoesNotExist:
            return qs.none()
        return qs.filter(**{f"{self.path_lookup}__startswith": node.path})
