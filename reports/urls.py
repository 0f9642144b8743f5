"""API of reports, mounted under /api/reports/; each part keeps its own routes."""

from django.urls import include, path

app_name = "reports-api"
urlpatterns = [
    path("dashboards/", include("reports.dashboard_urls")),
    path("", include("reports.report_urls")),
    path("exports/", include("reports.export_urls")),
    path("feed/", include("reports.feed_urls")),
]
