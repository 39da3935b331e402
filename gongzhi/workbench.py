"""The workbench: a person's home page, which says what awaits them today.

Staff see their work per role, overdue first, each item a link to the list it counts (the count is
taken from the very selector that list uses, so the two never disagree): concerns to dispatch,
handle, verify; the supervision list; households due a visit; meetings, duties and votes; call-ups,
activities, rosters and micro-wishes; exports and data-subject requests to approve; unread messages.
Below, their area in figures. A resident gets the resident home instead (报事, 我的诉求, 我的表决,
活动, 微心愿, 我的数据) and the notices (公告) of the places they live in.

It aggregates apps, so it sits on top with the other project modules, not in `core`. Its URL keeps
the name `core:workbench` (gongzhi/urls.py).
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from gongzhi.accounts import selectors as account_selectors
from gongzhi.concerns import selectors as concern_selectors
from gongzhi.core import exports
from gongzhi.core.models import ExportRequest
from gongzhi.core.permissions import assignments_of, may_read_class
from gongzhi.deliberation import selectors as deliberation_selectors
from gongzhi.deliberation.models import Vote
from gongzhi.governance import selectors as governance_selectors
from gongzhi.grids import selectors as grid_selectors
from gongzhi.insights import selectors as insight_selectors
from gongzhi.notifications import selectors as notification_selectors
from gongzhi.org import selectors as org_selectors
from gongzhi.property import selectors as property_selectors
from gongzhi.visits import selectors as visit_selectors
from gongzhi.volunteers import selectors as volunteer_selectors

SHOWN = 5  # lines under each item; the count and its link cover the rest
# Roles a concern is routed to: they start and resolve, the area's staff dispatch and verify.
HANDLER_ROLES = frozenset(
    {"department_handler", "partner_liaison", "property_staff", "owners_committee_member"}
)


@dataclass
class Line:
    text: str
    url: str
    when: str = ""  # time left ("还剩 5 小时") or the date
    late: bool = False


@dataclass
class Item:
    key: str
    label: str
    count: int
    url: str
    late: int = 0
    lines: list[Line] = field(default_factory=list)


def area_counts(user) -> dict[str, int]:
    """The workbench figures (page and `/api/v1/summary`): what lies inside the user's area."""
    return org_selectors.area_counts(user) | {"micro_grids": grid_selectors.micro_grid_count(user)}


def neighborhood_table(user) -> list:
    """Neighborhoods of the area with their household and micro-grid counts."""
    rows = org_selectors.neighborhood_table(user)
    grids = grid_selectors.micro_grid_counts([n.pk for n in rows])
    for n in rows:
        n.grid_count = grids.get(n.pk, 0)
    return rows


def time_left(due: datetime, now: datetime) -> tuple[str, bool]:
    """ "还剩 5 小时" / "超期 2 天": what a worker needs to pick the next thing."""
    seconds = (due - now).total_seconds()
    hours = abs(seconds) / 3600
    amount = (
        _("%(n)d days") % {"n": round(hours / 24)}
        if hours >= 48
        else _("%(n)d hours") % {"n": max(1, round(hours))}
    )
    if seconds < 0:
        return _("overdue by %(t)s") % {"t": amount}, True
    return _("%(t)s left") % {"t": amount}, False


# ---- concerns ------------------------------------------------------------------------------------


def _concern_lines(qs, now: datetime) -> list[Line]:
    lines = []
    # Four columns, not the page's joined rows: compiling and reading those cost 20 ms an item.
    for pk, title, due, overdue in qs.select_related(None).values_list(
        "pk", "title", "resolution_due", "overdue"
    )[:SHOWN]:
        when, late = time_left(due, now)
        lines.append(Line(f"#{pk} {title}", reverse("concerns:detail", args=[pk]), when, late or overdue))
    return lines


def concern_item(user, key: str, label: str, state: str, now: datetime) -> Item:
    """Open concerns in one state, counted on the queue's own selector and filter; the late ones
    are those of the list the queue's "overdue" deadline filter keeps (the same `overdue_q`)."""
    filters = concern_selectors.QueueFilter(state=state)
    qs = concern_selectors.concern_queue(user, filters=filters)
    counts = qs.aggregate(n=Count("id"), late=Count("id", filter=concern_selectors.overdue_q(now)))
    url = reverse("concerns:queue") + "?" + urlencode(filters.params())
    lines = _concern_lines(qs, now) if counts["n"] else []
    return Item(key, label, counts["n"], url, counts["late"], lines)


