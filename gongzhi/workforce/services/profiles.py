"""Worker profiles: post level, qualification, topics, second posts (一岗双员) and post history."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.core import audit, permissions
from gongzhi.core.roles import POST_LEVELS
from gongzhi.org.models import PartyOrg
from gongzhi.workforce.models import PostChange, WorkerProfile
from gongzhi.workforce.services.common import area_path, require_create, text

# 全能社工: the fields 余姚 trains every worker across.
TOPICS = ("party_building", "civil_affairs", "health", "public_safety", "property_management")


def _check_level(post_level: str) -> None:
    if post_level not in POST_LEVELS:
        raise ValidationError({"post_level": _("Unknown post level.")})


def _check_second_posts(neighborhood, outpost_branch, grid) -> None:
    if outpost_branch is not None and (
        outpost_branch.branch_kind != PartyOrg.BranchKind.OUTPOST
        or outpost_branch.neighborhood_id != neighborhood.pk
    ):
        raise ValidationError({"outpost_branch": _("Choose an outpost branch of the worker's neighborhood.")})
    if grid is not None and grid.neighborhood_id != neighborhood.pk:
        raise ValidationError({"grid": _("Choose a grid of the worker's neighborhood.")})


def _clean_topics(topics) -> list[str]:
    chosen = sorted(set(topics or ()))
    if any(t not in TOPICS for t in chosen):
        raise ValidationError({"topics": _("Unknown topic.")})
    return chosen


@transaction.atomic
def create_profile(
    *,
    actor,
    user,
    name: str,
    neighborhood,
    post_level: str,
    started_on: date,
    qualification: str = "",
    topics=(),
    outpost_branch=None,
    grid=None,
) -> WorkerProfile:
    """Enter a social worker with their first post."""
    require_create(
        actor, WorkerProfile, area_path(neighborhood), refusal=_("You may not enter workers here.")
    )
    _check_level(post_level)
    _check_second_posts(neighborhood, outpost_branch, grid)
    if WorkerProfile.objects.filter(user=user).exists():
        raise ValidationError({"user": _("This account already has a worker profile.")})
    profile = WorkerProfile(
        user=user,
        name=text(name, field="name", max_length=64),
        subdistrict_id=neighborhood.subdistrict_id,
        neighborhood=neighborhood,
        post_level=post_level,
        qualification=qualification,
        topics=_clean_topics(topics),
        outpost_branch=outpost_branch,
        grid=grid,
        started_on=started_on,
    )
    profile.full_clean(exclude=["user", "subdistrict", "neighborhood", "outpost_branch", "grid"])
    profile.save()
    PostChange.objects.create(
        profile=profile,
        post_level=post_level,
        neighborhood=neighborhood,
        effective_on=started_on,
        reason=_("first post"),
    )
    audit.record("create", profile, actor=actor)
    return profile


@transaction.atomic
def update_profile(*, actor, profile: WorkerProfile, qualification: str, topics, outpost_branch, grid):
    """Change qualification, topics mastered and second posts."""
    permissions.require(actor, profile)
    if qualification not in WorkerProfile.Qualification.values:
        raise ValidationError({"qualification": _("Unknown qualification.")})
    _check_second_posts(profile.neighborhood, outpost_branch, grid)
    profile.qualification, profile.topics = qualification, _clean_topics(topics)
    profile.outpost_branch, profile.grid = outpost_branch, grid
    profile.save(update_fields=["qualification", "topics", "outpost_branch", "grid"])
    audit.record(
        "update", profile, actor=actor, changes={"qualification": qualification, "topics": profile.topics}
    )
    return profile


@transaction.atomic
def change_post(
    *, actor, profile: WorkerProfile, post_level: str, effective_on: date, reason: str, neighborhood=None
):
    """Promote, move or re-grade a worker; the history keeps every step."""
    permissions.require(actor, profile)
    _check_level(post_level)
    target = neighborhood or profile.neighborhood
    if target.pk != profile.neighborhood_id:
        require_create(actor, WorkerProfile, area_path(target), refusal=_("You may not move workers there."))
    last = profile.post_changes.order_by("-effective_on", "-pk").first()
    if last is not None and effective_on < last.effective_on:
        raise ValidationError({"effective_on": _("A change cannot take effect before the last one.")})
    PostChange.objects.create(
        profile=profile,
        post_level=post_level,
        neighborhood=target,
        effective_on=effective_on,
        reason=text(reason, field="reason"),
    )
    if target.pk != profile.neighborhood_id:  # second posts belong to the neighborhood left behind
        profile.outpost_branch, profile.grid = None, None
    profile.post_level, profile.neighborhood = post_level, target
    profile.save(update_fields=["post_level", "neighborhood", "outpost_branch", "grid"])
    audit.record("update", profile, actor=actor, changes={"post_level": post_level, "reason": reason})
    return profile
