from django.urls import path
from rest_framework.routers import DefaultRouter

from kehu.api import views

router = DefaultRouter()
router.register("retailers", views.RetailerViewSet, basename="retailer")
router.register("key-persons", views.KeyPersonViewSet, basename="keyperson")
router.register("relationship-ticks", views.RelationshipTickViewSet, basename="relationshiptick")
router.register("facts", views.MonthlyFactViewSet, basename="monthlyfact")
router.register("assignments", views.RetailerAssignmentViewSet, basename="assignment")
router.register("personal-data-reads", views.PersonalDataReadViewSet,
                basename="personaldataread")

app_name = "kehu-api"
urlpatterns = [path("criteria/", views.CriteriaView.as_view(), name="criteria"), *router.urls]

# Imports and exports (kehu/imports/urls.py) come first: `retailers/export.xlsx` would
# otherwise match the router's `retailers/<pk>.<format>`.
from kehu.imports.urls import urlpatterns as import_urlpatterns  # noqa: E402

urlpatterns[:0] = import_urlpatterns
