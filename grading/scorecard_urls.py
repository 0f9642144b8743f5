"""Page routes of the scorecards; included by grading/page_urls.py."""

from django.urls import path

from grading import scorecard_views

urlpatterns = [
    path("", scorecard_views.rep_scorecards, name="rep-scorecards"),
    path("retailers/<int:pk>/", scorecard_views.retailer_scorecard, name="retailer-scorecard"),
]
