"""The manager's views: adherence, A-coverage and overdue retailers of their team."""

from datetime import date

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.base import RolePermission
from accounts.models import OrgNode
from accounts.selectors import scoped_node
from accounts.workdays import month_end
from kehu.models import Retailer
from visits.models import VisitPolicy
from visits.selectors.common import policy_for, user_company
from visits.selectors.team import Period, overdue_retailers, team_summary


class TeamQuerySerializer(serializers.Serializer):
    period = serializers.ChoiceField(label=_("period"), choices=[
        ("today", _("Today")), ("month", _("This month"))], default="month")
    date = serializers.DateField(label=_("date"), required=False)
    rep = serializers.IntegerField(label=_("rep"), required=False)
    node = serializers.IntegerField(label=_("org node"), required=False, help_text=_(
        "Only the reps placed under this org node (one you may see; any other is a 404)."))


def _node(request, query: dict) -> OrgNode | None:
    try:
        return scoped_node(request.user, query.get("node"))
    except OrgNode.DoesNotExist:
        raise Http404 from None


def _policy(request) -> VisitPolicy:
    """The reader's company policy, read once per request."""
    if not hasattr(request, "_visit_policy"):
        company = user_company(request.user)
        request._visit_policy = policy_for(company) if company else VisitPolicy()
    return request._visit_policy


def _period(query: dict, today: date) -> Period:
    day = query.get("date") or today
    if query["period"] == "today":
        return Period(day, day, today)
    return Period(day.replace(day=1), month_end(day), today)


class TeamSummaryView(APIView):
    """Per rep of the reader's team: plan adherence (planned vs done on the right day,
    misses by reason), A-retailer coverage and overdue retailers, for a day or a month."""

    permission_classes = [RolePermission]

    @extend_schema(parameters=[TeamQuerySerializer], responses={200: None})
    def get(self, request):
        query = TeamQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        period = _period(query.validated_data, timezone.localdate())
        return Response(team_summary(request.user, _policy(request), period,
                                     _node(request, query.validated_data)))


class OverdueRetailerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    grade = serializers.CharField()
    assigned_rep = serializers.IntegerField(source="assigned_rep_id", allow_null=True)
    assigned_rep_name = serializers.SerializerMethodField()
    last_on_site = serializers.DateField(allow_null=True)
    interval_days = serializers.SerializerMethodField()
    days_overdue = serializers.SerializerMethodField()

    def get_assigned_rep_name(self, retailer) -> str | None:
        return str(retailer.assigned_rep) if retailer.assigned_rep else None

    def get_interval_days(self, retailer) -> int:
        return self.context["policy"].interval_days(retailer.grade)

    def get_days_overdue(self, retailer) -> int | None:
        """Days past the interval; None for a retailer never visited."""
        if retailer.last_on_site is None:
            return None
        since = (self.context["today"] - retailer.last_on_site).days
        return since - self.get_interval_days(retailer)


class OverdueRetailersView(generics.ListAPIView):
    """Retailers not visited within their grade's interval, never-visited first."""

    permission_classes = [RolePermission]
    serializer_class = OverdueRetailerSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Retailer.objects.none()
        query = TeamQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        queryset = overdue_retailers(self.request.user, _policy(self.request),
                                     timezone.localdate(),
                                     _node(self.request, query.validated_data))
        rep = query.validated_data.get("rep")
        return queryset.filter(assigned_rep_id=rep) if rep else queryset

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "policy": _policy(self.request),
                "today": timezone.localdate()}

    @extend_schema(parameters=[TeamQuerySerializer])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
