"""API of imports and exports: thin declarations calling kehu.imports.services."""

from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.base import ScopedViewSetMixin
from kehu import exports, privacy, selectors
from kehu.filters import RetailerFilterSet
from kehu.imports import reader, report, services
from kehu.models import ImportBatch

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True)
    column = serializers.CharField(allow_blank=True)
    message = serializers.CharField()


class ImportBatchSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    finished = serializers.SerializerMethodField()
    progress_done = serializers.IntegerField(source="job_run.progress_done", default=0)
    progress_total = serializers.SerializerMethodField()
    errors = ImportErrorSerializer(many=True)
    error_report_url = serializers.SerializerMethodField()

    class Meta:
        model = ImportBatch
        fields = ["id", "kind", "kind_label", "status", "status_label", "finished",
                  "original_name", "size", "row_count", "progress_done", "progress_total",
                  "error_count", "errors", "error_report_url", "counts", "created_at",
                  "finished_at"]
        read_only_fields = fields

    def get_finished(self, batch) -> bool:
        return batch.status not in (ImportBatch.Status.QUEUED, ImportBatch.Status.RUNNING)

    def get_progress_total(self, batch) -> int:
        run = batch.job_run
        return run.progress_total if run and run.progress_total else batch.row_count

    def get_error_report_url(self, batch) -> str | None:
        if not batch.error_report:
            return None
        return f"/api/kehu/imports/{batch.pk}/error-report/"


class ImportUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ImportBatch.Kind.choices, label=_("kind"))
    file = serializers.FileField(label=_("file"))


class ImportBatchViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, mixins.ListModelMixin,
                         mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Excel imports: upload (multipart `file` + `kind`), then follow the batch's status,
    progress and errors; the error report is a download."""

    queryset = ImportBatch.objects.select_related("job_run")
    serializer_class = ImportBatchSerializer
    filterset_fields = ["kind", "status"]
    write_roles = services.IMPORT_ROLES
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request=ImportUploadSerializer,
                   responses={201: ImportBatchSerializer, 202: ImportBatchSerializer})
    def create(self, request, *args, **kwargs):
        # A body over the limit is refused before it is parsed (and spooled to disk).
        if int(request.META.get("CONTENT_LENGTH") or 0) > reader.max_bytes() + 64 * 1024:
            raise reader.too_big(int(request.META["CONTENT_LENGTH"]))
        upload = ImportUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        data = upload.validated_data
        batch = services.import_batch_submit(actor=request.user, kind=data["kind"],
                                             upload=data["file"])
        done = batch.status not in (ImportBatch.Status.QUEUED, ImportBatch.Status.RUNNING)
        return Response(self.get_serializer(batch).data,
                        status=status.HTTP_201_CREATED if done else status.HTTP_202_ACCEPTED)

    @extend_schema(responses={(200, XLSX): OpenApiResponse(OpenApiTypes.BINARY)})
    @action(detail=True, methods=["get"], url_path="error-report")
    def error_report(self, request, pk=None):
        """The uploaded rows with a column saying what is wrong with each."""
        handle = services.import_report_open(batch=self.get_object())
        if handle is None:
            raise Http404
        return FileResponse(handle, as_attachment=True, content_type=XLSX,
                            filename=f"import-errors-{pk}.xlsx")


class ImportTemplateView(APIView):
    """The empty layout of an import, with one example row."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={(200, XLSX): OpenApiResponse(OpenApiTypes.BINARY)})
    def get(self, request, kind: str):
        if kind not in ImportBatch.Kind.values:
            raise Http404
        return FileResponse(report.template(kind), as_attachment=True, content_type=XLSX,
                            filename=f"{kind}-template.xlsx")


class RetailerExportView(APIView):
    """The retailers the user may see (filtered like the list), in the import layout."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={(200, XLSX): OpenApiResponse(OpenApiTypes.BINARY)})
    def get(self, request):
        filters = RetailerFilterSet(request.query_params,
                                    queryset=selectors.retailers_for_user(request.user))
        if not filters.is_valid():
            raise ValidationError(filters.errors)
        queryset = filters.qs
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        return FileResponse(exports.retailer_export(queryset), as_attachment=True,
                            content_type=XLSX, filename=f"retailers-{stamp}.xlsx")


class KeyPersonExportView(APIView):
    """Key persons of the retailers in scope, with their personal data, for the roles
    that may see it unmasked; every exported person is logged as a personal-data read
    (the assigned rep's own excepted)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={(200, XLSX): OpenApiResponse(OpenApiTypes.BINARY)})
    def get(self, request):
        if not privacy.may_export_personal_data(request.user):
            raise PermissionDenied(_("Your role may not export key persons' personal data."))
        people = list(selectors.key_persons_for_user(request.user)
                      .filter(erased_at__isnull=True)
                      .order_by("retailer__code", "id"))
        privacy.personal_data_log_reads(user=request.user, key_persons=people, purpose="export")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        return FileResponse(exports.key_person_export(people), as_attachment=True,
                            content_type=XLSX, filename=f"key-persons-{stamp}.xlsx")
