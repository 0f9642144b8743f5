"""Grading runs are JobRun rows; this proxy gives them their own scoped API."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import JobRun, JobRunQuerySet

# JobRun.name of one grading part (one policy); counts["policy"] says which.
GRADING_JOB = "grading.policy"


class GradingRunManager(models.Manager.from_queryset(JobRunQuerySet)):
    def get_queryset(self):
        return super().get_queryset().filter(name=GRADING_JOB)


class GradingRun(JobRun):
    """One run of one grading policy (a JobRun named "grading.policy")."""

    objects = GradingRunManager()

    class Meta:
        proxy = True
        verbose_name = _("grading run")
        verbose_name_plural = _("grading runs")
        ordering = ["-started_at", "-id"]
