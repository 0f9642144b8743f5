"""HTML pages of visits (the API lives in visits/urls.py under /api/visits/).

Two groups: the rep's field day (route, preparation, visit form, offline queue) and
plans and the team (monthly plan calendar, approval, adherence).
"""

from django.urls import include, path

app_name = "visits"
urlpatterns = [
    path("", include("visits.field_urls")),
    path("plans/", include("visits.plan_urls")),
    path("reminders/", include("visits.reminder_urls")),
]
