"""Routes of Excel export jobs, mounted at /api/reports/exports/."""

from rest_framework.routers import SimpleRouter

from reports.api.exports import ExportJobViewSet

router = SimpleRouter()
router.register("", ExportJobViewSet, basename="exportjob")

urlpatterns = router.urls
