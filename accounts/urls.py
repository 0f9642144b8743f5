from django.urls import path
from rest_framework.routers import DefaultRouter

from accounts.api import views

router = DefaultRouter()
router.register("nodes", views.OrgNodeViewSet, basename="orgnode")
router.register("users", views.UserViewSet, basename="user")
router.register("memberships", views.MembershipViewSet, basename="membership")
router.register("job-runs", views.JobRunViewSet, basename="jobrun")
router.register("audit-events", views.AuditEventViewSet, basename="auditevent")

app_name = "accounts-api"
urlpatterns = [path("me/", views.MeView.as_view(), name="me"), *router.urls]
