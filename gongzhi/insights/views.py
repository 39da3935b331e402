"""Pages of insights: hot issues per area and one hot issue with its members (the dashboards,
the large screen and the monthly report are in views_dashboard.py)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.core import pii
from gongzhi.core.pages import require_concern_reader, say, staff_page
from gongzhi.insights import selectors, services


def area_of(request) -> tuple[selectors.Area, list[selectors.Area]]:
    """The area named by ?area=s<id>|n<id> among the caller's; the first of them by default."""
    areas = selectors.areas_of(request.user)
    if not areas:
        raise Http404(_("No area to show."))
    wanted = request.GET.get("area") or request.POST.get("area") or areas[0].key
    for area in areas:
        if area.key == wanted:
            return area, areas
    raise Http404(_("No such area in your scope."))


def _url(name: str, area: selectors.Area) -> str:
    return f"{reverse(name)}?area={area.key}"


@staff_page
def hot_issues(request):
    require_concern_reader(request.user)
    area, areas = area_of(request)
    issues = list(
        selectors.hot_issues_of_area(
            request.user,
            subdistrict_id=area.subdistrict.pk,
            neighborhood_id=area.neighborhood.pk if area.neighborhood else None,
        )
    )
    current = [i for i in issues if i.current]
    for issue in issues:
        issue.project_url = _project_url(issue.project_id)
    return render(
        request,
        "insights/hot_issues.html",
        {
            "area": area,
            "areas": areas,
            "issues": issues,
            "heat_chart": {
                "labels": [f"{i.rank}. {i.title[:18]}" for i in current],
                "values": [i.heat for i in current],
                "unit": _("heat"),
            },
            "computed_at": max((i.computed_at for i in issues), default=None),
            "may_refresh": services.may_refresh(request.user, area.subdistrict),
            "map_data": _map_data(current),
        },
    )


@staff_page
def hot_issue(request, pk: int):
    require_concern_reader(request.user)
    issue = selectors.hot_issue(request.user, pk)
    if issue is None:
        raise Http404(_("No such hot issue in your scope."))
    members = list(selectors.members_of(request.user, issue)[:200])
    rows = [
        {
            "pk": c.pk,
            "title": c.title,
            "accepted_at": c.accepted_at,
            "neighborhood": c.neighborhood,
            "category": c.category,
            "state": c.get_state_display(),
            # Hot issues are read by many; who reported stays masked here.
            "reporter": pii.mask_name(c.reporter_name) or "—",
            "place": c.place,
        }
        for c in members
    ]
    area_key = f"n{issue.neighborhood_id}" if issue.neighborhood_id else f"s{issue.subdistrict_id}"
    return render(
        request,
        "insights/hot_issue.html",
        {
            "issue": issue,
            "members": rows,
            "hidden": issue.concerns_count - len(rows),
            "project": issue.project,
            "project_url": _project_url(issue.project_id),
            "may_make_project": _projects_ready() and services.may_make_project(request.user, issue),
            "back": f"{reverse('insights:hot_issues')}?area={area_key}",
        },
    )


@require_POST
@staff_page
def refresh(request):
    require_concern_reader(request.user)
    area, _areas = area_of(request)
    result = services.refresh_hot_issues(area.subdistrict, actor=request.user)
    messages.success(
        request,
        _(
            "Hot issues recomputed from %(concerns)s concerns: %(created)s new, %(updated)s updated, %(removed)s removed."
        )
        % {
            "concerns": result.concerns,
            "created": result.created,
            "updated": result.updated,
            "removed": result.removed,
        },
    )
    return redirect(_url("insights:hot_issues", area))


@require_POST
@staff_page
def make_project(request, pk: int):
    require_concern_reader(request.user)
    issue = selectors.hot_issue(request.user, pk)
    if issue is None:
        raise Http404(_("No such hot issue in your scope."))
    if not _projects_ready():
        raise Http404(_("Practical-matter projects are not available yet."))
    try:
        project = services.turn_into_project(request.user, issue)
    except ValidationError as exc:
        say(request, exc)
        return redirect("insights:hot_issue", pk=issue.pk)
    return redirect("projects:detail", pk=project.pk)


def _map_data(issues) -> dict | None:
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [i.lng, i.lat]},
            "properties": {
                "name": i.title,
                "households": i.concerns_count * 40,
                "tooltip": f"{i.rank}. {i.title}（{i.place or '—'}，{i.concerns_count}）",
            },
        }
        for i in issues
        if i.lat is not None and i.lng is not None
    ]
    return {"type": "FeatureCollection", "features": features} if features else None


def _project_url(pk: int | None) -> str:
    if not pk:
        return ""
    try:
        return reverse("projects:detail", kwargs={"pk": pk})
    except NoReverseMatch:  # the projects pages are not wired yet
        return ""


def _projects_ready() -> bool:
    """Whether the practical-matter projects feature is installed (its service and page exist)."""
    try:
        from gongzhi.projects import services as projects

        reverse("projects:detail", kwargs={"pk": 1})
    except Exception:  # noqa: BLE001 — missing module, function or url all mean "not yet"
        return False
    return hasattr(projects, "draft_from_hot_issue")
