"""Micro-wishes: posted for a resident, claimed by one party member or partner unit, confirmed by the resident."""

import json

import pytest
from django.core.exceptions import ValidationError
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
READERS = {code for code, role in ROLES.items() if "volunteer" in role.read}
WRITERS = {code for code, role in ROLES.items() if "volunteer" in role.write}
# Claiming for a partner unit also needs to see the unit (a team chief sees none).
UNIT_CLAIMERS = {code for code in WRITERS if "partner" in ROLES[code].read}


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
def test_posting_a_wish_for_a_resident_needs_write_in_the_neighborhood(client, world, role):
    client.force_login(world.users[role])
    data = {"neighborhood": world.neighborhood_a.pk, "wisher_name": "李大爷", "title": "修收音机"}
    response = client.post(reverse("volunteers:wishes"), data)
    assert response.status_code == (302 if role in WRITERS else 200)
    assert MicroWish.objects.filter(title="修收音机").exists() == (role in WRITERS)


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
    assert response.status_code == (302 if second else 403 if role in WRITERS else 404)
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
