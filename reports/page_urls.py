"""HTML pages of reports (the API lives in reports/urls.py under /api/reports/)."""

from django.urls import include, path

app_name = "reports"
urlpatterns = [
    path("dashboard/", include("reports.dashboard_page_urls")),
    path("", include("reports.report_page_urls")),
    path("exports/", include("reports.export_page_urls")),
]
