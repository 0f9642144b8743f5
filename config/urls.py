from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from accounts import views as account_views
from config.health import healthz

# Each app mounts its API under /api/<app>/.
API_APPS = ["accounts", "kehu", "visits", "expenses", "grading", "reports"]

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="home", permanent=False)),
    path("home/", account_views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("language/", account_views.set_language, name="set_language"),
    path("healthz", healthz, name="healthz"),
    path("kehu/", include("kehu.page_urls")),
    path("visits/", include("visits.page_urls")),
    path("grading/", include("grading.page_urls")),
    path("expenses/", include("expenses.page_urls")),
    path("reports/", include("reports.page_urls")),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    *[path(f"api/{app}/", include(f"{app}.urls")) for app in API_APPS],
]
