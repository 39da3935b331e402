"""Every read of insights, already filtered to the caller (hot issues are "concern" data; notices
are "notice" data for staff, and a resident reads the live notices of the places they live in)."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from gongzhi.concerns import selectors as concern_selectors
from gongzhi.concerns.models import Concern
from gongzhi.core import permissions
from gongzhi.core.permissions import scoped
from gongzhi.core.roles import ROLES
from gongzhi.insights.models import HotIssue, Notice, NoticeRead
from gongzhi.org.models import (
    Block,
    Building,
    Compound,
    Household,
    Neighborhood,
    Resident,
    Stairwell,
    Subdistrict,
)


def hot_issues_visible_to(user) -> QuerySet[HotIssue]:
    return scoped(user, HotIssue.objects.select_related("subdistrict", "neighborhood"))


def hot_issues_of_area(user, *, subdistrict_id: int, neighborhood_id: int | None) -> QuerySet[HotIssue]:
    """One area's list: subdistrict-wide when `neighborhood_id` is None. Current first, by rank."""
    return hot_issues_visible_to(user).filter(subdistrict_id=subdistrict_id, neighborhood_id=neighborhood_id)


def hot_issue(user, pk: int) -> HotIssue | None:
    return hot_issues_visible_to(user).filter(pk=pk).first()


def members_of(user, issue: HotIssue) -> QuerySet[Concern]:
    """The issue's concerns the caller may read (a member outside their area is counted, not shown)."""
    return scoped(
        user, issue.members.select_related("neighborhood", "category").order_by("-accepted_at", "-id")
    )


@dataclass(frozen=True)
class Area:
    subdistrict: Subdistrict
    neighborhood: Neighborhood | None

    @property
    def key(self) -> str:
        return f"n{self.neighborhood.pk}" if self.neighborhood else f"s{self.subdistrict.pk}"

    @property
    def label(self) -> str:
        return str(self.neighborhood or self.subdistrict)


def areas_of(user) -> list[Area]:
    """The areas whose hot-issue list the caller may open: their subdistricts (with every
    neighborhood in them) and their neighborhoods."""
    if not permissions.may_read_class(user, "concern"):
        return []
    subdistrict_ids, neighborhood_ids = set(), set()
    for a in permissions.assignments_of(user):
        role = ROLES[a.role]
        if "concern" not in role.read:
            continue
        if role.unit_kind == "subdistrict":
            subdistrict_ids.add(a.unit_id)
        elif role.unit_kind == "neighborhood":
            neighborhood_ids.add(a.unit_id)
    areas = []
    for sub in Subdistrict.objects.filter(pk__in=subdistrict_ids).order_by("pk"):
        areas.append(Area(sub, None))
        areas += [Area(sub, nb) for nb in Neighborhood.objects.filter(subdistrict=sub).order_by("pk")]
    for nb in Neighborhood.objects.filter(
        pk__in=neighborhood_ids - {a.neighborhood.pk for a in areas if a.neighborhood}
    ):
        areas.append(Area(nb.subdistrict, nb))
    return areas


