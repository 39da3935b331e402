"""What every request may carry, checked once before any view runs (issue 19, finding 2).

Text that a database cannot store or a later encoding cannot write ends in a server error far
from where it came in: a NUL byte (PostgreSQL refuses it in text) and a lone UTF-16 surrogate
(`"\\ud800"` in a JSON body: no UTF-8 encoding exists for it). Numbers beyond a signed 64-bit
integer overflow every integer column. `InputGuardMiddleware` refuses the two kinds of text in
the path, the query string, form fields (names and values) and JSON bodies, and the numbers in
JSON bodies (form and query numbers are read by `pages.parse_int`), with a 400 naming the field,
before a view, a schema or a service sees them; `check_text` is the same rule for code that
reads text from elsewhere (imports, the model save guard in `core/columns.py`).
"""

import json

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from gongzhi.core.pages import MAX_ID

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# Prefixes whose answers are JSON: the API's own error shape and Open311's GeoReport errors.
API_PREFIX = "/api/"
OPEN311_PREFIX = "/open311/"


class BadInput(ValueError):
    def __init__(self, field: str, reason: str):
        super().__init__(f"{field}: {reason}")
        self.field, self.reason = field, reason


def text_problem(value: str) -> str | None:
    """Why this text cannot be stored, or None."""
    if "\x00" in value:
        return _("contains a NUL character")
    if any("\ud800" <= c <= "\udfff" for c in value):
        return _("contains an unpaired surrogate (not valid Unicode)")
    return None


def check_text(field: str, value) -> None:
    """Raise BadInput naming `field` when `value` (a str) cannot be stored."""
    if isinstance(value, str) and (problem := text_problem(value)):
        raise BadInput(field, problem)


def _check_number(field: str, value) -> None:
    # bool is an int; JSON true/false are fine.
    if isinstance(value, int) and not isinstance(value, bool) and not -MAX_ID - 1 <= value <= MAX_ID:
        raise BadInput(field, _("is a number outside the range a record can hold"))


def check_json(value, field: str = "body") -> None:
    """Every string (keys too) and integer of a parsed JSON document; `field` names the path."""
    if isinstance(value, dict):
        for key, item in value.items():
            check_text(field, key)
            check_json(item, key if field == "body" else f"{field}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            check_json(item, f"{field}[{index}]")
    else:
        check_text(field, value)
        _check_number(field, value)


def check_pairs(pairs) -> None:
    """Form or query fields, names and values. Numbers in them are text until a view reads them
    through `pages.parse_int` (or the API's typed parameters, whose lookups and paging clamp)."""
    for key, values in pairs.lists():
        check_text(key, key)
        for value in values:
            check_text(key, value)


def check_request(request) -> None:
    check_text("path", request.path_info)
    check_pairs(request.GET)
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    content_type = request.content_type or ""
    if content_type in FORM_TYPES:
        check_pairs(request.POST)
    elif content_type == "application/json" or content_type.endswith("+json"):
        try:
            document = json.loads(request.body or b"null")
        except (ValueError, RecursionError):
            return  # not JSON at all: the schema's own parser answers that
        check_json(document)


def refusal(request, exc: BadInput) -> HttpResponse:
    message = _("%(field)s %(reason)s.") % {"field": exc.field, "reason": exc.reason}
    if request.path_info.startswith(API_PREFIX):
        return JsonResponse({"detail": message, "errors": {exc.field: [message]}}, status=400)
    if request.path_info.startswith(OPEN311_PREFIX):
        return JsonResponse([{"code": 400, "description": message}], status=400, safe=False)
    template = "core/invalid_fragment.html" if request.headers.get("HX-Request") else "core/invalid.html"
    return render(request, template, {"messages_of_error": [message]}, status=400)


class InputGuardMiddleware:
    """Refuses unstorable text and out-of-range numbers before any view (see the module's doc)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view, args, kwargs):
        # After CSRF's process_view (settings.MIDDLEWARE order): a forged request is refused as
        # forged first. Every view, including the API's and Open311's csrf-exempt ones, is checked.
        try:
            check_request(request)
        except BadInput as exc:
            return refusal(request, exc)
        return None
