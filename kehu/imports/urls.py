"""Routes of imports and exports, mounted first under /api/kehu/ (before the retailer
router, whose `retailers/<pk>.<format>` would otherwise catch `retailers/export.xlsx`)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from kehu.imports import api

router = SimpleRouter()
router.register("imports", api.ImportBatchViewSet, basename="importbatch")

urlpatterns = [
    path("retailers/export.xlsx", api.RetailerExportView.as_view(), name="retailer-export"),
    path("key-persons/export.xlsx", api.KeyPersonExportView.as_view(),
         name="key-person-export"),
    path("import-templates/<str:kind>.xlsx", api.ImportTemplateView.as_view(),
         name="import-template"),
    *router.urls,
]
