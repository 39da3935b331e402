"""The platform's API at /api/v1/: same scope and services as the pages, OpenAPI at /api/v1/docs."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from ninja import NinjaAPI, Schema
from ninja.security import HttpBearer, SessionAuth

from gongzhi.core.errors import NotInScope
from gongzhi.core.tokens import user_for_token
from gongzhi.workbench import area_counts


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


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
