"""Minors (under 14): full records only for roles that need them, each access audited; masked otherwise."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from gongzhi.core import minors, pii
from gongzhi.core.models import AuditRecord
from gongzhi.org import factories as f
from gongzhi.org import services as org_services
from gongzhi.org.models import Resident

pytestmark = pytest.mark.django_db
SEES_MINORS = ["neighborhood_secretary", "social_worker"]
MASKED = ["subdistrict_admin", "grid_chief", "grid_worker", "stairwell_chief"]


def years_ago(years: int, days: int = 0) -> date:
    today = timezone.localdate()
    return today.replace(year=today.year - years) - timedelta(days=days)


@pytest.fixture
def child(world):
    resident = f.ResidentFactory(household=world.household_a, name="王小明", birth_date=years_ago(8))
    body = "310113" + years_ago(8).strftime("%Y%m%d") + "123"
    resident.set_id_number(body + pii.id_check_digit(body))
    resident.save()
    return resident


def views_of(resident) -> int:
    return AuditRecord.objects.filter(action="view", object_id=str(resident.pk)).count()


def test_age_comes_from_the_birth_date_or_the_id_number():
    assert minors.is_minor(Resident(name="a", birth_date=years_ago(13, days=-1)))  # 14 tomorrow
    assert not minors.is_minor(Resident(name="a", birth_date=years_ago(14)))  # 14 today
    body = "310113" + years_ago(5).strftime("%Y%m%d") + "001"
    assert minors.is_minor(Resident(name="a", id_number=body + pii.id_check_digit(body)))
    assert not minors.is_minor(Resident(name="a"))  # no date known: not treated as a minor


@pytest.mark.parametrize("role", SEES_MINORS)
def test_roles_that_need_them_see_a_minor_and_each_access_is_audited(client, world, child, role):
    client.force_login(world.users[role])
    page = client.get(reverse("org:household", args=[world.household_a.pk])).content.decode()
    assert "王小明" in page and views_of(child) == 1
    api = client.get(f"/api/v1/residents/{child.pk}").json()
    assert api["name"] == "王小明" and api["birth_date"] == child.birth_date.isoformat()
    assert views_of(child) == 2


@pytest.mark.parametrize("role", MASKED)
def test_other_roles_see_a_minor_masked_and_leave_no_access_record(client, world, child, role):
    client.force_login(world.users[role])
    page = client.get(reverse("org:household", args=[world.household_a.pk])).content.decode()
    assert "王小明" not in page and "王**" in page
    api = client.get(f"/api/v1/residents/{child.pk}").json()
    assert (
        api["name"] == "王**" and api["birth_date"] is None and api["id_number"] == "" and api["phone"] == ""
    )
    listed = client.get(f"/api/v1/residents?household_id={world.household_a.pk}").json()
    assert "王小明" not in {r["name"] for r in listed}
    assert views_of(child) == 0


def test_adults_are_not_masked_and_leave_no_view_record(client, world, child):
    adult = world.resident_a
    adult.birth_date, adult.id_number = years_ago(40), ""
    adult.save()
    client.force_login(world.users["grid_worker"])
    page = client.get(reverse("org:household", args=[world.household_a.pk])).content.decode()
    assert adult.name in page and views_of(adult) == 0


def test_a_minor_elsewhere_stays_out_of_reach(client, world):
    far_child = f.ResidentFactory(household=world.household_b, name="李小红", birth_date=years_ago(6))
    client.force_login(world.users["social_worker"])
    assert client.get(f"/api/v1/residents/{far_child.pk}").status_code == 404
    outsider = f.UserFactory(username="b_social")
    org_services.assign_role(actor=None, user=outsider, role="social_worker", unit=world.neighborhood_b)
    assert minors.may_see(outsider, far_child) and not minors.may_see(outsider, world.resident_a)


def test_full_numbers_of_a_minor_need_the_minor_role(world, child):
    with pytest.raises(PermissionDenied):
        org_services.unmask_resident(
            actor=world.users["subdistrict_admin"], resident=child, reason="核对低保"
        )
    numbers = org_services.unmask_resident(
        actor=world.users["neighborhood_secretary"], resident=child, reason="核对低保"
    )
    assert numbers["id_number"] == child.id_number


def test_a_masked_record_cannot_be_saved(world, child):
    masked = minors.present_one(world.users["grid_worker"], Resident.objects.get(pk=child.pk))
    assert masked.minor_masked
    with pytest.raises(PermissionDenied):
        masked.save()
    assert Resident.objects.get(pk=child.pk).name == "王小明"


def test_a_ledger_export_masks_minors_for_exporters_who_may_not_see_them(world, child):
    import io

    import openpyxl

    from gongzhi.org.ledger import export_households_xlsx

    def names(user) -> set:
        sheet = openpyxl.load_workbook(io.BytesIO(export_households_xlsx(actor=user))).worksheets[0]
        return {row[6] for row in sheet.iter_rows(values_only=True)}

    assert "王小明" in names(world.users["neighborhood_secretary"])
    masked = names(world.users["subdistrict_admin"])
    assert "王小明" not in masked and "王**" in masked


# ---- lists of residents offered in bulk, and name searches ------------------------------------


@pytest.fixture
def id_only_child(world):
    """A child whose age only the (encrypted) ID number tells, in another household of area A."""
    resident = f.ResidentFactory(household=world.household_a2, name="李小红")
    body = "310113" + years_ago(6).strftime("%Y%m%d") + "456"
    resident.set_id_number(body + pii.id_check_digit(body))
    resident.save()
    return resident


def test_meeting_invitations_offer_adults_only_with_masked_names(client, world, child, id_only_child):
    from gongzhi.deliberation import services as deliberation_services

    meeting = deliberation_services.create_meeting(
        actor=world.users["neighborhood_secretary"],
        kind="deliberation",
        title="加装电梯议事会",
        held_at=timezone.now(),
        compound=world.household_a.building.compound,
    )
    client.force_login(world.users["neighborhood_secretary"])
    page = client.get(reverse("deliberation:meeting", args=[meeting.pk])).content.decode()
    search = reverse("deliberation:meeting_residents", args=[meeting.pk])
    adult = world.resident_a
    offered = "".join(
        client.get(search, {"resident_q": who.name}).content.decode() for who in (adult, child, id_only_child)
    )
    assert f'value="{adult.pk}"' in offered and pii.mask_name(adult.name) in offered
    assert adult.name not in offered
    for minor in (child, id_only_child):
        assert f'value="{minor.pk}"' not in offered and minor.name not in page
    url = reverse("deliberation:meeting_invite", args=[meeting.pk])
    assert client.post(url, {"invite-resident": child.pk}).status_code == 400
    assert not meeting.invitations.exists()


def test_a_childs_name_finds_no_household_but_the_room_still_does(client, world, child):
    from gongzhi.org import selectors as org_selectors
    from gongzhi.visits import selectors as visits_selectors

    secretary = world.users["neighborhood_secretary"]
    household = world.household_a
    assert not org_selectors.search_households(secretary, "王小明").exists()
    assert list(org_selectors.search_households(secretary, world.resident_a.name)) == [household]
    assert household in org_selectors.search_households(
        secretary, f"{household.building.number} {household.room}"
    )
    grid_worker = world.users["grid_worker"]
    assert visits_selectors.households_to_visit(grid_worker, "王小明").households == []
    assert visits_selectors.households_to_visit(grid_worker, world.resident_a.name).households == [household]
    client.force_login(secretary)
    assert client.get("/api/v1/households", {"q": "王小明"}).json() == []
    assert [h["id"] for h in client.get("/api/v1/households", {"q": world.resident_a.name}).json()] == [
        household.pk
    ]


def test_the_registry_keeps_the_birth_date_the_id_number_tells(world):
    body = "310113" + years_ago(9).strftime("%Y%m%d") + "789"
    resident = org_services.create_resident(
        actor=world.users["neighborhood_secretary"],
        household=world.household_a,
        name="赵小虎",
        id_number=body + pii.id_check_digit(body),
    )
    assert resident.birth_date == years_ago(9)
    from gongzhi.org import selectors as org_selectors

    assert not org_selectors.search_households(world.users["neighborhood_secretary"], "赵小虎").exists()
