"""Writes of insights: recompute the stored hot issues, turn one into a practical-matter project;
write, publish and withdraw notices (公告), count their readers, publish a concern's progress to its
building."""

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.concerns import selectors as concern_selectors
from gongzhi.concerns.intelligence import hotissues
from gongzhi.concerns.models import ACTION_LABELS, Concern
from gongzhi.core import audit, permissions
from gongzhi.core.deidentify import deidentify
from gongzhi.core.errors import NotInScope
from gongzhi.insights.models import HotIssue, HotIssueMember, Notice, NoticeRead, OpenDataRelease
from gongzhi.org.models import Building, Compound, Neighborhood, Resident, Stairwell, Subdistrict

# Concerns older than this no longer make an issue hot (the engine's recency fades them anyway).
WINDOW_DAYS = 365
# A hot issue is something several concerns share; a lone concern is just a concern.
MIN_MEMBERS = 2
# Stored per area (subdistrict-wide list and each neighborhood's list).
KEEP = 20
# A recomputed group continues an old hot issue when this share of either's members is shared.
SAME_ISSUE_SHARE = 0.5
RECENT_DAYS = 30
# What a de-identified text may not hold: a run of three or more digits (room, phone, ID number).
_DIGITS = re.compile(r"[0-9０-９]{3,}")


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


# ---- notices (公告) --------------------------------------------------------------------------------

NOTICE_LEVELS = ("subdistrict", "neighborhood", "compound", "building", "stairwell")
_PLACE_MODELS = {
    "subdistrict": Subdistrict,
    "neighborhood": Neighborhood,
    "compound": Compound,
    "building": Building,
    "stairwell": Stairwell,
}


def place_path(level: str, place) -> dict[str, int | None]:
    """The unit ids of the place and of every unit above it (nothing below it)."""
    ids: dict[str, int | None] = dict.fromkeys(NOTICE_LEVELS)
    if level == "stairwell":
        ids["stairwell"], place, level = place.pk, place.building, "building"
    if level == "building":
        ids["building"], ids["compound"] = place.pk, place.compound_id
        ids["neighborhood"], place, level = place.neighborhood_id, place.neighborhood, "neighborhood"
    if level == "compound":
        ids["compound"], ids["neighborhood"] = place.pk, place.neighborhood_id
        place, level = place.neighborhood, "neighborhood"
    if level == "neighborhood":
        ids["neighborhood"], place = place.pk, place.subdistrict
    ids["subdistrict"] = place.pk
    return ids


def find_place(level: str, pk: int):
    """The place a notice is addressed to, or None when the level or id names none."""
    model = _PLACE_MODELS.get(level)
    return model.objects.filter(pk=pk).first() if model is not None else None


def may_address(user, level: str, place) -> bool:
    """Whether the user's roles write notices on the place (their unit, or a unit inside it)."""
    path = place_path(level, place)
    return permissions.can_create(user, Notice, path)


def _check_text(title: str, body: str, expires_at: datetime | None) -> tuple[str, str]:
    title, body = (title or "").strip(), (body or "").strip()
    errors = {}
    if not title:
        errors["title"] = _("A notice needs a title.")
    elif len(title) > Notice._meta.get_field("title").max_length:
        errors["title"] = _("The title is too long (at most 120 characters).")
    if not body:
        errors["body"] = _("A notice needs its text.")
    if expires_at is not None and expires_at <= timezone.now():
        errors["expires_at"] = _("The expiry must lie in the future.")
    if errors:
        raise ValidationError(errors)
    return title, body


@transaction.atomic
def notice_create(
    *, actor, level: str, place, title: str, body: str, expires_at: datetime | None = None
) -> Notice:
    """A draft notice to a place inside the actor's area."""
    if level not in NOTICE_LEVELS or place is None:
        raise ValidationError({"place": _("Choose the place the notice is addressed to.")})
    if not may_address(actor, level, place):
        raise NotInScope(_("No such place in your area."))
    title, body = _check_text(title, body, expires_at)
    path = place_path(level, place)
    notice = Notice.objects.create(
        level=level,
        **{f"{k}_id": v for k, v in path.items()},
        title=title,
        body=body,
        expires_at=expires_at,
        author=actor,
    )
    audit.record("create", notice, actor=actor, changes={"level": level, "place": place.pk})
    return notice


@transaction.atomic
def notice_update(*, actor, notice: Notice, title: str, body: str, expires_at: datetime | None) -> Notice:
    """Change a draft's text or expiry; a published notice is withdrawn and written anew instead."""
    permissions.require(actor, notice, permissions.WRITE)
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    if notice.state != Notice.State.DRAFT:
        raise ValidationError({"state": _("Only a draft can be changed.")})
    notice.title, notice.body = _check_text(title, body, expires_at)
    notice.expires_at = expires_at
    notice.save(update_fields=["title", "body", "expires_at", "updated_at"])
    audit.record("update", notice, actor=actor, changes={"title": notice.title})
    return notice


