from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.base import ScopedReadOnlyViewSet, ScopedViewSetMixin
from accounts.idempotency import IdempotentCreateMixin, idempotent
from accounts.models import Role
from kehu import privacy, selectors, services
from kehu.api import serializers as s
from kehu.filters import MonthlyFactFilterSet, RetailerFilterSet
from kehu.models import (
    KeyPerson,
    MonthlyFact,
    PersonalDataRead,
    RelationshipCriterion,
    RelationshipTick,
    Retailer,
    RetailerAssignment,
)

MANAGERS = (Role.OFFICE_MANAGER, Role.REGIONAL_MANAGER, Role.ADMIN)


class RetailerCursor(CursorPagination):
    ordering = ("name", "id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class PersonalDataLogMixin:
    """After serializing, log the unmasked personal-data reads the serializer collected."""

    purpose = "api"

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["unmasked"] = []
        self._context = context
        return context

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        unmasked = getattr(self, "_context", {}).get("unmasked", [])
        if unmasked and response.status_code < 400:
            privacy.personal_data_log_reads(user=request.user, key_persons=unmasked,
                                            purpose=f"{self.purpose}:{self.action}")
        return response


class RetailerViewSet(PersonalDataLogMixin, ScopedViewSetMixin, mixins.ListModelMixin,
                      mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                      mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """Retailer cards. The list is light rows (values, no model objects), cursor-paged."""

    queryset = Retailer.objects.all()
    filterset_class = RetailerFilterSet
    pagination_class = RetailerCursor
    write_roles = (Role.REP, Role.OFFICE_MANAGER, Role.ADMIN)
    action_roles = {"reassign": MANAGERS}
    http_method_names = ["get", "post", "patch", "head", "options"]
    purpose = "retailer"

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "retrieve":
            return queryset.select_related("area", "assigned_rep").prefetch_related(
                "key_persons__retailer")
        return queryset

    def get_serializer_class(self):
        return {
            "list": s.RetailerListRowSerializer,
            "create": s.RetailerCreateSerializer,
            "partial_update": s.RetailerUpdateSerializer,
            "update": s.RetailerUpdateSerializer,
            "reassign": s.ReassignSerializer,
        }.get(self.action, s.RetailerCardSerializer)

    def list(self, request, *args, **kwargs):
        rows = self.filter_queryset(self.get_queryset()).values(
            *selectors.LIST_FIELDS, "assigned_rep__name", "area__name")
        page = self.paginate_queryset(rows)
        return self.get_paginated_response([s.retailer_list_row(row) for row in page])

    @idempotent
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        try:
            with transaction.atomic():
                retailer = services.retailer_create(actor=request.user, **data)
                self.ensure_in_scope(retailer)
        except services.LikelyDuplicate as duplicate:
            return Response(
                {"duplicates": duplicate.message_dict["duplicates"],
                 "candidates": s.DuplicateCandidateSerializer(duplicate.candidates,
                                                              many=True).data},
                status=status.HTTP_409_CONFLICT,
            )
        card = self.get_queryset().select_related("area", "assigned_rep").get(pk=retailer.pk)
        return Response(s.RetailerCardSerializer(card, context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        retailer = self.get_object()
        serializer = self.get_serializer(retailer, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        try:
            with transaction.atomic():
                retailer = services.retailer_update(retailer=retailer, actor=request.user,
                                                    **serializer.validated_data)
        except services.LikelyDuplicate as duplicate:
            return Response(
                {"duplicates": duplicate.message_dict["duplicates"],
                 "candidates": s.DuplicateCandidateSerializer(duplicate.candidates,
                                                              many=True).data},
                status=status.HTTP_409_CONFLICT,
            )
        return Response(s.RetailerCardSerializer(
            retailer, context=self.get_serializer_context()).data)

    @extend_schema(responses={200: None})
    @action(detail=True, methods=["get"])
    def trend(self, request, pk=None):
        """Purchases and collections of the last 12 months."""
        return Response(selectors.retailer_trend(self.get_object()))

    @extend_schema(responses=s.CriterionSerializer(many=True))
    @action(detail=True, methods=["get"])
    def checklist(self, request, pk=None):
        """The relationship-level checklist with this retailer's ticks."""
        rows = selectors.relationship_checklist(self.get_object())
        return Response([
            {**s.CriterionSerializer(row["criterion"]).data,
             "tick": s.RelationshipTickSerializer(row["tick"], context={"request": request}).data
             if row["tick"] else None}
            for row in rows
        ])

    @extend_schema(request=s.ReassignSerializer, responses={200: None})
    @action(detail=False, methods=["post"])
    def reassign(self, request):
        """Give one or many retailers to another rep (kept as history)."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        moved = services.retailer_reassign(retailers=data["retailers"], to_rep=data["to_rep"],
                                           actor=request.user, reason=data.get("reason", ""))
        return Response({"reassigned": moved})


class KeyPersonViewSet(IdempotentCreateMixin, PersonalDataLogMixin, ScopedViewSetMixin,
                       mixins.ListModelMixin,
                       mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                       mixins.UpdateModelMixin, viewsets.GenericViewSet):
    queryset = KeyPerson.objects.select_related("retailer").order_by("id")
    serializer_class = s.KeyPersonSerializer
    filterset_fields = ["retailer", "role"]
    write_roles = (Role.REP, Role.OFFICE_MANAGER)
    action_roles = {"erase": (Role.ADMIN,)}
    http_method_names = ["get", "post", "patch", "head", "options"]
    purpose = "key_person"

    def create_instance(self, serializer):
        data = dict(serializer.validated_data)
        retailer = data.pop("retailer")
        data.pop("erased_at", None)
        person = services.key_person_create(retailer=retailer, **data)
        serializer.instance = person
        return person

    def update_instance(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("retailer", None)
        person = services.key_person_update(key_person=serializer.instance, **data)
        serializer.instance = person
        return person

    @extend_schema(request=s.EraseSerializer, responses=s.KeyPersonSerializer)
    @action(detail=True, methods=["post"])
    def erase(self, request, pk=None):
        """Erase the person's personal data on request; the retailer's history stays."""
        serializer = s.EraseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        person = services.key_person_erase(key_person=self.get_object(), actor=request.user,
                                           reason=serializer.validated_data["reason"])
        return Response(s.KeyPersonSerializer(person, context=self.get_serializer_context()).data)


class RelationshipTickViewSet(IdempotentCreateMixin, ScopedViewSetMixin, mixins.ListModelMixin,
                              mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                              viewsets.GenericViewSet):
    queryset = RelationshipTick.objects.select_related("criterion").order_by("id")
    serializer_class = s.RelationshipTickSerializer
    filterset_fields = ["retailer", "status", "criterion"]
    write_roles = (Role.REP, Role.OFFICE_MANAGER)
    action_roles = {"confirm": MANAGERS, "reject": MANAGERS}

    def create_instance(self, serializer):
        data = serializer.validated_data
        tick = services.tick_criterion(retailer=data["retailer"], criterion=data["criterion"],
                                       evidence=data["evidence"], actor=self.request.user)
        serializer.instance = tick
        return tick

    def _review(self, request, confirm: bool):
        serializer = s.TickReviewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        tick = services.tick_review(tick=self.get_object(), actor=request.user, confirm=confirm,
                                    note=serializer.validated_data.get("note", ""))
        return Response(s.RelationshipTickSerializer(tick, context={"request": request}).data)

    @extend_schema(request=s.TickReviewSerializer, responses=s.RelationshipTickSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        return self._review(request, confirm=True)

    @extend_schema(request=s.TickReviewSerializer, responses=s.RelationshipTickSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._review(request, confirm=False)


class MonthlyFactViewSet(ScopedReadOnlyViewSet):
    queryset = MonthlyFact.objects.order_by("retailer_id", "month")
    serializer_class = s.MonthlyFactSerializer
    filterset_class = MonthlyFactFilterSet


class RetailerAssignmentViewSet(ScopedReadOnlyViewSet):
    queryset = RetailerAssignment.objects.select_related("from_rep", "to_rep", "by")
    serializer_class = s.RetailerAssignmentSerializer
    filterset_fields = ["retailer", "to_rep", "from_rep"]


class PersonalDataReadViewSet(ScopedReadOnlyViewSet):
    """Who read key persons' personal data: for managers and admins to audit."""

    queryset = PersonalDataRead.objects.select_related("reader", "key_person")
    serializer_class = s.PersonalDataReadSerializer
    filterset_fields = ["reader", "key_person"]


class CriteriaView(APIView):
    """The relationship-level checklist (reference data, the same for every company)."""

    @extend_schema(responses=s.CriterionSerializer(many=True))
    def get(self, request):
        return Response(s.CriterionSerializer(RelationshipCriterion.objects.all(), many=True).data)
