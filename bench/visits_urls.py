"""The bench routes plus the hand-written SQL baselines of the visits endpoints."""

from django.urls import path

from bench import visits_baseline
from bench.urls import urlpatterns as bench_urlpatterns

urlpatterns = [
    path("bench/visits/today/", visits_baseline.today),
    path("bench/visits/team/summary/", visits_baseline.team_summary),
    path("bench/visits/team/overdue/", visits_baseline.team_overdue),
    path("bench/visits/checkin/", visits_baseline.checkin),
    path("bench/visits/<int:pk>/checkout/", visits_baseline.checkout),
    *bench_urlpatterns,
]
