"""Pages of notices (公告): the staff list, the form, one notice with its reach and actions, the
printable sheet for the stairwell's board; the residents' list and page; the public page behind
the sheet's QR code; publishing a concern's progress to its building."""

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from gongzhi.accounts import selectors as account_selectors
from gongzhi.concerns import selectors as concern_selectors
from gongzhi.core.pages import form_errors, parse_int, require_reader, say, staff_page
from gongzhi.insights import selectors, services
from gongzhi.insights.forms import NoticeForm
from gongzhi.insights.models import Notice


def _require_notice_reader(user) -> None:
    require_reader(user, "notice", _("You do not work with notices."))


def _notice_of(request, pk: int) -> Notice:
    _require_notice_reader(request.user)
    return get_object_or_404(selectors.notices_visible_to(request.user), pk=pk)


def _resident(request):
    if request.user.kind != request.user.Kind.RESIDENT:
        raise PermissionDenied(_("This page is for residents."))
    return account_selectors.resident_of(request.user)


@staff_page
def notice_list(request):
    _require_notice_reader(request.user)
    state, level = request.GET.get("state", ""), request.GET.get("level", "")
    text = request.GET.get("q", "").strip()[:60]
    notices = list(selectors.notice_list(request.user, state=state, level=level, text=text)[:200])
    reaches = selectors.reaches_of([n for n in notices if n.state != Notice.State.DRAFT])
    for n in notices:
        n.reach = reaches.get(n.pk)
    return render(
        request,
        "insights/notices.html",
        {
            "notices": notices,
            "states": Notice.State.choices,
            "levels": Notice.Level.choices,
            "filters": {"state": state, "level": level, "q": text},
            "may_write": selectors.may_write_notices(request.user),
        },
    )


def _form_page(request, form, neighborhood_id, notice=None):
    areas = selectors.neighborhoods_to_narrow(request.user)
    return render(
        request,
        "insights/notice_form.html",
        {"form": form, "notice": notice, "areas": areas, "narrowed": neighborhood_id},
    )


@staff_page
def notice_new(request):
    _require_notice_reader(request.user)
    neighborhood_id = parse_int(request.GET.get("neighborhood") or request.POST.get("neighborhood"))
    places = selectors.places_for_notice(request.user, neighborhood_id)
    if not places:
        raise PermissionDenied(_("You may not write notices."))
    form = NoticeForm(request.POST or None, places=places)
    if request.method == "POST" and form.is_valid():
        level, pk = form.place_key()
        try:
            notice = services.notice_create(
                actor=request.user,
                level=level,
                place=services.find_place(level, pk) if pk else None,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                expires_at=form.cleaned_data["expires_at"],
            )
            if request.POST.get("publish"):
                notice = services.notice_publish(actor=request.user, notice=notice)
        except ValidationError as exc:
            for field, errors in form_errors(exc).items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            done = _("Notice published.") if notice.state == Notice.State.PUBLISHED else _("Draft saved.")
            messages.success(request, done)
            return redirect("insights:notice", pk=notice.pk)
    return _form_page(request, form, neighborhood_id)


