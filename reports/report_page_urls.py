"""Pages of the reports part (mounted at /reports/): 日报 / 周报 / 月报, a custom range and
the 早夕会 view."""

from django.urls import path

from reports.views import reports

urlpatterns = [
    path("", reports.reports_home, name="reports-home"),
    path("daily/", reports.daily, name="daily"),
    path("weekly/", reports.weekly, name="weekly"),
    path("monthly/", reports.monthly, name="monthly"),
    path("range/", reports.custom_range, name="range"),
    path("meeting/", reports.meeting, name="meeting"),
]
