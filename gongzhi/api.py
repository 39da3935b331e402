"""The platform's API at /api/v1/: same scope and services as the pages, OpenAPI at /api/v1/docs."""

import time

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from ninja import NinjaAPI, Schema
from ninja.errors import Throttled
from ninja.security import HttpBearer, SessionAuth

from gongzhi.concerns import throttle
from gongzhi.core.errors import NotInScope
from gongzhi.core.middleware import client_ip
from gongzhi.core.tokens import grant_for_token
from gongzhi.workbench import area_counts

# Wrong bearer tokens per client address and minute before the address must wait the minute out.
BAD_TOKENS_PER_MINUTE = 20
# Addresses this process saw go over the limit → when their minute ends (time.monotonic()). A
# request with a known token checks only this (no query per API call); wrong tokens are counted
# and checked in the database, so the guessing limit is the same across every process.
_held: dict[str, float] = {}


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        """The token's user, within the token's grant (read-only, scopes); wrong tokens are
        throttled per client address like wrong Open311 keys, in any spelling of the token."""
        client = client_ip(request)
        if _held.get(client, 0.0) > time.monotonic():
            raise Throttled(wait=60)
        found = grant_for_token(token)
        if found is None:
            _count_failure(client)
            return None
        user, grant = found
        section = request.path.removeprefix(reverse("api:api-root")).split("/", 1)[0]
        refusal = grant.refusal(request.method, section)
        if refusal:
            raise PermissionDenied(refusal)
        request.user = user
        return user


def _count_failure(client: str) -> None:
    """Count a wrong token; once the address used up its minute, hold it (this request still
    answers 401, the next ones 429 until the minute is over)."""
    failures = f"api-token-failures:{client}"
    throttle.hit(failures, limit=BAD_TOKENS_PER_MINUTE)
    if throttle.over(failures, limit=BAD_TOKENS_PER_MINUTE):
        if len(_held) > 10_000:  # bounded: only addresses that went over the limit
            _held.clear()
        _held[client] = time.monotonic() + 60


api = NinjaAPI(
    title="gongzhi API",
    version="1",
    description="共治 platform API. Every list and object is limited to the caller's area.",
    # Token first: a bearer request carries no CSRF cookie, and the session check would refuse it.
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
)


@api.exception_handler(NotInScope)
def not_in_scope(request, exc):
    return api.create_response(request, {"detail": "Not found."}, status=404)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": "Not found."}, status=404)


@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    return api.create_response(request, {"detail": str(exc) or "Forbidden."}, status=403)


@api.exception_handler(ValidationError)
def invalid(request, exc):
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return api.create_response(request, {"detail": "Invalid input.", "errors": errors}, status=422)


class SummaryOut(Schema):
    neighborhoods: int
    households: int
    residents: int
    micro_grids: int
    party_members: int
    partner_units: int


@api.get("/summary", response=SummaryOut, tags=["org"], operation_id="gongzhi_org_api_summary")
def summary(request):
    """The workbench figures: what lies inside the caller's area (it counts several apps' records)."""
    return area_counts(request.user)


from gongzhi.org.api import router as org_router  # noqa: E402  (routers import `api`-free modules)

api.add_router("/", org_router)
api.add_router("/", "gongzhi.concerns.api.router")
api.add_router("/deliberation/", "gongzhi.deliberation.api.router")
api.add_router("/notifications/", "gongzhi.notifications.api.router")
api.add_router("/insights/", "gongzhi.insights.api.router")
api.add_router("/projects/", "gongzhi.projects.api.router")
api.add_router("/surveys/", "gongzhi.surveys.api.router")
api.add_router("/accounts/", "gongzhi.accounts.api.router")
api.add_router("/volunteers/", "gongzhi.volunteers.api.router")
api.add_router("/property/", "gongzhi.property.api.router")
api.add_router("/workforce/", "gongzhi.workforce.api.router")
api.add_router("/", "gongzhi.field.api.router")
