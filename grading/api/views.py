from django.db import transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.base import ScopedReadOnlyViewSet, ScopedViewSetMixin
from accounts.idempotency import idempotent
from accounts.models import Role
from grading import selectors, services
from grading.api import serializers as s
from grading.models import (
    GradeHistory,
    GradeOverride,
    GradingPolicy,
    GradingPolicyVersion,
    GradingRun,
)
from kehu.models import Retailer

POLICY_ROLES = (Role.REGIONAL_MANAGER, Role.ADMIN)
OVERRIDE_ROLES = (Role.OFFICE_MANAGER, Role.REGIONAL_MANAGER, Role.ADMIN)


class NewestFirst(CursorPagination):
    ordering = ("-changed_at", "-id")
    page_size = 50


class PolicyViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                    mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """Grading policies of the user's scope; the rule lives in versions."""

    queryset = GradingPolicy.objects.select_related("scope").prefetch_related("versions")
    serializer_class = s.PolicySerializer
    filterset_fields = ["scope", "business_type", "is_active"]
    write_roles = POLICY_ROLES
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_serializer_class(self):
        return {"create": s.PolicyCreateSerializer, "preview": s.PreviewSerializer}.get(
            self.action, s.PolicySerializer)

    @extend_schema(request=s.PolicyCreateSerializer, responses={201: s.PolicySerializer})
    @idempotent
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            policy = services.policy_create(actor=request.user, **serializer.validated_data)
            self.ensure_in_scope(policy)
        policy = self.get_queryset().get(pk=policy.pk)
        return Response(s.PolicySerializer(policy, context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED)

    def update_instance(self, serializer):
        data = serializer.validated_data
        policy = services.policy_update(actor=self.request.user, policy=serializer.instance,
                                        name=data.get("name"), is_active=data.get("is_active"))
        serializer.instance = policy
        return policy

    @extend_schema(request=s.PreviewSerializer, responses=s.PreviewResultSerializer)
    @action(detail=False, methods=["post"])
    def preview(self, request):
        """Per office: how many retailers would land in each grade and how many would
        move, under this rule today. Nothing is saved."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = selectors.policy_preview(**serializer.validated_data)
        return Response(s.PreviewResultSerializer(result).data)


class VersionViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                     mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Versions of a policy: immutable; a new one changes the rule from its `valid_from`."""

    queryset = GradingPolicyVersion.objects.select_related("policy", "created_by")
    serializer_class = s.VersionSerializer
    filterset_fields = ["policy"]
    write_roles = POLICY_ROLES

    @idempotent
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    def create_instance(self, serializer):
        data = dict(serializer.validated_data)
        version = services.policy_version_create(actor=self.request.user,
                                                 policy=data.pop("policy"), **data)
        serializer.instance = version
        return version


class RunViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                 mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Grading runs (JobRun rows). POST starts one policy's run now; poll its row."""

    queryset = GradingRun.objects.select_related("scope")
    serializer_class = s.RunSerializer
    filterset_fields = ["status", "business_date"]
    write_roles = POLICY_ROLES

    def get_serializer_class(self):
        return s.RunStartSerializer if self.action == "create" else s.RunSerializer

    @extend_schema(request=s.RunStartSerializer, responses={202: s.RunSerializer})
    def create(self, request, *args, **kwargs):
        from grading.tasks import run_policy

        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            run = services.grading_run_prepare(policy=serializer.validated_data["policy"],
                                               started_by=request.user)
        except services.RunInProgress as busy:
            return Response(busy.message_dict, status=status.HTTP_409_CONFLICT)
        transaction.on_commit(lambda: run_policy.delay(run.pk))
        run = GradingRun.objects.get(pk=run.pk)
        return Response(s.RunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


class OverrideViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                      mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Managers' grade overrides: set (replacing the one in effect) and lift; audited."""

    queryset = GradeOverride.objects.select_related("retailer", "created_by", "ended_by")
    serializer_class = s.OverrideSerializer
    filterset_fields = ["retailer", "grade"]
    write_roles = OVERRIDE_ROLES

    @idempotent
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    def create_instance(self, serializer):
        data = serializer.validated_data
        override = services.override_set(actor=self.request.user, retailer=data["retailer"],
                                         grade=data["grade"], reason=data["reason"],
                                         expires_on=data.get("expires_on"))
        serializer.instance = override
        return override

    @extend_schema(request=s.LiftSerializer, responses=s.OverrideSerializer)
    @action(detail=True, methods=["post"])
    def lift(self, request, pk=None):
        serializer = s.LiftSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        override = services.override_lift(actor=request.user, override=self.get_object(),
                                          note=serializer.validated_data["note"])
        return Response(s.OverrideSerializer(override).data)


class HistoryViewSet(ScopedReadOnlyViewSet):
    """Grade changes with their basis, newest first (filter by retailer)."""

    queryset = GradeHistory.objects.select_related("policy_version__policy", "changed_by")
    serializer_class = s.HistorySerializer
    filterset_fields = ["retailer", "source", "business_date", "run"]
    pagination_class = NewestFirst


class RetailerGradeView(APIView):
    """The grade card of one retailer: grade in effect, computed grade and its basis, the
    override in effect, the last changes. Anyone who sees the retailer sees this."""

    @extend_schema(responses=s.GradeCardSerializer)
    def get(self, request, pk: int):
        retailer = get_object_or_404(Retailer.objects.for_user(request.user), pk=pk)
        card = selectors.retailer_grade_card(retailer)
        return Response(s.GradeCardSerializer(card).data)
