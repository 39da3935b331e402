"""The main menu, shaped by the person's roles: groups of links, each shown only to those who read
the data behind it (a department handler sees concerns, not households; a volunteer team chief sees
volunteers). A context processor (settings.TEMPLATES), so every staff page gets the same menu.

It links to every app (and to the grid map of the user's own area), so it sits on top with the
other project modules.
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _

from gongzhi.core.permissions import assignments_of, duty_of, may_read_class
from gongzhi.core.roles import ROLES
from gongzhi.insights.selectors import blocks_overseen_by
from gongzhi.visits.selectors import map_area
from gongzhi.volunteers.selectors import may_open_emergency


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    key: str = ""  # data-nav, for a test or a script to find the link


@dataclass(frozen=True)
class Group:
    key: str
    label: str
    links: tuple[Link, ...]


def _links(*pairs: tuple[str, str]) -> tuple[Link, ...]:
    return tuple(Link(label, reverse(name)) for label, name in pairs)


def grid_map_url(user) -> str:
    """网格 opens the map of the user's own area, not the list of plans."""
    area = map_area(user)
    if area is None:
        return reverse("grids:plans")
    kind, pk = area
    return reverse("grids:neighborhood_map" if kind == "neighborhood" else "grids:subdistrict_map", args=[pk])


def _concerns(user) -> Group | None:
    if not may_read_class(user, "concern"):
        return None
    links = _links(
        (_("Concern queue"), "concerns:queue"),
        (_("New concern"), "concerns:intake"),
        (_("Supervision list"), "concerns:supervision"),
        (_("KPIs"), "concerns:kpi"),
        (_("Hot issues"), "insights:hot_issues"),
    )
    if may_read_class(user, "household"):
        links += _links(
            (_("Record a visit"), "concerns:visit_new"),
            (_("Field work offline"), "field:home"),
            (_("Visit coverage"), "visits:coverage"),
        )
    return Group("concerns", _("Concerns"), links)


def _blocks(user) -> Group | None:
    """街区: the blocks and their joint cases, for the subdistrict's staff and the block chief; a
    department's handler finds its joint-case parts here too."""
    links = ()
    kinds = {ROLES[a.role].unit_kind for a in assignments_of(user)}
    if may_read_class(user, "place") and kinds & {"subdistrict", "block"}:
        links += _links((_("Blocks"), "org:blocks"))
        if "block" in kinds:
            for block in blocks_overseen_by(user).filter(pk__in=[a.block_id for a in assignments_of(user)]):
                links += (
                    Link(
                        _("Block dashboard"),
                        reverse("insights:block_dashboard", args=[block.pk]),
                        key="block-dashboard",
                    ),
                )
    if may_read_class(user, "concern") and kinds & {"subdistrict", "block", "department"}:
        links += (Link(_("Joint cases"), reverse("concerns:joint_parts"), key="joint-parts"),)
    return Group("blocks", _("Blocks"), links) if links else None


def _places(user) -> Group | None:
    if not may_read_class(user, "household"):
        return None
    links = (Link(_("Grid map"), grid_map_url(user)),)
    links += _links((_("Households"), "org:households"), (_("Grid plans"), "grids:plans"))
    if may_read_class(user, "resident"):
        links += _links((_("Ledgers"), "org:ledger_import"))
    return Group("places", _("Grids"), links)


def _together(user) -> list[Group]:
    groups = []
    if may_read_class(user, "deliberation"):
        groups.append(
            Group(
                "deliberation",
                _("Deliberation"),
                _links((_("Meetings"), "deliberation:meetings"), (_("Votes"), "deliberation:votes")),
            )
        )
    if may_read_class(user, "volunteer"):
        links = _links(
            (_("Volunteers"), "volunteers:list"),
            (_("Activities"), "volunteers:activities"),
            (_("Call-ups"), "volunteers:emergencies"),
            (_("Rosters"), "volunteers:rosters"),
        )
        if may_read_class(user, "wish"):
            links += _links((_("Micro-wishes"), "volunteers:wishes"))
        if may_open_emergency(user):  # those who can make call-ups rehearse them
            links += _links((_("Call-up drills"), "volunteers:drills"))
        groups.append(Group("volunteers", _("Volunteers"), links))
    elif may_read_class(user, "wish"):
        # Grid chiefs, party group chiefs and partner units post, claim and follow micro-wishes.
        groups.append(Group("volunteers", _("Volunteers"), _links((_("Micro-wishes"), "volunteers:wishes"))))
    links = ()
    if may_read_class(user, "project"):
        links += _links((_("Projects"), "projects:list"))
    if may_read_class(user, "survey"):
        links += _links((_("Surveys"), "surveys:list"))
    if may_read_class(user, "property"):
        links += _links((_("Red property"), "property:overview"))
    if may_read_class(user, "workforce"):
        links += _links((_("Workforce"), "workforce:home"))
    if links:
        groups.append(Group("programmes", _("Programmes"), links))
    return groups


def _records(user) -> Group | None:
    links = ()
    if may_read_class(user, "audit"):
        links += _links((_("Audit trail"), "core:audit"))
    if may_read_class(user, "resident"):
        links += _links((_("Data-subject requests"), "accounts:requests"))
    links += _links((_("Exports"), "core:exports"))
    # Staff who connect another system find the API's reference here, not by guessing its URL.
    links += (Link(_("API docs"), reverse("api:openapi-view"), key="api-docs"),)
    if user.is_staff:
        links += _links((_("Admin"), "admin:index"))
    return Group("records", _("Records"), links)


def menu_of(user) -> list[Group]:
    """The groups for a signed-in staff member; a duty account (auditor, security or system admin)
    keeps to its own pages, and a resident has the resident pages' own links."""
    if not getattr(user, "is_authenticated", False) or user.kind == user.Kind.RESIDENT:
        return []
    home = Group(
        "today",
        _("Today"),
        _links((_("Workbench"), "core:workbench"), (_("Messages"), "notifications:inbox")),
    )
    if may_read_class(user, "concern"):
        dashboard = Link(_("Dashboard"), reverse("insights:dashboard"), key="dashboard")
        home = Group(home.key, home.label, (*home.links, dashboard))
    if may_read_class(user, "governance"):
        loop = Link(_("Governance loop"), reverse("governance:home"), key="governance")
        home = Group(home.key, home.label, (*home.links, loop))
    if may_read_class(user, "notice"):
        notices = Link(_("Notices"), reverse("insights:notices"), key="notices")
        home = Group(home.key, home.label, (*home.links, notices))
    duty = duty_of(user)
    if duty == "auditor":
        trail = ((_("Audit trail"), "core:audit"), (_("Verify the audit chain"), "core:audit_verify"))
        return [Group("records", _("Records"), _links(*trail))]
    if duty == "security_admin":
        return [Group("records", _("Records"), _links((_("Security"), "accounts:security")))]
    if duty == "system_admin":
        return [Group("records", _("Records"), _links((_("Admin"), "admin:index")))]
    groups = [home, _concerns(user), _blocks(user), _places(user), *_together(user)]
    if assignments_of(user):
        groups.append(_records(user))
    return [g for g in groups if g is not None]


def menu(request) -> dict:
    """Context processor: the menu, computed only when a page draws it."""
    return {"menu": lambda: menu_of(request.user)}
