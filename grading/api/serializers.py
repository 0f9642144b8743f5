from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.api.base import ScopedModelSerializer, ScopedSerializer
from accounts.models import OrgNode
from grading.models import (
    GradeHistory,
    GradeOverride,
    GradingPolicy,
    GradingPolicyVersion,
    GradingRun,
    RetailerGrade,
)
from grading.services import VERSION_FIELDS, today, version_in_force
from kehu.models import Retailer

VERSION_READ_FIELDS = ["id", "policy", "number", *VERSION_FIELDS, "method_label",
                       "measure_label", "rank_within_label", "valid_from", "note",
                       "created_by", "created_by_name", "created_at"]


class VersionSerializer(ScopedModelSerializer):
    method_label = serializers.CharField(source="get_method_display", read_only=True)
    measure_label = serializers.CharField(source="get_measure_display", read_only=True)
    rank_within_label = serializers.CharField(source="get_rank_within_display", read_only=True)
    created_by_name = serializers.CharField(source="created_by.name", read_only=True,
                                            default="")
    valid_from = serializers.DateField(required=False)

    class Meta:
        model = GradingPolicyVersion
        fields = VERSION_READ_FIELDS
        read_only_fields = ["number", "created_by", "created_at"]
        # The service validates the whole rule (shares adding up) with field names.
        validators = []


class PolicySerializer(ScopedModelSerializer):
    scope_name = serializers.CharField(source="scope.name", read_only=True)
    scope_kind = serializers.CharField(source="scope.kind", read_only=True)
    business_type_label = serializers.CharField(source="get_business_type_display",
                                                read_only=True)
    version_in_force = serializers.SerializerMethodField()
    versions = serializers.SerializerMethodField()

    class Meta:
        model = GradingPolicy
        fields = ["id", "name", "scope", "scope_name", "scope_kind", "business_type",
                  "business_type_label", "is_active", "created_at", "version_in_force",
                  "versions"]
        read_only_fields = ["scope", "business_type", "created_at"]

    def get_version_in_force(self, policy) -> dict | None:
        version = version_in_force(policy, today())
        return VersionSerializer(version, context=self.context).data if version else None

    def get_versions(self, policy) -> int:
        return len(policy.versions.all())


