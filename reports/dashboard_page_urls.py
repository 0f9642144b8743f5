"""Page routes of the dashboards; mounted at /reports/dashboard/."""

from django.urls import path

from reports.views import dashboards

urlpatterns = [
    path("", dashboards.dashboard, name="dashboard"),
]
