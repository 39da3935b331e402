"""Pages for places, households and residents. Thin: parse, call a selector or service, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from gongzhi.core import minors, permissions
from gongzhi.core.errors import NotInScope
from gongzhi.org import selectors, services


@login_required
def neighborhood_detail(request, pk: int):
    neighborhood = get_object_or_404(selectors.neighborhoods_visible_to(request.user), pk=pk)
    compounds = list(selectors.compounds_of(request.user, neighborhood))
    return render(
        request,
        "org/neighborhood.html",
        {
            "neighborhood": neighborhood,
            "compounds": compounds,
            "grids": selectors.micro_grids_of(request.user, neighborhood),
            "service_points": selectors.service_points_visible_to(request.user).filter(
                neighborhood=neighborhood
            ),
            "party_orgs": selectors.party_orgs_visible_to(request.user).filter(neighborhood=neighborhood),
            "map_data": selectors.compound_points(compounds),
            "chart_data": {
                "labels": [c.name for c in compounds],
                "values": [c.household_count for c in compounds],
                "unit": _("households"),
            },
        },
    )


@never_cache
@login_required
def household_list(request):
    query = request.GET.get("q", "").strip()
    households = selectors.search_households(request.user, query)
    page = Paginator(households, 30).get_page(request.GET.get("page"))
    return render(request, "org/households.html", {"page": page, "q": query})


@never_cache
@login_required
def household_detail(request, pk: int):
    household = get_object_or_404(selectors.households_visible_to(request.user), pk=pk)
    residents = selectors.residents_visible_to(request.user).filter(household=household)
    tags = selectors.tags_by_resident(request.user, residents)
    residents = minors.present(request.user, residents.select_related("household__neighborhood"))
    return render(
        request,
        "org/household.html",
        {
            "household": household,
            "residents": [(r, tags.get(r.pk, [])) for r in residents],
            "may_see_residents": permissions.may_read_class(request.user, "resident"),
            "may_unmask": permissions.has_capability(request.user, "unmask"),
        },
    )


@never_cache
@require_POST
@login_required
def resident_unmask(request, pk: int):
    """Full ID number and phone for one resident, with a stated reason; answered as an htmx fragment."""
    resident = get_object_or_404(selectors.residents_visible_to(request.user), pk=pk)
    try:
        numbers = services.unmask_resident(
            actor=request.user, resident=resident, reason=request.POST.get("reason", "")
        )
    except ValidationError as exc:
        return render(request, "org/_unmask.html", {"resident": resident, "errors": exc.messages}, status=400)
    except NotInScope:
        raise  # outside the area (a PermissionDenied too): the middleware answers 404
    except PermissionDenied:
        return render(
            request,
            "org/_unmask.html",
            {"resident": resident, "errors": [_("You may not see full numbers.")]},
            status=403,
        )
    return render(request, "org/_unmask.html", {"resident": resident, "numbers": numbers})


@never_cache
@login_required
def resident_lookup(request):
    """Find a resident by exact ID number or phone. POST only, so numbers never sit in URLs or logs."""
    results = None
    if request.method == "POST":
        results = minors.present(
            request.user,
            selectors.find_residents_by_number(request.user, request.POST.get("number", ""))[:20],
        )
        if not results:
            messages.info(request, _("No resident in your area has this number."))
    return render(request, "org/lookup.html", {"results": results})
