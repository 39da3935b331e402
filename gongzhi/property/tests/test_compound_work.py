"""The property company and the owners' committee at work: they read their compound's projects (no
403), are told of a resident's objection to a notice (公示) along with the secretary, and find the
objections and open notices on their workbench."""

import datetime

import pytest
from django.urls import reverse

from gongzhi.notifications.models import Message
from gongzhi.projects import services
from gongzhi.projects import testing as t
from gongzhi.projects.models import Comment

pytestmark = pytest.mark.django_db
COMPOUND_ROLES = ("property_staff", "owners_committee_member")


@pytest.fixture
def notice(world):
    compound = world.household_a.building.compound
    project = t.project(world, "楼道修缮", state="approved", compound=compound)
    today = datetime.date.today()
    return services.publish_disclosure(
        actor=world.users["neighborhood_secretary"],
        project=project,
        opens_on=today,
        closes_on=today + datetime.timedelta(days=7),
    )


@pytest.mark.parametrize("role", COMPOUND_ROLES)
def test_the_compounds_property_company_and_committee_read_its_projects(client, world, notice, role):
    other = t.project(world, "别的小区", state="approved")  # no compound: not theirs
    client.force_login(world.users[role])
    assert client.get(reverse("projects:detail", args=[notice.project.pk])).status_code == 200
    listing = client.get(reverse("projects:list")).content.decode()
    assert "楼道修缮" in listing and "别的小区" not in listing
    assert client.get(reverse("projects:detail", args=[other.pk])).status_code == 404
    # reading is not changing: the project's actions stay with the neighborhood's staff
    client.post(reverse("projects:transition", args=[notice.project.pk]), {"to": "running"})
    notice.project.refresh_from_db()
    assert notice.project.state == "approved"


def test_an_objection_reaches_the_secretary_committee_and_property_company(
    client, world, notice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            reverse("projects:public", args=[notice.token]),
            {"kind": "objection", "body": "维修费用偏高，请说明"},
        )
    assert answer.status_code in (200, 302)
    comment = Comment.objects.get()
    for role in ("neighborhood_secretary", *COMPOUND_ROLES):
        message = Message.objects.get(user=world.users[role], channel="inbox")
        assert "异议" in message.subject and "楼道修缮" in message.subject, role
    assert not Message.objects.filter(user=world.users["grid_worker"]).exists()
    client.force_login(world.users["property_staff"])
    bench = client.get(reverse("core:workbench")).content.decode()
    assert "对公示的异议" in bench and reverse("projects:public", args=[notice.token]) in bench
    assert comment.body[:10] in bench


def test_a_comment_that_is_no_objection_does_not_go_to_the_compound(
    client, world, notice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("projects:public", args=[notice.token]), {"kind": "comment", "body": "支持"})
    assert not Message.objects.filter(user=world.users["property_staff"]).exists()


def test_an_empty_objection_is_named_and_tells_nobody(
    client, world, notice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            reverse("projects:public", args=[notice.token]), {"kind": "objection", "body": " "}
        )
    assert 'class="errors"' in answer.content.decode()
    assert not Comment.objects.exists() and not Message.objects.exists()