def rating_item(user) -> Item:
    """Closed concerns the resident has not rated yet: staff follow up (回访) for the rating. Nothing
    is late here, so the lines give the day it was closed, not a deadline."""
    filters = concern_selectors.QueueFilter(state=concern_selectors.AWAITING_RATING)
    qs = concern_selectors.concern_queue(user, filters=filters)
    lines = [
        Line(
            f"#{pk} {title}",
            reverse("concerns:detail", args=[pk]),
            _("closed %(d)s") % {"d": f"{timezone.localtime(closed):%m-%d}"} if closed else "",
        )
        for pk, title, closed in qs.select_related(None).values_list("pk", "title", "closed_at")[:SHOWN]
    ]
    url = reverse("concerns:queue") + "?" + urlencode(filters.params())
    return Item("to_rate", _("Closed, awaiting the resident's rating"), qs.count(), url, 0, lines)


def concern_items(user, roles: set[str], now: datetime) -> list[Item]:
    if not may_read_class(user, "concern"):
        return []
    overdue = concern_selectors.overdue_concerns(user)
    count = overdue.count()
    items = [
        Item(
            "overdue",
            _("Overdue (supervision list)"),
            count,
            reverse("concerns:supervision"),
            count,
            _concern_lines(overdue, now),
        )
    ]
    if roles - HANDLER_ROLES:  # the area's own staff
        items += [
            concern_item(user, "to_dispatch", _("Concerns to dispatch"), "accepted", now),
            concern_item(user, "returned", _("Returned by the handler"), "returned", now),
            concern_item(user, "reopened", _("Reopened after a dissatisfied rating"), "reopened", now),
            concern_item(user, "to_verify", _("Concerns to verify and close"), "verifying", now),
            rating_item(user),
        ]
    items += [
        concern_item(user, "to_accept", _("Concerns to take up"), "dispatched", now),
        concern_item(user, "handling", _("Concerns being handled"), "handling", now),
        joint_item(user, now),
    ]
    return items


def joint_item(user, now: datetime) -> Item:
    """Joint-case parts to do (联合执法): a department's own parts, the area's for its staff; the
    late ones are those the list's "overdue" filter keeps (the same `joint_overdue_q`)."""
    qs = concern_selectors.part_queue(user, show="open")
    counts = qs.aggregate(n=Count("id"), late=Count("id", filter=concern_selectors.joint_overdue_q(now)))
    lines = []
    for part in qs[:SHOWN] if counts["n"] else []:
        when, late = time_left(part.case.due_at, now)
        text = f"#{part.case.concern_id} {part.case.concern.title} · {part.department.name}"
        lines.append(Line(text, reverse("concerns:joint_parts"), when, late))
    url = reverse("concerns:joint_parts")
    return Item("joint_parts", _("Joint-case parts to do"), counts["n"], url, counts["late"], lines)


# ---- visits --------------------------------------------------------------------------------------


# Who goes door to door: the neighborhood's and the grid's staff (the subdistrict oversees coverage
# on the coverage page; a whole town's list is no one's day).
VISITING_UNITS = frozenset({"neighborhood", "micro_grid"})


def visit_items(user, now: datetime) -> list[Item]:
    """Households of people living alone or in hardship due a visit under the plan's N-day rule."""
    if (
        not visit_selectors.sees_tags(user)
        or not {a.unit_kind for a in assignments_of(user)} & VISITING_UNITS
    ):
        return []
    plan = visit_selectors.plan_of(visit_selectors.home_subdistrict_id(user))
    items = []
    for tag, days in sorted(plan.tagged.items()):
        due = visit_selectors.tagged_households(user, tag=tag, days=days, now=now)
        late = sum(h.status == "overdue" for h in due)
        label = _("Due a visit: %(tag)s (every %(n)s days)") % {
            "tag": visit_selectors.tag_label(tag),
            "n": days,
        }
        lines = [
            Line(
                f"{h.building.compound.name if h.building.compound_id else ''} {h.building.number} {h.room}".strip(),
                # The visit form's household search, typed for them: exact building and room first.
                reverse("concerns:visit_new") + "?" + urlencode({"q": f"{h.building.number} {h.room}"}),
                _("last visit %(d)s") % {"d": f"{timezone.localtime(h.last_visit):%Y-%m-%d}"}
                if h.last_visit
                else _("never visited"),
                h.status == "overdue",
            )
            for h in due[:SHOWN]
        ]
        items.append(
            Item(f"visit_{tag}", label, len(due), reverse("visits:coverage") + "#tagged", late, lines)
        )
    return items


