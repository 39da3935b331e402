"""POST /api/v1/sync through the project's API (auth, error handlers): every status, the order
items apply in, the time they keep, the conflicts and the permission checks of each kind."""

import json
import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from gongzhi.concerns.models import Concern
from gongzhi.concerns.tests.conftest import category
from gongzhi.field.models import SyncReceipt
from gongzhi.org import factories as f
from gongzhi.visits.models import Visit
from gongzhi.volunteers import services as volunteer_services
from gongzhi.volunteers import testing as vt
from gongzhi.volunteers.models import CallUpAnswer, RosterDuty, SignUp

pytestmark = pytest.mark.django_db
URL = "/api/v1/sync"


@pytest.fixture(autouse=True)
def _outbox(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.GONGZHI_WEBHOOK_URL = ""


def post(user, items):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client.post(URL, data=json.dumps({"items": items}), content_type="application/json")


def item(kind, payload, *, made_at=None, key=None):
    made_at = made_at or timezone.now() - timedelta(hours=1)
    return {"key": key or str(uuid.uuid4()), "kind": kind, "made_at": made_at.isoformat(), "payload": payload}


def visit(world, **payload):
    return item("visit", {"household_id": world.household_a.pk, "raised": "楼道灯坏了", **payload})


def test_a_visit_is_created_once_with_its_offline_time(world):
    worker = world.users["grid_worker"]
    made = timezone.now() - timedelta(hours=3)
    first = item("visit", {"household_id": world.household_a.pk, "raised": "楼道灯坏了"}, made_at=made)
    answer = post(worker, [first])
    assert answer.status_code == 200, answer.content
    (result,) = answer.json()["results"]
    assert result["status"] == "created" and result["key"] == first["key"] and result["errors"] == {}
    stored = Visit.objects.get(pk=result["id"])
    assert stored.visited_at == made and stored.worker == worker and stored.household == world.household_a
    again = post(worker, [first]).json()["results"][0]
    assert again == {"key": first["key"], "status": "duplicate", "id": result["id"], "errors": {}}
    assert Visit.objects.count() == 1 and SyncReceipt.objects.count() == 1


def test_a_rejected_item_changes_nothing_names_its_field_and_the_others_still_apply(world):
    worker = world.users["grid_worker"]
    good, bad = visit(world), visit(world, channel="pigeon")
    unknown = item("visit", {"household_id": 999999})
    results = post(worker, [bad, good, unknown]).json()["results"]
    assert [r["key"] for r in results] == [bad["key"], good["key"], unknown["key"]]
    assert [r["status"] for r in results] == ["rejected", "created", "rejected"]
    assert "channel" in results[0]["errors"] and results[0]["id"] is None
    assert "household_id" in results[2]["errors"]
    assert Visit.objects.count() == 1 and SyncReceipt.objects.count() == 1
    # Fixed and sent again with the same key: it goes in now.
    bad["payload"]["channel"] = "phone"
    assert post(worker, [bad]).json()["results"][0]["status"] == "created"


def test_item_shape_errors_name_the_fields(world):
    worker = world.users["grid_worker"]
    results = post(
        worker,
        [
            {"kind": "visit", "made_at": timezone.now().isoformat(), "payload": {}},
            item("parcel", {}),
            {"key": "k1", "kind": "visit", "made_at": "yesterday", "payload": {}},
            item("visit", {"household_id": world.household_a.pk}, made_at=timezone.now() + timedelta(days=1)),
            item(
                "visit", {"household_id": world.household_a.pk}, made_at=timezone.now() - timedelta(days=60)
            ),
            item("visit", {"channel": "door"}),
        ],
    ).json()["results"]
    assert all(r["status"] == "rejected" for r in results)
    assert "key" in results[0]["errors"]
    assert "kind" in results[1]["errors"]
    assert "made_at" in results[2]["errors"] and results[2]["key"] == "k1"
    assert "made_at" in results[3]["errors"] and "made_at" in results[4]["errors"]
    assert "household_id" in results[5]["errors"]
    assert not Visit.objects.exists()


def test_more_than_200_items_are_refused_whole(world):
    answer = post(world.users["grid_worker"], [visit(world) for _ in range(201)])
    assert answer.status_code == 422
    assert "items" in answer.json()["errors"]
    assert not Visit.objects.exists()


def test_items_apply_in_the_order_they_were_made(world):
    worker = world.users["grid_worker"]
    now = timezone.now()
    later = visit(world, raised="第二次")
    later["made_at"] = (now - timedelta(minutes=10)).isoformat()
    earlier = visit(world, raised="第一次")
    earlier["made_at"] = (now - timedelta(minutes=50)).isoformat()
    results = post(worker, [later, earlier]).json()["results"]
    assert [r["key"] for r in results] == [later["key"], earlier["key"]]
    assert results[1]["id"] < results[0]["id"]  # the earlier one was written first


def test_a_visit_with_a_category_opens_one_concern(world):
    category()
    worker = world.users["grid_worker"]
    queued = visit(world, category="parking")
    result = post(worker, [queued]).json()["results"][0]
    assert result["status"] == "created"
    assert Visit.objects.get(pk=result["id"]).concern_id is not None
    post(worker, [queued])
    assert Concern.objects.count() == 1


def test_another_grids_household_is_rejected_and_a_resident_cannot_sync_a_visit(world):
    worker = world.users["grid_worker"]
    result = post(worker, [visit(world, household_id=world.household_a2.pk)]).json()["results"][0]
    assert result["status"] == "rejected" and "household_id" in result["errors"]
    resident_user = f.UserFactory(username="resident-a")
    world.resident_a.user = resident_user
    world.resident_a.save()
    result = post(resident_user, [visit(world)]).json()["results"][0]
    assert result["status"] == "rejected" and "household_id" in result["errors"]
    # A role that reads the household but records no visits there: refused too.
    result = post(world.users["stairwell_chief"], [visit(world)]).json()["results"][0]
    assert result["status"] == "rejected"
    assert not Visit.objects.exists()


def test_anonymous_is_refused(world):
    assert post(None, [visit(world)]).status_code == 401


def test_a_visit_to_a_household_that_moved_out_is_a_conflict_with_a_reason(world):
    world.resident_a.lives_here = False
    world.resident_a.save()
    result = post(world.users["grid_worker"], [visit(world)]).json()["results"][0]
    assert result["status"] == "rejected"
    assert "迁出" in result["errors"]["household_id"][0] or "moved out" in result["errors"]["household_id"][0]
    assert not Visit.objects.exists()


def test_a_concern_on_a_building_a_redraw_moved_is_a_conflict_until_confirmed(world):
    category()
    admin = world.users["neighborhood_secretary"]
    old_grid = world.grid_a
    building = world.household_a.building
    new_grid = f.MicroGridFactory(neighborhood=world.neighborhood_a, name="合并后网格")
    type(building).objects.filter(pk=building.pk).update(micro_grid=new_grid)
    type(world.household_a).objects.filter(building=building).update(micro_grid=new_grid)
    queued = item(
        "concern",
        {
            "category": "parking",
            "description": "车棚漏雨",
            "building_id": building.pk,
            "seen_grid_id": old_grid.pk,
        },
    )
    result = post(admin, [queued]).json()["results"][0]
    assert result["status"] == "rejected"
    assert "合并后网格" in result["errors"]["seen_grid_id"][0]
    assert not Concern.objects.exists()
    del queued["payload"]["seen_grid_id"]  # the worker confirms the new grid
    result = post(admin, [queued]).json()["results"][0]
    assert result["status"] == "created"
    assert Concern.objects.get(pk=result["id"]).micro_grid_id == new_grid.pk


def test_the_grid_worker_whose_building_left_the_grid_is_told_and_cannot_resend(world):
    category()
    worker = world.users["grid_worker"]
    building = world.household_a.building
    new_grid = f.MicroGridFactory(neighborhood=world.neighborhood_a, name="邻格")
    type(building).objects.filter(pk=building.pk).update(micro_grid=new_grid)
    type(world.household_a).objects.filter(building=building).update(micro_grid=new_grid)
    queued = item(
        "concern",
        {
            "category": "parking",
            "description": "车棚漏雨",
            "household_id": world.household_a.pk,
            "seen_grid_id": world.grid_a.pk,
        },
    )
    result = post(worker, [queued]).json()["results"][0]
    assert result["status"] == "rejected" and "邻格" in result["errors"]["seen_grid_id"][0]
    del queued["payload"]["seen_grid_id"]
    result = post(worker, [queued]).json()["results"][0]
    assert result["status"] == "rejected" and "place" in result["errors"]
    assert not Concern.objects.exists()


def test_concern_intake_created_and_duplicate(world):
    category()
    worker = world.users["grid_worker"]
    queued = item(
        "concern", {"category": "parking", "description": "车棚漏雨", "household_id": world.household_a.pk}
    )
    first = post(worker, [queued, queued]).json()["results"]
    assert [r["status"] for r in first] == ["created", "duplicate"] and first[0]["id"] == first[1]["id"]
    assert Concern.objects.count() == 1


def test_check_in_keeps_the_scan_time_and_a_cancelled_activity_is_a_conflict(world):
    activity = vt.activity(world, started=True, capacity=3)
    me = vt.volunteer(world, "李四", with_user=True)
    volunteer_services.sign_up(actor=me.user, activity=activity, volunteer=me)
    scanned = activity.starts_at + timedelta(minutes=5)
    result = post(me.user, [item("check_in", {"token": activity.check_in_token}, made_at=scanned)]).json()[
        "results"
    ][0]
    assert result["status"] == "created"
    assert SignUp.objects.get(pk=result["id"]).checked_in_at == scanned

    other = volunteer_services.publish_activity(
        actor=world.users["subdistrict_admin"],
        team=activity.team,
        title="义诊",
        place="活动室",
        starts_at=activity.starts_at,
        ends_at=activity.ends_at,
        capacity=3,
    )
    volunteer_services.sign_up(actor=me.user, activity=other, volunteer=me)
    volunteer_services.cancel_activity(actor=world.users["subdistrict_admin"], activity=other)
    result = post(me.user, [item("check_in", {"token": other.check_in_token})]).json()["results"][0]
    assert result["status"] == "rejected" and "token" in result["errors"]
    assert SignUp.objects.get(activity=other, volunteer=me).checked_in_at is None


def test_check_in_by_someone_not_signed_up_is_rejected(world):
    activity = vt.activity(world, started=True)
    stranger = vt.volunteer(world, "路人", with_user=True)
    result = post(stranger.user, [item("check_in", {"token": activity.check_in_token})]).json()["results"][0]
    assert result["status"] == "rejected" and "token" in result["errors"]


def _duty(world):
    from datetime import datetime

    admin = world.users["subdistrict_admin"]
    team = vt.team(world)
    for n in range(3):
        person = vt.volunteer(world, f"队员{n}")
        person.team = team
        person.kind = "party_member" if n == 0 else ("partner_staff" if n == 1 else "resident")
        person.save()
    # Two hours ago in Beijing, date and time together: just after midnight the shift began yesterday.
    began = timezone.localtime() - timedelta(hours=2)
    start = began.time().replace(microsecond=0)
    pattern = volunteer_services.create_roster(
        actor=admin,
        team=team,
        name="门岗",
        place="东门",
        start_time=start,
        duration_minutes=240,
        leads=1,
        volunteers=1,
        security=1,
    )
    day = began.date()
    volunteer_services.generate_roster(actor=admin, pattern=pattern, first_day=day, last_day=day)
    duty = RosterDuty.objects.filter(shift__pattern=pattern).first()
    assert duty.shift.starts_at < timezone.now(), datetime.now()
    return duty


def test_roster_attendance_by_the_chief_and_not_by_an_outsider(world):
    duty = _duty(world)
    chief = world.users["volunteer_team_chief"]
    result = post(chief, [item("roster_attendance", {"duty_id": duty.pk, "attendance": "served"})]).json()[
        "results"
    ][0]
    assert result["status"] == "created", result
    duty.refresh_from_db()
    assert duty.attendance == "served"
    outsider = world.users["grid_worker"]
    result = post(
        outsider, [item("roster_attendance", {"duty_id": duty.pk, "attendance": "no_show"})]
    ).json()["results"][0]
    assert result["status"] == "rejected"
    duty.refresh_from_db()
    assert duty.attendance == "served"
    # Marked offline before the shift started: refused, naming the field.
    early = item(
        "roster_attendance",
        {"duty_id": duty.pk, "attendance": "no_show"},
        made_at=duty.shift.starts_at - timedelta(minutes=5),
    )
    result = post(chief, [early]).json()["results"][0]
    assert result["status"] == "rejected" and "attendance" in result["errors"]


def test_callup_answer_keeps_the_answer_time_and_a_closed_emergency_is_rejected(world):
    admin = world.users["subdistrict_admin"]
    person = vt.volunteer(world, "王五", with_user=True, phone="13700137000")
    emergency = volunteer_services.open_emergency(actor=admin, subdistrict=world.subdistrict, title="防汛")
    volunteer_services.call_up(actor=admin, emergency=emergency)
    answer = CallUpAnswer.objects.get(volunteer=person)
    made = timezone.now() - timedelta(minutes=20)
    queued = item("callup_answer", {"token": answer.token, "accept": True}, made_at=made)
    result = post(person.user, [queued]).json()["results"][0]
    assert result["status"] == "created" and result["id"] == answer.pk
    answer.refresh_from_db()
    assert answer.answer == "yes" and answer.answered_at == made
    volunteer_services.close_emergency(actor=admin, emergency=emergency)
    late = item("callup_answer", {"token": answer.token, "accept": False})
    result = post(person.user, [late]).json()["results"][0]
    assert result["status"] == "rejected" and "token" in result["errors"]


def test_keys_are_per_user(world):
    queued = visit(world)
    first = post(world.users["grid_worker"], [queued]).json()["results"][0]
    second = post(world.users["grid_chief"], [queued]).json()["results"][0]
    assert first["status"] == second["status"] == "created" and first["id"] != second["id"]
