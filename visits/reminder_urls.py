"""Page routes of care reminders; included by visits/page_urls.py."""

from django.urls import path

from visits import reminder_views

urlpatterns = [
    path("", reminder_views.reminders_page, name="reminders"),
]
