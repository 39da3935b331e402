"""Joint-case pages (联合执法): open one from a concern, and each department's list of its parts,
where it finishes them. Thin: parse, call concerns.joint or a selector, render."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.concerns import deadlines, joint, page_context, selectors, services
from gongzhi.core.pages import form_errors, parse_int, require_concern_reader, staff_page
from gongzhi.org import selectors as org_selectors


def _form(request, concern, *, errors=None, status=200):
    block = concern.neighborhood.block if concern.neighborhood_id else None
    return render(
        request,
        "concerns/joint_new.html",
        {
            "concern": concern,
            "the_block": block,
            "departments": org_selectors.block_departments(block) if block else [],
            "default_days": deadlines.limits_for(concern.category, concern.tier)[1],
            "posted": request.POST,
            "chosen": {parse_int(v) for v in request.POST.getlist("department")},
            "errors": errors or {},
        },
        status=status,
    )


@staff_page
def joint_new(request, pk: int):
    """The joint-case form: a part (what to do) for each chosen department of the block's team."""
    concern = get_object_or_404(selectors.concerns_visible_to(request.user), pk=pk)
    parties = services.parties_of(request.user, concern)
    if not page_context.joint_context(request.user, concern, parties)["may_open_joint"]:
        if selectors.joint_case_of(request.user, concern) is not None:
            return redirect("concerns:detail", pk=pk)
        return _form(
            request,
            concern,
            errors={"general": [_("No joint case can be opened for this concern.")]},
            status=403,
        )
    if request.method != "POST":
        return _form(request, concern)
    chosen = request.POST.getlist("department")
    tasks = [request.POST.get(f"task_{d}", "") for d in chosen]
    try:
        joint.open_joint_case(
            actor=request.user,
            concern=concern,
            parts=joint.part_requests(chosen, tasks),
            working_days=request.POST.get("working_days", ""),
        )
    except ValidationError as exc:
        return _form(request, concern, errors=form_errors(exc), status=400)
    messages.success(request, _("The joint case went to the block's joint team."))
    return redirect("concerns:detail", pk=pk)


@staff_page
def joint_parts(request):
    """Joint-case parts of the user's area: a department sees its own parts, to do first."""
    require_concern_reader(request.user)
    show = request.GET.get("show", "open")
    show = show if show in selectors.PART_FILTERS else "open"
    block = parse_int(request.GET.get("block"), low=1)
    parts = selectors.part_queue(request.user, show=show, block=block)
    page = Paginator(parts, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "concerns/joint_parts.html",
        {
            "page": page,
            "show": show,
            "block_id": block,
            "shows": [("open", _("to do")), ("overdue", _("overdue")), ("done", _("done"))],
            "mine": joint.departments_of(request.user),
            # A department reads its part, not the whole concern: link only what the user may open.
            "readable": set(
                selectors.concerns_visible_to(request.user)
                .filter(pk__in=[p.case.concern_id for p in page])
                .values_list("pk", flat=True)
            ),
            "now": timezone.now(),
        },
    )


@require_POST
@staff_page
def joint_part_done(request, pk: int):
    part = get_object_or_404(selectors.joint_parts_visible_to(request.user), pk=pk)
    try:
        joint.finish_part(actor=request.user, part=part, reply=request.POST.get("reply", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(m for ms in form_errors(exc).values() for m in ms))
    else:
        messages.success(request, _("Your department's part is done."))
    return redirect("concerns:joint_parts")
