"""API of the reports part (mounted under /api/reports/): period reports, the 早夕会 view,
and the data of the rep's and finance's home pages."""

from django.urls import path

from reports.api import homes, reports

urlpatterns = [
    path("report/", reports.ReportView.as_view(), name="report"),
    path("meeting/", reports.MeetingView.as_view(), name="meeting"),
    path("home/rep/", homes.RepHomeView.as_view(), name="home-rep"),
    path("home/finance/", homes.FinanceHomeView.as_view(), name="home-finance"),
]
