"""Viewsets of visits, photos, problems and missed visits: what the phone sends."""

from django.db.models import Exists, OuterRef
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from accounts.api.base import ScopedViewSetMixin
from accounts.idempotency import idempotent
from accounts.models import Role
from kehu.models import Retailer
from visits import services
from visits.api import visit_serializers as s
from visits.api.common import FIELD_WORKERS, created_or_replayed, device_sent_at, scoped_or_404
from visits.api.serializers import DayQuerySerializer
from visits.filters import MissedVisitFilterSet, ProblemFilterSet, VisitFilterSet
from visits.models import MissedVisit, Photo, Problem, Visit
from visits.selectors.visits import visit_preparation, with_overdue

LINES = ("price_checks", "stock_lines", "photos")


def _photo_reused():
    return Exists(Photo.objects.filter(visit=OuterRef("pk"), reused_from__isnull=False))


class VisitCursor(CursorPagination):
    ordering = ("-started_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class VisitViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                   viewsets.GenericViewSet):
    """Visits: POST checks in, PATCH records the on-site form, `checkout` ends the visit.

    Send a client-generated `client_id` and an `Idempotency-Key`; send the phone's
    current time in the `X-Device-Time` header so its clock offset can be measured.
    """

    queryset = Visit.objects.select_related("retailer", "rep")
    serializer_class = s.VisitSerializer
    filterset_class = VisitFilterSet
    pagination_class = VisitCursor
    write_roles = FIELD_WORKERS
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "list":
            return queryset.annotate(photo_reused=_photo_reused())
        if self.action == "retrieve":
            return queryset.annotate(photo_reused=_photo_reused()).prefetch_related(*LINES)
        # Writes: `get_object` only checks the scope; the service locks and reads the row.
        return queryset

    def get_serializer_class(self):
        return s.VisitSerializer if self.action == "list" else s.VisitDetailSerializer

    def _out(self, visit: Visit, *, new: bool = False) -> dict:
        """The visit as the detail view shows it, read again through the scoped queryset,
        which is also the check that it is inside the user's scope. A visit just made
        is answered as it was written: its shop was read through the user's scope (a
        visit to a shop in scope is in scope), its rep is the user, and it has no price
        checks, stock lines or photos yet (they are added to a saved visit)."""
        if new:
            return s.visit_detail(visit, lines=False, context=self.get_serializer_context())
        found = (super().get_queryset().annotate(photo_reused=_photo_reused())
                 .prefetch_related(*LINES).filter(pk=visit.pk).first())
        if found is None:
            self.ensure_in_scope(visit)  # refuses it (with the message every create uses)
        return s.visit_detail(found, context=self.get_serializer_context())

    @extend_schema(request=s.CheckInSerializer, responses={201: s.VisitDetailSerializer})
    @idempotent
    def create(self, request, *args, **kwargs):
        """Check in (on site with GPS; phone visits and care calls without)."""
        serializer = s.CheckInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        # The shop's area is read with it: the policy and the template hang off it.
        retailer = get_object_or_404(
            Retailer.objects.for_user(request.user).select_related("area"),
            pk=data.pop("retailer"))
        visit, created = services.visit_check_in(
            actor=request.user, retailer=retailer, device_sent_at=device_sent_at(request),
            **data)
        return created_or_replayed(self._out(visit, new=created), created)

    @extend_schema(request=s.VisitFormSerializer, responses=s.VisitDetailSerializer)
    def partial_update(self, request, *args, **kwargs):
        serializer = s.VisitFormSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        visit = services.visit_record(visit=self.get_object(), actor=request.user,
                                      **serializer.validated_data)
        return Response(self._out(visit))

    @extend_schema(request=s.CheckOutSerializer, responses=s.VisitDetailSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def checkout(self, request, pk=None):
        """Check out (time, GPS, duration), with the last of the form if any."""
        serializer = s.CheckOutSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        visit = services.visit_check_out(visit=self.get_object(), actor=request.user,
                                         device_sent_at=device_sent_at(request),
                                         **serializer.validated_data)
        return Response(self._out(visit))

    @extend_schema(parameters=[DayQuerySerializer], responses={200: None})
    @action(detail=False, methods=["get"], url_path=r"prepare/(?P<retailer>\d+)")
    def prepare(self, request, retailer=None):
        """Before the visit: card, last visit, open problems, objective, recent facts and
        the form's steps."""
        query = DayQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        day = query.validated_data.get("date") or timezone.localdate()
        shop = scoped_or_404(Retailer, request.user, retailer)
        return Response(s.preparation_data(visit_preparation(request.user, shop, day)))


class PhotoViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                   viewsets.GenericViewSet):
    """Visit photos (multipart upload: client_id, visit, kind, image, taken_at)."""

    queryset = Photo.objects.select_related("visit").order_by("visit_id", "uploaded_at", "id")
    serializer_class = s.PhotoSerializer
    filterset_fields = ["visit", "kind"]
    write_roles = FIELD_WORKERS
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(request=s.PhotoUploadSerializer, responses={201: s.PhotoSerializer})
    @idempotent
    def create(self, request, *args, **kwargs):
        serializer = s.PhotoUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        visit = scoped_or_404(Visit, request.user, data["visit"])
        photo, created = services.photo_add(
            actor=request.user, visit=visit, client_id=data["client_id"], upload=data["image"],
            kind=data["kind"], device_taken_at=data["taken_at"])
        return created_or_replayed(
            s.PhotoSerializer(photo, context=self.get_serializer_context()).data, created)

    def _file(self, field: str) -> FileResponse:
        photo = self.get_object()  # scoped: a photo out of reach is a 404
        response = FileResponse(getattr(photo, field).open("rb"), content_type="image/jpeg")
        response["Cache-Control"] = "private, max-age=86400"
        return response

    @extend_schema(responses={(200, "image/jpeg"): bytes})
    @action(detail=True, methods=["get"])
    def image(self, request, pk=None):
        """The stored photo (re-encoded JPEG, no EXIF)."""
        return self._file("image")

    @extend_schema(responses={(200, "image/jpeg"): bytes})
    @action(detail=True, methods=["get"])
    def thumbnail(self, request, pk=None):
        return self._file("thumbnail")


class ProblemViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                     viewsets.GenericViewSet):
    """Problems raised at retailers, with owner, due date and status; overdue marked."""

    queryset = Problem.objects.select_related("retailer", "owner").order_by("due_date", "id")
    serializer_class = s.ProblemSerializer
    filterset_class = ProblemFilterSet
    write_roles = (*FIELD_WORKERS, Role.CLERK)
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return with_overdue(super().get_queryset(), timezone.localdate())

    def _out(self, problem: Problem) -> dict:
        return s.ProblemSerializer(self.get_queryset().get(pk=problem.pk)).data

    @extend_schema(request=s.ProblemCreateSerializer, responses={201: s.ProblemSerializer})
    @idempotent
    def create(self, request, *args, **kwargs):
        serializer = s.ProblemCreateSerializer(data=request.data,
                                               context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        retailer = scoped_or_404(Retailer, request.user, data.pop("retailer"))
        visit_id = data.pop("visit")
        visit = scoped_or_404(Visit, request.user, visit_id) if visit_id else None
        problem, created = services.problem_raise(actor=request.user, retailer=retailer,
                                                  visit=visit, **data)
        self.ensure_in_scope(problem)
        return created_or_replayed(self._out(problem), created)

    @extend_schema(request=s.ProblemUpdateSerializer, responses=s.ProblemSerializer)
    def partial_update(self, request, *args, **kwargs):
        serializer = s.ProblemUpdateSerializer(data=request.data,
                                               context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        problem = services.problem_update(problem=self.get_object(), actor=request.user,
                                          **serializer.validated_data)
        return Response(self._out(problem))

    @extend_schema(request=s.SolveSerializer, responses=s.ProblemSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def solve(self, request, pk=None):
        serializer = s.SolveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        visit_id = serializer.validated_data["visit"]
        visit = scoped_or_404(Visit, request.user, visit_id) if visit_id else None
        problem = services.problem_solve(problem=self.get_object(), actor=request.user,
                                         resolution=serializer.validated_data["resolution"],
                                         visit=visit)
        return Response(self._out(problem))


class MissedVisitViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                         viewsets.GenericViewSet):
    """Reasons for planned visits not made on their day."""

    queryset = MissedVisit.objects.select_related("retailer").order_by("-date", "id")
    serializer_class = s.MissedVisitSerializer
    filterset_class = MissedVisitFilterSet
    write_roles = (Role.REP,)
    http_method_names = ["get", "post", "patch", "head", "options"]

    @extend_schema(request=s.MissedVisitCreateSerializer,
                   responses={201: s.MissedVisitSerializer})
    @idempotent
    def create(self, request, *args, **kwargs):
        serializer = s.MissedVisitCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        retailer = scoped_or_404(Retailer, request.user, data.pop("retailer"))
        missed, created = services.missed_visit_record(actor=request.user, retailer=retailer,
                                                       **data)
        return created_or_replayed(s.MissedVisitSerializer(missed).data, created)

    @extend_schema(request=s.MissedVisitUpdateSerializer, responses=s.MissedVisitSerializer)
    def partial_update(self, request, *args, **kwargs):
        serializer = s.MissedVisitUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        missed = services.missed_visit_update(missed=self.get_object(), actor=request.user,
                                              **serializer.validated_data)
        return Response(s.MissedVisitSerializer(missed).data)
