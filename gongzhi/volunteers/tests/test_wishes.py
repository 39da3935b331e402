"""Micro-wishes: posted for a resident, claimed by one party member or partner unit, confirmed by the resident."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from gongzhi.core.errors import NotInScope
from gongzhi.core.roles import DUTY_ROLES, ROLES
from gongzhi.core.testing import run_together
from gongzhi.org import factories as f
from gongzhi.org.models import PartnerUnit
from gongzhi.volunteers import services
from gongzhi.volunteers import testing as t
from gongzhi.volunteers.models import MicroWish


@pytest.fixture(autouse=True)
def _outbox(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.GONGZHI_WEBHOOK_URL = ""
    settings.GONGZHI_PUBLIC_URL = "https://gz.example.org"


def _wish(world, **kwargs) -> MicroWish:
    resident = world.resident_a
    resident.name = "张秀英"
    resident.set_phone("13600136000")
    resident.save()
    return services.post_wish(
        actor=world.users["social_worker"],
        neighborhood=world.neighborhood_a,
        title="想要一副老花镜",
        resident=resident,
        **kwargs,
    )


@pytest.mark.django_db
def test_public_board_shows_the_masked_name_and_building_only(client, world):
    wish = _wish(world)
    page = client.get(reverse("volunteers:wish_board")).content.decode()
    assert "想要一副老花镜" in page and "张*" in page and wish.building.number in page
    assert "张秀英" not in page and "13600136000" not in page


@pytest.mark.django_db
def test_a_member_claims_and_the_resident_confirms_from_the_link(
    client, world, settings, django_capture_on_commit_callbacks
):
    wish = _wish(world)
    member = f.PartyMemberFactory(party_org=f.PartyOrgFactory(neighborhood=world.neighborhood_a))
    client.force_login(world.users["social_worker"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("volunteers:wish_claim", args=[wish.pk]), {"party_member": member.pk})
    wish.refresh_from_db()
    assert wish.status == "claimed" and wish.claimed_by_member == member
    sms = [json.loads(x) for x in (settings.VAR_DIR / "outbox" / "sms.jsonl").read_text().splitlines()]
    link = f"https://gz.example.org/volunteers/wishes/done/{wish.confirm_token}/"
    assert [(m["address"], m["link"]) for m in sms] == [("13600136000", link)]
    client.logout()
    client.post(reverse("volunteers:wish_confirm_link", args=[wish.confirm_token]))
    wish.refresh_from_db()
    assert wish.status == "fulfilled" and wish.fulfilled_at is not None
    assert client.get("/volunteers/wishes/done/not-a-token/").status_code == 404


@pytest.mark.django_db
def test_claiming_needs_one_claimer_and_an_open_wish(world):
    wish = _wish(world)
    unit = f.PartnerUnitFactory(subdistrict=world.subdistrict)
    worker = world.users["social_worker"]
    with pytest.raises(ValidationError):
        services.claim_wish(actor=worker, wish=wish)
    services.claim_wish(actor=worker, wish=wish, partner_unit=unit)
    with pytest.raises(ValidationError):
        services.claim_wish(actor=worker, wish=wish, partner_unit=unit)


@pytest.mark.django_db
def test_out_of_area_staff_see_nothing_and_cannot_claim(client, world):
    wish = _wish(world)
    far = f.UserFactory(username="far-worker", is_staff=True)
    from gongzhi.org import services as org_services

    org_services.assign_role(actor=None, user=far, role="social_worker", unit=world.neighborhood_far)
    unit = f.PartnerUnitFactory(subdistrict=world.subdistrict)
    with pytest.raises(NotInScope):
        services.claim_wish(actor=far, wish=wish, partner_unit=unit)
    client.force_login(far)
    assert "想要一副老花镜" not in client.get(reverse("volunteers:wishes")).content.decode()
    assert client.post(reverse("volunteers:wish_claim", args=[wish.pk])).status_code == 404
    assert client.post(reverse("volunteers:wish_confirm", args=[wish.pk])).status_code == 404
    client.logout()
    assert client.get(reverse("volunteers:wishes")).status_code == 302


@pytest.mark.django_db(transaction=True)
def test_of_several_claiming_at_once_exactly_one_wins(world):
    wish = _wish(world)
    worker = world.users["social_worker"]
    units = [f.PartnerUnitFactory(subdistrict=world.subdistrict) for _ in range(4)]
    outcomes = run_together(
        *(lambda u=u: services.claim_wish(actor=worker, wish=wish, partner_unit=u) for u in units)
    )
    won = [o for o in outcomes if isinstance(o, MicroWish)]
    lost = [o for o in outcomes if isinstance(o, ValidationError)]
    assert (len(won), len(lost)) == (1, 3), outcomes
    wish.refresh_from_db()
    assert wish.claimed_by_unit == won[0].claimed_by_unit


# --- pages by role ----------------------------------------------------------------------------

AREA_ROLES = sorted(set(ROLES) - DUTY_ROLES)
READERS = {code for code, role in ROLES.items() if "wish" in role.read}
WRITERS = {code for code, role in ROLES.items() if "wish" in role.write}
# Claiming for a partner unit also needs to see the unit (a grid chief sees none); the unit's own
# liaison claims as the unit.
UNIT_CLAIMERS = {code for code in WRITERS if "partner" in ROLES[code].read} | {"partner_liaison"}


def test_the_people_the_seeds_name_run_wishes():
    assert {"grid_chief", "party_group_chief", "neighborhood_secretary", "social_worker"} <= WRITERS
    assert "partner_liaison" in READERS - WRITERS


def _far_wish(world):
    return services.post_wish(
        actor=t._clerk(world, world.neighborhood_far),
        neighborhood=world.neighborhood_far,
        title="外区心愿",
        wisher_name="王阿姨",
    )


@pytest.mark.django_db
@pytest.mark.parametrize("role", AREA_ROLES)
def test_wish_list_shows_the_areas_wishes_only_to_readers(client, world, role):
    _wish(world)
    _far_wish(world)
    client.force_login(world.users[role])
    page = client.get(reverse("volunteers:wishes")).content.decode()
    assert ("想要一副老花镜" in page) == (role in READERS)
    assert "外区心愿" not in page


@pytest.mark.django_db
@pytest.mark.parametrize("role", AREA_ROLES)
def test_posting_a_wish_for_a_resident_needs_write_where_they_live(client, world, role):
    client.force_login(world.users[role])
    household = world.household_a
    flat = f"{household.building.number.removesuffix('号楼')}-{household.room}"  # typed as "5-301"
    data = {"flat": flat, "wisher_name": world.resident_a.name, "title": "修收音机"}
    response = client.post(reverse("volunteers:wishes"), data)
    assert response.status_code == (302 if role in WRITERS else 403 if role in READERS else 403)
    wish = MicroWish.objects.filter(title="修收音机").first()
    assert (wish is not None) == (role in WRITERS)
    if wish is not None:
        assert wish.resident == world.resident_a and wish.building == household.building


@pytest.mark.django_db
@pytest.mark.parametrize("role", AREA_ROLES)
def test_claiming_for_a_partner_unit_on_the_page_by_role(client, world, role):
    wish = _wish(world)
    unit = PartnerUnit.objects.get(subdistrict=world.subdistrict)
    client.force_login(world.users[role])
    response = client.post(reverse("volunteers:wish_claim", args=[wish.pk]), {"partner_unit": unit.pk})
    assert response.status_code == (302 if role in READERS else 404)
    wish.refresh_from_db()
    assert (wish.status == "claimed") == (role in UNIT_CLAIMERS)


@pytest.mark.django_db
@pytest.mark.parametrize("role", AREA_ROLES)
def test_confirming_fulfilment_for_the_resident_by_role(client, world, role):
    wish = _wish(world)
    services.claim_wish(
        actor=world.users["social_worker"],
        wish=wish,
        partner_unit=PartnerUnit.objects.get(subdistrict=world.subdistrict),
    )
    client.force_login(world.users[role])
    response = client.post(reverse("volunteers:wish_confirm", args=[wish.pk]))
    # The social worker recorded the claim, so someone else confirms it came true (finding 10).
    second = role in WRITERS and role != "social_worker"
    assert response.status_code == (302 if second else 403 if role in READERS else 404)
    wish.refresh_from_db()
    assert (wish.status == "fulfilled") == second


@pytest.mark.django_db
@pytest.mark.parametrize("role", AREA_ROLES + sorted(DUTY_ROLES))
def test_nobody_claims_or_confirms_another_areas_wish(client, world, role):
    wish = _far_wish(world)
    client.force_login(world.users[role])
    assert client.post(reverse("volunteers:wish_claim", args=[wish.pk]), {"partner_unit": 0}).status_code in (
        403,
        404,
    )
    assert client.post(reverse("volunteers:wish_confirm", args=[wish.pk])).status_code in (403, 404)
    wish.refresh_from_db()
    assert wish.status == "open"


# --- issue 23: the people the seeds name post, claim, fulfil and confirm ------------------------


@pytest.mark.django_db
def test_a_grid_chief_posts_in_the_grid_and_not_outside_it(client, world):
    client.force_login(world.users["grid_chief"])
    outside = world.household_a2  # same neighborhood, another grid
    data = {
        "flat": f"{outside.building.number} {outside.room}",
        "wisher_name": world.resident_a2.name,
        "title": "外格心愿",
    }
    response = client.post(reverse("volunteers:wishes"), data)
    assert response.status_code == 400 and 'data-errors="flat"' in response.content.decode()
    assert not MicroWish.objects.filter(title="外格心愿").exists()
    inside = world.household_a
    data = {
        "flat": f"{inside.building.number}{inside.room}",
        "wisher_name": "不是此户的人",
        "title": "格内心愿",
    }
    response = client.post(reverse("volunteers:wishes"), data)
    assert response.status_code == 400 and 'data-errors="wisher_name"' in response.content.decode()
    data["wisher_name"] = world.resident_a.name
    assert client.post(reverse("volunteers:wishes"), data).status_code == 302
    assert "格内心愿" in client.get(reverse("volunteers:wishes")).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role", ["volunteer_team_chief", "stairwell_chief", "partner_liaison", "property_staff"]
)
def test_who_may_not_post_is_told_before_any_form(client, world, role):
    client.force_login(world.users[role])
    response = client.get(reverse("volunteers:wishes"))
    page = response.content.decode()
    if role in READERS:
        assert 'id="who-posts"' in page and 'id="wish-form"' not in page
    else:
        assert response.status_code == 403


@pytest.mark.django_db
def test_a_partner_unit_claims_and_fulfils_itself_and_the_resident_confirms(
    client, world, settings, django_capture_on_commit_callbacks
):
    wish = _wish(world)
    liaison = world.users["partner_liaison"]
    unit = PartnerUnit.objects.get(subdistrict=world.subdistrict)
    client.force_login(liaison)
    page = client.get(reverse("volunteers:wishes")).content.decode()
    assert "想要一副老花镜" in page and "张秀英" not in page and "张*" in page  # masked for a unit
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("volunteers:wish_claim", args=[wish.pk]), {"partner_unit": unit.pk})
    wish.refresh_from_db()
    assert wish.status == "claimed" and wish.claimed_by_unit == unit and wish.claimed_by == liaison
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("volunteers:wish_deliver", args=[wish.pk]))
        client.post(reverse("volunteers:wish_deliver", args=[wish.pk]))  # a retry changes nothing
    wish.refresh_from_db()
    assert wish.delivered_at is not None and wish.status == "claimed"
    assert client.post(reverse("volunteers:wish_confirm", args=[wish.pk])).status_code == 403
    sms = [json.loads(x) for x in (settings.VAR_DIR / "outbox" / "sms.jsonl").read_text().splitlines()]
    assert len([m for m in sms if m["key"].startswith(f"wish:{wish.pk}:done")]) == 1
    client.logout()
    client.post(reverse("volunteers:wish_confirm_link", args=[wish.confirm_token]))
    wish.refresh_from_db()
    assert wish.status == "fulfilled"


@pytest.mark.django_db
def test_a_unit_claims_only_as_itself(client, world):
    wish = _wish(world)
    other = f.PartnerUnitFactory(subdistrict=world.subdistrict)
    with pytest.raises(PermissionDenied):  # it sees the wish, but speaks for its own unit only
        services.claim_wish(actor=world.users["partner_liaison"], wish=wish, partner_unit=other)
    wish.refresh_from_db()
    assert wish.status == "open"


@pytest.mark.django_db
def test_claiming_for_a_party_member_is_a_search_not_a_list(client, world):
    wish = _wish(world)
    org = f.PartyOrgFactory(neighborhood=world.neighborhood_a)
    for i in range(30):
        f.PartyMemberFactory(party_org=org, name=f"王{i:02d}")
    chosen = f.PartyMemberFactory(party_org=org, name="赵建华")
    client.force_login(world.users["neighborhood_secretary"])
    page = client.get(reverse("volunteers:wishes")).content.decode()
    assert "王01" not in page and "hx-get" in page
    found = client.get(reverse("volunteers:wish_members", args=[wish.pk]), {"q": "王"}).content.decode()
    assert found.count('name="party_member"') == 10
    found = client.get(reverse("volunteers:wish_members", args=[wish.pk]), {"q": "建华"}).content.decode()
    assert f'value="{chosen.pk}"' in found and "王" not in found
    client.post(reverse("volunteers:wish_claim", args=[wish.pk]), {"party_member": chosen.pk})
    wish.refresh_from_db()
    assert wish.claimed_by_member == chosen


@pytest.mark.django_db
@pytest.mark.parametrize("role", AREA_ROLES + sorted(DUTY_ROLES))
def test_the_member_search_by_role(client, world, role):
    wish = _wish(world)
    client.force_login(world.users[role])
    status = client.get(reverse("volunteers:wish_members", args=[wish.pk]), {"q": "党"}).status_code
    assert status == (200 if role in WRITERS else 403 if role in READERS | DUTY_ROLES else 404)
    far = _far_wish(world)
    assert client.get(reverse("volunteers:wish_members", args=[far.pk]), {"q": "党"}).status_code in (
        403,
        404,
    )
    client.logout()
    assert client.get(reverse("volunteers:wish_members", args=[wish.pk])).status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize("role", AREA_ROLES + sorted(DUTY_ROLES))
def test_reporting_a_wish_done_by_role(client, world, role):
    wish = _wish(world)
    unit = PartnerUnit.objects.get(subdistrict=world.subdistrict)
    services.claim_wish(actor=world.users["partner_liaison"], wish=wish, partner_unit=unit)
    client.force_login(world.users[role])
    status = client.post(reverse("volunteers:wish_deliver", args=[wish.pk])).status_code
    may = role in WRITERS or role == "partner_liaison"  # workers of the area, and the claiming unit
    assert status == (302 if may else 403 if role in READERS | DUTY_ROLES else 404)
    wish.refresh_from_db()
    assert (wish.delivered_at is not None) == may
    client.logout()
    assert client.post(reverse("volunteers:wish_deliver", args=[wish.pk])).status_code == 302
