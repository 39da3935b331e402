"""The subdistrict's pages for point rules and redemption items, volunteer registration, teams,
drawing banked hours and reversing entries, by role: own area, other area, no write, anonymous."""

from decimal import Decimal

import pytest
from django.urls import reverse

from gongzhi.core.roles import DUTY_ROLES, ROLES
from gongzhi.volunteers import services
from gongzhi.volunteers import testing as t
from gongzhi.volunteers.models import (
    Balance,
    LedgerEntry,
    PointRule,
    RedemptionItem,
    Volunteer,
    VolunteerTeam,
)

pytestmark = pytest.mark.django_db

AREA_ROLES = sorted(set(ROLES) - DUTY_ROLES)
READERS = {code for code, role in ROLES.items() if "volunteer" in role.read}
WRITERS = {code for code, role in ROLES.items() if "volunteer" in role.write}
# Point rules and redemption items belong to the subdistrict: only its own writers set them.
SETTERS = {code for code in WRITERS if ROLES[code].unit_kind == "subdistrict"}
SETTINGS = reverse("volunteers:points_settings")
REGISTER = reverse("volunteers:register")
TEAMS = reverse("volunteers:teams")


def _served(world, neighborhood, name):
    """A volunteer with 3 confirmed hours (30 points) banked."""
    signup = t.served(world, neighborhood, name, hours=3)
    team = signup.activity.team
    if team.chief is None:  # the far town's team: its own admin leads it, to confirm
        team.chief = t._clerk(world, neighborhood)
        team.save()
    services.confirm_hours(actor=team.chief, signup=signup)
    return signup.volunteer


@pytest.fixture
def people(world):
    services.set_point_rule(
        actor=world.users["subdistrict_admin"], subdistrict=world.subdistrict, name="r", points_per_hour=10
    )
    return {
        "own": _served(world, world.neighborhood_a, "本区"),
        "far": _served(world, world.neighborhood_far, "外区"),
    }


def _entry(person):
    return LedgerEntry.objects.get(volunteer=person, kind=LedgerEntry.Kind.EARNED)


def _person_urls(person):
    return {
        "use_hours": reverse("volunteers:use_hours", args=[person.pk]),
        "reverse": reverse("volunteers:reverse_entry", args=[person.pk]),
    }


def test_anonymous_visitors_are_sent_to_sign_in(client, people):
    for url in (SETTINGS, REGISTER, TEAMS):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login" in response["Location"], url
    for url in _person_urls(people["own"]).values():
        response = client.post(url, {})
        assert response.status_code == 302 and "/accounts/login" in response["Location"], url


@pytest.mark.parametrize("role", sorted(DUTY_ROLES))
def test_duty_accounts_reach_none_of_these_pages(client, world, people, role):
    client.force_login(world.users[role])
    for url in (SETTINGS, REGISTER, TEAMS):
        assert client.get(url).status_code == 403, url
    for url in _person_urls(people["own"]).values():
        assert client.post(url, {"hours": "1", "memo": "x"}).status_code in (403, 404), url


@pytest.mark.parametrize("role", AREA_ROLES)
def test_only_the_subdistricts_writers_open_the_points_settings(client, world, people, role):
    client.force_login(world.users[role])
    response = client.get(SETTINGS)
    # Keepers of volunteers (the team chief) read the rules, without the forms (issue 23).
    assert response.status_code == (200 if role in READERS else 403)
    if role in READERS:
        page = response.content.decode()
        assert world.subdistrict.name in page
        assert ('id="rule-form"' in page) == (role in SETTERS)


@pytest.mark.parametrize("role", AREA_ROLES)
def test_setting_a_point_rule_from_the_page_needs_the_subdistrict(client, world, people, role):
    client.force_login(world.users[role])
    response = client.post(SETTINGS, {"form": "rule", "name": "2026 标准", "points_per_hour": "12"})
    assert response.status_code == (302 if role in SETTERS else 403)
    active = PointRule.objects.get(subdistrict=world.subdistrict, active=True)
    assert active.points_per_hour == (12 if role in SETTERS else 10)


