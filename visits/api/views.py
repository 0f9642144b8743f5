"""Viewsets of plans, planned stops, day routes, templates; the policy endpoint."""

from django.db.models import Count, Prefetch
from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.base import RolePermission, ScopedReadOnlyViewSet, ScopedViewSetMixin
from accounts.idempotency import idempotent
from accounts.models import Role
from visits import services
from visits.api import serializers as s
from visits.api.common import FIELD_WORKERS, MANAGERS
from visits.api.days import today_payload
from visits.filters import PlanStopFilterSet, VisitPlanFilterSet
from visits.models import (
    DayRoute,
    PlanStop,
    VisitPlan,
    VisitTemplate,
    VisitTemplateVersion,
)
from visits.selectors.common import TEMPLATE_ROLES, policy_for, user_company
from visits.selectors.plans import plan_versions, plan_warnings
from visits.selectors.team import is_team_rep


class VisitPlanViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                       viewsets.GenericViewSet):
    """Monthly plans. POST drafts a proposal; the verbs move it through approval."""

    queryset = (VisitPlan.objects.select_related("rep", "area", "decided_by")
                .annotate(stop_count=Count("stops")).order_by("-month", "rep_id", "-version"))
    serializer_class = s.VisitPlanSerializer
    filterset_class = VisitPlanFilterSet
    write_roles = FIELD_WORKERS
    action_roles = {"approve": MANAGERS, "return_plan": MANAGERS}

    def _detail(self, plan: VisitPlan, code: int = status.HTTP_200_OK) -> Response:
        plan = (VisitPlan.objects.select_related("rep", "area", "decided_by")
                .prefetch_related(Prefetch("stops", PlanStop.objects.select_related("retailer")),
                                  "comments__author")
                .annotate(stop_count=Count("stops")).get(pk=plan.pk))
        context = {**self.get_serializer_context(), "warnings": plan_warnings(plan),
                   "versions": plan_versions(plan)}
        return Response(s.VisitPlanDetailSerializer(plan, context=context).data, status=code)

    @extend_schema(responses=s.VisitPlanDetailSerializer)
    def retrieve(self, request, *args, **kwargs):
        return self._detail(self.get_object())

    @extend_schema(request=s.PlanCreateSerializer, responses={201: s.VisitPlanDetailSerializer})
    @idempotent
    def create(self, request, *args, **kwargs):
        """Draft the month's plan with a proposal (for yourself, or a manager for a rep)."""
        serializer = s.PlanCreateSerializer(data=request.data,
                                            context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        plan = services.plan_propose(rep=data.get("rep") or request.user, month=data["month"],
                                     actor=request.user)
        self.ensure_in_scope(plan)
        return self._detail(plan, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.VisitPlanDetailSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._detail(services.plan_submit(plan=self.get_object(), actor=request.user))

    @extend_schema(request=s.DecisionSerializer, responses=s.VisitPlanDetailSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        serializer = s.DecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._detail(services.plan_approve(plan=self.get_object(), actor=request.user,
                                                  note=serializer.validated_data["note"]))

    @extend_schema(request=s.DecisionSerializer, responses=s.VisitPlanDetailSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_plan(self, request, pk=None):
        serializer = s.DecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._detail(services.plan_return(plan=self.get_object(), actor=request.user,
                                                 note=serializer.validated_data["note"]))

    @extend_schema(request=None, responses={201: s.VisitPlanDetailSerializer})
    @action(detail=True, methods=["post"])
    def revise(self, request, pk=None):
        """Open the next version of an approved plan (it goes back for approval)."""
        revision = services.plan_revise(plan=self.get_object(), actor=request.user)
        return self._detail(revision, status.HTTP_201_CREATED)

    @extend_schema(request=s.CommentCreateSerializer, responses={201: s.PlanCommentSerializer})
    @action(detail=True, methods=["post"])
    def comment(self, request, pk=None):
        serializer = s.CommentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        comment = services.plan_comment(plan=self.get_object(), actor=request.user,
                                        **serializer.validated_data)
        return Response(s.PlanCommentSerializer(comment).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=s.PlanWarningSerializer(many=True))
    @action(detail=True, methods=["get"])
    def warnings(self, request, pk=None):
        return Response(s.PlanWarningSerializer(plan_warnings(self.get_object()),
                                                many=True).data)


class PlanStopViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                      mixins.CreateModelMixin, mixins.UpdateModelMixin,
                      mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """Planned visits of a plan: add, move to another day, change, remove."""

    queryset = PlanStop.objects.select_related("retailer", "plan").order_by(
        "plan_id", "date", "position", "id")
    serializer_class = s.PlanStopSerializer
    filterset_class = PlanStopFilterSet
    write_roles = FIELD_WORKERS
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_serializer_class(self):
        return {"create": s.PlanStopCreateSerializer,
                "partial_update": s.PlanStopUpdateSerializer}.get(self.action,
                                                                 s.PlanStopSerializer)

    @extend_schema(request=s.PlanStopCreateSerializer, responses={201: s.PlanStopSerializer})
    @idempotent
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        stop = services.plan_stop_add(actor=request.user, **serializer.validated_data)
        return Response(s.PlanStopSerializer(stop).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.PlanStopUpdateSerializer, responses=s.PlanStopSerializer)
    def partial_update(self, request, *args, **kwargs):
        stop = self.get_object()
        serializer = self.get_serializer(stop, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        stop = services.plan_stop_update(stop=stop, actor=request.user,
                                         **serializer.validated_data)
        return Response(s.PlanStopSerializer(stop).data)

    def perform_destroy(self, instance):
        services.plan_stop_remove(stop=instance, actor=self.request.user)


class DayRouteViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                      viewsets.GenericViewSet):
    """A rep's route for a day: `today` reads it (with the preparation of each stop);
    POST sets the start point; `reorder` and `optimise` change the order."""

    queryset = DayRoute.objects.select_related("rep").order_by("-date", "rep_id")
    serializer_class = s.DayRouteSerializer
    filterset_fields = ["date", "rep"]
    write_roles = (Role.REP,)

    @extend_schema(parameters=[s.DayQuerySerializer], responses={200: None})
    @action(detail=False, methods=["get"])
    def today(self, request):
        """The day's stops in route order, each with its preparation data."""
        query = s.DayQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        day = query.validated_data.get("date") or timezone.localdate()
        rep_id = query.validated_data.get("rep") or request.user.pk
        if not is_team_rep(request.user, rep_id):
            return Response(status=status.HTTP_404_NOT_FOUND)
        return Response(today_payload(request.user, rep_id, day))

    @extend_schema(request=s.DayRouteStartSerializer, responses={201: s.DayRouteSerializer})
    @idempotent
    def create(self, request, *args, **kwargs):
        serializer = s.DayRouteStartSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        route = services.day_route_start(rep=request.user, actor=request.user,
                                         **serializer.validated_data)
        return Response(s.DayRouteSerializer(route).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ReorderSerializer, responses=s.DayRouteSerializer)
    @action(detail=True, methods=["post"])
    def reorder(self, request, pk=None):
        serializer = s.ReorderSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        route = services.day_route_reorder(route=self.get_object(), actor=request.user,
                                           retailer_ids=serializer.validated_data["retailers"])
        return Response(s.DayRouteSerializer(route).data)

    @extend_schema(request=None, responses=s.DayRouteSerializer)
    @action(detail=True, methods=["post"])
    def optimise(self, request, pk=None):
        route = services.day_route_optimise(route=self.get_object(), actor=request.user)
        return Response(s.DayRouteSerializer(route).data)


class VisitTemplateViewSet(ScopedViewSetMixin, mixins.ListModelMixin,
                           mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """On-site step templates per business type; editing steps makes a new version."""

    queryset = (VisitTemplate.objects.select_related("node").prefetch_related("versions")
                .order_by("business_type", "node__path"))
    serializer_class = s.VisitTemplateSerializer
    filterset_fields = ["business_type", "node"]
    write_roles = TEMPLATE_ROLES
    http_method_names = ["get", "post", "patch", "head", "options"]

    def _out(self, template, code=status.HTTP_200_OK) -> Response:
        template = self.get_queryset().get(pk=template.pk)
        return Response(s.VisitTemplateSerializer(template).data, status=code)

    @extend_schema(request=s.TemplateCreateSerializer, responses={201: s.VisitTemplateSerializer})
    @idempotent
    def create(self, request, *args, **kwargs):
        serializer = s.TemplateCreateSerializer(data=request.data,
                                                context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        template = services.template_create(actor=request.user, **serializer.validated_data)
        return self._out(template, status.HTTP_201_CREATED)

    @extend_schema(request=s.TemplateUpdateSerializer, responses=s.VisitTemplateSerializer)
    def partial_update(self, request, *args, **kwargs):
        serializer = s.TemplateUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        template = services.template_revise(template=self.get_object(), actor=request.user,
                                            **serializer.validated_data)
        return self._out(template)


class VisitTemplateVersionViewSet(ScopedReadOnlyViewSet):
    """Every version of every template, as visits answered them."""

    queryset = VisitTemplateVersion.objects.order_by("template_id", "-number")
    serializer_class = s.TemplateVersionSerializer
    filterset_fields = ["template"]


class VisitPolicyView(APIView):
    """The visit policy of the reader's company (GET); regional managers and admins
    change it (PATCH)."""

    permission_classes = [RolePermission]
    write_roles = TEMPLATE_ROLES

    def _company(self, request):
        company = user_company(request.user)
        if company is None:
            raise Http404
        return company

    @extend_schema(responses=s.VisitPolicySerializer)
    def get(self, request):
        return Response(s.VisitPolicySerializer(policy_for(self._company(request))).data)

    @extend_schema(request=s.VisitPolicySerializer, responses=s.VisitPolicySerializer)
    def patch(self, request):
        serializer = s.VisitPolicySerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        policy = services.policy_update(company=self._company(request), actor=request.user,
                                        **serializer.validated_data)
        return Response(s.VisitPolicySerializer(policy).data)
