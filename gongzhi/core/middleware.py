"""Keeps the current request's actor and client address where the audit log can find them, and
answers the scope and input errors that views let through."""

import ipaddress
from contextvars import ContextVar

from django.core.exceptions import ValidationError
from django.core.handlers.exception import response_for_exception
from django.http import Http404
from django.shortcuts import render

from gongzhi.core.errors import NotInScope

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
    """The client address. X-Forwarded-For counts only as far as settings.TRUSTED_PROXIES says:
    anyone can send the header, so a client that could pick its address would escape the lockout
    and forge the audit trail's addresses."""
    if request is None:
        return ""
    from django.conf import settings

    remote = request.META.get("REMOTE_ADDR", "")
    trusted = settings.TRUSTED_PROXIES
    if not trusted:
        return remote
    forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
    chain = [*forwarded, remote]  # the nearest hop last
    if isinstance(trusted, int):
        # The last `trusted` hops are our proxies (REMOTE_ADDR is the nearest); the one before is
        # the client. Entries further left were written by the client and mean nothing.
        found = chain[-(trusted + 1)] if len(chain) > trusted else chain[0]
    else:
        found = next((hop for hop in reversed(chain) if not _in_networks(hop, trusted)), chain[0])
    return found if _is_address(found) else remote


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _in_networks(address: str, networks: list[str]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(n, strict=False) for n in networks)


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


class ScopeErrorsMiddleware:
    """Answers, once for every page, what a view lets a service's refusal become: a record outside
    the user's area is a 404 (a page never confirms it exists, as the API's handler does) and a
    refused input a 400 page that names what was wrong. Views catch `ValidationError` only to show
    it inside their own form."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, NotInScope):
            return response_for_exception(request, Http404(str(exception)))
        if isinstance(exception, ValidationError):
            template = (
                "core/invalid_fragment.html" if request.headers.get("HX-Request") else "core/invalid.html"
            )
            return render(request, template, {"messages_of_error": exception.messages}, status=400)
        return None
