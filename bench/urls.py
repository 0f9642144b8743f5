"""The app's routes plus /bench/retailers/: the plain-Django baseline of the list API."""

from django.urls import path

from bench.baseline import retailers
from config.urls import urlpatterns as app_urlpatterns

urlpatterns = [path("bench/retailers/", retailers), *app_urlpatterns]
