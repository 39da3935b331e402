"""The in-platform inbox. Thin: parse, call a selector or service, render."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from gongzhi.notifications import selectors, services


@never_cache
@login_required
def inbox(request):
    only_unread = request.GET.get("unread") == "1"
    found = selectors.inbox_of(request.user)
    if only_unread:
        found = found.filter(read_at__isnull=True)
    page = Paginator(found, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/inbox.html",
        {"page": page, "only_unread": only_unread, "unread_count": selectors.unread_count(request.user)},
    )


@require_POST
@login_required
def open_message(request, pk: int):
    """Mark the message read and follow its link (only links inside this site)."""
    message = selectors.inbox_of(request.user).filter(pk=pk).first()
    if message is None:
        raise Http404
    services.mark_read(user=request.user, message_id=message.pk)
    if message.link and url_has_allowed_host_and_scheme(message.link, {request.get_host()}):
        return redirect(message.link)
    return redirect("notifications:inbox")


@require_POST
@login_required
def read_all(request):
    services.mark_all_read(user=request.user)
    return redirect("notifications:inbox")
