from django.utils import translation

from accounts.request_context import bind_request_id, unbind_request_id


class UserLanguageMiddleware:
    """A logged-in user's saved language wins over the cookie and the browser.

    Also binds a request id (from X-Request-ID or fresh) for the audit trail.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = bind_request_id(request.headers.get("X-Request-ID"))
        try:
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated and user.language:
                translation.activate(user.language)
                request.LANGUAGE_CODE = translation.get_language()
            return self.get_response(request)
        finally:
            unbind_request_id(token)
