"""Household stars unlock benefits, the public honour roll shows no personal details, and
temporary branches and squads of an emergency are dissolved with their record kept."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from gongzhi.core.roles import DUTY_ROLES, ROLES
from gongzhi.org import factories as f
from gongzhi.org.models import PartyOrg
from gongzhi.volunteers import services
from gongzhi.volunteers import testing as t
from gongzhi.volunteers.models import EmergencySquad, HonourRollEntry, HouseholdRating, LedgerEntry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _outbox(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.GONGZHI_WEBHOOK_URL = ""


def _earner(world, points: int):
    admin = world.users["subdistrict_admin"]
    services.set_point_rule(actor=admin, subdistrict=world.subdistrict, name="r", points_per_hour=points)
    activity = t.activity(world, started=True)
    person = services.register_volunteer(
        actor=admin,
        neighborhood=world.neighborhood_a,
        name="张秀英",
        resident=world.resident_a,
        user=f.UserFactory(username="earner"),
    )
    signup = services.sign_up(actor=person.user, activity=activity, volunteer=person)
    t.attend(person, activity)
    services.confirm_hours(actor=world.users["volunteer_team_chief"], signup=signup, hours="1")
    return person


def test_a_benefit_needs_the_households_stars(world):
    admin = world.users["subdistrict_admin"]
    person = _earner(world, 100)
    perk = services.add_redemption_item(
        actor=admin,
        subdistrict=world.subdistrict,
        name="示范户物业费减免",
        kind="property_fee",
        cost_points=50,
        stock=5,
        min_stars=3,
    )
    with pytest.raises(ValidationError) as caught:
        services.redeem(actor=admin, volunteer=person, item=perk)
    assert "item" in caught.value.message_dict
    assert LedgerEntry.objects.filter(kind="redeemed").count() == 0
    services.rate_household(
        actor=world.users["social_worker"], household=world.household_a, stars=3, reason="垃圾分类示范"
    )
    services.redeem(actor=admin, volunteer=person, item=perk)
    assert LedgerEntry.objects.filter(kind="redeemed").count() == 1


def test_rating_input_is_checked_and_scoped(world):
    with pytest.raises(ValidationError):
        services.rate_household(
            actor=world.users["social_worker"], household=world.household_a, stars=5, reason="x"
        )
    with pytest.raises(Exception):  # noqa: B017  (NotInScope or PermissionDenied: both refuse)
        services.rate_household(
            actor=world.users["social_worker"], household=world.household_far, stars=1, reason="x"
        )


def test_public_honour_roll_shows_no_personal_details(world, client):
    worker = world.users["social_worker"]
    person = t.volunteer(world, "李建华")
    services.add_to_honour_roll(
        actor=worker,
        neighborhood=world.neighborhood_a,
        period="2026年11月",
        reason="主动调解邻里纠纷",
        household=world.household_a,
    )
    services.add_to_honour_roll(
        actor=worker,
        neighborhood=world.neighborhood_a,
        period="2026年11月",
        reason="服务满 100 小时",
        volunteer=person,
    )
    again = services.add_to_honour_roll(
        actor=worker,
        neighborhood=world.neighborhood_a,
        period="2026年11月",
        reason="服务满 100 小时",
        volunteer=person,
    )
    assert again.pk
    page = client.get(reverse("volunteers:honour_roll")).content.decode()
    assert "李*" in page and "李建华" not in page and world.resident_a.name not in page
    assert world.household_a.room in page and page.count("服务满 100 小时") == 1


def test_a_temporary_branch_is_formed_and_dissolved_with_the_record_kept(world):
    admin = world.users["subdistrict_admin"]
    emergency, lead, *others = _emergency_with_called(world, "队员0", "队员1")
    outsider = t.volunteer(world, "未召集")  # registered after the call-up
    with pytest.raises(ValidationError):
        services.form_squad(actor=admin, emergency=emergency, kind="squad", name="外人", leader=outsider)
    with pytest.raises(ValidationError):
        services.form_squad(
            actor=admin, emergency=emergency, kind="temporary_branch", name="防汛临时党支部", leader=others[0]
        )
    branch = services.form_squad(
        actor=admin,
        emergency=emergency,
        kind="temporary_branch",
        name="防汛临时党支部",
        leader=lead,
        members=others,
    )
    squad = services.form_squad(
        actor=admin, emergency=emergency, kind="squad", name="青年突击队", leader=others[0]
    )
    assert branch.party_org.branch_kind == "temporary" and branch.members.count() == 3
    assert squad.party_org is None
    services.close_emergency(actor=admin, emergency=emergency)
    assert EmergencySquad.objects.filter(dissolved_at__isnull=False).count() == 2
    assert PartyOrg.objects.filter(branch_kind="temporary", name="防汛临时党支部").exists()
    with pytest.raises(ValidationError):
        services.form_squad(actor=admin, emergency=emergency, kind="squad", name="晚到", leader=outsider)


def test_only_those_who_may_set_up_branches_form_one(world):
    admin = world.users["subdistrict_admin"]
    emergency = services.open_emergency(
        actor=admin, subdistrict=world.subdistrict, neighborhood=world.neighborhood_a, title="停电"
    )
    member = f.PartyMemberFactory(party_org=f.PartyOrgFactory(neighborhood=world.neighborhood_a))
    lead = services.register_volunteer(
        actor=admin,
        neighborhood=world.neighborhood_a,
        name="党员乙",
        kind="party_member",
        party_member=member,
        phone="13800138000",  # reachable by the call-up
    )
    services.call_up(actor=admin, emergency=emergency)
    chief = world.users["volunteer_team_chief"]
    with pytest.raises((PermissionDenied, Exception)):
        services.form_squad(
            actor=chief, emergency=emergency, kind="temporary_branch", name="临时支部", leader=lead
        )
    assert not PartyOrg.objects.filter(name="临时支部").exists()


def test_workers_rate_households_and_list_names_on_the_manage_page(world, client):
    client.force_login(world.users["social_worker"])
    household = world.household_a
    url = reverse("volunteers:honour_manage")
    answer = client.post(
        url,
        {
            "form": "rating",
            "neighborhood": world.neighborhood_a.pk,
            "building": household.building.number,
            "room": "no-such-room",
            "stars": 2,
            "reason": "x",
        },
    )
    assert answer.status_code == 400 and 'data-errors="room"' in answer.content.decode()
    answer = client.post(
        url,
        {
            "form": "rating",
            "neighborhood": world.neighborhood_a.pk,
            "building": household.building.number,
            "room": household.room,
            "stars": 2,
            "reason": "邻里互助",
        },
    )
    assert answer.status_code == 302
    assert household.rating.stars == 2
    person = t.volunteer(world, "周文斌")
    answer = client.post(
        url,
        {
            "form": "honour",
            "neighborhood": world.neighborhood_a.pk,
            "period": "2026年第四季度",
            "reason": "应急值守",
            "volunteer": person.pk,
        },
    )
    assert answer.status_code == 302
    assert "周*" in client.get(reverse("volunteers:honour_roll")).content.decode()
    client.force_login(world.users["grid_worker"])
    assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302


# --- pages by role ----------------------------------------------------------------------------

AREA_ROLES = sorted(set(ROLES) - DUTY_ROLES)
READERS = {code for code, role in ROLES.items() if "volunteer" in role.read}
WRITERS = {code for code, role in ROLES.items() if "volunteer" in role.write}
# A temporary party branch is a party organisation: forming one also needs party write.
BRANCH_MAKERS = {code for code in WRITERS if "party" in ROLES[code].write}
# Rating picks the household by building and room: the rater must see households (a team chief does not).
RATERS = {code for code in WRITERS if "household" in ROLES[code].read}
MANAGE = reverse("volunteers:honour_manage")


@pytest.mark.parametrize("role", AREA_ROLES + sorted(DUTY_ROLES))
def test_honour_manage_page_opens_for_readers_only(client, world, role):
    client.force_login(world.users[role])
    assert client.get(MANAGE).status_code == (200 if role in READERS else 403)


@pytest.mark.parametrize("role", AREA_ROLES)
def test_rating_a_household_on_the_page_needs_write(client, world, role):
    household = world.household_a
    client.force_login(world.users[role])
    data = {
        "form": "rating",
        "neighborhood": world.neighborhood_a.pk,
        "building": household.building.number,
        "room": household.room,
        "stars": 3,
        "reason": "示范",
    }
    response = client.post(MANAGE, data)
    assert response.status_code == (302 if role in RATERS else 400 if role in READERS else 403)
    assert HouseholdRating.objects.filter(household=household).exists() == (role in RATERS)


@pytest.mark.parametrize("role", AREA_ROLES)
def test_listing_on_the_honour_roll_needs_write(client, world, role):
    person = t.volunteer(world, "周文斌")
    client.force_login(world.users[role])
    data = {
        "form": "honour",
        "neighborhood": world.neighborhood_a.pk,
        "period": "2026年第四季度",
        "reason": "应急值守",
        "volunteer": person.pk,
    }
    response = client.post(MANAGE, data)
    assert response.status_code == (302 if role in WRITERS else 400 if role in READERS else 403)
    assert HonourRollEntry.objects.filter(volunteer=person).exists() == (role in WRITERS)


@pytest.mark.parametrize("role", AREA_ROLES)
def test_nobody_rates_or_lists_in_another_subdistrict(client, world, role):
    far = world.household_far
    client.force_login(world.users[role])
    data = {
        "form": "rating",
        "neighborhood": far.neighborhood_id,
        "building": far.building.number,
        "room": far.room,
        "stars": 1,
        "reason": "x",
    }
    assert client.post(MANAGE, data).status_code in (400, 403)
    assert not HouseholdRating.objects.exists()


def _emergency_with_called(world, *names: str):
    """An emergency in neighborhood A that called up a party member (the lead) and volunteers
    `names` (one, "队员", by default): (emergency, lead, *volunteers)."""
    admin = world.users["subdistrict_admin"]
    emergency = services.open_emergency(
        actor=admin, subdistrict=world.subdistrict, neighborhood=world.neighborhood_a, title="防汛"
    )
    member = f.PartyMemberFactory(party_org=f.PartyOrgFactory(neighborhood=world.neighborhood_a))
    lead = services.register_volunteer(
        actor=admin,
        neighborhood=world.neighborhood_a,
        name="党员甲",
        kind="party_member",
        party_member=member,
        phone="13800138000",  # reachable by the call-up
    )
    others = [t.volunteer(world, name) for name in names or ("队员",)]
    services.call_up(actor=admin, emergency=emergency)
    return emergency, lead, *others


@pytest.mark.parametrize("role", AREA_ROLES)
def test_forming_a_squad_on_the_emergency_page_by_role(client, world, role):
    emergency, lead, other = _emergency_with_called(world)
    client.force_login(world.users[role])
    url = reverse("volunteers:emergency_edit", args=[emergency.pk, "squad"])
    response = client.post(url, {"kind": "squad", "name": "突击队", "leader": lead.pk, "members": [other.pk]})
    assert response.status_code == (302 if role in WRITERS else 404)
    assert EmergencySquad.objects.filter(name="突击队").exists() == (role in WRITERS)


@pytest.mark.parametrize("role", AREA_ROLES)
def test_forming_a_temporary_branch_also_needs_party_write(client, world, role):
    emergency, lead, _other = _emergency_with_called(world)
    client.force_login(world.users[role])
    url = reverse("volunteers:emergency_edit", args=[emergency.pk, "squad"])
    response = client.post(url, {"kind": "temporary_branch", "name": "临时党支部", "leader": lead.pk})
    expected = 302 if role in BRANCH_MAKERS else 403 if role in WRITERS else 404
    assert response.status_code == expected
    assert PartyOrg.objects.filter(name="临时党支部").exists() == (role in BRANCH_MAKERS)


@pytest.mark.parametrize("role", AREA_ROLES)
def test_standing_down_dissolves_squads_only_for_writers(client, world, role):
    emergency, lead, other = _emergency_with_called(world)
    services.form_squad(
        actor=world.users["subdistrict_admin"],
        emergency=emergency,
        kind="squad",
        name="突击队",
        leader=lead,
        members=[other],
    )
    client.force_login(world.users[role])
    response = client.post(reverse("volunteers:emergency_edit", args=[emergency.pk, "close"]))
    assert response.status_code == (302 if role in WRITERS else 404)
    squad = EmergencySquad.objects.get(name="突击队")
    assert (squad.dissolved_at is not None) == (role in WRITERS)
    assert set(squad.members.all()) >= {other}  # the record is kept either way


@pytest.mark.parametrize("typed", ["{n}-{r}", "{n}号楼 {r}", "{n} {r}", "{n}号楼{r}"])
def test_a_household_is_rated_by_building_and_room_as_people_type_them(world, client, typed):
    """Issue 23: "5" or "5-301" found 5号楼 301 (it answered 本辖区内没有此户)."""
    client.force_login(world.users["social_worker"])
    household = world.household_a
    number = household.building.number.removesuffix("号楼")
    answer = client.post(
        reverse("volunteers:honour_manage"),
        {
            "form": "rating",
            "neighborhood": world.neighborhood_a.pk,
            "building": typed.format(n=number, r=household.room),
            "room": "",
            "stars": 1,
            "reason": "邻里互助",
        },
    )
    assert answer.status_code == 302
    assert household.rating.stars == 1