@staff_page
def notice_edit(request, pk: int):
    notice = _notice_of(request, pk)
    if notice.state != Notice.State.DRAFT:
        messages.error(request, _("Only a draft can be changed."))
        return redirect("insights:notice", pk=pk)
    initial = {"place": f"{notice.level}:{notice.place.pk}", "title": notice.title, "body": notice.body}
    initial["expires_at"] = notice.expires_at
    places = [("", [(initial["place"], str(notice.place))])]
    form = NoticeForm(request.POST or None, initial=initial, places=places)
    form.fields["place"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            notice = services.notice_update(
                actor=request.user,
                notice=notice,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                expires_at=form.cleaned_data["expires_at"],
            )
            if request.POST.get("publish"):
                notice = services.notice_publish(actor=request.user, notice=notice)
        except ValidationError as exc:
            for field, errors in form_errors(exc).items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Saved."))
            return redirect("insights:notice", pk=notice.pk)
    return _form_page(request, form, None, notice)


@staff_page
def notice_detail(request, pk: int):
    notice = _notice_of(request, pk)
    may_write = selectors.notices_writable_by(request.user).filter(pk=pk).exists()
    return render(
        request,
        "insights/notice.html",
        {
            "notice": notice,
            "reach": selectors.reach_of(notice) if notice.state != Notice.State.DRAFT else None,
            "may_write": may_write,
            "public_url": request.build_absolute_uri(reverse("insights:notice_public", args=[notice.token])),
        },
    )


@require_POST
@staff_page
def notice_publish(request, pk: int):
    notice = _notice_of(request, pk)
    try:
        services.notice_publish(actor=request.user, notice=notice)
        messages.success(request, _("Notice published."))
    except ValidationError as exc:
        say(request, exc)
    return redirect("insights:notice", pk=pk)


@require_POST
@staff_page
def notice_withdraw(request, pk: int):
    notice = _notice_of(request, pk)
    try:
        services.notice_withdraw(
            actor=request.user, notice=notice, reason=request.POST.get("reason", "")[:255]
        )
        messages.success(request, _("Notice withdrawn."))
    except ValidationError as exc:
        say(request, exc)
    return redirect("insights:notice", pk=pk)


@staff_page
def notice_print(request, pk: int):
    """The A4 sheet for the board: large text and a QR code to the notice's public page."""
    notice = _notice_of(request, pk)
    url = request.build_absolute_uri(reverse("insights:notice_public", args=[notice.token]))
    qr = segno.make(url, error="m").svg_inline(scale=6, border=2)
    return render(request, "insights/notice_print.html", {"notice": notice, "qr_svg": qr, "url": url})


@require_POST
@staff_page
def concern_progress(request, concern_pk: int):
    """楼内事、群内议: the concern page's button; the progress goes to the building, de-identified."""
    concern = get_object_or_404(concern_selectors.concerns_visible_to(request.user), pk=concern_pk)
    try:
        notice = services.concern_progress_publish(actor=request.user, concern=concern)
    except ValidationError as exc:
        say(request, exc)
        return redirect("concerns:detail", pk=concern_pk)
    except PermissionDenied as exc:  # works the concern, writes no notice (a grid worker)
        messages.error(request, str(exc))
        return redirect("concerns:detail", pk=concern_pk)
    messages.success(request, _("The progress is published to the building as a notice."))
    return redirect("insights:notice", pk=notice.pk)


# ---- residents -----------------------------------------------------------------------------------


@never_cache
@login_required
def my_notices(request):
    resident = _resident(request)
    return render(
        request, "insights/my_notices.html", {"notices": selectors.notices_for_resident(resident)[:100]}
    )


@never_cache
@login_required
def my_notice(request, pk: int):
    """One notice for a resident of its place; their first opening counts once."""
    resident = _resident(request)
    notice = selectors.notice_for_resident(resident, pk)
    if notice is None:
        raise Http404(_("No such notice for you."))
    services.notice_record_read(resident=resident, notice=notice)
    return render(
        request, "insights/my_notice.html", {"notice": notice, "base": "accounts/resident_base.html"}
    )


@never_cache
def notice_public(request, token: str):
    """Behind the board's QR code: the notice itself to anyone holding the link; a signed-in
    resident of the place counts as a reader."""
    notice = selectors.public_notice(token)
    if notice is None:
        raise Http404(_("This notice is no longer published."))
    user = request.user
    if getattr(user, "is_authenticated", False) and user.kind == user.Kind.RESIDENT:
        resident = account_selectors.resident_of(user)
        if selectors.notice_for_resident(resident, notice.pk) is not None:
            services.notice_record_read(resident=resident, notice=notice)
    return render(request, "insights/my_notice.html", {"notice": notice, "base": "insights/public_base.html"})
