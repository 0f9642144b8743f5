"""The managers' dashboards: one request per dashboard.

GET /api/reports/dashboards/office/            the nodes the user may open it at
GET /api/reports/dashboards/office/<node>/?period=today|month|YYYY-MM
GET /api/reports/dashboards/regional/<node>/?period=…   (offices side by side, grades)

The node is looked up among the nodes the user manages (regions, offices and areas under
their manager memberships): any other node, and any node for a rep, clerk or finance,
is a 404.
"""

import json

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from accounts.api.base import ScopedReadOnlyViewSet
from accounts.models import OrgNode
from reports import cache
from reports.selectors import dashboards


class DashboardNodeSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = OrgNode
        fields = ["id", "code", "name", "kind", "kind_label", "depth"]


PERIOD = OpenApiParameter("period", str, description=_(
    "today, month (this month) or a month as YYYY-MM"))


class RenderedResponse(Response):
    """A response whose JSON is already rendered (the cached answer): sent as it is."""

    def __init__(self, body: bytes):
        super().__init__(data=None, content_type="application/json")
        self.body = body

    @property
    def rendered_content(self) -> bytes:
        self["Content-Type"] = "application/json"
        return self.body


class DashboardViewSet(ScopedReadOnlyViewSet):
    queryset = OrgNode.objects.all()
    serializer_class = DashboardNodeSerializer
    pagination_class = None
    regional = False

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return OrgNode.objects.none()
        # The nodes the user manages (scoped by their manager memberships, not by every
        # membership: a rep's area is not a dashboard of theirs).
        return dashboards.dashboard_nodes(self.request.user)

    def period(self):
        try:
            return dashboards.parse_period(self.request.query_params.get("period"),
                                           dashboards.today())
        except ValueError:
            raise exceptions.ValidationError({"period": [_(
                "Choose today, month or a month as YYYY-MM (not in the future).")]}) from None

    @extend_schema(parameters=[PERIOD], responses={200: None})
    def retrieve(self, request, *args, **kwargs):
        node = self.get_object()  # out of scope: 404 before the cache is read
        period = self.period()
        kind = "regional" if self.regional else "office"
        # One answer per (kind, node, period, date, language): it holds nothing of the
        # user (see reports.cache), bumped by every write to what it reads. Kept as the
        # JSON the API answers, so a hit is sent as it is.
        body = cache.cached(
            kind=kind, node=node, period=period,
            compute=lambda: JSONRenderer().render(dashboards.dashboard(
                request.user, node, period, regional=self.regional)))
        if isinstance(request.accepted_renderer, JSONRenderer):
            return RenderedResponse(body)
        return Response(json.loads(body))  # the browsable API


class OfficeDashboardViewSet(DashboardViewSet):
    """The office manager's dashboard of a node: today's and a month's figures, per rep."""


class RegionalDashboardViewSet(DashboardViewSet):
    """The regional manager's dashboard: the office dashboard's figures, offices side by
    side, and each office's grade distribution with its movement in the month."""

    regional = True
