from django.urls import path
from rest_framework.routers import DefaultRouter

from expenses.api import views

router = DefaultRouter()
router.register("claim-lines", views.ClaimLineViewSet, basename="claimline")
router.register("pre-approvals", views.PreApprovalViewSet, basename="preapproval")
router.register("statements", views.StatementViewSet, basename="statement")
router.register("standards", views.ExpenseStandardViewSet, basename="standard")
router.register("advance-accounts", views.AdvanceAccountViewSet, basename="advanceaccount")
router.register("advance-entries", views.AdvanceEntryViewSet, basename="advanceentry")
router.register("spot-checks", views.SpotCheckViewSet, basename="spotcheck")
router.register("spot-check-items", views.SpotCheckItemViewSet, basename="spotcheckitem")

app_name = "expenses-api"
urlpatterns = [
    path("deadlines/", views.DeadlinesView.as_view(), name="deadlines"),
    path("advance-cap/", views.AdvanceCapView.as_view(), name="advance-cap"),
    path("product-lines/", views.ProductLinesView.as_view(), name="product-lines"),
    *router.urls,
]
