"""Volunteers, a team led by the world's volunteer team chief, and an activity, for tests."""

from datetime import timedelta

from django.utils import timezone

from gongzhi.org import factories as f
from gongzhi.org.testing import far_admin
from gongzhi.volunteers import services
from gongzhi.volunteers.models import Activity, SignUp, Volunteer, VolunteerTeam


def _clerk(world, neighborhood):
    """Whoever may write there: the world's subdistrict admin, or the far town's own admin."""
    if neighborhood is None or neighborhood.subdistrict_id == world.subdistrict.pk:
        return world.users["subdistrict_admin"]
    return far_admin(world)


def volunteer(
    world,
    name: str = "志愿者",
    *,
    neighborhood=None,
    with_user: bool = False,
    skills: str = "",
    phone: str | None = None,
) -> Volunteer:
    """A volunteer with a phone of their own unless `phone=""` (then a call-up cannot reach them
    without an account)."""
    seq = Volunteer.objects.count()
    user = f.UserFactory(username=f"vol-{name}-{seq}") if with_user else None
    if phone is None:
        phone = f.fake_phone(10_000 + seq)
    return services.register_volunteer(
        actor=_clerk(world, neighborhood),
        neighborhood=neighborhood or world.neighborhood_a,
        name=name,
        skills=skills,
        phone=phone,
        user=user,
    )


def team(world, neighborhood=None) -> VolunteerTeam:
    neighborhood = neighborhood or world.neighborhood_a
    return services.create_team(
        actor=_clerk(world, neighborhood),
        neighborhood=neighborhood,
        name=f"夜巡队-{neighborhood.pk}",
        chief=world.users["volunteer_team_chief"] if neighborhood == world.neighborhood_a else None,
    )


def activity(world, *, capacity: int = 2, neighborhood=None, started: bool = False) -> Activity:
    start = timezone.now() - timedelta(hours=1) if started else timezone.now() + timedelta(days=1)
    return services.publish_activity(
        actor=_clerk(world, neighborhood),
        team=team(world, neighborhood),
        title="1+2+1 夜巡",
        place="杨泰一村门岗",
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        capacity=capacity,
    )


def served(world, neighborhood, name: str, *, hours: int) -> SignUp:
    """A volunteer (with an account) signed up to a started activity there, checked in at its start
    and out `hours` later; the hours are not confirmed yet."""
    activity_ = activity(world, neighborhood=neighborhood, started=True, capacity=5)
    person = volunteer(world, name, neighborhood=neighborhood, with_user=True)
    signup = services.sign_up(actor=person.user, activity=activity_, volunteer=person)
    signup.checked_in_at = activity_.starts_at
    signup.checked_out_at = activity_.starts_at + timedelta(hours=hours)
    signup.save()
    return signup


def attend(person, activity_: Activity, *, hours: float = 3) -> SignUp:
    """Scan in, stay `hours` (the check-in is dated back, as time would pass), scan out."""
    services.scan_check_in(actor=person.user, token=activity_.check_in_token)
    SignUp.objects.filter(activity=activity_, volunteer=person).update(
        checked_in_at=timezone.now() - timedelta(hours=hours)
    )
    return services.scan_check_in(actor=person.user, token=activity_.check_in_token)
