"""大事细议、要事议妥 whatever the channel: every major or key concern gets its agenda item in the
service layer. Staff who hold meetings put it on one at once; from the resident page, Open311, a
visit or a grid worker it waits on the neighborhood's agenda (待议事项) until staff schedule it."""

import json

import pytest
from django.urls import reverse

from gongzhi.concerns import coordination, services
from gongzhi.concerns.models import Concern, RoutingRule
from gongzhi.concerns.open311_keys import create_key
from gongzhi.concerns.tests.conftest import category, concern_for
from gongzhi.core.models import AuditRecord
from gongzhi.deliberation.models import AgendaItem, Meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def lift(db):
    return category("qa_lift", "电梯困人", tier="major")


@pytest.fixture
def drains(db):
    return category("qa_drains", "雨污管网", tier="key")


def _waiting(concern: Concern) -> AgendaItem:
    item = AgendaItem.objects.get(concern=concern)
    assert item.meeting is None and item.neighborhood_id == concern.neighborhood_id
    assert item.origin == {"major": "major_concern", "key": "key_concern"}[concern.tier]
    assert item.origin_ref == f"concern:{concern.pk}" and item.subdistrict_id == concern.subdistrict_id
    event = concern.events.get(action="deliberate")
    assert "待议事项" in event.note
    assert AuditRecord.objects.filter(
        action="create", object_type="deliberation.agendaitem", object_id=str(item.pk)
    ).exists()
    return item


def test_a_major_concern_from_the_resident_page_waits_on_the_neighborhoods_agenda(client, world, lift):
    data = {
        "n": world.neighborhood_a.code,
        "category": lift.pk,
        "description": "3号楼电梯每天困人，整栋楼老人出不了门",
        "key": "r-1",
        "dup_checked": "1",
    }
    assert client.post(reverse("concerns:resident_report"), data).status_code == 302
    concern = Concern.objects.get()
    assert concern.channel == "resident" and concern.tier == "major"
    item = _waiting(concern)
    assert concern.events.get(action="deliberate").actor_label == "system"
    # A retried submission neither duplicates the concern nor its item.
    assert client.post(reverse("concerns:resident_report"), data).status_code == 302
    assert Concern.objects.count() == 1 and list(AgendaItem.objects.all()) == [item]


def test_a_major_concern_raised_on_a_grid_workers_visit_waits(client, world, lift):
    client.force_login(world.users["grid_worker"])
    response = client.post(
        reverse("concerns:visit_new"),
        {"household": world.household_a.pk, "channel": "door", "raised": "电梯异响停运", "category": lift.pk},
    )
    assert response.status_code == 302
    concern = Concern.objects.get()
    assert concern.channel == "visit"
    _waiting(concern)


def test_a_key_concern_from_open311_waits_and_scheduling_invites_the_routed_department(client, world, drains):
    department = world.users["department_handler"].role_assignments.get().department
    RoutingRule.objects.create(
        subdistrict=world.subdistrict, category=drains, handler_kind="department", department=department
    )
    building = world.household_a.building
    api_key = create_key(actor=None, subdistrict=world.subdistrict, name="civic app")[1]
    response = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": api_key,
            "jurisdiction_id": world.subdistrict.code,
            "service_code": "qa_drains",
            "address_id": building.pk,
            "description": "雨天倒灌",
        },
    )
    assert response.status_code == 201
    concern = Concern.objects.get(pk=response.json()[0]["service_request_id"])
    assert concern.channel == "open311" and concern.tier == "key"
    item = _waiting(concern)
    # The secretary schedules it from the concern page: a joint consultation with the department.
    client.force_login(world.users["neighborhood_secretary"])
    page = client.get(reverse("concerns:detail", args=[concern.pk])).content.decode()
    assert "data-agenda-waiting" in page and "data-deliberate" in page
    assert client.post(reverse("concerns:deliberate", args=[concern.pk])).status_code == 302
    item.refresh_from_db()
    assert item.meeting.kind == Meeting.Kind.JOINT_CONSULTATION
    assert list(item.meeting.invitations.values_list("department_id", flat=True)) == [department.pk]
    assert AgendaItem.objects.filter(concern=concern).count() == 1
    page = client.get(reverse("concerns:detail", args=[concern.pk])).content.decode()
    assert "data-agenda-waiting" not in page and "data-deliberate" not in page


def test_staff_who_hold_meetings_put_it_on_a_meeting_through_the_service_and_api(client, world, lift, drains):
    partner = world.users["partner_liaison"].role_assignments.get().partner_unit
    RoutingRule.objects.create(
        subdistrict=world.subdistrict, category=drains, handler_kind="partner_unit", partner_unit=partner
    )
    major = concern_for(world, actor=world.users["social_worker"], category=lift)
    assert major.agenda_item.meeting.kind == Meeting.Kind.DELIBERATION
    key = concern_for(world, actor=world.users["neighborhood_secretary"], category=drains)
    assert key.agenda_item.meeting.kind == Meeting.Kind.JOINT_CONSULTATION
    assert key.agenda_item.meeting.invitations.filter(partner_unit=partner).exists()
    # The API (staff entry for the hotline) goes through the same service.
    client.force_login(world.users["social_worker"])
    response = client.post(
        "/api/v1/concerns",
        data=json.dumps(
            {"category": "qa_lift", "description": "电梯停运", "household_id": world.household_a.pk}
        ),
        content_type="application/json",
    )
    assert response.status_code == 201
    by_api = AgendaItem.objects.get(concern_id=response.json()["id"])
    assert by_api.meeting == major.agenda_item.meeting  # the neighborhood's next deliberation meeting
    # A grid worker's entry by API waits.
    client.force_login(world.users["grid_worker"])
    response = client.post(
        "/api/v1/concerns",
        data=json.dumps(
            {"category": "qa_lift", "description": "电梯门夹人", "household_id": world.household_a.pk}
        ),
        content_type="application/json",
    )
    _waiting(Concern.objects.get(pk=response.json()["id"]))


