"""API routes of the dashboards; mounted at /api/reports/dashboards/."""

from rest_framework.routers import SimpleRouter

from reports.api.dashboards import OfficeDashboardViewSet, RegionalDashboardViewSet

router = SimpleRouter()
router.register("office", OfficeDashboardViewSet, basename="office-dashboard")
router.register("regional", RegionalDashboardViewSet, basename="regional-dashboard")

urlpatterns = router.urls
