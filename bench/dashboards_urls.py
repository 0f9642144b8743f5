"""The bench routes plus /bench/dashboards/<node>/: the dashboards' figures computed live
from the raw tables (bench/dashboards.py's baseline)."""

from django.urls import path

from bench.dashboards import live_dashboard
from bench.urls import urlpatterns as bench_urlpatterns

urlpatterns = [path("bench/dashboards/<int:pk>/", live_dashboard), *bench_urlpatterns]
