"""Issue 19, finding 8: hours and points only for attendance.

Check-in only inside the activity's window (from CHECK_IN_GRACE before the start to its end),
one state change per scan under the sign-up's lock, and confirmed hours never above the time
between check-in and check-out or the activity's length unless a second person approves them
with the reason the chief gave.
"""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.errors import NotInScope
from gongzhi.core.roles import DUTY_ROLES, ROLES
from gongzhi.core.separation import SamePerson
from gongzhi.core.testing import run_together
from gongzhi.volunteers import services
from gongzhi.volunteers import testing as t
from gongzhi.volunteers.models import Activity, LedgerEntry, SignUp

WRITERS = {code for code, role in ROLES.items() if "volunteer" in role.write}
READERS = {code for code, role in ROLES.items() if "volunteer" in role.read}


def signed_up(world, name: str = "签到人", *, start=None, hours: float = 2.5):
    start = start or timezone.now() - timedelta(hours=1)
    activity = t.activity(world, started=True)
    Activity.objects.filter(pk=activity.pk).update(starts_at=start, ends_at=start + timedelta(hours=hours))
    activity.refresh_from_db()
    person = t.volunteer(world, name, with_user=True)
    signup = services.sign_up(actor=person.user, activity=activity, volunteer=person)
    return activity, person, signup


@pytest.mark.django_db
@pytest.mark.parametrize(
    "offset",
    [timedelta(hours=-8.5), timedelta(hours=-2.5, seconds=-1), timedelta(minutes=31)],
    ids=["six-hours-after-the-end", "just-after-the-end", "before-the-grace"],
)
def test_no_check_in_outside_the_activitys_window(world, offset):
    # The activity starts at now + offset, lasts 2.5 hours.
    activity, person, signup = signed_up(world, start=timezone.now() + offset)
    with pytest.raises(ValidationError, match="30"):
        services.scan_check_in(actor=person.user, token=activity.check_in_token)
    signup.refresh_from_db()
    assert signup.checked_in_at is None


@pytest.mark.django_db
def test_check_in_inside_the_grace_before_the_start(world):
    activity, person, signup = signed_up(world, start=timezone.now() + timedelta(minutes=29))
    services.scan_check_in(actor=person.user, token=activity.check_in_token)
    signup.refresh_from_db()
    assert signup.checked_in_at is not None


@pytest.mark.django_db
def test_a_scan_right_after_check_in_is_the_same_scan(world):
    activity, person, signup = signed_up(world)
    for _ in range(3):
        services.scan_check_in(actor=person.user, token=activity.check_in_token)
    signup.refresh_from_db()
    assert signup.checked_in_at is not None and signup.checked_out_at is None


@pytest.mark.django_db
def test_a_waitlisted_volunteer_cannot_check_in(world):
    activity = t.activity(world, started=True, capacity=1)
    first, second = t.volunteer(world, "甲", with_user=True), t.volunteer(world, "乙", with_user=True)
    services.sign_up(actor=first.user, activity=activity, volunteer=first)
    waiting = services.sign_up(actor=second.user, activity=activity, volunteer=second)
    assert waiting.status == SignUp.Status.WAITLISTED
    with pytest.raises(NotInScope):
        services.scan_check_in(actor=second.user, token=activity.check_in_token)
    waiting.refresh_from_db()
    assert waiting.checked_in_at is None


@pytest.mark.django_db(transaction=True)
def test_four_scans_at_once_are_one_check_in(world):
    activity, person, signup = signed_up(world)
    outcomes = run_together(
        *[lambda: services.scan_check_in(actor=person.user, token=activity.check_in_token)] * 4
    )
    assert all(isinstance(o, SignUp) for o in outcomes), outcomes
    signup.refresh_from_db()
    assert signup.checked_in_at is not None and signup.checked_out_at is None


def attended(world, stayed_hours: float, activity_hours: float = 2.5):
    activity, person, signup = signed_up(
        world, start=timezone.now() - timedelta(hours=3), hours=activity_hours
    )
    SignUp.objects.filter(pk=signup.pk).update(
        checked_in_at=activity.starts_at, checked_out_at=activity.starts_at + timedelta(hours=stayed_hours)
    )
    signup.refresh_from_db()
    return person, signup


