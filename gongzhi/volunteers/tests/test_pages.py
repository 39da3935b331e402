"""Every volunteers page and endpoint by role: own area, other area, no write, anonymous."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.roles import DUTY_ROLES, ROLES
from gongzhi.volunteers import services
from gongzhi.volunteers import testing as t
from gongzhi.volunteers.models import Balance, LedgerEntry, SignUp

pytestmark = pytest.mark.django_db

READERS = {code for code, role in ROLES.items() if "volunteer" in role.read}
WRITERS = {code for code, role in ROLES.items() if "volunteer" in role.write}
EXPORTERS = {code for code in READERS if ROLES[code].export}


@pytest.fixture
def places(world):
    """One activity, volunteer and served sign-up in area A, and the same in another subdistrict."""
    admin = world.users["subdistrict_admin"]
    services.set_point_rule(actor=admin, subdistrict=world.subdistrict, name="r", points_per_hour=10)
    services.add_redemption_item(
        actor=admin,
        subdistrict=world.subdistrict,
        name="停车费减免",
        kind="parking_fee",
        cost_points=5,
        stock=9,
    )
    own = _served(world, world.neighborhood_a, "本区")
    far = _served(world, world.neighborhood_far, "外区")
    return {"own": own, "far": far}


def _served(world, neighborhood, name):
    signup = t.served(world, neighborhood, name, hours=2)
    return {"activity": signup.activity, "volunteer": signup.volunteer, "signup": signup}


def _urls(objs):
    a, v, s = objs["activity"], objs["volunteer"], objs["signup"]
    return {
        "activity": ("get", reverse("volunteers:activity", args=[a.pk])),
        "volunteer": ("get", reverse("volunteers:volunteer", args=[v.pk])),
        "statement": ("get", reverse("volunteers:statement", args=[v.pk])),
        "redeem": ("post", reverse("volunteers:redeem", args=[v.pk])),
        "sign_up": ("post", reverse("volunteers:sign_up", args=[a.pk])),
        "cancel": ("post", reverse("volunteers:cancel", args=[s.pk])),
        "confirm": ("post", reverse("volunteers:confirm", args=[s.pk])),
        "approve_hours": ("post", reverse("volunteers:approve_hours", args=[s.pk])),
    }


LISTS = {
    "list": ("get", reverse("volunteers:list")),
    "activities": ("get", reverse("volunteers:activities")),
    "activity_create": ("get", reverse("volunteers:activity_create")),
    "check_in": ("get", reverse("volunteers:check_in", args=["x"])),
}


def _call(client, method, url, data=None):
    return getattr(client, method)(url, data or {})


def test_anonymous_visitors_are_sent_to_sign_in_everywhere(client, places):
    for method, url in [*LISTS.values(), *_urls(places["own"]).values()]:
        response = _call(client, method, url)
        assert response.status_code == 302 and "/accounts/login" in response["Location"], url


@pytest.mark.parametrize("role", sorted(set(ROLES) - DUTY_ROLES))
def test_every_role_reaches_nothing_in_another_area(client, world, places, role):
    client.force_login(world.users[role])
    for name, (method, url) in _urls(places["far"]).items():
        assert _call(client, method, url, {"volunteer": places["far"]["volunteer"].pk}).status_code == 404, (
            name
        )


@pytest.mark.parametrize("role", sorted(DUTY_ROLES))
def test_duty_accounts_reach_no_volunteer_page(client, world, places, role):
    """System admin, security admin and auditor (三员) are kept to their own duties."""
    client.force_login(world.users[role])
    for name, (method, url) in [*LISTS.items(), *_urls(places["own"]).items()]:
        assert _call(client, method, url).status_code in (403, 404), name


@pytest.mark.parametrize("role", sorted(set(ROLES) - DUTY_ROLES))
def test_own_area_pages_answer_by_what_the_role_may_read(client, world, places, role):
    client.force_login(world.users[role])
    own = _urls(places["own"])
    expected = 200 if role in READERS else 404
    for name in ("activity", "volunteer"):
        assert client.get(own[name][1]).status_code == expected, name
    assert client.get(LISTS["list"][1]).status_code == (200 if role in READERS else 403)
    assert client.get(LISTS["activities"][1]).status_code == 200


@pytest.mark.parametrize("role", sorted(set(ROLES) - DUTY_ROLES))
def test_only_roles_that_write_volunteers_publish_activities(client, world, places, role):
    client.force_login(world.users[role])
    assert client.get(LISTS["activity_create"][1]).status_code == (200 if role in WRITERS else 403)


@pytest.mark.parametrize("role", sorted(set(ROLES) - DUTY_ROLES))
def test_statement_export_needs_the_export_capability(client, world, places, role):
    client.force_login(world.users[role])
    response = client.get(_urls(places["own"])["statement"][1])
    expected = 200 if role in EXPORTERS else 403 if role in READERS else 404
    assert response.status_code == expected
    if expected == 200:
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")


@pytest.mark.parametrize("role", sorted(set(ROLES) - DUTY_ROLES))
def test_signing_up_someone_in_the_area_needs_write(client, world, places, role):
    client.force_login(world.users[role])
    own = places["own"]
    other = t.volunteer(world, "新人")
    response = client.post(_urls(own)["sign_up"][1], {"volunteer": other.pk})
    assert response.status_code == (302 if role in WRITERS else 404)
    assert SignUp.objects.filter(volunteer=other).exists() == (role in WRITERS)


@pytest.mark.parametrize("role", sorted(set(ROLES) - DUTY_ROLES))
def test_only_the_team_chief_confirms_hours_on_the_page(client, world, places, role):
    client.force_login(world.users[role])
    response = client.post(_urls(places["own"])["confirm"][1], {"hours": "2"})
    expected = 302 if role == "volunteer_team_chief" else 403 if role in WRITERS else 404
    assert response.status_code == expected
    assert LedgerEntry.objects.filter(signup=places["own"]["signup"]).exists() == (expected == 302)


@pytest.mark.parametrize("role", sorted(set(ROLES) - DUTY_ROLES))
def test_redeeming_for_a_volunteer_needs_write_in_the_area(client, world, places, role):
    own = places["own"]
    services.confirm_hours(actor=world.users["volunteer_team_chief"], signup=own["signup"])
    item = own["volunteer"].neighborhood.subdistrict.redemption_items.get()
    client.force_login(world.users[role])
    response = client.post(_urls(own)["redeem"][1], {"item": item.pk})
    assert response.status_code == (302 if role in WRITERS else 404)
    assert Balance.objects.get(volunteer=own["volunteer"]).points == (15 if role in WRITERS else 20)


def test_volunteer_signs_up_on_the_phone_and_waits_when_full_then_is_promoted(client, world):
    activity = t.activity(world, capacity=1)
    first = t.volunteer(world, "先到", with_user=True)
    second = t.volunteer(world, "后到", with_user=True)
    for person in (first, second):
        client.force_login(person.user)
        assert client.post(reverse("volunteers:sign_up", args=[activity.pk])).status_code == 302
    page = client.get(reverse("volunteers:activity", args=[activity.pk]))
    assert "候补" in page.content.decode() or SignUp.objects.get(volunteer=second).status == "waitlisted"
    client.force_login(first.user)
    mine = SignUp.objects.get(volunteer=first)
    client.post(reverse("volunteers:cancel", args=[mine.pk]))
    assert SignUp.objects.get(volunteer=second).status == SignUp.Status.CONFIRMED


def test_someone_elses_sign_up_cannot_be_cancelled_by_a_volunteer(client, world):
    activity = t.activity(world, capacity=2)
    owner = t.volunteer(world, "甲", with_user=True)
    other = t.volunteer(world, "乙", with_user=True)
    signup = services.sign_up(actor=owner.user, activity=activity, volunteer=owner)
    client.force_login(other.user)
    assert client.post(reverse("volunteers:cancel", args=[signup.pk])).status_code == 404
    assert SignUp.objects.get(pk=signup.pk).status == SignUp.Status.CONFIRMED


def test_qr_check_in_then_out_and_the_chief_confirms_the_scanned_hours(client, world):
    activity = t.activity(world, started=True)
    person = t.volunteer(world, "丙", with_user=True)
    signup = services.sign_up(actor=person.user, activity=activity, volunteer=person)
    client.force_login(person.user)
    url = reverse("volunteers:check_in", args=[activity.check_in_token])
    assert client.post(url).status_code == 200
    assert client.post(url).status_code == 200  # a repeated scan: still checked in
    signup.refresh_from_db()
    assert signup.checked_in_at and not signup.checked_out_at
    SignUp.objects.filter(pk=signup.pk).update(checked_in_at=timezone.now() - timedelta(minutes=90))
    assert client.post(url).status_code == 200
    signup.refresh_from_db()
    assert signup.checked_in_at and signup.checked_out_at and signup.checked_out_at <= timezone.now()
    client.force_login(world.users["volunteer_team_chief"])
    client.post(reverse("volunteers:confirm", args=[signup.pk]))
    signup.refresh_from_db()
    assert signup.hours_confirmed_by == world.users["volunteer_team_chief"]


def test_a_check_in_code_of_an_activity_not_signed_up_for_answers_404(client, world):
    activity = t.activity(world)
    person = t.volunteer(world, "丁", with_user=True)
    client.force_login(person.user)
    assert client.post(reverse("volunteers:check_in", args=[activity.check_in_token])).status_code == 404


def test_talent_pool_finds_whole_skills_only(client, world):
    t.volunteer(world, "医生", skills="medical,driving")
    t.volunteer(world, "司机", skills="driving")
    t.volunteer(world, "医学生", skills="medicalstudent")
    client.force_login(world.users["social_worker"])
    page = client.get(reverse("volunteers:list"), {"skill": "medical"}).content.decode()
    assert "医生" in page and "司机" not in page and "医学生" not in page


def test_talent_pool_searches_by_place_within_the_users_area(client, world):
    t.volunteer(world, "一村医生", skills="medical")
    t.volunteer(world, "二村医生", skills="medical", neighborhood=world.neighborhood_b)
    t.volunteer(world, "外镇医生", skills="medical", neighborhood=world.neighborhood_far)
    client.force_login(world.users["subdistrict_admin"])
    url = reverse("volunteers:list")
    page = client.get(url, {"skill": "medical", "neighborhood": world.neighborhood_b.pk}).content.decode()
    assert "二村医生" in page and "一村医生" not in page
    assert world.neighborhood_far.name not in page  # not offered as a place
    page = client.get(url, {"neighborhood": world.neighborhood_far.pk}).content.decode()
    assert "外镇医生" not in page and "一村医生" in page  # an id outside the area narrows nothing
    client.force_login(world.users["neighborhood_secretary"])
    page = client.get(url, {"neighborhood": world.neighborhood_b.pk}).content.decode()
    assert "二村医生" not in page and "一村医生" in page and world.neighborhood_b.name not in page


def test_publishing_an_activity_from_the_page(client, world):
    team = t.team(world)
    client.force_login(world.users["social_worker"])
    response = client.post(
        reverse("volunteers:activity_create"),
        {
            "team": team.pk,
            "title": "助老",
            "place": "活动室",
            "starts_at": "2030-01-01T09:00",
            "ends_at": "2030-01-01T08:00",
            "capacity": "3",
        },
    )
    assert response.status_code == 400 and 'data-errors="ends_at"' in response.content.decode()
    response = client.post(
        reverse("volunteers:activity_create"),
        {
            "team": team.pk,
            "title": "助老",
            "place": "活动室",
            "starts_at": "2030-01-01T09:00",
            "ends_at": "2030-01-01T11:00",
            "capacity": "3",
        },
    )
    assert response.status_code == 302
