"""Serializers of plans, day routes, templates and the policy."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.api.base import ScopedModelSerializer, ScopedSerializer
from accounts.models import OrgNode, User
from kehu.geo import wgs84_to_gcj02
from kehu.models import Retailer
from visits.models import (
    DayRoute,
    PlanComment,
    PlanStop,
    VisitPlan,
    VisitPolicy,
    VisitTemplate,
    VisitTemplateVersion,
)
from visits.services.templates import POLICY_FIELDS


def point(lat, lng) -> dict | None:
    """A WGS-84 point as stored, with its GCJ-02 twin for Chinese map tiles."""
    if lat is None or lng is None:
        return None
    gcj_lat, gcj_lng = wgs84_to_gcj02(float(lat), float(lng))
    return {"latitude": str(lat), "longitude": str(lng),
            "gcj02": {"latitude": round(gcj_lat, 6), "longitude": round(gcj_lng, 6)}}


class PlanStopSerializer(serializers.ModelSerializer):
    retailer_name = serializers.CharField(source="retailer.name", read_only=True)
    retailer_grade = serializers.CharField(source="retailer.grade", read_only=True)

    class Meta:
        model = PlanStop
        fields = ["id", "plan", "date", "retailer", "retailer_name", "retailer_grade",
                  "position", "objective", "fixed_time"]
        read_only_fields = fields


class PlanStopCreateSerializer(ScopedModelSerializer):
    class Meta:
        model = PlanStop
        fields = ["plan", "date", "retailer", "objective", "fixed_time"]
        # The service checks the day and duplicates with the plan locked.
        validators = []


class PlanStopUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlanStop
        fields = ["date", "objective", "fixed_time", "position"]
        extra_kwargs = {f: {"required": False} for f in fields}


class PlanCommentSerializer(serializers.ModelSerializer):
    author_name = serializers.CharField(source="author.__str__", read_only=True)

    class Meta:
        model = PlanComment
        fields = ["id", "author", "author_name", "date", "text", "created_at"]
        read_only_fields = ["id", "author", "author_name", "created_at"]


class VisitPlanSerializer(serializers.ModelSerializer):
    rep_name = serializers.CharField(source="rep.__str__", read_only=True)
    area_name = serializers.CharField(source="area.name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    decided_by_name = serializers.CharField(source="decided_by.__str__", read_only=True,
                                            default=None)
    stop_count = serializers.IntegerField(read_only=True, default=None)

    class Meta:
        model = VisitPlan
        fields = ["id", "rep", "rep_name", "area", "area_name", "month", "starts_on",
                  "version", "previous", "status", "status_label", "created_by", "created_at",
                  "submitted_at", "decided_by", "decided_by_name", "decided_at",
                  "decision_note", "stop_count"]
        read_only_fields = fields


class PlanWarningSerializer(serializers.Serializer):
    code = serializers.CharField()
    date = serializers.DateField(allow_null=True)
    retailer = serializers.IntegerField(allow_null=True)
    message = serializers.CharField()


class VisitPlanDetailSerializer(VisitPlanSerializer):
    stops = PlanStopSerializer(many=True, read_only=True)
    comments = PlanCommentSerializer(many=True, read_only=True)
    warnings = serializers.SerializerMethodField()
    versions = serializers.SerializerMethodField()

    class Meta(VisitPlanSerializer.Meta):
        fields = [*VisitPlanSerializer.Meta.fields, "stops", "comments", "warnings",
                  "versions"]
        read_only_fields = fields

    def get_warnings(self, plan) -> list[dict]:
        return PlanWarningSerializer(self.context["warnings"], many=True).data

    def get_versions(self, plan) -> list[dict]:
        # Through DateTimeField, like every other time in the API: in the business time
        # zone (a raw datetime would be rendered in UTC, a day off in the morning).
        moment = serializers.DateTimeField()
        return [{"id": v.pk, "version": v.version, "status": v.status,
                 "status_label": str(v.get_status_display()),
                 "decided_at": moment.to_representation(v.decided_at) if v.decided_at
                 else None,
                 "decided_by": str(v.decided_by) if v.decided_by else None}
                for v in self.context["versions"]]


class PlanCreateSerializer(ScopedSerializer):
    month = serializers.DateField(label=_("month"))
    rep = serializers.PrimaryKeyRelatedField(label=_("rep"), queryset=User.objects.all(),
                                             required=False)


class DecisionSerializer(serializers.Serializer):
    note = serializers.CharField(label=_("note"), required=False, allow_blank=True,
                                 default="")


class CommentCreateSerializer(serializers.Serializer):
    text = serializers.CharField(label=_("comment"), allow_blank=True)
    date = serializers.DateField(label=_("day"), required=False, allow_null=True,
                                 default=None)


class DayRouteSerializer(serializers.ModelSerializer):
    class Meta:
        model = DayRoute
        fields = ["id", "rep", "date", "start_latitude", "start_longitude", "retailer_order",
                  "distance_m", "optimised_at", "updated_at"]
        read_only_fields = fields


class DayRouteStartSerializer(serializers.Serializer):
    date = serializers.DateField(label=_("date"))
    start_latitude = serializers.DecimalField(label=_("start latitude"), max_digits=9,
                                              decimal_places=6, min_value=-90, max_value=90,
                                              required=False, allow_null=True, default=None)
    start_longitude = serializers.DecimalField(label=_("start longitude"), max_digits=9,
                                               decimal_places=6, min_value=-180,
                                               max_value=180, required=False,
                                               allow_null=True, default=None)


class ReorderSerializer(serializers.Serializer):
    retailers = serializers.ListField(label=_("retailers"), child=serializers.IntegerField(),
                                      allow_empty=True)


class DayQuerySerializer(serializers.Serializer):
    date = serializers.DateField(label=_("date"), required=False)
    rep = serializers.IntegerField(label=_("rep"), required=False)


class VisitTemplateSerializer(serializers.ModelSerializer):
    node_name = serializers.CharField(source="node.name", read_only=True)
    business_type_label = serializers.CharField(source="get_business_type_display",
                                                read_only=True)
    steps = serializers.SerializerMethodField()

    class Meta:
        model = VisitTemplate
        fields = ["id", "node", "node_name", "business_type", "business_type_label", "name",
                  "current_version", "steps", "created_at"]
        read_only_fields = fields

    def get_steps(self, template) -> list:
        current = next((v for v in template.versions.all()
                        if v.number == template.current_version), None)
        return current.steps if current else []


class TemplateCreateSerializer(ScopedSerializer):
    node = serializers.PrimaryKeyRelatedField(label=_("defined at"),
                                              queryset=OrgNode.objects.all())
    business_type = serializers.ChoiceField(label=_("business type"),
                                            choices=Retailer.BusinessType.choices)
    name = serializers.CharField(label=_("name"), max_length=100)
    steps = serializers.JSONField(label=_("steps"))


class TemplateUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(label=_("name"), max_length=100, required=False)
    steps = serializers.JSONField(label=_("steps"), required=False)


class TemplateVersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = VisitTemplateVersion
        fields = ["id", "template", "number", "steps", "created_by", "created_at"]
        read_only_fields = fields


class VisitPolicySerializer(serializers.ModelSerializer):
    class Meta:
        model = VisitPolicy
        fields = ["company", *POLICY_FIELDS, "updated_at", "updated_by"]
        read_only_fields = ["company", "updated_at", "updated_by"]
        extra_kwargs = {f: {"required": False} for f in POLICY_FIELDS}
