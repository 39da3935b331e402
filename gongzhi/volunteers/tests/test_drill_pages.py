"""The drill pages by role: list and create, the drill's page, run, finish, report, phone marking;
bad input answers 400 naming the field and changes nothing; a retried create makes one drill."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.permissions import READ, WRITE, can
from gongzhi.core.roles import DUTY_ROLES, ROLES
from gongzhi.menu import menu_of
from gongzhi.notifications.models import Message
from gongzhi.volunteers import services
from gongzhi.volunteers import testing as t
from gongzhi.volunteers.models import CallUpAnswer, Emergency, Volunteer

pytestmark = pytest.mark.django_db

ROLE_CODES = sorted(set(ROLES) - DUTY_ROLES)


@pytest.fixture(autouse=True)
def _outbox(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.GONGZHI_WEBHOOK_URL = ""


def _drill(world, neighborhood, kind="live"):
    admin = world.users["subdistrict_admin"]
    team = t.team(world, neighborhood)
    person = t.volunteer(world, "队员", neighborhood=neighborhood)
    Volunteer.objects.filter(pk=person.pk).update(team=team)
    drill = services.create_drill(
        actor=admin,
        subdistrict=world.subdistrict,
        neighborhood=neighborhood,
        title="演练",
        kind=kind,
        teams=[team],
    )
    post = services.add_post(
        actor=admin, emergency=drill, name="门岗", latitude=Decimal("31.3"), longitude=Decimal("121.4")
    )
    start = timezone.now() + timedelta(hours=1)
    shift = services.add_shift(
        actor=admin, emergency=drill, starts_at=start, ends_at=start + timedelta(hours=4)
    )
    services.set_need(actor=admin, post=post, shift=shift, count=1)
    return drill


@pytest.fixture
def drills(world):
    return {"own": _drill(world, world.neighborhood_a), "other": _drill(world, world.neighborhood_b)}


def _expected(user, drill, action=READ, allowed=200):
    if can(user, drill, action):
        return allowed
    return 403 if action != READ and can(user, drill, READ) else 404


@pytest.mark.parametrize("role", ROLE_CODES)
def test_drill_pages_by_role(client, world, drills, role):
    user = world.users[role]
    client.force_login(user)
    own, other = drills["own"], drills["other"]
    reads_volunteers = "volunteer" in ROLES[role].read | ROLES[role].write
    assert client.get(reverse("volunteers:drills")).status_code == (200 if reads_volunteers else 403)
    for drill in (own, other):
        for name in ("drill", "drill_report"):
            assert client.get(reverse(f"volunteers:{name}", args=[drill.pk])).status_code == _expected(
                user, drill
            )
    assert client.post(reverse("volunteers:drill_run", args=[other.pk])).status_code == _expected(
        user, other, WRITE, 302
    )
    person = Volunteer.objects.get(neighborhood=world.neighborhood_b)
    response = client.post(
        reverse("volunteers:drill_phone", args=[other.pk]), {"volunteer": person.pk, "unreachable": "1"}
    )
    assert response.status_code == _expected(user, other, WRITE, 302) or response.status_code == 404
    assert client.post(reverse("volunteers:drill_finish", args=[other.pk])).status_code == _expected(
        user, other, WRITE, 302
    )
    if not can(user, other, WRITE):
        other.refresh_from_db()
        assert other.status == "open" and not CallUpAnswer.objects.filter(emergency=other).exists()
        assert not Volunteer.objects.get(pk=person.pk).phone_unreachable


@pytest.mark.parametrize("role", ROLE_CODES)
def test_the_menu_offers_drills_to_those_who_can_make_call_ups(client, world, role):
    links = [link.url for group in menu_of(world.users[role]) for link in group.links]
    assert (reverse("volunteers:drills") in links) == (
        role in {"subdistrict_admin", "neighborhood_secretary", "social_worker", "volunteer_team_chief"}
    )


def test_anonymous_is_sent_to_sign_in(client, drills):
    pk = drills["own"].pk
    for name in ("drill", "drill_report"):
        assert client.get(reverse(f"volunteers:{name}", args=[pk])).status_code == 302
    for name in ("drill_run", "drill_finish", "drill_phone"):
        assert client.post(reverse(f"volunteers:{name}", args=[pk])).status_code == 302
    assert client.get(reverse("volunteers:drills")).status_code == 302
    assert not Message.objects.exists()


def test_a_real_call_up_is_not_a_drill_page(client, world):
    admin = world.users["subdistrict_admin"]
    real = services.open_emergency(actor=admin, subdistrict=world.subdistrict, title="真实召集")
    client.force_login(admin)
    assert client.get(reverse("volunteers:drill", args=[real.pk])).status_code == 404
    assert client.post(reverse("volunteers:drill_run", args=[real.pk])).status_code == 404


def test_create_run_and_report_a_tabletop_drill_and_a_retry_makes_one(client, world):
    admin = world.users["neighborhood_secretary"]
    team = t.team(world)
    source = services.open_emergency(
        actor=admin, subdistrict=world.subdistrict, neighborhood=world.neighborhood_a, title="台风"
    )
    post = services.add_post(
        actor=admin, emergency=source, name="东门", latitude=Decimal("31.3"), longitude=Decimal("121.4")
    )
    start = timezone.now()
    shift = services.add_shift(
        actor=admin, emergency=source, starts_at=start, ends_at=start + timedelta(hours=4)
    )
    services.set_need(actor=admin, post=post, shift=shift, count=2)
    member = t.volunteer(world, "桌面队员")
    Volunteer.objects.filter(pk=member.pk).update(team=team)
    client.force_login(admin)
    form = {
        "title": "桌面推演",
        "kind": "tabletop",
        "neighborhood": world.neighborhood_a.pk,
        "teams": [team.pk],
        "copy_from": source.pk,
        "key": "retry-1",
    }
    first = client.post(reverse("volunteers:drills"), form)
    second = client.post(reverse("volunteers:drills"), form)
    assert first.status_code == second.status_code == 302 and first.url == second.url
    drill = Emergency.objects.get(kind="tabletop")
    assert client.get(reverse("volunteers:drill", args=[drill.pk])).status_code == 200
    run = client.post(reverse("volunteers:drill_run", args=[drill.pk]))
    assert run.status_code == 302 and run.url == reverse("volunteers:drill_report", args=[drill.pk])
    page = client.get(run.url).content.decode()
    assert "桌面推演" in page and 'id="prediction"' in page and "time-data" in page
    assert not Message.objects.exists()
    # run again: refused on the page, the report does not change
    again = client.post(reverse("volunteers:drill_run", args=[drill.pk]))
    assert again.status_code == 400


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"teams": []}, "teams"),
        ({"kind": "real"}, "kind"),
        ({"title": ""}, "title"),
        ({"teams": ["x"]}, "teams"),
    ],
)
def test_bad_input_names_the_field_and_creates_nothing(client, world, change, field):
    team = t.team(world)
    client.force_login(world.users["subdistrict_admin"])
    form = {"title": "演练", "kind": "live", "teams": [team.pk], "key": "k"} | change
    response = client.post(reverse("volunteers:drills"), form)
    assert response.status_code == 400
    assert f'data-errors="{field}"' in response.content.decode()
    assert not Emergency.objects.exists()


def test_a_team_outside_the_chosen_neighborhood_is_refused(client, world):
    far_team = t.team(world, world.neighborhood_b)
    client.force_login(world.users["subdistrict_admin"])
    form = {"title": "演练", "kind": "live", "teams": [far_team.pk], "neighborhood": world.neighborhood_a.pk}
    response = client.post(reverse("volunteers:drills"), form)
    assert response.status_code == 400 and 'data-errors="teams"' in response.content.decode()
    assert not Emergency.objects.exists()


def test_live_drill_run_answer_finish_and_report(client, world, drills):
    drill = drills["own"]
    client.force_login(world.users["social_worker"])
    assert client.post(reverse("volunteers:drill_run", args=[drill.pk])).status_code == 302
    assert client.post(reverse("volunteers:drill_run", args=[drill.pk])).status_code == 302
    answer = CallUpAnswer.objects.get(emergency=drill)
    assert Message.objects.filter(key__startswith=f"callup:{answer.pk}/").count() == 1
    page = client.get(reverse("volunteers:answer", args=[answer.token])).content.decode()
    assert "【演练】" in page
    client.post(reverse("volunteers:answer", args=[answer.token]), {"answer": "yes"})
    report = client.get(reverse("volunteers:drill_report", args=[drill.pk])).content.decode()
    assert 'id="fig-yes">1<' in report
    assert client.post(reverse("volunteers:drill_finish", args=[drill.pk])).status_code == 302
    drill.refresh_from_db()
    assert drill.status == "closed" and drill.drill_result["summary"]["yes"] == 1
    board = client.get(reverse("volunteers:emergency", args=[drill.pk])).content.decode()
    assert 'id="call-up-form"' not in board and 'id="drill-banner"' in board