# ---- deliberation --------------------------------------------------------------------------------


def _week(today: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(today, datetime.min.time()))
    return start, start + timedelta(days=7)


def invitation_items(user) -> list[Item]:
    """Meetings the person is invited to, still ahead: for every staff role, whether or not the
    role reads the area's meetings (a grid chief, a partner unit's liaison)."""
    meetings = deliberation_selectors.upcoming_invitations(user, timezone.now())
    lines = [
        Line(
            m.title,
            reverse("deliberation:meeting", args=[m.pk]),
            f"{timezone.localtime(m.held_at):%m-%d %H:%M}",
        )
        for m in meetings[:SHOWN]
    ]
    if not lines:
        return []
    count = meetings.count()
    first = reverse("deliberation:meeting", args=[meetings[0].pk])
    return [Item("invitations", _("Meetings I am invited to"), count, first, 0, lines)]


def deliberation_items(user, today: date) -> list[Item]:
    items = []
    if not may_read_class(user, "deliberation"):
        return items
    start, end = _week(today)
    meetings = (
        deliberation_selectors.meetings_visible_to(user)
        .filter(held_at__gte=start, held_at__lt=end)
        .order_by("held_at")
    )
    lines = [
        Line(
            m.title,
            reverse("deliberation:meeting", args=[m.pk]),
            f"{timezone.localtime(m.held_at):%m-%d %H:%M}",
        )
        for m in meetings[:SHOWN]
    ]
    items.append(
        Item(
            "meetings", _("Meetings this week"), meetings.count(), reverse("deliberation:meetings"), 0, lines
        )
    )
    duties = deliberation_selectors.overdue_duties(user, today)
    lines = [
        Line(d.get_kind_display(), reverse("deliberation:meetings"), f"{d.due_on:%m-%d}", True)
        for d in duties[:SHOWN]
    ]
    count = duties.count()
    items.append(
        Item("duties", _("Meeting duties past due"), count, reverse("deliberation:meetings"), count, lines)
    )
    votes = deliberation_selectors.votes_visible_to(user)
    for key, label, status in (
        ("votes_open", _("Votes open"), Vote.Status.OPEN),
        ("votes_to_disclose", _("Votes closed: results to disclose"), Vote.Status.CLOSED),
    ):
        qs = votes.filter(status=status)
        lines = [Line(v.subject, reverse("deliberation:vote", args=[v.pk])) for v in qs[:SHOWN]]
        items.append(Item(key, label, qs.count(), reverse("deliberation:votes"), 0, lines))
    return items


# ---- volunteers ----------------------------------------------------------------------------------


def volunteer_items(user, now: datetime) -> list[Item]:
    if not may_read_class(user, "volunteer"):
        return wish_items(user)
    items = []
    callups = volunteer_selectors.emergencies_visible_to(user).filter(status="open")
    lines = [Line(e.title, reverse("volunteers:emergency", args=[e.pk])) for e in callups[:SHOWN]]
    n = callups.count()
    items.append(Item("callups", _("Call-ups open"), n, reverse("volunteers:emergencies"), n, lines))
    week = (
        volunteer_selectors.activities_visible_to(user)
        .filter(starts_at__gte=now, starts_at__lt=now + timedelta(days=7))
        .order_by("starts_at")
    )
    lines = [
        Line(
            a.title,
            reverse("volunteers:activity", args=[a.pk]),
            f"{timezone.localtime(a.starts_at):%m-%d %H:%M}",
        )
        for a in week[:SHOWN]
    ]
    items.append(
        Item(
            "activities", _("Activities this week"), week.count(), reverse("volunteers:activities"), 0, lines
        )
    )
    unmarked = volunteer_selectors.duties_markable_by(user).filter(
        attendance="scheduled", shift__starts_at__lt=now
    )
    items.append(
        Item(
            "rosters",
            _("Roster duties to mark attendance"),
            unmarked.count(),
            reverse("volunteers:rosters"),
            0,
            [],
        )
    )
    return items + wish_items(user)


