"""Micro-wish pages: posting and claiming, the worker's and the resident's confirmation, the public board."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from gongzhi.core.pages import parse_int, say, staff_page
from gongzhi.volunteers import selectors, services
from gongzhi.volunteers.forms import WishForm


@staff_page
def wish_list(request):
    form = WishForm(request.POST or None, neighborhoods=selectors.neighborhoods_visible_to(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            services.post_wish(actor=request.user, **form.cleaned_data)
            messages.success(request, _("Wish posted."))
            return redirect("volunteers:wishes")
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
        except PermissionDenied as exc:
            # A neighborhood the worker sees but may not post in: said on the form, not a 403 page.
            form.add_error(None, str(exc))
    wishes = list(selectors.wishes_visible_to(request.user)[:200])
    for wish in wishes:
        wish.members, wish.units = (
            selectors.claimers_for(request.user, wish) if wish.status == "open" else ([], [])
        )
    return render(request, "volunteers/wishes.html", {"wishes": wishes, "form": form})


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
