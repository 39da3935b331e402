"""Issue 23: the team chief checks volunteers in and out from the activity's list (most have no
account), types in a paper sign-in sheet afterwards, and the hours reach the ledger once."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.roles import DUTY_ROLES, ROLES
from gongzhi.volunteers import services
from gongzhi.volunteers import testing as t
from gongzhi.volunteers.models import LedgerEntry, SignUp

pytestmark = pytest.mark.django_db
WRITERS = {code for code, role in ROLES.items() if "volunteer" in role.write}
AREA_ROLES = sorted(set(ROLES) - DUTY_ROLES)


@pytest.fixture
def scene(world):
    admin = world.users["subdistrict_admin"]
    services.set_point_rule(actor=admin, subdistrict=world.subdistrict, name="r", points_per_hour=10)
    activity = t.activity(world, started=True, capacity=5)
    whole = activity.starts_at.replace(second=0, microsecond=0)  # times are typed to the minute
    activity.starts_at, activity.ends_at = whole, whole + timedelta(hours=3)
    activity.save(update_fields=["starts_at", "ends_at"])
    elder = t.volunteer(world, "王老伯")  # no account, as 34 of the demo's 40
    signup = services.sign_up(actor=admin, activity=activity, volunteer=elder)
    return {
        "activity": activity,
        "elder": elder,
        "signup": signup,
        "chief": world.users["volunteer_team_chief"],
    }


def _local_hm(moment) -> str:
    return timezone.localtime(moment).strftime("%H:%M")


def test_the_chief_checks_an_account_less_volunteer_in_and_out_and_the_hours_reach_the_ledger(
    client, world, scene
):
    activity, signup, chief = scene["activity"], scene["signup"], scene["chief"]
    client.force_login(chief)
    url = reverse("volunteers:attendance", args=[signup.pk])
    page = client.get(reverse("volunteers:activity", args=[activity.pk])).content.decode()
    assert 'data-check="in"' in page and "王老伯" in page
    arrived = activity.starts_at + timedelta(minutes=10)
    assert client.post(url, {"action": "in", "at": _local_hm(arrived)}).status_code == 302
    client.post(url, {"action": "in", "at": _local_hm(arrived + timedelta(minutes=20))})  # a retry: no change
    signup.refresh_from_db()
    assert signup.checked_in_at == arrived.replace(second=0, microsecond=0)
    client.post(url, {"action": "out"})  # now
    signup.refresh_from_db()
    assert signup.checked_out_at is not None
    client.post(reverse("volunteers:confirm", args=[signup.pk]))
    client.post(reverse("volunteers:confirm", args=[signup.pk]))  # a retry posts nothing twice
    entries = LedgerEntry.objects.filter(volunteer=scene["elder"])
    assert entries.count() == 1
    assert entries.get().hours == services.served_hours(SignUp.objects.get(pk=signup.pk)) > 0


def test_bad_times_are_refused_in_chinese_and_change_nothing(client, world, scene):
    activity, signup = scene["activity"], scene["signup"]
    client.force_login(scene["chief"])
    url = reverse("volunteers:attendance", args=[signup.pk])
    for data in (
        {"action": "in", "at": "25:99"},
        {"action": "in", "at": _local_hm(activity.starts_at - timedelta(hours=2))},
        {"action": "out"},
        {"action": "sideways"},
    ):
        response = client.post(url, data, follow=True)
        assert response.status_code == 200
        assert any("\u4e00" <= c <= "\u9fff" for m in response.context["messages"] for c in str(m))
        signup.refresh_from_db()
        assert (signup.checked_in_at, signup.checked_out_at) == (None, None), data
    with pytest.raises(ValidationError):  # still to come
        services.record_attendance(
            actor=scene["chief"], signup=signup, action="in", at=timezone.now() + timedelta(minutes=30)
        )


def test_hours_never_exceed_the_time_there_without_a_second_person(world, scene):
    activity, signup, chief = scene["activity"], scene["signup"], scene["chief"]
    services.record_attendance(actor=chief, signup=signup, action="in", at=activity.starts_at)
    services.record_attendance(
        actor=chief, signup=signup, action="out", at=activity.starts_at + timedelta(minutes=30)
    )
    with pytest.raises(ValidationError):
        services.confirm_hours(actor=chief, signup=signup, hours="3")
    assert not LedgerEntry.objects.filter(volunteer=scene["elder"]).exists()
    services.confirm_hours(actor=chief, signup=signup)
    assert LedgerEntry.objects.get(volunteer=scene["elder"]).hours == Decimal("0.50")


def test_a_paper_sheet_adds_a_walk_in_once_and_refuses_a_second_different_line(client, world, scene):
    activity, chief = scene["activity"], scene["chief"]
    walk_in = t.volunteer(world, "李阿婆")
    client.force_login(chief)
    url = reverse("volunteers:paper_sheet", args=[activity.pk])
    arrived, left = activity.starts_at, activity.starts_at + timedelta(minutes=50)
    data = {"volunteer": walk_in.pk, "arrived": _local_hm(arrived), "left": _local_hm(left)}
    assert client.post(url, data).status_code == 302
    client.post(url, data)  # typed twice: one line
    signup = SignUp.objects.get(activity=activity, volunteer=walk_in)
    assert signup.status == "confirmed" and signup.checked_out_at - signup.checked_in_at == timedelta(
        minutes=50
    )
    client.post(url, {**data, "left": _local_hm(left + timedelta(minutes=30))})
    signup.refresh_from_db()
    assert signup.checked_out_at - signup.checked_in_at == timedelta(minutes=50)
    client.post(
        url, {**data, "volunteer": scene["elder"].pk, "left": _local_hm(arrived)}
    )  # leaves before arriving
    assert SignUp.objects.get(pk=scene["signup"].pk).checked_in_at is None
    services.confirm_hours(actor=chief, signup=signup)
    assert LedgerEntry.objects.get(volunteer=walk_in).hours == Decimal("0.83")


@pytest.mark.parametrize("role", AREA_ROLES)
def test_checking_in_and_the_paper_sheet_by_role(client, world, scene, role):
    activity, signup = scene["activity"], scene["signup"]
    client.force_login(world.users[role])
    response = client.post(reverse("volunteers:attendance", args=[signup.pk]), {"action": "in"})
    assert response.status_code == (302 if role in WRITERS else 404)
    signup.refresh_from_db()
    assert (signup.checked_in_at is not None) == (role in WRITERS)
    other = t.volunteer(world, "纸面")
    at = _local_hm(activity.starts_at)
    data = {"volunteer": other.pk, "arrived": at, "left": _local_hm(activity.starts_at + timedelta(hours=1))}
    response = client.post(reverse("volunteers:paper_sheet", args=[activity.pk]), data)
    assert response.status_code == (302 if role in WRITERS else 404)
    assert SignUp.objects.filter(volunteer=other).exists() == (role in WRITERS)


def test_outside_the_area_and_signed_out_nothing_is_recorded(client, world, scene):
    far = t.activity(world, neighborhood=world.neighborhood_far, started=True)
    far_person = t.volunteer(world, "外区", neighborhood=world.neighborhood_far)
    far_signup = services.sign_up(
        actor=t._clerk(world, world.neighborhood_far), activity=far, volunteer=far_person
    )
    client.force_login(scene["chief"])
    assert (
        client.post(reverse("volunteers:attendance", args=[far_signup.pk]), {"action": "in"}).status_code
        == 404
    )
    data = {"volunteer": scene["elder"].pk, "arrived": "08:00", "left": "09:00"}
    assert client.post(reverse("volunteers:paper_sheet", args=[far.pk]), data).status_code == 404
    client.logout()
    assert (
        client.post(reverse("volunteers:attendance", args=[scene["signup"].pk]), {"action": "in"}).status_code
        == 302
    )
    far_signup.refresh_from_db()
    scene["signup"].refresh_from_db()
    assert far_signup.checked_in_at is None and scene["signup"].checked_in_at is None


def test_the_chiefs_scan_leads_to_the_list_and_a_strangers_scan_is_explained(client, world, scene):
    activity = scene["activity"]
    client.force_login(scene["chief"])
    response = client.get(reverse("volunteers:check_in", args=[activity.check_in_token]))
    assert response.status_code == 302 and response["Location"].endswith(
        f"/activities/{activity.pk}/#confirmed"
    )
    stranger = t.volunteer(world, "路人", with_user=True)
    client.force_login(stranger.user)
    response = client.post(reverse("volunteers:check_in", args=[activity.check_in_token]))
    assert response.status_code == 404 and 'id="scan-error"' in response.content.decode()


def test_the_chief_reads_the_points_page_and_a_team_members_statement(client, world, scene):
    chief = scene["chief"]
    member = scene["elder"]
    member.team = scene["activity"].team
    member.save(update_fields=["team"])
    client.force_login(chief)
    page = client.get(reverse("volunteers:points_settings"))
    assert page.status_code == 200 and 'id="rule-form"' not in page.content.decode()
    assert client.post(reverse("volunteers:points_settings"), {"form": "rule"}).status_code == 403
    response = client.get(reverse("volunteers:statement", args=[member.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    outsider = t.volunteer(world, "队外")
    assert client.get(reverse("volunteers:statement", args=[outsider.pk])).status_code == 403
