"""Block (街区) pages: the subdistrict's blocks, and one block with its neighborhoods, its chief
(街长) and its joint team (联合执法队伍). The subdistrict's staff change them; a block chief and
the neighborhoods' staff read them. Thin: parse, call one service in org.services, render."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.core import permissions
from gongzhi.core.pages import parse_int, require_reader, say, staff_page
from gongzhi.org import selectors, services
from gongzhi.org.models import Block


def _writable_subdistricts(user):
    return [
        s
        for s in selectors.subdistricts_visible_to(user)
        if permissions.can_create(user, Block, {"subdistrict": s.pk})
    ]


@staff_page
def block_list(request):
    require_reader(request.user, "place", _("You do not work with places."))
    writable = _writable_subdistricts(request.user)
    if request.method == "POST":
        if not writable:
            raise PermissionDenied(_("You may not create blocks here."))
        subdistrict = next((s for s in writable if s.pk == parse_int(request.POST.get("subdistrict"))), None)
        if subdistrict is None:
            messages.error(request, _("Choose a subdistrict you may create blocks in."))
        else:
            try:
                block = services.create_block(
                    actor=request.user, subdistrict=subdistrict, name=request.POST.get("name", "")
                )
            except ValidationError as exc:
                say(request, exc)
            else:
                return redirect("org:block", pk=block.pk)
    blocks = selectors.blocks_visible_to(request.user)
    return render(request, "org/blocks.html", {"blocks": blocks, "writable": writable})


def _block(request, pk: int) -> Block:
    return get_object_or_404(selectors.blocks_visible_to(request.user), pk=pk)


@staff_page
def block_detail(request, pk: int):
    block = _block(request, pk)
    may_change = permissions.can(request.user, block, permissions.WRITE)
    team = list(selectors.block_team(request.user, block))
    context = {
        "the_block": block,
        "may_change": may_change,
        "neighborhoods": selectors.block_neighborhoods(request.user, block),
        "team": team,
        "team_departments": sorted({m.department.name for m in team}),
    }
    if may_change:
        departments = selectors.departments_of_subdistrict(request.user, block.subdistrict_id)
        context |= {
            "all_neighborhoods": selectors.neighborhoods_visible_to(request.user).filter(
                subdistrict=block.subdistrict
            ),
            "handlers": selectors.department_handlers([d.pk for d in departments]),
            "staff": selectors.subdistrict_staff(block.subdistrict_id),
        }
    return render(request, "org/block.html", context)


@require_POST
@staff_page
def block_neighborhoods(request, pk: int):
    block = _block(request, pk)
    ids = [i for i in (parse_int(v, low=1) for v in request.POST.getlist("neighborhood")) if i]
    try:
        services.set_block_neighborhoods(actor=request.user, block=block, neighborhood_ids=ids)
    except ValidationError as exc:
        say(request, exc)
    else:
        messages.success(request, _("The block's neighborhoods are saved."))
    return redirect("org:block", pk=pk)


@require_POST
@staff_page
def block_chief(request, pk: int):
    block = _block(request, pk)
    staff_ids = set(selectors.subdistrict_staff(block.subdistrict_id).values_list("user_id", flat=True))
    user_id = parse_int(request.POST.get("user"), low=1)
    user = get_user_model().objects.filter(pk=user_id).first() if user_id in staff_ids else None
    try:
        services.name_block_chief(actor=request.user, block=block, user=user)
    except ValidationError as exc:
        say(request, exc)
    else:
        messages.success(request, _("The block chief is named."))
    return redirect("org:block", pk=pk)


@require_POST
@staff_page
def block_team_add(request, pk: int):
    """One handler of a department joins the team: the form's choice is "assignment id"."""
    block = _block(request, pk)
    assignment = (
        selectors.department_handlers(
            list(
                selectors.departments_of_subdistrict(request.user, block.subdistrict_id).values_list(
                    "pk", flat=True
                )
            )
        )
        .filter(pk=parse_int(request.POST.get("handler"), low=1))
        .first()
    )
    try:
        if assignment is None:
            raise ValidationError({"handler": _("Choose a handler of one of the subdistrict's departments.")})
        services.add_team_member(
            actor=request.user, block=block, department=assignment.department, user=assignment.user
        )
    except ValidationError as exc:
        say(request, exc)
    else:
        messages.success(request, _("%(user)s joined the joint team.") % {"user": assignment.user})
    return redirect("org:block", pk=pk)


@require_POST
@staff_page
def block_team_remove(request, pk: int, member: int):
    block = _block(request, pk)
    found = get_object_or_404(selectors.block_team(request.user, block), pk=member)
    services.remove_team_member(actor=request.user, member=found)
    messages.success(request, _("The member left the joint team."))
    return redirect("org:block", pk=pk)


urlpatterns = [
    path("blocks/", block_list, name="blocks"),
    path("blocks/<int:pk>/", block_detail, name="block"),
    path("blocks/<int:pk>/neighborhoods/", block_neighborhoods, name="block_neighborhoods"),
    path("blocks/<int:pk>/chief/", block_chief, name="block_chief"),
    path("blocks/<int:pk>/team/", block_team_add, name="block_team_add"),
    path("blocks/<int:pk>/team/<int:member>/remove/", block_team_remove, name="block_team_remove"),
]
