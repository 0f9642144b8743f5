"""HTML pages of accounts: login/logout (Django's), home per role, language switch."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts import services
from accounts.selectors import node_ancestry, primary_placement

HOME_TEMPLATES = {
    "rep": "accounts/home/rep.html",
    "clerk": "accounts/home/clerk.html",
    "office_manager": "accounts/home/office_manager.html",
    "regional_manager": "accounts/home/regional_manager.html",
    "finance": "accounts/home/finance.html",
    "admin": "accounts/home/admin.html",
}


@login_required
def home(request):
    """Each role lands on its own home page."""
    placement = primary_placement(request.user)
    template = HOME_TEMPLATES[placement.role] if placement else "accounts/home/none.html"
    context = {
        "placement": placement,
        "ancestry": node_ancestry(placement.node) if placement else [],
    }
    return render(request, template, context)


@require_POST
def set_language(request):
    """Switch the UI language; remembered on the user (and in the cookie)."""
    language = request.POST.get("language", settings.LANGUAGE_CODE)
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    if request.user.is_authenticated:
        services.user_set_language(user=request.user, language=language)
    next_url = request.POST.get("next") or reverse("home")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("home")
    translation.activate(language)
    response = HttpResponseRedirect(next_url)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE, secure=settings.LANGUAGE_COOKIE_SECURE,
    )
    return response