@pytest.mark.django_db
def test_hours_above_the_activitys_length_wait_for_a_second_person(world):
    admin, chief = world.users["subdistrict_admin"], world.users["volunteer_team_chief"]
    services.set_point_rule(actor=admin, subdistrict=world.subdistrict, name="r", points_per_hour=10)
    person, signup = attended(world, stayed_hours=3)  # stayed past the end of a 2.5-hour activity
    with pytest.raises(ValidationError, match="2.50"):
        services.confirm_hours(actor=chief, signup=signup, hours="24")
    assert services.confirm_hours(actor=chief, signup=signup, hours="24", reason="夜间延长巡逻") is None
    assert not LedgerEntry.objects.filter(volunteer=person).exists()
    with pytest.raises(SamePerson):
        services.approve_hours(actor=chief, signup=signup)
    entry = services.approve_hours(actor=world.users["neighborhood_secretary"], signup=signup)
    assert (entry.hours, entry.points) == (24, 240)
    signup.refresh_from_db()
    assert signup.hours_confirmed_by == world.users["neighborhood_secretary"]
    assert signup.hours_entered_by == chief and signup.hours_reason == "夜间延长巡逻"


@pytest.mark.django_db
def test_hours_above_the_time_between_check_in_and_out_wait_too(world):
    chief = world.users["volunteer_team_chief"]
    person, signup = attended(world, stayed_hours=1)
    assert services.confirm_hours(actor=chief, signup=signup, hours="1.01", reason="补录漏扫时段") is None
    entry = services.confirm_hours(actor=chief, signup=signup, hours="1")
    assert entry.hours == 1 and LedgerEntry.objects.filter(volunteer=person).count() == 1


@pytest.mark.django_db
def test_a_chief_does_not_confirm_their_own_hours(world):
    chief = world.users["volunteer_team_chief"]
    activity, _, _ = signed_up(world)
    me = services.register_volunteer(
        actor=world.users["subdistrict_admin"], neighborhood=world.neighborhood_a, name="队长本人", user=chief
    )
    signup = services.sign_up(actor=chief, activity=activity, volunteer=me)
    SignUp.objects.filter(pk=signup.pk).update(
        checked_in_at=activity.starts_at, checked_out_at=activity.starts_at + timedelta(hours=1)
    )
    with pytest.raises(SamePerson):
        services.confirm_hours(actor=chief, signup=signup, hours="1")
    assert not LedgerEntry.objects.filter(volunteer=me).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(set(ROLES) - DUTY_ROLES))
def test_approving_hours_from_the_page_by_role(client, world, role):
    chief = world.users["volunteer_team_chief"]
    person, signup = attended(world, stayed_hours=3)
    services.confirm_hours(actor=chief, signup=signup, hours="4", reason="提前布置场地")
    client.force_login(world.users[role])
    response = client.post(reverse("volunteers:approve_hours", args=[signup.pk]))
    signup.refresh_from_db()
    if role == "volunteer_team_chief":
        assert response.status_code == 403  # entered them: not the second person
    elif role in WRITERS:
        assert response.status_code == 302 and signup.hours_confirmed_by == world.users[role]
    else:
        assert response.status_code == (403 if role in READERS else 404)
    if not (role in WRITERS and role != "volunteer_team_chief"):
        assert signup.hours_confirmed_at is None


@pytest.mark.django_db
def test_the_chief_sees_pending_hours_and_a_second_person_the_button(client, world):
    chief = world.users["volunteer_team_chief"]
    person, signup = attended(world, stayed_hours=3)
    client.force_login(chief)
    client.post(reverse("volunteers:confirm", args=[signup.pk]), {"hours": "4", "reason": "提前布置场地"})
    signup.refresh_from_db()
    assert signup.hours_entered_by == chief and signup.hours_confirmed_at is None
    page = client.get(reverse("volunteers:activity", args=[signup.activity_id])).content.decode()
    assert (
        f'data-pending-hours="{signup.pk}"' in page
        and reverse("volunteers:approve_hours", args=[signup.pk]) not in page
    )
    client.force_login(world.users["neighborhood_secretary"])
    page = client.get(reverse("volunteers:activity", args=[signup.activity_id])).content.decode()
    assert reverse("volunteers:approve_hours", args=[signup.pk]) in page
    with pytest.raises(PermissionDenied):
        services.approve_hours(actor=person.user, signup=signup)
