"""Keeps the current request's actor and client address where the audit log can find them."""

from contextvars import ContextVar

current_request: ContextVar = ContextVar("current_request", default=None)


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)


def client_ip(request) -> str:
    """The client address; behind a proxy the deployment sets REMOTE_ADDR via its own middleware."""
    return request.META.get("REMOTE_ADDR", "") if request is not None else ""


class ChineseFirstLocaleMiddleware:
    """Chinese unless the user picked English with the language switch (its cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language; staff on an
    English-language system would then get an English UI they never asked for.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.utils import translation

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