def test_minor_and_urgent_concerns_get_no_item_and_a_retier_to_major_does(world):
    minor = concern_for(world)
    urgent = concern_for(world, urgent=True)
    assert (minor.agenda_item, urgent.agenda_item) == (None, None)
    assert not AgendaItem.objects.exists()
    retiered = services.override_tier(
        actor=world.users["grid_worker"], concern=minor, tier="major", reason="涉及整栋楼"
    )
    assert retiered.agenda_item == _waiting(retiered)


def test_it_is_once_per_concern(world, lift):
    concern = concern_for(world, category=lift)
    first = concern.agenda_item
    assert coordination.deliberate_if_due(actor=None, concern=concern) == first
    assert coordination.deliberate_if_due(actor=world.users["grid_worker"], concern=concern) == first
    scheduled = coordination.deliberate_if_due(actor=world.users["social_worker"], concern=concern)
    assert scheduled.pk == first.pk and scheduled.meeting is not None  # the waiting one, now scheduled
    assert coordination.deliberate_if_due(actor=world.users["social_worker"], concern=concern) == scheduled
    assert AgendaItem.objects.filter(concern=concern).count() == 1
    assert concern.events.filter(action="deliberate").count() == 2  # waiting, then scheduled


def test_the_meetings_page_lists_waiting_items_to_the_neighborhoods_staff(client, world, lift):
    concern = concern_for(world, category=lift)
    far = concern_for(
        world, actor=world.users["subdistrict_admin"], household=world.household_b, category=lift
    )
    assert far.agenda_item.meeting is not None  # the admin holds meetings: scheduled at once
    waiting_b = services.submit_concern(
        actor=None,
        channel="resident",
        category=lift,
        place=services.place_of(household=world.household_b),
        description="二村电梯停运",
    )
    assert waiting_b.agenda_item.meeting is None
    client.force_login(world.users["neighborhood_secretary"])
    page = client.get(reverse("deliberation:meetings")).content.decode()
    assert f'data-waiting-item="{concern.agenda_item.pk}"' in page
    assert reverse("concerns:detail", args=[concern.pk]) in page
    assert f'data-waiting-item="{waiting_b.agenda_item.pk}"' not in page  # another neighborhood's
    client.force_login(world.users["subdistrict_admin"])
    page = client.get(reverse("deliberation:meetings")).content.decode()
    assert f'data-waiting-item="{waiting_b.agenda_item.pk}"' in page


def test_a_waiting_report_that_joins_another_leaves_the_agenda(world, lift):
    main = concern_for(world, actor=world.users["social_worker"], category=lift)
    report = concern_for(world, category=lift, description="电梯又坏了")
    item = report.agenda_item
    coordination.join_concern(actor=world.users["social_worker"], concern=report, into=main)
    assert not AgendaItem.objects.filter(pk=item.pk).exists()
    assert AuditRecord.objects.filter(
        action="delete", object_type="deliberation.agendaitem", object_id=str(item.pk)
    ).exists()
    assert AgendaItem.objects.filter(concern=main).count() == 1


def test_a_report_staff_join_at_intake_leaves_its_meeting_but_a_deliberated_item_stays(client, world, lift):
    from django.utils import timezone

    from gongzhi.deliberation.models import Decision

    main = concern_for(world, actor=world.users["social_worker"], category=lift)
    client.force_login(world.users["social_worker"])
    data = {
        "household": world.household_a2.pk,
        "channel": "hotline",
        "category": lift.pk,
        "description": "电梯又困人了",
        "dup_checked": "1",
        "join": main.pk,
        "key": "j-1",
    }
    assert client.post(reverse("concerns:intake"), data).status_code == 302
    joined = Concern.objects.get(idempotency_key__endswith=":j-1")
    assert joined.joined_to_id == main.pk and not AgendaItem.objects.filter(concern=joined).exists()
    assert list(AgendaItem.objects.values_list("concern_id", flat=True)) == [main.pk]
    # Once the meeting has decided on an item, joining its concern elsewhere leaves it on record.
    other = concern_for(world, actor=world.users["social_worker"], category=lift, description="三号楼电梯")
    Decision.objects.create(meeting=other.agenda_item.meeting, agenda_item=other.agenda_item, text="报修")
    Meeting.objects.filter(pk=other.agenda_item.meeting_id).update(held_at=timezone.now())
    coordination.join_concern(actor=world.users["social_worker"], concern=other, into=main)
    assert AgendaItem.objects.filter(pk=other.agenda_item.pk).exists()
