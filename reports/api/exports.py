"""API of Excel exports: thin declarations calling reports.exports.services.

POST /api/reports/exports/                 {kind, filters} → 202, the job (Location: its URL)
GET  /api/reports/exports/[<id>/]          my jobs: status, progress (done/total, percent)
GET  /api/reports/exports/<id>/download/   the file (404 for anyone but the requester,
                                           409 before it is ready, 410 after 24 hours)
POST /api/reports/exports/<id>/retry/      queue a failed or expired job again → 202
"""

from django.http import FileResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.api.base import ScopedViewSetMixin
from accounts.idempotency import idempotent
from accounts.models import Role
from reports.exports import services
from reports.models.exports import ExportJob

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ExportJobSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    finished = serializers.SerializerMethodField()
    progress_done = serializers.SerializerMethodField()
    progress_total = serializers.SerializerMethodField()
    percent = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()
    can_retry = serializers.SerializerMethodField()

    class Meta:
        model = ExportJob
        fields = ["id", "url", "kind", "kind_label", "filters", "status", "status_label",
                  "finished", "attempt", "progress_done", "progress_total", "percent",
                  "row_count", "size", "file_name", "download_url", "can_retry", "error",
                  "created_at", "started_at", "finished_at", "expires_at"]
        read_only_fields = fields

    def get_finished(self, job) -> bool:
        return job.status not in ExportJob.ACTIVE

    def get_progress_done(self, job) -> int:
        if job.status == ExportJob.Status.SUCCEEDED:
            return job.row_count
        return job.job_run.progress_done if job.job_run else 0

    def get_progress_total(self, job) -> int:
        if job.status == ExportJob.Status.SUCCEEDED:
            return job.row_count
        return job.job_run.progress_total if job.job_run else 0

    def get_percent(self, job) -> int:
        """0–100 from the job's progress; 100 once the file is ready (an export of no
        rows too)."""
        if job.status in (ExportJob.Status.SUCCEEDED, ExportJob.Status.EXPIRED):
            return 100
        done, total = self.get_progress_done(job), self.get_progress_total(job)
        return min(99, done * 100 // total) if total else 0

    def get_url(self, job) -> str:
        return f"/api/reports/exports/{job.pk}/"

    def get_download_url(self, job) -> str | None:
        if job.status != ExportJob.Status.SUCCEEDED:
            return None
        return f"/api/reports/exports/{job.pk}/download/"

    def get_can_retry(self, job) -> bool:
        return job.status in ExportJob.RETRYABLE


class ExportRequestSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ExportJob.Kind.choices, label=_("kind"))
    filters = serializers.DictField(required=False, default=dict, label=_("filters"))


class ExportJobViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, mixins.ListModelMixin,
                       mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Excel exports as background jobs; each user sees only their own."""

    queryset = ExportJob.objects.select_related("job_run")
    serializer_class = ExportJobSerializer
    filterset_fields = ["kind", "status"]
    write_roles = tuple(Role)

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action in ("list", "retrieve"):
            # A read is where a dead worker shows: its job is failed here, not "running"
            # for ever (see reports.exports.services).
            services.export_jobs_fail_stale(jobs=queryset)
        return queryset

    def _accepted(self, job: ExportJob) -> Response:
        job = self.get_queryset().get(pk=job.pk)
        data = self.get_serializer(job).data
        return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": data["url"]})

    @extend_schema(request=ExportRequestSerializer, responses={202: ExportJobSerializer})
    @idempotent
    def create(self, request, *args, **kwargs):
        asked = ExportRequestSerializer(data=request.data)
        asked.is_valid(raise_exception=True)
        job = services.export_job_submit(actor=request.user, kind=asked.validated_data["kind"],
                                         filters=asked.validated_data["filters"])
        return self._accepted(job)

    @extend_schema(request=None, responses={202: ExportJobSerializer})
    @action(detail=True, methods=["post"])
    @idempotent
    def retry(self, request, pk=None):
        job = services.export_job_retry(job=self.get_object(), actor=request.user)
        return self._accepted(job)

    @extend_schema(responses={(200, XLSX): OpenApiResponse(OpenApiTypes.BINARY)})
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        job = self.get_object()
        try:
            handle = services.export_file_open(job=job)
        except services.Gone:
            return Response({"detail": _("This export was downloadable for 24 hours and has "
                                         "been removed. Run it again.")},
                            status=status.HTTP_410_GONE)
        except services.NotReady:
            return Response({"status": [_("The file is not ready: the export is %(status)s.")
                                        % {"status": job.get_status_display()}]},
                            status=status.HTTP_409_CONFLICT)
        return FileResponse(handle, as_attachment=True, content_type=XLSX,
                            filename=job.file_name)