@pytest.mark.parametrize("role", AREA_ROLES)
def test_adding_a_redemption_item_with_stock_needs_the_subdistrict(client, world, people, role):
    client.force_login(world.users[role])
    data = {
        "form": "item",
        "name": "物业费抵扣",
        "kind": "property_fee",
        "cost_points": "50",
        "stock": "20",
        "min_stars": "1",
    }
    response = client.post(SETTINGS, data)
    assert response.status_code == (302 if role in SETTERS else 403)
    items = RedemptionItem.objects.filter(subdistrict=world.subdistrict, name="物业费抵扣")
    assert items.exists() == (role in SETTERS)
    if role in SETTERS:
        assert (items.get().stock, items.get().min_stars) == (20, 1)


def test_a_bad_item_comes_back_naming_the_field_and_adds_nothing(client, world, people):
    client.force_login(world.users["subdistrict_admin"])
    data = {
        "form": "item",
        "name": "停车费减免",
        "kind": "parking_fee",
        "cost_points": "0",
        "stock": "-1",
        "min_stars": "0",
    }
    response = client.post(SETTINGS, data)
    assert response.status_code == 400
    body = response.content.decode()
    assert 'data-errors="cost_points"' in body and 'data-errors="stock"' in body
    assert not RedemptionItem.objects.exists()


@pytest.mark.parametrize("role", AREA_ROLES)
def test_registering_a_volunteer_needs_write_in_the_neighborhood(client, world, people, role):
    client.force_login(world.users[role])
    assert client.get(REGISTER).status_code == (200 if role in WRITERS else 403)
    data = {
        "neighborhood": world.neighborhood_a.pk,
        "name": "新志愿者",
        "kind": "student",
        "skills": "医疗, 驾驶",
        "availability": "08:00-12:00，18:00-22:00",
        "max_shifts": "3",
        "reserve": "on",
    }
    response = client.post(REGISTER, data)
    assert response.status_code == (302 if role in WRITERS else 403)
    made = Volunteer.objects.filter(name="新志愿者").first()
    assert (made is not None) == (role in WRITERS)
    if made:
        assert (made.skills, made.availability, made.max_shifts, made.reserve) == (
            "driving,medical",  # typed in Chinese, stored as the taxonomy's codes
            "08:00-12:00, 18:00-22:00",
            3,
            True,
        )
        assert Balance.objects.filter(volunteer=made).exists()


def test_registration_links_the_resident_by_building_and_room(client, world, people):
    client.force_login(world.users["neighborhood_secretary"])
    resident, household = world.resident_a, world.household_a
    data = {
        "neighborhood": world.neighborhood_a.pk,
        "name": resident.name,
        "kind": "resident",
        "building": household.building.number,
        "room": household.room,
        "max_shifts": "2",
    }
    assert client.post(REGISTER, data).status_code == 302
    assert Volunteer.objects.get(resident=resident).name == resident.name


def test_registration_for_a_resident_elsewhere_or_bad_windows_is_refused_by_field(client, world, people):
    client.force_login(world.users["neighborhood_secretary"])
    far = world.household_far
    data = {
        "neighborhood": world.neighborhood_a.pk,
        "name": world.resident_far.name,
        "kind": "resident",
        "building": far.building.number,
        "room": far.room,
        "max_shifts": "2",
        "availability": "早上",
    }
    response = client.post(REGISTER, data)
    assert response.status_code == 400
    assert 'data-errors="room"' in response.content.decode()
    data.update(building="", room="", name="某人")
    response = client.post(REGISTER, data)
    assert response.status_code == 400 and 'data-errors="availability"' in response.content.decode()
    assert not Volunteer.objects.filter(name__in=[world.resident_far.name, "某人"]).exists()


def test_registering_in_another_subdistrict_is_not_offered(client, world, people):
    client.force_login(world.users["subdistrict_admin"])
    data = {"neighborhood": world.neighborhood_far.pk, "name": "越界", "kind": "resident", "max_shifts": "2"}
    response = client.post(REGISTER, data)
    assert response.status_code == 400 and 'data-errors="neighborhood"' in response.content.decode()
    assert not Volunteer.objects.filter(name="越界").exists()


@pytest.mark.parametrize("role", AREA_ROLES)
def test_creating_a_team_with_a_chief_needs_write(client, world, people, role):
    client.force_login(world.users[role])
    assert client.get(TEAMS).status_code == (200 if role in READERS else 403)
    chief = people["own"]
    response = client.post(
        TEAMS, {"neighborhood": world.neighborhood_a.pk, "name": "应急突击队", "chief": chief.pk}
    )
    assert response.status_code == (302 if role in WRITERS else 403)
    team = VolunteerTeam.objects.filter(name="应急突击队").first()
    assert (team is not None) == (role in WRITERS)
    if team:
        assert team.chief == chief.user


