"""Opening and editing an emergency on its pages, the live fill board, drop-out and the xlsx plan."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from gongzhi.core import exports
from gongzhi.core.errors import NotInScope
from gongzhi.core.models import AuditRecord
from gongzhi.core.roles import DUTY_ROLES, ROLES
from gongzhi.volunteers import services
from gongzhi.volunteers import testing as t
from gongzhi.volunteers.models import CallUpAnswer, Emergency, PostAssignment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _outbox(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.GONGZHI_WEBHOOK_URL = ""


def _post(client, emergency, part, data):
    return client.post(reverse("volunteers:emergency_edit", args=[emergency.pk, part]), data)


def test_secretary_opens_an_emergency_and_builds_it_on_the_page(client, world):
    secretary = world.users["neighborhood_secretary"]
    client.force_login(secretary)
    lead = t.volunteer(world, "点位长甲")
    answer = client.post(
        reverse("volunteers:emergencies"),
        {"title": "防汛紧急召集", "neighborhood": world.neighborhood_a.pk, "min_rest_minutes": 480},
    )
    emergency = Emergency.objects.get(title="防汛紧急召集")
    assert answer.status_code == 302 and answer.url == reverse("volunteers:emergency", args=[emergency.pk])
    assert (
        _post(
            client,
            emergency,
            "post",
            {"name": "一号门", "latitude": "31.3", "longitude": "121.4", "post_lead": lead.pk},
        ).status_code
        == 302
    )
    assert (
        _post(
            client, emergency, "shift", {"starts_at": "2026-12-01T08:00", "ends_at": "2026-12-01T16:00"}
        ).status_code
        == 302
    )
    post, shift = emergency.posts.get(), emergency.shifts.get()
    assert post.post_lead == lead
    assert (
        _post(client, emergency, "need", {"post": post.pk, "shift": shift.pk, "count": 2}).status_code == 302
    )
    people = [t.volunteer(world, f"队员{i}") for i in range(3)]
    assert _post(client, emergency, "call-up", {}).status_code == 302
    assert CallUpAnswer.objects.filter(emergency=emergency).count() == 4
    for person in people:
        services.answer_call_up(token=CallUpAnswer.objects.get(volunteer=person).token, accept=True)
    planned = client.post(reverse("volunteers:emergency_plan", args=[emergency.pk]))
    assert planned.status_code == 302, planned.content.decode()[:3000]
    assert PostAssignment.objects.filter(emergency=emergency).count() == 2
    board = client.get(reverse("volunteers:emergency_fill", args=[emergency.pk])).content.decode()
    assert "100%" in board and "点位长甲" in board and 'hx-trigger="every 5s"' in board
    page = client.get(reverse("volunteers:emergency", args=[emergency.pk])).content.decode()
    assert "按人员排班" in page

    placed = list(PostAssignment.objects.filter(emergency=emergency).values_list("volunteer_id", flat=True))
    spare = next(p for p in people if p.pk not in placed)
    leaving = next(p for p in people if p.pk in placed)
    staying = next(pk for pk in placed if pk != leaving.pk)
    _post(client, emergency, "drop-out", {"volunteer": leaving.pk})
    now = set(PostAssignment.objects.filter(emergency=emergency).values_list("volunteer_id", flat=True))
    assert now == {staying, spare.pk}

    export = client.get(reverse("volunteers:emergency_export", args=[emergency.pk]))
    assert export.status_code == 302 and "kind=volunteers.emergency_plan" in export.url
    assert not AuditRecord.objects.filter(action="export", object_id=str(emergency.pk)).exists()
    content = _approved_plan(world, secretary, emergency)
    by_person = load_workbook(BytesIO(content)).worksheets[1]
    names = {row[0] for row in by_person.iter_rows(min_row=3, values_only=True)}  # below the watermark
    assert names == {p.name for p in people if p.pk in now}


def _approved_plan(world, requester, emergency) -> bytes:
    item = exports.request_export(
        requester, "volunteers.emergency_plan", {"emergency": str(emergency.pk)}, "防汛值守安排"
    )
    with pytest.raises(PermissionDenied):
        exports.decide(requester, item, approve=True)  # not by the one who asked
    exports.decide(world.users["subdistrict_admin"], item, approve=True)
    content, item = exports.open_download(requester, item)
    return content


def test_the_plan_export_is_watermarked_with_requester_and_approver(client, world):
    admin, secretary = world.users["subdistrict_admin"], world.users["neighborhood_secretary"]
    emergency = services.open_emergency(
        actor=admin, subdistrict=world.subdistrict, neighborhood=world.neighborhood_a, title="停电应急"
    )
    content = _approved_plan(world, secretary, emergency)
    for sheet in load_workbook(BytesIO(content)).worksheets:
        mark = str(sheet.cell(row=1, column=1).value)
        assert f"({secretary.username})" in mark and f"({admin.username})" in mark
    assert AuditRecord.objects.filter(action="export", object_id=str(emergency.pk)).exists()


def test_the_plan_export_of_another_area_cannot_be_requested(world):
    admin = world.users["subdistrict_admin"]
    emergency = services.open_emergency(
        actor=admin, subdistrict=world.subdistrict, neighborhood=world.neighborhood_b, title="B村停水"
    )
    with pytest.raises(NotInScope):
        exports.request_export(
            world.users["neighborhood_secretary"],
            "volunteers.emergency_plan",
            {"emergency": str(emergency.pk)},
            "防汛值守安排",
        )


def test_bad_shift_and_need_name_the_field_and_change_nothing(client, world):
    admin = world.users["subdistrict_admin"]
    emergency = services.open_emergency(actor=admin, subdistrict=world.subdistrict, title="停水应急")
    client.force_login(admin)
    answer = _post(
        client, emergency, "shift", {"starts_at": "2026-12-01T16:00", "ends_at": "2026-12-01T08:00"}
    )
    assert answer.status_code == 400 and 'data-errors="ends_at"' in answer.content.decode()
    answer = _post(client, emergency, "need", {"post": 999, "shift": 999, "count": -1})
    assert answer.status_code == 400 and 'data-errors="post"' in answer.content.decode()
    assert not emergency.shifts.exists()


def test_out_of_area_and_read_only_roles_cannot_edit(client, world):
    admin = world.users["subdistrict_admin"]
    emergency = services.open_emergency(
        actor=admin, subdistrict=world.subdistrict, neighborhood=world.neighborhood_b, title="B村停电"
    )
    client.force_login(world.users["social_worker"])  # neighborhood A
    for name in ("emergency", "emergency_fill", "emergency_export"):
        assert client.get(reverse(f"volunteers:{name}", args=[emergency.pk])).status_code == 404, name
    assert (
        _post(
            client, emergency, "shift", {"starts_at": "2026-12-01T08:00", "ends_at": "2026-12-01T16:00"}
        ).status_code
        == 404
    )
    client.logout()
    assert client.get(reverse("volunteers:emergencies")).status_code == 302
    assert client.get(reverse("volunteers:emergency_fill", args=[emergency.pk])).status_code == 302


def test_a_squad_is_formed_on_the_page_from_those_called_up(client, world):
    admin = world.users["subdistrict_admin"]
    emergency = services.open_emergency(
        actor=admin, subdistrict=world.subdistrict, neighborhood=world.neighborhood_a, title="抗疫"
    )
    people = [t.volunteer(world, f"突击{i}") for i in range(3)]
    services.call_up(actor=admin, emergency=emergency)
    client.force_login(admin)
    answer = _post(
        client,
        emergency,
        "squad",
        {
            "kind": "squad",
            "name": "青年突击队",
            "leader": people[0].pk,
            "members": [people[1].pk, people[2].pk],
        },
    )
    assert answer.status_code == 302
    page = client.get(reverse("volunteers:emergency", args=[emergency.pk])).content.decode()
    assert "青年突击队" in page and "突击队" in page
    answer = _post(
        client, emergency, "squad", {"kind": "temporary_branch", "name": "临时支部", "leader": people[0].pk}
    )
    assert answer.status_code == 400 and 'data-errors="__all__"' in answer.content.decode()


def test_the_export_button_leads_to_the_request_form(client, world):
    admin = world.users["subdistrict_admin"]
    emergency = services.open_emergency(
        actor=admin, subdistrict=world.subdistrict, neighborhood=world.neighborhood_a, title="停电应急"
    )
    client.force_login(world.users["neighborhood_secretary"])
    form = client.get(reverse("volunteers:emergency_export", args=[emergency.pk]), follow=True)
    assert form.status_code == 200 and "应急人员排班表" in form.content.decode()


# --- pages by role ----------------------------------------------------------------------------

AREA_ROLES = sorted(set(ROLES) - DUTY_ROLES)
READERS = {code for code, role in ROLES.items() if "volunteer" in role.read}
WRITERS = {code for code, role in ROLES.items() if "volunteer" in role.write}


def _built(world, neighborhood, title):
    """An emergency in the neighborhood with a post, a shift, a need and one volunteer called up."""
    clerk = t._clerk(world, neighborhood)
    emergency = services.open_emergency(
        actor=clerk, subdistrict=neighborhood.subdistrict, neighborhood=neighborhood, title=title
    )
    post = services.add_post(
        actor=clerk, emergency=emergency, name="一号门", latitude="31.3", longitude="121.4"
    )
    shift = services.add_shift(
        actor=clerk,
        emergency=emergency,
        starts_at=timezone.now(),
        ends_at=timezone.now() + timedelta(hours=8),
    )
    services.set_need(actor=clerk, post=post, shift=shift, count=1)
    t.volunteer(world, f"应召-{title}", neighborhood=neighborhood)
    services.call_up(actor=clerk, emergency=emergency)
    return emergency


@pytest.mark.parametrize("role", AREA_ROLES + sorted(DUTY_ROLES))
def test_emergency_list_and_opening_by_role(client, world, role):
    client.force_login(world.users[role])
    assert client.get(reverse("volunteers:emergencies")).status_code == (200 if role in READERS else 403)
    data = {"title": "A村停水", "neighborhood": world.neighborhood_a.pk, "min_rest_minutes": 480}
    response = client.post(reverse("volunteers:emergencies"), data)
    assert response.status_code == (302 if role in WRITERS else 200 if role in READERS else 403)
    assert Emergency.objects.filter(title="A村停水").exists() == (role in WRITERS)


@pytest.mark.parametrize("role", AREA_ROLES)
def test_emergency_page_and_fill_board_answer_by_reading_in_the_area(client, world, role):
    own = _built(world, world.neighborhood_a, "本区")
    client.force_login(world.users[role])
    for name in ("emergency", "emergency_fill"):
        assert client.get(reverse(f"volunteers:{name}", args=[own.pk])).status_code == (
            200 if role in READERS else 404
        ), name


@pytest.mark.parametrize("role", AREA_ROLES)
def test_building_and_calling_up_on_the_page_needs_write(client, world, role):
    own = _built(world, world.neighborhood_a, "本区")
    t.volunteer(world, "后来者")
    client.force_login(world.users[role])
    expected = 302 if role in WRITERS else 404
    post = own.posts.get()
    shift = own.shifts.get()
    assert (
        _post(client, own, "post", {"name": "二号门", "latitude": "31.31", "longitude": "121.41"}).status_code
        == expected
    )
    assert (
        _post(
            client, own, "shift", {"starts_at": "2030-01-01T08:00", "ends_at": "2030-01-01T16:00"}
        ).status_code
        == expected
    )
    assert (
        _post(client, own, "need", {"post": post.pk, "shift": shift.pk, "count": 4}).status_code == expected
    )
    assert _post(client, own, "call-up", {}).status_code == expected
    wrote = role in WRITERS
    assert (own.posts.count(), own.shifts.count(), own.answers.count()) == ((2, 2, 2) if wrote else (1, 1, 1))
    assert post.needs.get(shift=shift).count == (4 if wrote else 1)


@pytest.mark.parametrize("role", AREA_ROLES)
def test_a_drop_out_is_recorded_only_by_writers(client, world, role):
    own = _built(world, world.neighborhood_a, "本区")
    answer = own.answers.get()
    services.answer_call_up(token=answer.token, accept=True)
    services.plan_assignment(actor=world.users["subdistrict_admin"], emergency=own)
    client.force_login(world.users[role])
    response = _post(client, own, "drop-out", {"volunteer": answer.volunteer_id})
    assert response.status_code == (302 if role in WRITERS else 404)
    assert PostAssignment.objects.filter(volunteer_id=answer.volunteer_id).exists() == (role not in WRITERS)


@pytest.mark.parametrize("role", AREA_ROLES + sorted(DUTY_ROLES))
def test_nobody_reaches_another_subdistricts_emergency(client, world, role):
    far = _built(world, world.neighborhood_far, "外区")
    client.force_login(world.users[role])
    for name in ("emergency", "emergency_fill"):
        assert client.get(reverse(f"volunteers:{name}", args=[far.pk])).status_code in (403, 404), name
    assert _post(client, far, "call-up", {}).status_code in (403, 404)
    assert client.post(reverse("volunteers:emergency_plan", args=[far.pk])).status_code in (403, 404)
    assert _post(client, far, "close", {}).status_code in (403, 404)
    far.refresh_from_db()
    assert far.status == Emergency.Status.OPEN and not PostAssignment.objects.filter(emergency=far).exists()
