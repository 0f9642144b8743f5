"""HTML pages of kehu (the API lives in kehu/urls.py under /api/kehu/)."""

from django.urls import path

from kehu import views
from kehu.imports import views as import_views

app_name = "kehu"
urlpatterns = [
    path("", views.retailer_list, name="retailer-list"),
    path("<int:pk>/", views.retailer_card, name="retailer-card"),
    path("import/", import_views.import_page, name="import"),
]
