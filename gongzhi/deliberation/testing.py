"""Votes for tests, set in the permission world of gongzhi.org.testing (area A is the caller's)."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext

from gongzhi.accounts.models import User
from gongzhi.deliberation import services
from gongzhi.deliberation.models import Vote
from gongzhi.org import factories as f
from gongzhi.org.models import Resident


def resident_account(resident: Resident, username: str) -> User:
    """A resident's sign-in (WeChat in production), linked through Resident.user."""
    user = f.UserFactory(username=username, kind=User.Kind.RESIDENT)
    resident.user = user
    resident.save(update_fields=["user"])
    return user


def owners_in_compound(world, areas: list[str]) -> list[Resident]:
    """More owners in the compound of `world.household_a`, one household each, with accounts."""
    building = world.household_a.building
    owners = [world.resident_a]
    world.household_a.floor_area = Decimal(areas[0])
    world.household_a.save(update_fields=["floor_area"])
    for i, area in enumerate(areas[1:], start=1):
        # A room the factory's numeric sequence ("100", "101", …) can never reach in this building.
        household = f.HouseholdFactory(building=building, room=f"B{900 + i}", floor_area=Decimal(area))
        owners.append(f.ResidentFactory(household=household, name=f"业主{i}号"))
    for i, owner in enumerate(owners):
        resident_account(owner, f"owner{i}")
    return owners


def window(open_now: bool = True) -> dict:
    now = timezone.now()
    if open_now:
        return {"opens_at": now - timedelta(hours=1), "closes_at": now + timedelta(days=7)}
    return {"opens_at": now + timedelta(days=1), "closes_at": now + timedelta(days=7)}


def open_owners_vote(world, *, item: int = 4, secret: bool = False, **extra) -> Vote:
    actor = world.users["neighborhood_secretary"]
    vote = services.create_vote(
        actor=actor,
        kind=Vote.Kind.OWNERS,
        subject="续聘物业服务企业",
        compound=world.household_a.building.compound,
        owners_item=item,
        secret=secret,
        **(window() | extra),
    )
    return services.open_vote(actor=actor, vote=vote)


def end_window(vote: Vote) -> Vote:
    """Move the window into the past, as time would."""
    Vote.objects.filter(pk=vote.pk).update(
        opens_at=timezone.now() - timedelta(days=8), closes_at=timezone.now() - timedelta(seconds=1)
    )
    vote.refresh_from_db()
    return vote


def msg(text: str) -> str:
    """A pattern for a service's message in whatever language the tests run in."""
    return re.escape(gettext(text).split("%(")[0])
