"""HTML pages of grading (the API lives in grading/urls.py under /api/grading/)."""

from django.urls import include, path

from grading import views

app_name = "grading"
urlpatterns = [
    path("policies/", views.policy_editor, name="policies"),
    path("scorecards/", include("grading.scorecard_urls")),
]