def wish_items(user) -> list[Item]:
    """Micro-wishes claimed and waiting for confirmation: also for grid chiefs, party group chiefs
    and partner units, who run wishes without keeping volunteers (issue 23)."""
    if not may_read_class(user, "wish"):
        return []
    wishes = volunteer_selectors.wishes_visible_to(user).filter(status="claimed")
    lines = [Line(w.title, reverse("volunteers:wishes")) for w in wishes[:SHOWN]]
    return [
        Item("wishes", _("Micro-wishes to confirm"), wishes.count(), reverse("volunteers:wishes"), 0, lines)
    ]


# ---- approvals and messages ----------------------------------------------------------------------


def approval_items(user) -> list[Item]:
    items = []
    pending = (
        exports.requests_visible_to(user)
        .filter(status=ExportRequest.Status.PENDING)
        .exclude(requested_by=user)
    )
    lines = [
        Line(
            exports.label_of(r.kind),
            reverse("core:export", args=[r.pk]),
            f"{timezone.localtime(r.requested_at):%m-%d %H:%M}",
        )
        for r in pending[:SHOWN]
    ]
    items.append(Item("exports", _("Exports to approve"), pending.count(), reverse("core:exports"), 0, lines))
    if may_read_class(user, "resident"):
        requests = account_selectors.requests_visible_to(user, status="pending").order_by("due_on", "pk")
        today = timezone.localdate()
        lines = [
            Line(str(r), reverse("accounts:request", args=[r.pk]), f"{r.due_on:%m-%d}", r.due_on < today)
            for r in requests[:SHOWN]
        ]
        late = requests.filter(due_on__lt=today).count()
        items.append(
            Item(
                "data_requests",
                _("Data-subject requests to answer"),
                requests.count(),
                reverse("accounts:requests"),
                late,
                lines,
            )
        )
    unread = notification_selectors.unread_count(user)
    items.append(Item("messages", _("Unread messages"), unread, reverse("notifications:inbox"), 0, []))
    return items


def stairwell_items(user, roles: set[str]) -> list[Item]:
    """A stairwell chief reads their stairwell's households (not concerns): the households, and the
    building notice of concerns staff published for the building."""
    if not roles & {"stairwell_chief", "party_group_chief"}:
        return []
    households = org_selectors.households_visible_to(user)
    items = [
        Item(
            "stairwell_households",
            _("Households of my stairwell"),
            households.count(),
            reverse("org:households"),
        )
    ]
    for a in assignments_of(user):
        if a.building_id:
            notice = concern_selectors.building_notice(a.building_id)
            url = reverse("concerns:building_notice", args=[a.building_id])
            lines = [
                Line(f"{n['category']} · {n['state']}", url, f"{timezone.localtime(n['accepted_at']):%m-%d}")
                for n in notice[:SHOWN]
            ]
            items.append(
                Item(
                    f"building_{a.building_id}",
                    _("Concerns on my building's notice"),
                    len(notice),
                    url,
                    0,
                    lines,
                )
            )
    return items


COMPOUND_ROLES = frozenset({"owners_committee_member", "property_staff"})


def disclosure_items(user) -> list[Item]:
    """An owners' committee member or the property company: the works accounts (公示) of their
    compound now open for comment, the notices they are there to check (counted on the compound
    page's own filter), and residents' objections to the compound's notices of the last 30 days."""
    today = timezone.localdate()
    items = []
    for a in assignments_of(user):
        if a.role not in COMPOUND_ROLES or not a.compound_id:
            continue
        compound = property_selectors.compounds_visible_to(user).filter(pk=a.compound_id).first()
        if compound is None:
            continue
        notices = property_selectors.works_accounts_of(compound, open_on=today)
        lines = [
            Line(
                f"{d.title} · {d.project.title}",
                reverse("projects:public", args=[d.token]),
                _("%(n)d days left") % {"n": (d.closes_on - today).days},
            )
            for d in notices[:SHOWN]
        ]
        url = reverse("property:compound", args=[compound.pk]) + "?works=open#works"
        items.append(
            Item(f"works_{compound.pk}", _("Works accounts open for comment"), notices.count(), url, 0, lines)
        )
        items.append(_objection_item(compound, today))
    return items