@transaction.atomic
def notice_publish(*, actor, notice: Notice) -> Notice:
    """Draft → published: residents of the place see it from now on. Publishing twice is a no-op."""
    permissions.require(actor, notice, permissions.WRITE)
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    if notice.state == Notice.State.PUBLISHED:
        return notice
    if notice.state != Notice.State.DRAFT:
        raise ValidationError({"state": _("A withdrawn notice cannot be published again.")})
    if notice.expires_at is not None and notice.expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("The expiry must lie in the future.")})
    notice.state, notice.published_at = Notice.State.PUBLISHED, timezone.now()
    notice.save(update_fields=["state", "published_at", "updated_at"])
    audit.record("publish", notice, actor=actor, changes={"level": notice.level})
    return notice


@transaction.atomic
def notice_withdraw(*, actor, notice: Notice, reason: str = "") -> Notice:
    """Published → withdrawn: it leaves the residents' pages and its public page at once."""
    permissions.require(actor, notice, permissions.WRITE)
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    if notice.state == Notice.State.WITHDRAWN:
        return notice
    if notice.state != Notice.State.PUBLISHED:
        raise ValidationError({"state": _("Only a published notice can be withdrawn.")})
    notice.state, notice.withdrawn_at = Notice.State.WITHDRAWN, timezone.now()
    notice.save(update_fields=["state", "withdrawn_at", "updated_at"])
    audit.record("withdraw", notice, actor=actor, reason=reason)
    return notice


def notice_record_read(*, resident, notice: Notice) -> bool:
    """Count a resident's first opening of a notice; a reopening or a retry counts nothing.
    True when this opening was the first."""
    try:
        with transaction.atomic():
            _, created = NoticeRead.objects.get_or_create(
                notice=notice, resident=resident, defaults={"household_id": resident.household_id}
            )
    except IntegrityError:  # the same resident's other request won the race
        return False
    return created


def _names_around(concern: Concern) -> tuple[str, ...]:
    """Every name the concern's text may carry: the reporter, the household's residents, the staff
    who handled it."""
    names = [concern.reporter_name]
    if concern.household_id:
        names += Resident.objects.filter(household_id=concern.household_id).values_list("name", flat=True)
    for event in concern.events.select_related("actor"):
        names.append(event.actor_label)
        if event.actor is not None:
            names += [event.actor.display_name, event.actor.get_full_name()]
    return tuple(n for n in names if n and len(n) >= 2)


def _progress_text(concern: Concern, names: tuple[str, ...]) -> tuple[str, str]:
    """The notice's title and text: category, state, handling party and the public steps; every
    note de-identified (core.deidentify: names, rooms, phone and ID numbers)."""

    category = concern.category.name
    title = _("Progress of a matter in this building: %(category)s") % {"category": category}
    lines = [
        _("Matter: %(category)s") % {"category": category},
        _("Received: %(date)s") % {"date": f"{timezone.localtime(concern.accepted_at):%Y-%m-%d}"},
        _("Now: %(state)s") % {"state": concern.get_state_display()},
        _("Handled by: %(handler)s") % {"handler": concern.get_handler_kind_display()},
    ]
    for step in concern_selectors.public_events_of(concern):
        label = str(ACTION_LABELS.get(step["action"], step["action"]))
        note = deidentify(step["note"], names) if step["note"] else ""
        if leaks := personal_data_in(note, names):  # only if deidentify missed something
            raise ValidationError(
                {"body": _("The progress still holds personal data: %(what)s") % {"what": leaks}}
            )
        lines.append(f"{timezone.localtime(step['at']):%m-%d} {label}" + (f"：{note}" if note else ""))
    return title, "\n".join(lines)


def personal_data_in(text: str, names: tuple[str, ...] = ()) -> str:
    """What a public text still gives away: a known name, a phone or ID number, a room number."""
    found = [n for n in names if n and n in text]
    if _DIGITS.search(text):
        found.append(str(_("a number of three digits or more")))
    return "、".join(found)


@transaction.atomic
def concern_progress_publish(*, actor, concern: Concern) -> Notice:
    """楼内事、群内议: the concern's progress as a notice to its building, de-identified. One notice
    per concern: pressing again refreshes its text (and publishes it again if it was withdrawn)."""
    # The concern's row lock puts two presses in order: the second finds the first one's notice.
    concern = Concern.objects.select_for_update().get(pk=concern.pk)
    concern = Concern.objects.select_related("category", "building").get(pk=concern.pk)
    permissions.require(actor, concern, permissions.READ)
    if concern.building_id is None:
        raise ValidationError({"building": _("Only a concern in a building can go on its notice.")})
    if not may_address(actor, "building", concern.building):
        raise PermissionDenied(_("You may not publish notices to this building."))
    title, body = _progress_text(concern, _names_around(concern))
    path = place_path("building", concern.building)
    notice = Notice.objects.select_for_update().filter(concern=concern).first()
    if notice is None:
        notice = Notice(
            concern=concern, author=actor, level="building", **{f"{k}_id": v for k, v in path.items()}
        )
    notice.title, notice.body = title, body
    notice.state, notice.published_at, notice.withdrawn_at = Notice.State.PUBLISHED, timezone.now(), None
    notice.save()
    audit.record("publish", notice, actor=actor, changes={"concern": concern.pk, "level": "building"})
    return notice
