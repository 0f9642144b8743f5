"""Excel export jobs: what a user asked for, its progress, and the file it produced.

The row is also the export log: who (`requested_by`), when (`created_at`), which layout
(`kind`), with which filters (`filters`), how many rows (`row_count`). Cleanup removes
the file after its 24 hours, never the row.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import JobRun, OrgNode


class ExportJobQuerySet(models.QuerySet):
    def for_user(self, user) -> models.QuerySet:
        """Only the requester's own jobs: an export holds whatever their scope showed them,
        so nobody else (not their manager, not an administrator) reaches the file."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        return self.filter(requested_by_id=user.pk)


class ExportJob(models.Model):
    """One requested export: queued, written by a worker (progress on its JobRun, a
    heartbeat on the row), downloadable until `expires_at`, then expired."""

    class Kind(models.TextChoices):
        RETAILERS = "retailers", _("Retailer list")
        VISITS = "visits", _("Visit log")
        MONTHLY_PLAN = "monthly_plan", _("Monthly visit plan")
        REP_SCORECARDS = "rep_scorecards", _("Rep scorecards")
        STATEMENTS = "statements", _("Relationship expense statements")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Writing")
        SUCCEEDED = "succeeded", _("Ready")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")

    ACTIVE = (Status.QUEUED, Status.RUNNING)
    # Only these can be run again (reports.exports.services.export_job_retry).
    RETRYABLE = (Status.FAILED, Status.EXPIRED)

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices,
                              default=Status.QUEUED)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"),
                                     on_delete=models.PROTECT, related_name="+")
    # The requester's highest node: the scope of the job's JobRun.
    scope = models.ForeignKey(OrgNode, verbose_name=_("scope"), on_delete=models.PROTECT,
                              related_name="+")
    # Each retry is a new attempt; a task of an older attempt finds nothing to do.
    attempt = models.PositiveSmallIntegerField(_("attempt"), default=1)
    job_run = models.OneToOneField(JobRun, verbose_name=_("job run"), on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    file = models.FileField(_("file"), upload_to="reports/exports/%Y/%m/", max_length=255,
                            blank=True)
    file_name = models.CharField(_("file name"), max_length=150, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("downloadable until"), null=True, blank=True)

    objects = ExportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["requested_by", "-created_at"], name="export_job_requester"),
            models.Index(fields=["status", "expires_at"], name="export_job_status_expiry"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="succeeded") | (~Q(file="") & Q(expires_at__isnull=False)),
                name="export_job_ready_has_file",
                violation_error_message=_("A finished export has its file and expiry.")),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.get_status_display()})"