def _objection_item(compound, today: date) -> Item:
    objections = property_selectors.objections_of(compound, since=today - timedelta(days=30))
    lines = [
        Line(
            f"{c.disclosure.title} · {c.body[:40]}",
            reverse("projects:public", args=[c.disclosure.token]) + "#comments",
            f"{timezone.localtime(c.created_at):%m-%d}",
            not c.reply,
        )
        for c in objections[:SHOWN]
    ]
    url = lines[0].url if lines else reverse("property:compound", args=[compound.pk])
    unanswered = sum(1 for c in objections if not c.reply)
    return Item(
        f"objections_{compound.pk}", _("Objections to notices"), objections.count(), url, unanswered, lines
    )


def today(user) -> list[Item]:
    """Everything awaiting the user: the supervision list, then late items, then the rest by size;
    empty items dropped."""
    now = timezone.now()
    roles = {a.role for a in assignments_of(user)}
    items = (
        concern_items(user, roles, now)
        + visit_items(user, now)
        + deliberation_items(user, timezone.localdate())
        + invitation_items(user)
        + volunteer_items(user, now)
        + stairwell_items(user, roles)
        + disclosure_items(user)
        + approval_items(user)
    )
    # The supervision list leads whenever it holds anything: it is what the next level checks.
    return sorted((i for i in items if i.count), key=lambda i: (i.key != "overdue", -i.late, -i.count))


# ---- governance loop (治理环) ---------------------------------------------------------------------

# What each mode puts first: in an emergency the call-ups, the urgent concerns, the rosters standing
# by and whom to call; under risk the risk list (overdue matters, people living alone due a visit,
# open hazards). Daily work keeps the usual order.
EMERGENCY_FIRST = ("callups", "urgent", "standby", "contacts")
RISK_FIRST = ("overdue", "visit_", "hazards")


def urgent_item(user, since: datetime, now: datetime) -> Item | None:
    """Open concerns that cannot wait: urgent ones, and those accepted since the emergency began
    (they run on hour deadlines)."""
    if not may_read_class(user, "concern"):
        return None
    qs = concern_selectors.concern_queue(user).filter(Q(tier="urgent") | Q(accepted_at__gte=since))
    counts = qs.aggregate(n=Count("id"), late=Count("id", filter=concern_selectors.overdue_q(now)))
    lines = _concern_lines(qs, now) if counts["n"] else []
    return Item(
        "urgent",
        _("Urgent concerns and those since the emergency"),
        counts["n"],
        reverse("concerns:queue"),
        counts["late"],
        lines,
    )


def hazard_item(user, now: datetime) -> Item | None:
    """Open key and urgent concerns: the hazards a risk watch follows."""
    if not may_read_class(user, "concern"):
        return None
    qs = concern_selectors.concern_queue(user).filter(tier__in=("key", "urgent"))
    counts = qs.aggregate(n=Count("id"), late=Count("id", filter=concern_selectors.overdue_q(now)))
    lines = _concern_lines(qs, now) if counts["n"] else []
    return Item(
        "hazards",
        _("Hazards: open key and urgent concerns"),
        counts["n"],
        reverse("concerns:queue"),
        counts["late"],
        lines,
    )


def standby_item(user) -> Item | None:
    if not may_read_class(user, "volunteer"):
        return None
    rosters = volunteer_selectors.standby_rosters(user)
    lines = [
        Line(
            f"{r.name} · {r.team.name} · {r.place}",
            reverse("volunteers:roster", args=[r.pk]),
            r.neighborhood.name,
        )
        for r in rosters[:SHOWN]
    ]
    return Item(
        "standby", _("Call-up rosters standing by"), len(rosters), reverse("volunteers:rosters"), 0, lines
    )


def contacts_item(user, modes) -> Item:
    """Whom to call: the secretaries and the subdistrict's admins of the places in emergency."""
    lines = []
    for person in governance_selectors.emergency_contacts(user, modes):
        lines.append(Line(person.text, person.url, person.when))
    return Item("contacts", _("Emergency contacts"), len(lines), reverse("governance:home"), 0, lines)


