"""HTML pages of 客情费 (the API lives in expenses/urls.py under /api/expenses/)."""

from django.urls import path

from expenses import views

app_name = "expenses"
urlpatterns = [
    path("", views.expenses_home, name="home"),
    path("claims/", views.claims, name="claims"),
    path("statement/", views.statement, name="statement"),
    path("pre-approvals/", views.pre_approvals, name="pre-approvals"),
    path("review/", views.review, name="review"),
    path("statements/<int:pk>/", views.statement_detail, name="statement-detail"),
    path("advances/", views.advances, name="advances"),
    path("spot-checks/", views.spot_checks, name="spot-checks"),
]