def monthly_by_category(user, area: Area, *, months: int = 12) -> dict:
    """Concerns accepted per month and category in the area (the dashboard's stacked chart)."""
    today = timezone.localdate()
    index = today.year * 12 + today.month - 1 - (months - 1)
    first = date(index // 12, index % 12 + 1, 1)
    # From the month's first local midnight as an instant, not `__date__gte`: a range on the column
    # can use its index.
    since, _end = concern_selectors.month_bounds(first)
    concerns = scoped(user, Concern.objects.filter(subdistrict=area.subdistrict, accepted_at__gte=since))
    if area.neighborhood is not None:
        concerns = concerns.filter(neighborhood=area.neighborhood)
    rows = (
        concerns.annotate(month=TruncMonth("accepted_at"))
        .values("month", "category__name")
        .annotate(n=Count("id"))
        .order_by("month")
    )
    labels = []
    month = first
    while month <= today:
        labels.append(month.strftime("%Y-%m"))
        month = (month + timedelta(days=32)).replace(day=1)
    series: dict[str, list[int]] = {}
    for row in rows:
        key = _month_key(row["month"])
        if key not in labels:
            continue
        series.setdefault(row["category__name"], [0] * len(labels))[labels.index(key)] += row["n"]
    ranked = sorted(series.items(), key=lambda item: -sum(item[1]))
    return {"labels": labels, "series": [{"name": name, "values": values} for name, values in ranked]}


def _month_key(value) -> str:
    if isinstance(value, date):
        value = timezone.localtime(value) if hasattr(value, "hour") and timezone.is_aware(value) else value
        return value.strftime("%Y-%m")
    return str(value)[:7]


def latest_open_data() -> list:
    """The newest open-data release of every subdistrict that published one (the public page)."""
    from gongzhi.insights.models import OpenDataRelease

    latest = []
    for sub in Subdistrict.objects.filter(open_data__isnull=False).distinct().order_by("name"):
        latest.append(OpenDataRelease.objects.filter(subdistrict=sub).select_related("subdistrict").first())
    return latest


def open_data_release(code: str):
    from gongzhi.insights.models import OpenDataRelease

    return OpenDataRelease.objects.filter(subdistrict__code=code).select_related("subdistrict").first()


# ---- notices (公告) --------------------------------------------------------------------------------


def notices_visible_to(user) -> QuerySet[Notice]:
    """The notices of the staff member's area (every state), newest first."""
    return scoped(user, Notice.objects.select_related(*_NOTICE_PLACES, "author"))


def notices_writable_by(user) -> QuerySet[Notice]:
    return scoped(user, Notice.objects.all(), permissions.WRITE)


def notice_list(user, *, state: str = "", level: str = "", text: str = "") -> QuerySet[Notice]:
    """The staff list with its filters (state, level addressed, words of the title or text)."""
    qs = notices_visible_to(user)
    if state in Notice.State.values:
        qs = qs.filter(state=state)
    if level in Notice.Level.values:
        qs = qs.filter(level=level)
    if text:
        qs = qs.filter(Q(title__icontains=text) | Q(body__icontains=text))
    return qs


_NOTICE_PLACES = (
    "subdistrict",
    "neighborhood",
    "compound",
    "building__compound",
    "stairwell__building__compound",
)


def live_q(now=None) -> Q:
    """Published and not yet expired."""
    now = now or timezone.now()
    return Q(state=Notice.State.PUBLISHED) & (Q(expires_at__isnull=True) | Q(expires_at__gt=now))


def addressed_to_household_q(household: Household) -> Q:
    """The notices of every place the household lies in: its stairwell, building, compound,
    neighborhood and subdistrict."""
    q = Q(level="subdistrict", subdistrict_id=household.neighborhood.subdistrict_id)
    q |= Q(level="neighborhood", neighborhood_id=household.neighborhood_id)
    q |= Q(level="compound", compound_id=household.building.compound_id)
    q |= Q(level="building", building_id=household.building_id)
    if household.stairwell_id:
        q |= Q(level="stairwell", stairwell_id=household.stairwell_id)
    return q


def notices_for_resident(resident: Resident | None) -> QuerySet[Notice]:
    """What a resident reads: the live notices of the places they live in, newest first, each
    marked `read` when they have opened it."""
    if resident is None or resident.household_id is None:
        return Notice.objects.none()
    household = Household.objects.select_related("neighborhood", "building").get(pk=resident.household_id)
    return (
        Notice.objects.filter(live_q(), addressed_to_household_q(household))
        .annotate(read=Exists(NoticeRead.objects.filter(notice=OuterRef("pk"), resident=resident)))
        .order_by("-published_at", "-pk")
    )


def notice_for_resident(resident: Resident | None, pk: int) -> Notice | None:
    return notices_for_resident(resident).filter(pk=pk).first()


def public_notice(token: str) -> Notice | None:
    """The notice behind a board's QR code: live ones only (a withdrawn notice is gone)."""
    return (
        Notice.objects.select_related(*_NOTICE_PLACES).filter(live_q(), token=token).first()
        if token
        else None
    )


def addressed_households(notice: Notice) -> QuerySet[Household]:
    """The households living in the place a notice is addressed to."""
    lookup = Household.scope_paths[notice.level]
    return Household.objects.filter(**{lookup: getattr(notice, f"{notice.level}_id")})


@dataclass(frozen=True)
class Reach:
    readers: int  # residents who opened it (each once)
    households_read: int  # distinct households of those residents
    households: int  # households living in the place addressed

    @property
    def share(self) -> float | None:
        return self.households_read / self.households if self.households else None


def reach_of(notice: Notice) -> Reach:
    reads = NoticeRead.objects.filter(notice=notice)
    return Reach(
        readers=reads.count(),
        households_read=reads.exclude(household=None).values("household").distinct().count(),
        households=addressed_households(notice).count(),
    )


def _notice_writes(user) -> list:
    return [a for a in permissions.assignments_of(user) if "notice" in ROLES[a.role].write]


def neighborhoods_to_narrow(user) -> list[Neighborhood]:
    """The neighborhoods a writer addresses, when there are several (a subdistrict admin): the
    form offers their buildings and stairwells one neighborhood at a time."""
    writes = _notice_writes(user)
    subdistricts = [a.subdistrict_id for a in writes if a.unit_kind == "subdistrict"]
    q = Q(subdistrict_id__in=subdistricts) | Q(
        pk__in=[a.neighborhood_id for a in writes if a.unit_kind == "neighborhood"]
    )
    return list(Neighborhood.objects.filter(q).order_by("code")) if writes else []


def reaches_of(notices: list[Notice]) -> dict[int, Reach]:
    """`reach_of` for a page of notices in a few queries: readers per notice, and households per
    addressed place, one grouped count per level."""
    ids = [n.pk for n in notices]
    reads = NoticeRead.objects.filter(notice_id__in=ids).values("notice_id")
    readers = dict(reads.annotate(n=Count("id")).values_list("notice_id", "n"))
    households_read = dict(
        reads.exclude(household=None)
        .annotate(n=Count("household", distinct=True))
        .values_list("notice_id", "n")
    )
    per_place: dict[tuple[str, int], int] = {}
    for level in {n.level for n in notices}:
        lookup = Household.scope_paths[level]
        places = {getattr(n, f"{level}_id") for n in notices if n.level == level}
        rows = Household.objects.filter(**{f"{lookup}__in": places}).values(lookup).annotate(n=Count("id"))
        per_place.update({(level, row[lookup]): row["n"] for row in rows})
    return {
        n.pk: Reach(
            readers=readers.get(n.pk, 0),
            households_read=households_read.get(n.pk, 0),
            households=per_place.get((n.level, getattr(n, f"{n.level}_id")), 0),
        )
        for n in notices
    }


def may_write_notices(user) -> bool:
    return bool(_notice_writes(user))


def places_for_notice(user, neighborhood_id: int | None = None) -> list[tuple[str, list[tuple[str, str]]]]:
    """The places the user may address, grouped by level as (level label, [(value, label)]):
    "stairwell:12" and so on. Buildings and stairwells of one neighborhood at a time when the
    user's area holds several (a town has thousands of stairwells)."""
    writes = _notice_writes(user)
    subdistricts = Subdistrict.objects.filter(
        pk__in=[a.subdistrict_id for a in writes if a.unit_kind == "subdistrict"]
    )
    neighborhoods = neighborhoods_to_narrow(user)
    if neighborhood_id is not None:
        chosen = [n for n in neighborhoods if n.pk == neighborhood_id]
    else:
        chosen = neighborhoods if len(neighborhoods) == 1 else []
    stairwell_ids = [a.stairwell_id for a in writes if a.unit_kind == "stairwell"]
    compounds = Compound.objects.filter(neighborhood__in=chosen or neighborhoods).order_by("name")
    buildings = Building.objects.filter(neighborhood__in=chosen).select_related("compound")
    stairwells = Stairwell.objects.filter(Q(building__neighborhood__in=chosen) | Q(pk__in=stairwell_ids))
    stairwells = stairwells.select_related("building__compound").order_by(
        "building__compound__name", "building__number", "name"
    )
    groups = [
        (Notice.Level.SUBDISTRICT.label, [(f"subdistrict:{s.pk}", s.name) for s in subdistricts]),
        (Notice.Level.NEIGHBORHOOD.label, [(f"neighborhood:{n.pk}", n.name) for n in neighborhoods]),
        (Notice.Level.COMPOUND.label, [(f"compound:{c.pk}", c.name) for c in compounds]),
        (
            Notice.Level.BUILDING.label,
            [(f"building:{b.pk}", str(b)) for b in buildings.order_by("compound__name", "number")],
        ),
        (Notice.Level.STAIRWELL.label, [(f"stairwell:{s.pk}", str(s)) for s in stairwells]),
    ]
    return [(str(label), options) for label, options in groups if options]


def blocks_overseen_by(user) -> QuerySet[Block]:
    """The blocks whose dashboard the caller may open: their own block (block chief) and every
    block of a subdistrict they read concerns in. A neighborhood's staff see their neighborhood's
    dashboard, not a block's."""
    block_ids, subdistrict_ids = set(), set()
    for a in permissions.assignments_of(user):
        role = ROLES[a.role]
        if "concern" not in role.read:
            continue
        if role.unit_kind == "block":
            block_ids.add(a.unit_id)
        elif role.unit_kind == "subdistrict":
            subdistrict_ids.add(a.unit_id)
    return Block.objects.filter(Q(pk__in=block_ids) | Q(subdistrict_id__in=subdistrict_ids)).select_related(
        "subdistrict", "block_chief"
    )