class PolicyCreateSerializer(ScopedModelSerializer):
    """A new policy with its first version."""

    method = serializers.ChoiceField(choices=GradingPolicyVersion.Method.choices)
    measure = serializers.ChoiceField(choices=GradingPolicyVersion.Measure.choices,
                                      default=GradingPolicyVersion.Measure.PURCHASE_AMOUNT)
    window_months = serializers.IntegerField(default=12)
    share_a = serializers.DecimalField(max_digits=5, decimal_places=2)
    share_b = serializers.DecimalField(max_digits=5, decimal_places=2)
    share_c = serializers.DecimalField(max_digits=5, decimal_places=2)
    frequency_weight = serializers.DecimalField(max_digits=5, decimal_places=2, default=0)
    rank_within = serializers.ChoiceField(choices=GradingPolicyVersion.RankWithin.choices,
                                          default=GradingPolicyVersion.RankWithin.SCOPE)
    valid_from = serializers.DateField(required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")

    class Meta:
        model = GradingPolicy
        fields = ["name", "scope", "business_type", *VERSION_FIELDS, "valid_from", "note"]
        validators = []


class PreviewSerializer(ScopedSerializer):
    """A rule to try: for a saved policy (`policy`) or a new one (`scope`, `business_type`)."""

    policy = serializers.PrimaryKeyRelatedField(queryset=GradingPolicy.objects.all(),
                                                required=False, allow_null=True)
    scope = serializers.PrimaryKeyRelatedField(queryset=OrgNode.objects.all(), required=False,
                                               allow_null=True)
    business_type = serializers.ChoiceField(choices=Retailer.BusinessType.choices,
                                            required=False, allow_blank=True, default="")
    method = serializers.ChoiceField(choices=GradingPolicyVersion.Method.choices)
    measure = serializers.ChoiceField(choices=GradingPolicyVersion.Measure.choices,
                                      default=GradingPolicyVersion.Measure.PURCHASE_AMOUNT)
    window_months = serializers.IntegerField(default=12)
    share_a = serializers.DecimalField(max_digits=5, decimal_places=2)
    share_b = serializers.DecimalField(max_digits=5, decimal_places=2)
    share_c = serializers.DecimalField(max_digits=5, decimal_places=2)
    frequency_weight = serializers.DecimalField(max_digits=5, decimal_places=2, default=0)
    rank_within = serializers.ChoiceField(choices=GradingPolicyVersion.RankWithin.choices,
                                          default=GradingPolicyVersion.RankWithin.SCOPE)

    def validate(self, attrs):
        if not attrs.get("policy") and not attrs.get("scope"):
            raise serializers.ValidationError({"scope": _("Choose the policy's scope.")})
        return attrs


class PreviewOfficeSerializer(serializers.Serializer):
    office = serializers.IntegerField(allow_null=True)
    office_name = serializers.CharField()
    A = serializers.IntegerField()
    B = serializers.IntegerField()
    C = serializers.IntegerField()
    moves = serializers.IntegerField()
    no_data = serializers.IntegerField()
    overridden = serializers.IntegerField()


class PreviewResultSerializer(serializers.Serializer):
    business_date = serializers.DateField()
    window_from = serializers.DateField()
    window_until = serializers.DateField()
    offices = PreviewOfficeSerializer(many=True)
    totals = serializers.DictField(child=serializers.IntegerField())


class RunSerializer(ScopedModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    scope_name = serializers.CharField(source="scope.name", read_only=True)
    policy = serializers.SerializerMethodField()
    duration_seconds = serializers.SerializerMethodField()

    class Meta:
        model = GradingRun
        fields = ["id", "policy", "scope", "scope_name", "business_date", "status",
                  "status_label", "started_at", "finished_at", "duration_seconds", "counts",
                  "error", "started_by"]
        read_only_fields = fields

    def get_policy(self, run) -> int | None:
        return (run.counts or {}).get("policy")

    def get_duration_seconds(self, run) -> float | None:
        return run.duration.total_seconds() if run.duration else None


class RunStartSerializer(ScopedSerializer):
    policy = serializers.PrimaryKeyRelatedField(queryset=GradingPolicy.objects.all())


class OverrideSerializer(ScopedModelSerializer):
    retailer_name = serializers.CharField(source="retailer.name", read_only=True)
    created_by_name = serializers.CharField(source="created_by.name", read_only=True)
    ended_by_name = serializers.CharField(source="ended_by.name", read_only=True, default="")
    end_reason_label = serializers.CharField(source="get_end_reason_display", read_only=True)

    class Meta:
        model = GradeOverride
        fields = ["id", "retailer", "retailer_name", "grade", "reason", "expires_on",
                  "created_by", "created_by_name", "created_at", "ended_at", "end_reason",
                  "end_reason_label", "ended_by", "ended_by_name", "end_note"]
        read_only_fields = ["created_by", "created_at", "ended_at", "end_reason", "ended_by",
                            "end_note"]
        validators = []


class LiftSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class HistorySerializer(ScopedModelSerializer):
    source_label = serializers.CharField(source="get_source_display", read_only=True)
    policy = serializers.IntegerField(source="policy_version.policy_id", read_only=True,
                                      default=None)
    policy_name = serializers.CharField(source="policy_version.policy.name", read_only=True,
                                        default="")
    version_number = serializers.IntegerField(source="policy_version.number", read_only=True,
                                              default=None)
    changed_by_name = serializers.CharField(source="changed_by.name", read_only=True,
                                            default="")

    class Meta:
        model = GradeHistory
        fields = ["id", "retailer", "old_grade", "new_grade", "computed_grade", "source",
                  "source_label", "value", "active_months", "cumulative_share", "rank",
                  "population", "policy_version", "policy", "policy_name", "version_number",
                  "run", "override", "changed_by", "changed_by_name", "business_date",
                  "changed_at"]
        read_only_fields = fields


class BasisSerializer(serializers.ModelSerializer):
    policy = serializers.IntegerField(source="policy_version.policy_id")
    policy_name = serializers.CharField(source="policy_version.policy.name")
    version_number = serializers.IntegerField(source="policy_version.number")
    method = serializers.CharField(source="policy_version.method")
    method_label = serializers.CharField(source="policy_version.get_method_display")
    measure = serializers.CharField(source="policy_version.measure")
    measure_label = serializers.CharField(source="policy_version.get_measure_display")
    window_months = serializers.IntegerField(source="policy_version.window_months")

    class Meta:
        model = RetailerGrade
        fields = ["computed_grade", "value", "active_months", "cumulative_share", "rank",
                  "population", "policy_version", "policy", "policy_name", "version_number",
                  "method", "method_label", "measure", "measure_label", "window_months", "run",
                  "computed_on"]


class GradeCardSerializer(serializers.Serializer):
    retailer = serializers.IntegerField()
    grade = serializers.CharField(allow_blank=True)
    computed = BasisSerializer(allow_null=True)
    override = OverrideSerializer(allow_null=True)
    history = HistorySerializer(many=True)

