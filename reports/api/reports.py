"""The reports' API: 日报 / 周报 / 月报 of a rep or a team, and the 早夕会 view.

Scoping: a rep reads their own report; anyone else the reps and nodes under their
memberships. A `node` or `rep` outside the reader's scope is a 404.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.base import RolePermission
from accounts.models import OrgNode, Role
from accounts.selectors import primary_placement
from reports.selectors import reports as selectors
from visits.selectors.team import is_team_rep


class ReportQuerySerializer(serializers.Serializer):
    period = serializers.ChoiceField(label=_("period"), default="day", choices=[
        ("day", _("Day")), ("week", _("Week")), ("month", _("Month")), ("range", _("Range"))])
    date = serializers.DateField(label=_("date"), required=False)
    first = serializers.DateField(label=_("first day"), required=False)
    last = serializers.DateField(label=_("last day"), required=False)
    node = serializers.IntegerField(label=_("org node"), required=False)
    rep = serializers.IntegerField(label=_("rep"), required=False)

    def validate(self, attrs):
        attrs["report_period"] = selectors.report_period(
            kind=attrs["period"], today=timezone.localdate(), day=attrs.get("date"),
            first=attrs.get("first"), last=attrs.get("last"))
        return attrs


class MeetingQuerySerializer(serializers.Serializer):
    date = serializers.DateField(label=_("date"), required=False)
    node = serializers.IntegerField(label=_("org node"), required=False)

    def validate_date(self, value):
        today = timezone.localdate()
        if value > today:
            raise serializers.ValidationError(
                _("The meeting reviews visits already made: choose today or an earlier "
                  "day (today is %(today)s).") % {"today": today})
        return value


def scoped_node(user, node_id: int | None) -> OrgNode:
    """The node asked for, if the user may read it (404 otherwise); by default the node of
    the user's main placement."""
    if node_id is not None:
        return get_object_or_404(OrgNode.objects.for_user(user), pk=node_id)
    placement = primary_placement(user)
    if placement is None:
        raise Http404
    return placement.node


def scoped_rep(user, rep_id: int) -> int:
    if not is_team_rep(user, rep_id):
        raise Http404
    return rep_id


class ReportView(APIView):
    """A period's report: `rep` gives one rep's (their days and visits), `node` a team's
    (one row per rep and the total); without either, a rep gets their own and anyone else
    the team of their main node. Monthly reports add the scorecard's state figures."""

    permission_classes = [RolePermission]

    @extend_schema(parameters=[ReportQuerySerializer], responses={200: None})
    def get(self, request):
        query = ReportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params, user = query.validated_data, request.user
        period = params["report_period"]
        if params.get("rep") is not None:
            return Response(selectors.rep_report(user, scoped_rep(user, params["rep"]),
                                                 period))
        placement = primary_placement(user)
        if params.get("node") is None and placement and placement.role == Role.REP:
            return Response(selectors.rep_report(user, user.pk, period))
        node = scoped_node(user, params.get("node"))
        return Response(selectors.team_report(user, node, period))


class MeetingView(APIView):
    """The 早夕会 view: one day's visits (default the previous working day) of the reps
    under a node, by area and rep, with problems raised and market information."""

    permission_classes = [RolePermission]

    @extend_schema(parameters=[MeetingQuerySerializer], responses={200: None})
    def get(self, request):
        query = MeetingQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        day = params.get("date") or selectors.previous_working_day(timezone.localdate())
        node = scoped_node(request.user, params.get("node"))
        return Response(selectors.meeting_view(request.user, node, day))
