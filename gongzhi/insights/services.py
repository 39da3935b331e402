"""Writes of insights: recompute the stored hot issues, turn one into a practical-matter project."""

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.concerns.intelligence import hotissues
from gongzhi.concerns.models import Concern
from gongzhi.core import audit, permissions
from gongzhi.insights.models import HotIssue, HotIssueMember, OpenDataRelease
from gongzhi.org.models import Neighborhood, Subdistrict

# Concerns older than this no longer make an issue hot (the engine's recency fades them anyway).
WINDOW_DAYS = 365
# A hot issue is something several concerns share; a lone concern is just a concern.
MIN_MEMBERS = 2
# Stored per area (subdistrict-wide list and each neighborhood's list).
KEEP = 20
# A recomputed group continues an old hot issue when this share of either's members is shared.
SAME_ISSUE_SHARE = 0.5
RECENT_DAYS = 30


_FIELDS = (
    "id",
    "subdistrict_id",
    "neighborhood_id",
    "household_id",
    "title",
    "description",
    "place",
    "accepted_at",
    "households_affected",
    "lat",
    "lng",
)


@dataclass(frozen=True)
class RefreshResult:
    areas: int
    concerns: int
    created: int
    updated: int
    removed: int

    def __str__(self) -> str:
        return (
            f"{self.areas} areas, {self.concerns} concerns: {self.created} hot issues new, "
            f"{self.updated} updated, {self.removed} removed"
        )


def may_refresh(user, subdistrict: Subdistrict) -> bool:
    return permissions.can_create(user, HotIssue, {"subdistrict": subdistrict.pk, "neighborhood": None})


def refresh_hot_issues(subdistrict: Subdistrict, *, actor=None, now: datetime | None = None) -> RefreshResult:
    """Regroup the subdistrict's concerns of the last year into hot issues, subdistrict-wide and
    per neighborhood, and store them. Running it again on the same concerns changes nothing; an
    issue whose members mostly stay keeps its row and project link; a vanished issue is deleted
    unless a project was made from it (then it stays, marked not current)."""
    if actor is not None and not may_refresh(actor, subdistrict):
        raise PermissionDenied(_("You may not recompute this subdistrict's hot issues."))
    now = now or timezone.now()
    concerns = list(
        Concern.objects.filter(subdistrict=subdistrict, accepted_at__gte=now - timedelta(days=WINDOW_DAYS))
        .order_by("accepted_at", "id")
        .only(*_FIELDS)
    )
    areas: list[tuple[int | None, list[Concern]]] = [(None, concerns)]
    by_neighborhood: dict[int, list[Concern]] = {}
    for concern in concerns:
        if concern.neighborhood_id:
            by_neighborhood.setdefault(concern.neighborhood_id, []).append(concern)
    areas += sorted(by_neighborhood.items())
    groups = {nb: _groups(items, now) for nb, items in areas}  # the slow part, outside the lock
    created = updated = removed = 0
    with transaction.atomic():
        # One refresh of a subdistrict at a time: a second waits, then finds the first's rows.
        Subdistrict.objects.select_for_update().filter(pk=subdistrict.pk).first()
        stale_areas = (
            HotIssue.objects.filter(subdistrict=subdistrict)
            .exclude(neighborhood_id__in=[nb for nb in groups if nb is not None])
            .exclude(neighborhood__isnull=True)
        )
        for issue in stale_areas:
            removed += _retire(issue)
        for nb, found in groups.items():
            c, u, r = _store(subdistrict, nb, found, now)
            created, updated, removed = created + c, updated + u, removed + r
        result = RefreshResult(len(groups), len(concerns), created, updated, removed)
        audit.record(
            "update",
            None,
            actor=actor,
            summary=f"hot issues of {subdistrict}: {result}"[:255],
            area=(subdistrict.pk, None),
        )
    return result


@dataclass
class _Group:
    issue: hotissues.HotIssue
    members: list[Concern]
    recent: int
    lat: float | None
    lng: float | None


def _groups(concerns: list[Concern], now: datetime) -> list[_Group]:
    if len(concerns) < MIN_MEMBERS:
        return []
    by_id = {str(c.pk): c for c in concerns}
    messages = [
        hotissues.Message(
            id=str(c.pk),
            title=c.title,
            body=f"{c.description}\n{c.place}",
            time=c.accepted_at,
            # Distinct households; a concern without one counts as its own reporter.
            user=f"h{c.household_id}" if c.household_id else f"c{c.pk}",
            # Households that share the concern beyond the reporter's: the platform's "supports".
            supports=max(c.households_affected - 1, 0),
        )
        for c in concerns
    ]
    found = hotissues.find_hot_issues(messages, top=len(messages), now=now)
    out = []
    for issue in found:
        if issue.messages < MIN_MEMBERS:
            continue
        members = [by_id[i] for i in issue.member_ids]
        located = [c for c in members if c.lat is not None and c.lng is not None]
        out.append(
            _Group(
                issue,
                members,
                recent=sum(1 for c in members if c.accepted_at >= now - timedelta(days=RECENT_DAYS)),
                lat=sum(c.lat for c in located) / len(located) if located else None,
                lng=sum(c.lng for c in located) / len(located) if located else None,
            )
        )
        if len(out) == KEEP:
            break
    return out


