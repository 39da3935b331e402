"""Pages of the intelligence around a concern: the intake suggestion and similar open concerns
(htmx fragments for staff and residents), confirming or correcting the category, joining, taking
a major or key concern to deliberation, and the holiday calendar editor. Thin, like views.py."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from gongzhi.concerns import assist, coordination, page_context, selectors, throttle, views
from gongzhi.concerns.services import Conflict
from gongzhi.core.middleware import client_ip
from gongzhi.core.pages import form_errors, parse_int, require_concern_reader, staff_page

# The resident page asks as the resident types: generous, but a script gets cut off.
RESIDENT_ASSISTS_PER_HOUR = 300


@staff_page
@require_POST
def staff_assist(request):
    """htmx: the suggested category and similar open concerns for what staff are typing."""
    require_concern_reader(request.user)
    text = page_context.typed_text(request.POST)
    sub = selectors.home_subdistrict_id(request.user)
    return render(
        request,
        "concerns/_assist.html",
        {
            "suggestion": assist.suggest(text, selectors.categories_for(sub)) if text else None,
            "similar": page_context.staff_similar(request.user, request.POST, text) if text else [],
            "staff": True,
        },
    )


@never_cache
@require_POST
def resident_assist(request):
    """htmx on the public report page: suggested category and reports of the same problem nearby."""
    if not throttle.hit(
        f"resident-assist:{client_ip(request)}", limit=RESIDENT_ASSISTS_PER_HOUR, window_seconds=3600
    ):
        return render(request, "concerns/_assist.html", {}, status=429)
    neighborhood = page_context.resident_neighborhood(request.POST)
    text = (request.POST.get("description") or "").strip()
    categories = selectors.categories_for(neighborhood.subdistrict_id if neighborhood else None)
    return render(
        request,
        "concerns/_assist.html",
        {
            "suggestion": assist.suggest(text, categories) if text else None,
            "similar": page_context.resident_similar(neighborhood, request.POST, text),
            "staff": False,
        },
    )


def _version(request) -> int | None:
    return parse_int(request.POST.get("version"))


@require_POST
@login_required
def recategorize(request, pk: int):
    concern = get_object_or_404(selectors.concerns_visible_to(request.user), pk=pk)
    category = selectors.category_by_id(concern.subdistrict_id, parse_int(request.POST.get("category")))
    try:
        if category is None:
            raise ValidationError({"category": _("Choose a category.")})
        coordination.recategorize(
            actor=request.user, concern=concern, category=category, expected_version=_version(request)
        )
    except (Conflict, ValidationError) as exc:
        return views.failed(request, pk, exc)
    messages.success(request, _("Category saved."))
    return redirect("concerns:detail", pk=pk)


@require_POST
@login_required
def join(request, pk: int):
    """Staff join this concern to a similar open one (the main concern)."""
    concern = get_object_or_404(selectors.concerns_visible_to(request.user), pk=pk)
    into = selectors.visible_concern(request.user, parse_int(request.POST.get("into")))
    try:
        if into is None:
            raise ValidationError({"into": _("Choose the open concern to join.")})
        coordination.join_concern(actor=request.user, concern=concern, into=into)
    except ValidationError as exc:
        return views.failed(request, pk, exc)
    messages.success(request, _("Joined to concern #%(id)s; they close together.") % {"id": into.pk})
    return redirect("concerns:detail", pk=into.pk)


@require_POST
@login_required
def deliberate(request, pk: int):
    concern = get_object_or_404(selectors.concerns_visible_to(request.user), pk=pk)
    try:
        item = coordination.to_deliberation(actor=request.user, concern=concern)
    except ValidationError as exc:
        return views.failed(request, pk, exc)
    messages.success(request, _("On the agenda of %(meeting)s.") % {"meeting": item.meeting})
    return redirect("concerns:detail", pk=pk)


# ---- holiday calendar ---------------------------------------------------------------------------


def _year(value) -> int:
    year = parse_int(value)
    return year if year and 2000 <= year <= 2100 else timezone.localdate().year


@staff_page
def calendar(request):
    """The working-day calendar: holidays and make-up working days of a year; subdistrict admins
    edit it, everyone who works with concerns reads it (their deadlines are counted on it)."""
    require_concern_reader(request.user)
    may_edit = coordination.may_edit_calendar(request.user)
    year = _year(request.GET.get("year") or request.POST.get("year"))
    errors, values, status = {}, {}, 200
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied(_("Only subdistrict admins edit the holiday calendar."))
        try:
            day = date.fromisoformat(request.POST.get("date", ""))
        except ValueError:
            day = None
        try:
            if day is None:
                raise ValidationError({"date": _("Give the date as YYYY-MM-DD.")})
            if request.POST.get("delete") == "1":
                coordination.delete_calendar_day(actor=request.user, day=day)
            else:
                coordination.set_calendar_day(
                    actor=request.user,
                    day=day,
                    working=request.POST.get("working") == "1",
                    name=request.POST.get("name", ""),
                    confirmed=True,
                )
            messages.success(request, _("Calendar saved."))
            return redirect(f"{request.path}?year={day.year}")
        except ValidationError as exc:
            errors, values, status = form_errors(exc), request.POST, 400
    days = selectors.calendar_days(year)
    return render(
        request,
        "concerns/calendar.html",
        {
            "year": year,
            "days": days,
            "unconfirmed": sum(1 for d in days if not d.confirmed),
            "years": [year - 1, year, year + 1],
            "may_edit": may_edit,
            "errors": errors,
            "values": values,
        },
        status=status,
    )
