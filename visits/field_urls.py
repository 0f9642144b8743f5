"""Page routes of the field group; included by visits/page_urls.py."""

from django.urls import path

from visits import field_views

urlpatterns = [
    path("sw.js", field_views.service_worker, name="sw"),
    path("today/", field_views.today_route, name="today"),
    path("today/queue/", field_views.queue, name="queue"),
    path("today/<int:pk>/", field_views.stop_preparation, name="prepare"),
    path("today/<int:pk>/visit/", field_views.visit_form, name="visit"),
]
