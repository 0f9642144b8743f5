import django_filters
from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services
from accounts.api.base import ScopedModelViewSet, ScopedReadOnlyViewSet, ScopedViewSetMixin
from accounts.api.serializers import (
    AuditEventSerializer,
    JobRunSerializer,
    MembershipSerializer,
    MeSerializer,
    NodeMoveSerializer,
    OrgNodeSerializer,
    OrgNodeUpdateSerializer,
    UserSerializer,
)
from accounts.models import AuditEvent, JobRun, Membership, OrgNode, Role, User
from accounts.scoping import memberships_of
from accounts.selectors import nodes_with_parent_id


class OrgNodeFilterSet(django_filters.FilterSet):
    class Meta:
        model = OrgNode
        fields = ["kind", "depth", "code"]


class OrgNodeViewSet(ScopedModelViewSet):
    queryset = OrgNode.objects.all()

    def get_queryset(self):
        return nodes_with_parent_id(super().get_queryset())

    serializer_class = OrgNodeSerializer
    filterset_class = OrgNodeFilterSet
    ordering_fields = ["path", "code", "name"]
    write_roles = (Role.ADMIN,)
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return OrgNodeUpdateSerializer
        if self.action == "move":
            return NodeMoveSerializer
        return OrgNodeSerializer

    def create_instance(self, serializer):
        data = serializer.validated_data
        node = services.node_create(
            parent=data["parent"], code=data["code"], name=data["name"], kind=data["kind"]
        )
        serializer.instance = node
        return node

    def update_instance(self, serializer):
        data = serializer.validated_data
        node = services.node_update(
            node=serializer.instance, name=data.get("name"), code=data.get("code")
        )
        return node

    @extend_schema(request=NodeMoveSerializer, responses=OrgNodeSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        """Move the node and its whole subtree under another node."""
        node = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            moved = services.node_move(
                node=node, new_parent=serializer.validated_data["parent"], actor=request.user
            )
            self.ensure_in_scope(moved)
        return Response(OrgNodeSerializer(moved, context=self.get_serializer_context()).data)


class UserViewSet(ScopedModelViewSet):
    queryset = User.objects.prefetch_related("memberships__node").order_by("username")
    serializer_class = UserSerializer
    filterset_fields = ["is_active", "language"]
    ordering_fields = ["username", "name"]
    write_roles = (Role.ADMIN,)
    http_method_names = ["get", "post", "patch", "head", "options"]

    def create_instance(self, serializer):
        data = serializer.validated_data
        user = services.user_create(
            username=data["username"], name=data.get("name", ""), password=data.get("password"),
            phone=data.get("phone", ""), email=data.get("email", ""),
            language=data.get("language") or "zh-hans",
        )
        services.membership_grant(
            user=user, node=data["node"], role=data["role"], actor=self.request.user
        )
        serializer.instance = user
        return user

    def update_instance(self, serializer):
        serializer.validated_data.pop("node", None)
        serializer.validated_data.pop("role", None)
        password = serializer.validated_data.pop("password", None)
        user = serializer.save()
        if password:
            user.set_password(password)
            user.save(update_fields=["password"])
        return user


class MembershipViewSet(
    ScopedViewSetMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Membership.objects.select_related("node", "user").order_by("id")
    serializer_class = MembershipSerializer
    filterset_fields = ["role", "user", "node"]
    write_roles = (Role.ADMIN,)

    def create_instance(self, serializer):
        data = serializer.validated_data
        membership = services.membership_grant(
            user=data["user"], node=data["node"], role=data["role"], actor=self.request.user
        )
        serializer.instance = membership
        return membership

    def perform_destroy(self, instance):
        services.membership_revoke(membership=instance, actor=self.request.user)


class JobRunViewSet(ScopedReadOnlyViewSet):
    queryset = JobRun.objects.select_related("scope")
    serializer_class = JobRunSerializer
    filterset_fields = ["name", "status", "business_date"]
    ordering_fields = ["started_at"]


class AuditEventViewSet(ScopedReadOnlyViewSet):
    """The audit trail: read-only through the API, append-only in the database."""

    queryset = AuditEvent.objects.all()
    serializer_class = AuditEventSerializer
    filterset_fields = ["object_type", "object_id", "action", "actor"]
    ordering_fields = ["at"]


class MeView(APIView):
    """The logged-in user, their memberships, and their language preference."""

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        memberships_of(request.user)
        return Response(MeSerializer(request.user).data)

    @extend_schema(request=MeSerializer, responses=MeSerializer)
    def patch(self, request):
        serializer = MeSerializer(request.user, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        if "language" in serializer.validated_data:
            services.user_set_language(
                user=request.user, language=serializer.validated_data["language"]
            )
        return Response(MeSerializer(request.user).data, status=status.HTTP_200_OK)
