"""Serving stored uploads: permission checked, always as an attachment, never sniffed."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.views.decorators.cache import never_cache

from gongzhi.core import uploads
from gongzhi.core.models import StoredFile


@never_cache
@login_required
def stored_file(request: HttpRequest, name: str) -> FileResponse:
    item = get_object_or_404(StoredFile, name=name)
    if not uploads.may_read(request.user, item):
        raise Http404
    path = uploads.path_of(item)
    if not path.is_file():
        raise Http404
    response = FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=uploads.safe_filename(item),
        content_type=item.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
