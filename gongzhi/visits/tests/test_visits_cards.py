"""The contact card (连心卡): hotlines, the grid's staff (names masked, work phones), the service
point and a QR code of the resident concern page, per household or for a whole grid."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from gongzhi.org.models import ServicePoint
from gongzhi.visits import cards, services
from gongzhi.visits.models import Hotline, StaffContact

pytestmark = pytest.mark.django_db


@pytest.fixture
def card_world(world):
    admin = world.users["subdistrict_admin"]
    services.save_hotline(actor=admin, subdistrict=world.subdistrict, name="市民热线", number="12345")
    services.save_hotline(
        actor=world.users["neighborhood_secretary"],
        subdistrict=world.subdistrict,
        neighborhood=world.neighborhood_a,
        name="居委会",
        number="021-5680 1234",
    )
    worker = world.users["grid_worker"]
    worker.display_name = "王小明"
    worker.save()
    services.set_work_phone(
        actor=admin, user=worker, subdistrict=world.subdistrict, work_phone="021-56801111"
    )
    ServicePoint.objects.create(
        subdistrict=world.subdistrict,
        neighborhood=world.neighborhood_a,
        name="杨泰一村党群服务站",
        kind="station",
        address="杨泰路1号",
        opening_hours="9:00-17:00",
    )
    return world


def test_grid_cards_carry_hotlines_staff_service_point_and_qr(client, card_world):
    world = card_world
    client.force_login(world.users["grid_worker"])
    response = client.get(reverse("visits:grid_cards", args=[world.grid_a.pk]))
    assert response.status_code == 200
    page = response.content.decode().split('class="card-sheet"')[1]  # not the header's own name
    assert f'data-card="{world.household_a.pk}"' in page
    assert f'data-card="{world.household_a2.pk}"' not in page  # another grid
    assert "12345" in page and "021-5680 1234" in page  # subdistrict's and neighborhood's hotlines
    assert "王**" in page and "王小明" not in page and "021-56801111" in page
    assert "杨泰一村党群服务站" in page and "<svg" in page
    card = response.context["cards"][0]
    building = world.household_a.building
    assert card.report_path == f"/concerns/r/new/?n={building.neighborhood.code}&b={building.pk}"
    # The resident page the QR code opens exists and needs no account.
    client.logout()
    assert client.get(card.report_path).status_code == 200


def test_household_card_and_scope(client, card_world):
    world = card_world
    client.force_login(world.users["neighborhood_secretary"])
    one = client.get(reverse("visits:household_card", args=[world.household_a2.pk]))
    assert one.status_code == 200 and len(one.context["cards"]) == 1
    grids = client.get(reverse("visits:cards")).content.decode()
    assert f'data-grid="{world.grid_a.pk}"' in grids
    client.force_login(world.users["grid_worker"])
    assert client.get(reverse("visits:household_card", args=[world.household_a2.pk])).status_code == 404
    assert client.get(reverse("visits:household_card", args=[world.household_far.pk])).status_code == 404
    assert (
        client.get(reverse("visits:grid_cards", args=[world.household_a2.micro_grid_id])).status_code == 404
    )
    client.force_login(world.users["stairwell_chief"])
    assert client.get(reverse("visits:cards")).status_code == 403
    client.logout()
    assert client.get(reverse("visits:grid_cards", args=[world.grid_a.pk])).status_code == 302


def test_stairwell_chief_is_on_the_card_of_their_stairwell(card_world):
    world = card_world
    chief = world.users["stairwell_chief"]
    chief.display_name = "李四"
    chief.save()
    households = list(
        cards.card_households(world.users["neighborhood_secretary"], household_id=world.household_a.pk)
    )
    staff = cards.cards_for(households)[0].staff
    names = [s["name"] for s in staff]
    assert "李*" in names and "王**" in names
    assert len(names) == len(set(names))  # each person once, even with two roles


def test_hotlines_and_work_phones_are_kept_by_the_right_people(card_world):
    world = card_world
    with pytest.raises(PermissionDenied):  # subdistrict-wide numbers are the admin's
        services.save_hotline(
            actor=world.users["neighborhood_secretary"], subdistrict=world.subdistrict, name="x", number="110"
        )
    with pytest.raises(PermissionDenied):
        services.save_hotline(
            actor=world.users["grid_worker"],
            subdistrict=world.subdistrict,
            neighborhood=world.neighborhood_a,
            name="x",
            number="110",
        )
    with pytest.raises(ValidationError) as error:
        services.save_hotline(
            actor=world.users["subdistrict_admin"], subdistrict=world.subdistrict, name="", number="abc"
        )
    assert set(error.value.message_dict) == {"name", "number"}
    assert Hotline.objects.count() == 2
    with pytest.raises(PermissionDenied):
        services.set_work_phone(
            actor=world.users["neighborhood_secretary"],
            user=world.users["grid_chief"],
            subdistrict=world.subdistrict,
            work_phone="110",
        )
    # Saving a number again changes the one row.
    admin = world.users["subdistrict_admin"]
    worker = world.users["grid_worker"]
    services.set_work_phone(actor=admin, user=worker, subdistrict=world.subdistrict, work_phone="021-1")
    assert StaffContact.objects.get(user=worker).work_phone == "021-1"
    assert StaffContact.objects.count() == 1
