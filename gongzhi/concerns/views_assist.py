"""Pages of the intelligence around a concern: the intake suggestion and similar open concerns
(htmx fragments for staff and residents), confirming or correcting the category, joining, taking
a major or key concern to deliberation, and the holiday calendar editor. Thin, like views.py."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from gongzhi.concerns import assist, coordination, selectors, throttle
from gongzhi.concerns.models import CalendarDay
from gongzhi.concerns.services import Conflict
from gongzhi.core import permissions
from gongzhi.core.errors import NotInScope
from gongzhi.core.middleware import client_ip
from gongzhi.org import selectors as org_selectors

# The resident page asks as the resident types: generous, but a script gets cut off.
RESIDENT_ASSISTS_PER_HOUR = 300


def _text(post) -> str:
    return f"{post.get('title', '')}\n{post.get('description', '')}".strip()


def _int(value) -> int | None:
    return int(value) if str(value or "").isdigit() else None


def _float(value) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def already_taken(principal: str, key: str) -> bool:
    """A retry of a form already sent: it gets the first concern back, not the offer to join."""
    from gongzhi.concerns.models import Concern, intake_key

    stored = intake_key(principal, key)
    return bool(stored) and Concern.objects.filter(idempotency_key=stored).exists()


def staff_place(user, post) -> tuple[int | None, int | None, int | None]:
    """(subdistrict, neighborhood, building) ids of the place chosen on the staff form, in scope."""
    household_id = _int(post.get("household"))
    if household_id:
        household = (
            org_selectors.households_visible_to(user)
            .select_related("building__neighborhood")
            .filter(pk=household_id)
            .first()
        )
        if household is not None:
            b = household.building
            return b.neighborhood.subdistrict_id, b.neighborhood_id, b.pk
    neighborhood_id = _int(post.get("neighborhood"))
    if neighborhood_id:
        n = org_selectors.neighborhoods_visible_to(user).filter(pk=neighborhood_id).first()
        if n is not None:
            return n.subdistrict_id, n.pk, None
    return selectors.home_subdistrict_id(user), None, None


def staff_similar(user, post, text: str) -> list[assist.Similar]:
    subdistrict_id, neighborhood_id, building_id = staff_place(user, post)
    if subdistrict_id is None:
        return []
    candidates = assist.open_candidates(
        selectors.concerns_visible_to(user), subdistrict_id=subdistrict_id, neighborhood_id=neighborhood_id
    )
    return assist.similar_open(text, candidates, building_id=building_id)


@never_cache
@login_required
@require_POST
def staff_assist(request):
    """htmx: the suggested category and similar open concerns for what staff are typing."""
    if not permissions.may_read_class(request.user, "concern"):
        raise PermissionDenied
    text = _text(request.POST)
    sub = selectors.home_subdistrict_id(request.user)
    return render(
        request,
        "concerns/_assist.html",
        {
            "suggestion": assist.suggest(text, selectors.categories_for(sub)) if text else None,
            "similar": staff_similar(request.user, request.POST, text) if text else [],
            "staff": True,
        },
    )


def resident_similar(neighborhood, post, text: str) -> list[assist.Similar]:
    """Clear matches in the resident's own neighborhood (public: shown without personal data)."""
    if neighborhood is None or not text:
        return []
    candidates = assist.open_candidates(
        selectors.public_concerns(),
        subdistrict_id=neighborhood.subdistrict_id,
        neighborhood_id=neighborhood.pk,
        same_neighborhood=True,
    )
    return assist.similar_open(
        text,
        candidates,
        lat=_float(post.get("lat")),
        lng=_float(post.get("lng")),
        min_score=assist.RESIDENT_MIN_SCORE,
    )


def resident_neighborhood(post):
    return selectors.neighborhood_by_code(post.get("n", "")) or selectors.neighborhood_by_id(
        post.get("neighborhood", "")
    )


@never_cache
@require_POST
def resident_assist(request):
    """htmx on the public report page: suggested category and reports of the same problem nearby."""
    if not throttle.hit(
        f"resident-assist:{client_ip(request)}", limit=RESIDENT_ASSISTS_PER_HOUR, window_seconds=3600
    ):
        return render(request, "concerns/_assist.html", {}, status=429)
    neighborhood = resident_neighborhood(request.POST)
    text = (request.POST.get("description") or "").strip()
    categories = selectors.categories_for(neighborhood.subdistrict_id if neighborhood else None)
    return render(
        request,
        "concerns/_assist.html",
        {
            "suggestion": assist.suggest(text, categories) if text else None,
            "similar": resident_similar(neighborhood, request.POST, text),
            "staff": False,
        },
    )


def _version(request) -> int | None:
    return _int(request.POST.get("version"))


