"""The honour roll: the public page, and the workers' page that rates households and adds names."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from gongzhi.core.pages import staff_page
from gongzhi.volunteers import selectors, services
from gongzhi.volunteers.forms import HonourForm, RatingForm
from gongzhi.volunteers.views.common import errors_to, require_volunteer_reader


def honour_roll(request):
    """诚信红榜, public: households by building and room, volunteers by masked name, shops by name."""
    return render(request, "volunteers/honour_roll.html", {"entries": selectors.honour_roll()[:300]})


def _rate(user, data: dict) -> None:
    services.rate_household(
        actor=user, household=data["household"], stars=data["stars"], reason=data["reason"]
    )


def _honour(user, data: dict) -> None:
    services.add_to_honour_roll(
        actor=user,
        neighborhood=data["neighborhood"],
        period=data["period"],
        reason=data["reason"],
        volunteer=data["volunteer"],
        partner_unit=data["partner_unit"],
    )


# The page's two forms, told apart by the posted "form" field: each its form (given the caller's
# choices) and its write.
HONOUR_FORMS = {
    "rating": (
        lambda user, data: RatingForm(
            data,
            neighborhoods=selectors.neighborhoods_visible_to(user),
            households=selectors.households_visible_to(user),
        ),
        _rate,
    ),
    "honour": (
        lambda user, data: HonourForm(
            data,
            neighborhoods=selectors.neighborhoods_visible_to(user),
            volunteers=selectors.volunteers_visible_to(user),
            units=selectors.partner_units_visible_to(user),
        ),
        _honour,
    ),
}


@staff_page
def honour_manage(request):
    """Workers rate households (stars unlock benefits) and put names on the honour roll."""
    require_volunteer_reader(request.user)
    posted = request.POST if request.method == "POST" else None
    which = request.POST.get("form") if posted else ""
    forms = {
        key: make(request.user, posted if which == key else None) for key, (make, _w) in HONOUR_FORMS.items()
    }
    # Any other posted "form" falls to the honour form, unbound, as it always did.
    form = forms["rating"] if which == "rating" else forms["honour"]
    if posted and form.is_valid():
        try:
            HONOUR_FORMS[which][1](request.user, form.cleaned_data)
            messages.success(request, _("Saved."))
            return redirect("volunteers:honour_manage")
        except ValidationError as exc:
            errors_to(form, exc)
    return render(
        request,
        "volunteers/honour_manage.html",
        {
            "rating_form": forms["rating"],
            "honour_form": forms["honour"],
            "ratings": selectors.ratings_visible_to(request.user)[:200],
        },
        status=400 if posted else 200,
    )
