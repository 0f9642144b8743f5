from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.api.base import ScopedModelSerializer
from accounts.models import AuditEvent, JobRun, Membership, OrgNode, Role, User


class OrgNodeSerializer(ScopedModelSerializer):
    parent = serializers.PrimaryKeyRelatedField(
        queryset=OrgNode.objects.all(), label=_("parent"), write_only=True, required=True
    )
    parent_id = serializers.SerializerMethodField()

    class Meta:
        model = OrgNode
        fields = ["id", "code", "name", "kind", "depth", "path", "parent", "parent_id"]
        read_only_fields = ["depth", "path"]

    def get_parent_id(self, node: OrgNode) -> int | None:
        if hasattr(node, "parent_id"):  # annotated by selectors.nodes_with_parent_id
            return node.parent_id
        parent = OrgNode.objects.get_parent(node)
        return parent.pk if parent else None


class OrgNodeUpdateSerializer(ScopedModelSerializer):
    class Meta:
        model = OrgNode
        fields = ["id", "code", "name", "kind", "depth", "path"]
        read_only_fields = ["kind", "depth", "path"]


class NodeMoveSerializer(ScopedModelSerializer):
    parent = serializers.PrimaryKeyRelatedField(queryset=OrgNode.objects.all(), label=_("parent"))

    class Meta:
        model = OrgNode
        fields = ["parent"]


class MembershipSerializer(ScopedModelSerializer):
    role_label = serializers.CharField(source="get_role_display", read_only=True)
    node_name = serializers.CharField(source="node.name", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "user", "node", "node_name", "role", "role_label", "created_at"]
        read_only_fields = ["created_at"]
        validators = []  # membership_grant is idempotent on (user, node, role)


class UserSerializer(ScopedModelSerializer):
    password = serializers.CharField(
        write_only=True, required=False, style={"input_type": "password"}, label=_("password")
    )
    memberships = MembershipSerializer(many=True, read_only=True)
    # A new user is created with a first membership, so they belong somewhere at once.
    node = serializers.PrimaryKeyRelatedField(
        queryset=OrgNode.objects.all(), write_only=True, required=False, label=_("org node")
    )
    role = serializers.ChoiceField(
        choices=Role.choices, write_only=True, required=False, label=_("role")
    )

    class Meta:
        model = User
        fields = [
            "id", "username", "name", "phone", "email", "language", "is_active",
            "password", "node", "role", "memberships",
        ]

    def validate(self, attrs):
        if self.instance is None:
            missing = {f: _("This field is required.") for f in ("node", "role") if f not in attrs}
            if missing:
                raise serializers.ValidationError(missing)
        return attrs


class JobRunSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = JobRun
        fields = [
            "id", "name", "scope", "business_date", "status", "status_label", "started_at",
            "finished_at", "counts", "progress_done", "progress_total", "error", "started_by",
        ]
        read_only_fields = fields


class AuditEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = [
            "id", "at", "actor", "node", "object_type", "object_id", "action",
            "from_state", "to_state", "reason", "request_id",
        ]
        read_only_fields = fields


class PlacementSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)
    role_label = serializers.SerializerMethodField()
    node = OrgNodeUpdateSerializer()

    def get_role_label(self, placement) -> str:
        return str(Role(placement.role).label)


class MeSerializer(serializers.ModelSerializer):
    memberships = MembershipSerializer(many=True, read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "name", "language", "memberships"]
        read_only_fields = ["id", "username", "name", "memberships"]
