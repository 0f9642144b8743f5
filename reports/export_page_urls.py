"""The exports page, mounted at /reports/exports/."""

from django.urls import path

from reports.views import exports

urlpatterns = [
    path("", exports.exports_page, name="exports"),
]
