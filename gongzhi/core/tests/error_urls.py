"""The site's URLs plus views that fail on purpose, for the error page tests."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import path

from gongzhi.urls import handler400, handler403, handler404, handler500, urlpatterns  # noqa: F401


def _bad(request):
    raise SuspiciousOperation("a malformed request")


def _refused(request):
    raise PermissionDenied("您不能修改这条记录。")


def _broken(request):
    raise RuntimeError("a bug")


urlpatterns = [
    path("test-errors/400/", _bad),
    path("test-errors/403/", _refused),
    path("test-errors/500/", _broken),
    *urlpatterns,
]