def test_a_team_chief_from_another_neighborhood_is_refused(client, world, people):
    client.force_login(world.users["subdistrict_admin"])
    other = t.volunteer(world, "二村人", neighborhood=world.neighborhood_b, with_user=True)
    response = client.post(
        TEAMS, {"neighborhood": world.neighborhood_a.pk, "name": "错队", "chief": other.pk}
    )
    assert response.status_code == 400 and 'data-errors="chief"' in response.content.decode()
    far = people["far"]
    response = client.post(TEAMS, {"neighborhood": world.neighborhood_a.pk, "name": "错队", "chief": far.pk})
    assert response.status_code == 400
    assert not VolunteerTeam.objects.filter(name="错队").exists()


@pytest.mark.parametrize("role", AREA_ROLES)
def test_drawing_banked_hours_for_elderly_care_needs_write(client, world, people, role):
    own = people["own"]
    client.force_login(world.users[role])
    response = client.post(_person_urls(own)["use_hours"], {"hours": "1.5", "memo": "助老陪护"})
    assert response.status_code == (302 if role in WRITERS else 403 if role in READERS else 404)
    assert Balance.objects.get(volunteer=own).hours == (Decimal("1.5") if role in WRITERS else Decimal("3"))


def test_drawing_more_hours_than_banked_is_refused_and_changes_nothing(client, world, people):
    own = people["own"]
    client.force_login(world.users["subdistrict_admin"])
    response = client.post(_person_urls(own)["use_hours"], {"hours": "5", "memo": "助老陪护"})
    assert response.status_code == 400 and 'data-errors="hours"' in response.content.decode()
    assert Balance.objects.get(volunteer=own).hours == Decimal("3")
    assert not LedgerEntry.objects.filter(kind=LedgerEntry.Kind.BANK_WITHDRAWAL).exists()


@pytest.mark.parametrize("role", AREA_ROLES)
def test_reversing_an_entry_with_a_reason_needs_write(client, world, people, role):
    own = people["own"]
    client.force_login(world.users[role])
    response = client.post(_person_urls(own)["reverse"], {"entry": _entry(own).pk, "reason": "时长录错"})
    assert response.status_code == (302 if role in WRITERS else 403 if role in READERS else 404)
    balance = Balance.objects.get(volunteer=own)
    assert (balance.points, balance.hours) == ((0, 0) if role in WRITERS else (30, 3))
    if role in WRITERS:
        reversal = LedgerEntry.objects.get(reverses=_entry(own))
        assert reversal.memo == "时长录错"


def test_an_entry_is_reversed_once_and_needs_a_reason(client, world, people):
    own = people["own"]
    client.force_login(world.users["subdistrict_admin"])
    url = _person_urls(own)["reverse"]
    response = client.post(url, {"entry": _entry(own).pk, "reason": ""})
    assert response.status_code == 400 and 'data-errors="reason"' in response.content.decode()
    assert client.post(url, {"entry": _entry(own).pk, "reason": "录错"}).status_code == 302
    response = client.post(url, {"entry": _entry(own).pk, "reason": "再来"})
    assert response.status_code == 400 and 'data-errors="entry"' in response.content.decode()
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.REVERSAL).count() == 1


@pytest.mark.parametrize("role", AREA_ROLES)
def test_nobody_draws_hours_or_reverses_entries_in_another_area(client, world, people, role):
    far = people["far"]
    client.force_login(world.users[role])
    urls = _person_urls(far)
    assert client.post(urls["use_hours"], {"hours": "1", "memo": "助老"}).status_code == 404
    assert client.post(urls["reverse"], {"entry": _entry(far).pk, "reason": "x"}).status_code == 404
    assert Balance.objects.get(volunteer=far).hours == Decimal("3")


def test_volunteer_page_offers_the_correction_only_while_an_entry_is_left_to_reverse(client, world, people):
    own = people["own"]
    url = reverse("volunteers:volunteer", args=[own.pk])
    client.force_login(world.users["subdistrict_admin"])
    body = client.get(url).content.decode()
    assert 'id="hours-form"' in body and 'id="reverse-form"' in body
    services.reverse_entry(actor=world.users["subdistrict_admin"], entry=_entry(own), reason="录错")
    body = client.get(url).content.decode()
    assert 'id="hours-form"' in body and 'id="reverse-form"' not in body