def mode_items(user, modes, items: list[Item], now: datetime) -> tuple[list[Item], list[Item]]:
    """(the mode's section, the rest): the items the user's most severe mode puts first."""
    if not modes or modes[0].kind == governance_selectors.Kind.DAILY:
        return [], items
    first_keys = EMERGENCY_FIRST if modes[0].kind == governance_selectors.Kind.EMERGENCY else RISK_FIRST
    extra = []
    if modes[0].kind == governance_selectors.Kind.EMERGENCY:
        extra = [
            urgent_item(user, modes[0].switch.started_at, now),
            standby_item(user),
            contacts_item(user, modes),
        ]
    else:
        extra = [hazard_item(user, now)]
    pool = [i for i in items + [e for e in extra if e is not None]]

    def rank(item: Item) -> int | None:
        for n, key in enumerate(first_keys):
            if item.key == key or (key.endswith("_") and item.key.startswith(key)):
                return n
        return None

    lead = sorted((i for i in pool if rank(i) is not None), key=lambda i: (rank(i), -i.late))
    # An empty item still shows in the emergency section (nothing standing by is news too).
    rest = [i for i in pool if rank(i) is None]
    return lead, rest


# ---- pages ---------------------------------------------------------------------------------------


@never_cache
@login_required
def workbench(request):
    """Home page: a resident's home, or a staff member's day. Their area in figures comes after the
    page (`workbench_area`, loaded by htmx): a town's counts are not what anyone waits on."""
    if request.user.kind == request.user.Kind.RESIDENT:
        return resident_home(request)
    modes = governance_selectors.modes_for_user(request.user)
    lead, items = mode_items(request.user, modes, today(request.user), timezone.now())
    return render(
        request,
        "workbench.html",
        {
            "modes": modes,
            "mode": modes[0].kind if modes else governance_selectors.Kind.DAILY,
            "lead": lead,
            "items": items,
            "roles": org_selectors.roles_of(request.user),
            "tasks": deliberation_selectors.tasks_of(request.user).order_by("due_on", "pk"),
            "today": timezone.localdate(),
        },
    )


@never_cache
@login_required
def workbench_area(request):
    """The workbench's lower part, fetched after the page: the area in figures and the households
    per neighborhood (or per micro-grid when the area is one neighborhood)."""
    if request.user.kind == request.user.Kind.RESIDENT:
        raise PermissionDenied(_("This part of the workbench is for staff."))
    neighborhoods = neighborhood_table(request.user)
    if len(neighborhoods) == 1:
        # One neighborhood: the useful picture is the workload of each of its grids.
        pairs = org_selectors.grid_household_counts(request.user, neighborhoods[0].pk)
        chart_title = _("Households per micro-grid")
    else:
        pairs = [(n.name, n.household_count) for n in neighborhoods]
        chart_title = _("Households per neighborhood")
    chart = {"labels": [p[0] for p in pairs], "values": [p[1] for p in pairs]}
    return render(
        request,
        "workbench_area.html",
        {
            "counts": area_counts(request.user),
            "neighborhoods": neighborhoods,
            "chart_data": chart | {"unit": _("households")},
            "chart_title": chart_title,
        },
    )


def resident_home(request):
    """The resident's phone home: report, the notices of their stairwell, building, compound,
    neighborhood and subdistrict, my concerns (state, reply, rating), my votes, activities and
    micro-wishes near them; their data one link away."""
    user = request.user
    resident = account_selectors.resident_of(user)
    neighborhood = resident.household.neighborhood if resident and resident.household_id else None
    tokens = request.session.get(concern_selectors.REPORTED_TOKENS, [])
    return render(
        request,
        "resident_home.html",
        {
            "resident": resident,
            "neighborhood": neighborhood,
            "notices": insight_selectors.notices_for_resident(resident)[:SHOWN],
            "concerns": concern_selectors.concerns_of_resident(user, resident, tokens),
            "votes": deliberation_selectors.votes_for_resident(user)[:20],
            "activities": volunteer_selectors.open_activities(neighborhood.pk)[:SHOWN]
            if neighborhood
            else [],
            "wishes": volunteer_selectors.public_wishes(neighborhood.pk)[:SHOWN] if neighborhood else [],
            "unread": notification_selectors.unread_count(user),
        },
    )
