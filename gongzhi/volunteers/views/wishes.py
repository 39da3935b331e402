"""Micro-wish pages: posting and following, claiming (a partner unit as itself, a worker for a party
member found by search), the claimer's "done", the worker's and the resident's confirmation, the
public board."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from gongzhi.core.pages import parse_int, say, staff_page
from gongzhi.core.permissions import WRITE, can, may_read_class
from gongzhi.volunteers import selectors, services
from gongzhi.volunteers.forms import WishForm
from gongzhi.volunteers.views.common import errors_to


def _require_wish_reader(user) -> None:
    if not may_read_class(user, "wish"):
        raise PermissionDenied(_("You do not work with micro-wishes."))


@staff_page
def wish_list(request):
    _require_wish_reader(request.user)
    may_post = selectors.may_post_wishes(request.user)
    if request.method == "POST" and not may_post:
        raise PermissionDenied(_("You may not post micro-wishes."))
    form = (
        WishForm(request.POST or None, households=selectors.wish_households(request.user))
        if may_post
        else None
    )
    if form is not None and request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.post_wish(
                actor=request.user,
                neighborhood=data["neighborhood"],
                building=data["building"],
                resident=data["resident"],
                wisher_name=data["wisher_name"],
                title=data["title"],
                description=data["description"],
            )
            messages.success(request, _("Wish posted."))
            return redirect("volunteers:wishes")
        except ValidationError as exc:
            errors_to(form, exc)
        except PermissionDenied as exc:
            form.add_error("flat", str(exc))
    own_units = services.liaison_units(request.user)
    see_names = may_read_class(request.user, "resident")
    wishes = list(selectors.wishes_visible_to(request.user)[:200])
    units = list(selectors.partner_units_visible_to(request.user))
    for wish in wishes:
        wish.may_write = can(request.user, wish, WRITE)
        wish.shown_name = (
            wish.wisher_name if see_names or wish.posted_by_id == request.user.pk else wish.masked_name
        )
        wish.own_unit_claim = wish.claimed_by_unit_id in own_units
        wish.units = [u for u in units if u.subdistrict_id == wish.neighborhood.subdistrict_id]
    return render(
        request,
        "volunteers/wishes.html",
        {
            "wishes": wishes,
            "form": form,
            "may_post": may_post,
            "own_unit": next(iter(own_units), None),
        },
        status=400 if form is not None and form.errors else 200,
    )


@staff_page
def wish_members(request, pk: int):
    """htmx: the party members whose name holds what the worker typed, to claim for one of them."""
    wish = get_object_or_404(selectors.wishes_visible_to(request.user), pk=pk)
    if not can(request.user, wish, WRITE):
        raise PermissionDenied(_("You may not claim for them."))
    query = request.GET.get("q", "")
    return render(
        request,
        "volunteers/_wish_members.html",
        {"wish": wish, "members": selectors.claimer_members_matching(request.user, wish, query), "q": query},
    )


@require_POST
@staff_page
def wish_claim(request, pk: int):
    wish = get_object_or_404(selectors.wishes_visible_to(request.user), pk=pk)
    members, units = selectors.claimers_for(request.user, wish)
    member = members.filter(pk=parse_int(request.POST.get("party_member")) or 0).first()
    unit = units.filter(pk=parse_int(request.POST.get("partner_unit")) or 0).first()
    try:
        services.claim_wish(actor=request.user, wish=wish, party_member=member, partner_unit=unit)
        messages.success(request, _("Wish claimed."))
    except ValidationError as exc:
        say(request, exc)
    return redirect("volunteers:wishes")


@require_POST
@staff_page
def wish_deliver(request, pk: int):
    """The claimer (a partner unit's liaison, or a worker for the claimer) says the wish is done."""
    wish = get_object_or_404(selectors.wishes_visible_to(request.user), pk=pk)
    try:
        services.deliver_wish(actor=request.user, wish=wish)
        messages.success(request, _("Reported done; the resident is asked to confirm."))
    except ValidationError as exc:
        say(request, exc)
    return redirect("volunteers:wishes")


@require_POST
@staff_page
def wish_confirm(request, pk: int):
    wish = get_object_or_404(selectors.wishes_visible_to(request.user), pk=pk)
    try:
        services.confirm_wish(actor=request.user, wish=wish)
        messages.success(request, _("Wish fulfilled."))
    except ValidationError as exc:
        say(request, exc)
    return redirect("volunteers:wishes")


@never_cache
def wish_confirm_link(request, token: str):
    """The resident's own link: the token is the credential, so no sign-in."""
    wish = selectors.wish_by_token(token)
    if wish is None:
        raise Http404
    error = ""
    if request.method == "POST":
        try:
            wish = services.confirm_wish(actor=request.user, token=token)
        except ValidationError as exc:
            error = " ".join(exc.messages)
    return render(request, "volunteers/wish_confirm.html", {"wish": wish, "error": error})


def wish_board(request):
    """The public list: masked names and buildings only."""
    return render(request, "volunteers/wish_board.html", {"wishes": selectors.public_wishes()[:200]})