def _fail(request, pk: int, exc: Exception):
    from gongzhi.concerns import views

    if isinstance(exc, Conflict):
        return views.detail(request, pk, error=str(exc), status=409)
    errors = views._errors(exc)
    return views.detail(request, pk, error=" ".join(m for ms in errors.values() for m in ms), status=400)


@require_POST
@login_required
def recategorize(request, pk: int):
    concern = get_object_or_404(selectors.concerns_visible_to(request.user), pk=pk)
    category = (
        selectors.categories_for(concern.subdistrict_id).filter(pk=_int(request.POST.get("category"))).first()
    )
    try:
        if category is None:
            raise ValidationError({"category": _("Choose a category.")})
        coordination.recategorize(
            actor=request.user, concern=concern, category=category, expected_version=_version(request)
        )
    except NotInScope:
        raise Http404 from None
    except (Conflict, ValidationError) as exc:
        return _fail(request, pk, exc)
    messages.success(request, _("Category saved."))
    return redirect("concerns:detail", pk=pk)


@require_POST
@login_required
def join(request, pk: int):
    """Staff join this concern to a similar open one (the main concern)."""
    visible = selectors.concerns_visible_to(request.user)
    concern = get_object_or_404(visible, pk=pk)
    into = visible.filter(pk=_int(request.POST.get("into"))).first()
    try:
        if into is None:
            raise ValidationError({"into": _("Choose the open concern to join.")})
        coordination.join_concern(actor=request.user, concern=concern, into=into)
    except NotInScope:
        raise Http404 from None
    except ValidationError as exc:
        return _fail(request, pk, exc)
    messages.success(request, _("Joined to concern #%(id)s; they close together.") % {"id": into.pk})
    return redirect("concerns:detail", pk=into.pk)


@require_POST
@login_required
def deliberate(request, pk: int):
    concern = get_object_or_404(selectors.concerns_visible_to(request.user), pk=pk)
    try:
        item = coordination.to_deliberation(actor=request.user, concern=concern)
    except NotInScope:
        raise Http404 from None
    except ValidationError as exc:
        return _fail(request, pk, exc)
    messages.success(request, _("On the agenda of %(meeting)s.") % {"meeting": item.meeting})
    return redirect("concerns:detail", pk=pk)


# ---- holiday calendar ---------------------------------------------------------------------------


def _year(value) -> int:
    year = _int(value)
    return year if year and 2000 <= year <= 2100 else timezone.localdate().year


@never_cache
@login_required
def calendar(request):
    """The working-day calendar: holidays and make-up working days of a year; subdistrict admins
    edit it, everyone who works with concerns reads it (their deadlines are counted on it)."""
    if not permissions.may_read_class(request.user, "concern"):
        raise PermissionDenied(_("You do not work with concerns."))
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
            from gongzhi.concerns import views

            errors, values, status = views._errors(exc), request.POST, 400
    days = CalendarDay.objects.filter(date__year=year).order_by("date")
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


def detail_context(user, concern, parties: set[str]) -> dict:
    """What the concern page shows of the suggestion, joined reports, reply check, deliberation."""
    from gongzhi.concerns import lifecycle
    from gongzhi.concerns.models import Tier

    area = lifecycle.AREA in parties
    similar = []
    if area and concern.is_open and concern.joined_to_id is None and not concern.supporters:
        candidates = assist.open_candidates(
            selectors.concerns_visible_to(user),
            subdistrict_id=concern.subdistrict_id,
            neighborhood_id=concern.neighborhood_id,
            now=concern.accepted_at,
        )
        similar = assist.similar_open(
            f"{concern.title}\n{concern.description}",
            candidates,
            building_id=concern.building_id,
            lat=concern.lat,
            lng=concern.lng,
            now=concern.accepted_at,
            exclude_id=concern.pk,
        )
    review = assist.review_reply(concern) if concern.state in ("verifying", "closed") else None
    items = list(coordination.agenda_items_of(user, concern))
    return {
        "suggested": concern.suggested_category,
        "corrected": concern.suggested_category_id is not None
        and concern.suggested_category_id != concern.category_id,
        "categories": selectors.categories_for(concern.subdistrict_id) if area else [],
        "similar": similar,
        "joined": selectors.concerns_visible_to(user).filter(joined_to=concern) if concern.supporters else [],
        "main": selectors.concerns_visible_to(user).filter(pk=concern.joined_to_id).first()
        if concern.joined_to_id
        else None,
        "review": review,
        "review_flags": [coordination.FLAG_TEXT.get(f, f) for f in review.flags] if review else [],
        "agenda_items": items,
        "may_deliberate": area
        and not any(i.meeting_id for i in items)  # none yet, or only one waiting (待议事项)
        and concern.tier in (Tier.MAJOR, Tier.KEY)
        and permissions.may_read_class(user, "deliberation"),
    }
