"""Page routes of the plan group; included by visits/page_urls.py."""

from django.urls import path

from visits import plan_views

urlpatterns = [
    path("", plan_views.plan_list, name="plans"),
    path("<int:pk>/", plan_views.plan_detail, name="plan-detail"),
    path("team/", plan_views.team_adherence, name="team"),
    path("team/overdue/", plan_views.team_overdue, name="team-overdue"),
    path("team/problems/", plan_views.team_problems, name="team-problems"),
    path("team/flagged/", plan_views.team_flagged, name="team-flagged"),
]