def _store(
    subdistrict: Subdistrict, nb: int | None, found: list[_Group], now: datetime
) -> tuple[int, int, int]:
    existing = list(
        HotIssue.objects.filter(subdistrict=subdistrict, neighborhood_id=nb).prefetch_related("memberships")
    )
    old_members = {issue.pk: {m.concern_id for m in issue.memberships.all()} for issue in existing}
    taken: set[int] = set()
    created = updated = 0
    for rank, group in enumerate(found, start=1):
        ids = {c.pk for c in group.members}
        match = _best_match(ids, existing, old_members, taken)
        fields = {
            "rank": rank,
            "heat": group.issue.heat,
            "title": group.issue.title[:255],
            "place": group.issue.place[:255],
            "started_at": group.issue.start,
            "ended_at": group.issue.end,
            "concerns_count": group.issue.messages,
            "households_count": group.issue.users,
            "supports_count": group.issue.supports,
            "per_week": group.issue.per_week,
            "recent_count": group.recent,
            "lat": group.lat,
            "lng": group.lng,
            "current": True,
            "computed_at": now,
        }
        if match is None:
            issue = HotIssue.objects.create(subdistrict=subdistrict, neighborhood_id=nb, **fields)
            created += 1
            have: set[int] = set()
        else:
            taken.add(match.pk)
            issue = match
            for name, value in fields.items():
                setattr(issue, name, value)
            issue.save()
            updated += 1
            have = old_members[match.pk]
        if ids != have:
            HotIssueMember.objects.filter(hot_issue=issue).exclude(concern_id__in=ids).delete()
            HotIssueMember.objects.bulk_create(
                [HotIssueMember(hot_issue=issue, concern_id=i) for i in sorted(ids - have)]
            )
    removed = sum(_retire(issue) for issue in existing if issue.pk not in taken)
    return created, updated, removed


def _best_match(
    ids: set[int], existing: list[HotIssue], old_members: dict, taken: set[int]
) -> HotIssue | None:
    best, best_shared = None, 0
    for issue in existing:
        if issue.pk in taken:
            continue
        old = old_members[issue.pk]
        shared = len(ids & old)
        if shared and shared >= SAME_ISSUE_SHARE * min(len(ids), len(old)) and shared > best_shared:
            best, best_shared = issue, shared
    return best


def _retire(issue: HotIssue) -> int:
    if _project_id(issue):
        if issue.current:
            issue.current = False
            issue.save(update_fields=["current"])
        return 0
    issue.delete()
    return 1


def _project_id(issue: HotIssue) -> int | None:
    return issue.project_id


def may_make_project(user, issue: HotIssue) -> bool:
    """Whether the button shows: the issue is the user's to change and a project may be made in
    its neighborhood (the projects service checks again)."""
    from gongzhi.projects.models import Project

    if issue.project_id or not permissions.can(user, issue, permissions.WRITE):
        return False
    neighborhood = _neighborhood_of(issue)
    path = {"subdistrict": issue.subdistrict_id, "neighborhood": neighborhood.pk if neighborhood else None}
    return neighborhood is not None and permissions.can_create(user, Project, path)


def turn_into_project(user, issue: HotIssue):
    """A draft practical-matter project (实事项目) from a hot issue, once: a second click, or two at
    the same time, get the same project."""
    from gongzhi.projects import services as projects

    if not permissions.can(user, issue, permissions.WRITE):
        raise PermissionDenied(_("You may not make a project of this hot issue."))
    with transaction.atomic():
        issue = HotIssue.objects.select_for_update().get(pk=issue.pk)
        if issue.project_id:
            return issue.project
        neighborhood = _neighborhood_of(issue)
        if neighborhood is None:
            raise PermissionDenied(_("This hot issue has no neighborhood to own a project."))
        summary = _(
            "%(concerns)s concerns from %(households)s households, %(start)s to %(end)s, at %(place)s."
        ) % {
            "concerns": issue.concerns_count,
            "households": issue.households_count,
            "start": _day(issue.started_at),
            "end": _day(issue.ended_at),
            "place": issue.place or "—",
        }
        project = projects.draft_from_hot_issue(
            user, neighborhood=neighborhood, title=issue.title, summary=summary
        )
        issue.project = project
        issue.save(update_fields=["project"])
        audit.record("update", issue, actor=user, changes={"project": project.pk})
    return project


def _neighborhood_of(issue: HotIssue) -> Neighborhood | None:
    """The issue's neighborhood, or for a subdistrict-wide one the neighborhood most members are in."""
    if issue.neighborhood_id:
        return issue.neighborhood
    counts: dict[int, int] = {}
    for nb in issue.members.exclude(neighborhood__isnull=True).values_list("neighborhood_id", flat=True):
        counts[nb] = counts.get(nb, 0) + 1
    if not counts:
        return None
    best = min(counts, key=lambda nb: (-counts[nb], nb))
    return Neighborhood.objects.get(pk=best)


def _day(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d") if value else "—"


def publish_open_data(
    subdistrict: Subdistrict, archive: bytes, descriptor: dict, first, last
) -> OpenDataRelease:
    """Store an export's zip as the subdistrict's newest open-data release (the public page offers
    it). The same bytes published twice are one release: a retried command adds nothing."""
    digest = hashlib.sha256(archive).hexdigest()
    with transaction.atomic():
        # The subdistrict's row is the lock: two exports finishing together publish one after the
        # other, and the second sees the first (locking the newest release locks nothing at first).
        Subdistrict.objects.select_for_update().filter(pk=subdistrict.pk).first()
        latest = OpenDataRelease.objects.filter(subdistrict=subdistrict).first()
        if latest is not None and latest.sha256 == digest:
            return latest
        release = OpenDataRelease(
            subdistrict=subdistrict,
            first_month=first,
            last_month=last,
            size=len(archive),
            sha256=digest,
            descriptor=descriptor,
        )
        release.archive.save(
            f"{subdistrict.code}-{last:%Y-%m}-{digest[:12]}.zip", ContentFile(archive), save=False
        )
        release.save()
        audit.record("create", release, summary=f"open data {release}", area=(subdistrict.pk, None))
    return release
