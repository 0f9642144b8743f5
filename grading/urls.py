from django.urls import path
from rest_framework.routers import DefaultRouter

from grading.api import scorecards, views

router = DefaultRouter()
router.register("policies", views.PolicyViewSet, basename="policy")
router.register("versions", views.VersionViewSet, basename="version")
router.register("runs", views.RunViewSet, basename="run")
router.register("overrides", views.OverrideViewSet, basename="override")
router.register("history", views.HistoryViewSet, basename="history")
router.register("scorecards/reps", scorecards.RepScorecardViewSet, basename="repscorecard")
router.register("scorecards/retailers", scorecards.RetailerScorecardViewSet,
                basename="retailerscorecard")

app_name = "grading-api"
urlpatterns = [
    path("retailers/<int:pk>/grade/", views.RetailerGradeView.as_view(), name="retailer-grade"),
    *router.urls,
]
