"""Meetings with agenda, invited parties, minutes, decisions and follow-up tasks; cadence duties."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from gongzhi.deliberation import selectors, services
from gongzhi.deliberation.models import Duty
from gongzhi.deliberation.tests.concern_cases import concern_of_tier
from gongzhi.org import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(world):
    return services.create_meeting(
        actor=world.users["neighborhood_secretary"],
        kind="joint_consultation",
        title="社务联席协商会议",
        held_at=timezone.now(),
        neighborhood=world.neighborhood_a,
        place="党群服务站",
    )


def test_a_meeting_records_agenda_invitations_minutes_decisions_and_tasks(world, meeting):
    secretary = world.users["neighborhood_secretary"]
    item = services.add_agenda_item(
        actor=secretary,
        meeting=meeting,
        title="文明城市创建志愿服务",
        origin="major_concern",
        concern=concern_of_tier(world, "major"),
    )
    assert item.origin_ref == f"concern:{item.concern_id}"
    services.invite(
        actor=secretary, meeting=meeting, partner_unit=f.PartnerUnitFactory(subdistrict=world.subdistrict)
    )
    services.invite(actor=secretary, meeting=meeting, role="grid_chief")
    with pytest.raises(ValidationError):
        services.invite(actor=secretary, meeting=meeting)
    services.record_minutes(actor=secretary, meeting=meeting, minutes="各共建单位认领服务点位。")
    decision = services.record_decision(
        actor=secretary, meeting=meeting, text="联合开展党员志愿服务", agenda_item=item
    )
    worker = world.users["social_worker"]
    task = services.assign_task(
        actor=secretary,
        meeting=meeting,
        title="排定志愿服务班次",
        owner=worker,
        due_on=date(2030, 1, 10),
        decision=decision,
    )
    assert list(selectors.tasks_of(worker)) == [task]
    services.complete_task(actor=worker, task=task)
    assert not selectors.tasks_of(worker).exists()
    detail = selectors.meeting_detail(secretary, meeting.pk)
    assert detail.invitations.count() == 2 and detail.decisions.count() == 1


def test_roles_without_write_cannot_change_a_meeting(world, meeting):
    with pytest.raises(PermissionDenied):
        services.record_minutes(actor=world.users["grid_worker"], meeting=meeting, minutes="x")


def test_meeting_page_lists_my_tasks_and_overdue_duties(client, world, meeting):
    secretary = world.users["neighborhood_secretary"]
    services.assign_task(
        actor=secretary, meeting=meeting, title="回访居民", owner=secretary, due_on=date(2030, 1, 1)
    )
    branch = f.PartyOrgFactory(
        neighborhood=world.neighborhood_a, subdistrict=world.subdistrict, branch_kind="outpost"
    )
    services.schedule_cadence(actor=secretary, party_org=branch, year=2020)
    client.force_login(secretary)
    page = client.get(reverse("deliberation:meetings")).content.decode()
    assert "回访居民" in page and 'id="overdue-duties"' in page


def test_cadence_is_one_plan_twelve_talks_one_review_one_rating_and_idempotent(world):
    secretary = world.users["neighborhood_secretary"]
    branch = f.PartyOrgFactory(
        neighborhood=world.neighborhood_a, subdistrict=world.subdistrict, branch_kind="outpost"
    )
    duties = services.schedule_cadence(actor=secretary, party_org=branch, year=2025)
    services.schedule_cadence(actor=secretary, party_org=branch, year=2025)
    kinds = [d.kind for d in duties]
    assert len(duties) == 15 == Duty.objects.count()
    assert kinds.count("monthly_talk") == 12 and kinds.count("annual_plan") == 1
    assert kinds.count("half_year_review") == 1 and kinds.count("year_end_rating") == 1
    overdue = selectors.overdue_duties(secretary, date(2025, 3, 15))
    assert [d.period for d in overdue] == ["2025", "2025-01", "2025-02"]
    services.complete_duty(actor=secretary, duty=overdue[0])
    assert selectors.overdue_duties(secretary, date(2025, 3, 15)).count() == 2
    assert not selectors.overdue_duties(world.users["grid_worker"], date(2025, 3, 15)).exists()
