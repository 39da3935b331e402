from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gongzhi.core.errors import NotInScope
from gongzhi.deliberation import services as deliberation
from gongzhi.workforce import selectors, services
from gongzhi.workforce.models import Chief, MeetingAttendance


@pytest.fixture
def chief(world):
    return services.nominate_chief(
        actor=world.users["neighborhood_secretary"],
        neighborhood=world.neighborhood_a,
        user=world.users["stairwell_chief"],
        name="周阿姨",
        kind="stairwell_chief",
        unit_label="1号楼2单元",
        on=date(2025, 1, 5),
    )


def test_a_chief_goes_from_nomination_through_vetting_and_appointment_to_exit_with_history(world, chief):
    secretary = world.users["neighborhood_secretary"]
    services.vet_chief(actor=secretary, chief=chief, approved=True, on=date(2025, 1, 10))
    services.appoint_chief(
        actor=secretary,
        chief=chief,
        term_starts=date(2025, 2, 1),
        term_ends=date(2028, 1, 31),
        monthly_allowance="200.00",
    )
    services.record_chief_event(
        actor=secretary, chief=chief, action="trained", on=date(2025, 3, 2), note="三长培训"
    )
    services.pay_allowance(actor=secretary, chief=chief, month=date(2025, 3, 15))
    with pytest.raises(ValidationError) as e:
        services.pay_allowance(actor=secretary, chief=chief, month=date(2025, 3, 1))
    assert "month" in e.value.message_dict
    services.exit_chief(actor=secretary, chief=chief, on=date(2026, 1, 1), note="搬离")
    steps = list(chief.events.values_list("action", flat=True))
    assert steps == ["nominated", "vetted", "appointed", "allowance", "trained", "exited"]
    assert chief.events.get(action="allowance").amount == Decimal("200.00")
    assert Chief.objects.get(pk=chief.pk).status == "exited"


def test_steps_out_of_order_and_bad_allowances_are_refused(world, chief):
    secretary = world.users["neighborhood_secretary"]
    with pytest.raises(ValidationError):
        services.appoint_chief(
            actor=secretary,
            chief=chief,
            term_starts=date(2025, 2, 1),
            term_ends=date(2028, 1, 31),
            monthly_allowance="200",
        )
    services.vet_chief(actor=secretary, chief=chief, approved=True, on=date(2025, 1, 10))
    with pytest.raises(ValidationError) as e:
        services.appoint_chief(
            actor=secretary,
            chief=chief,
            term_starts=date(2025, 2, 1),
            term_ends=date(2028, 1, 31),
            monthly_allowance="-5",
        )
    assert "monthly_allowance" in e.value.message_dict


def test_a_rejection_needs_a_note(world, chief):
    with pytest.raises(ValidationError) as e:
        services.vet_chief(
            actor=world.users["neighborhood_secretary"], chief=chief, approved=False, on=date(2025, 1, 10)
        )
    assert "note" in e.value.message_dict


def test_chiefs_are_kept_by_the_neighborhood_and_seen_by_themselves(world, chief):
    with pytest.raises(PermissionDenied):
        services.vet_chief(
            actor=world.users["social_worker"], chief=chief, approved=True, on=date(2025, 1, 10)
        )
    with pytest.raises(NotInScope):
        services.vet_chief(actor=world.users["grid_worker"], chief=chief, approved=True, on=date(2025, 1, 10))
    assert list(selectors.own_chief_posts(world.users["stairwell_chief"])) == [chief]
    assert selectors.chief_for(world.users["stairwell_chief"], chief.pk) == chief
    with pytest.raises(NotInScope):
        selectors.chief_for(world.users["party_group_chief"], chief.pk)


def test_duties_are_measured_from_the_platforms_records(world, chief):
    duties = selectors.chief_duties(chief, date(2025, 1, 1), date(2025, 12, 31))
    assert duties == {"visits": 0, "concerns": 0, "meetings": 0, "trainings": 0, "patrols": 0}


def _meeting(world, neighborhood, held: datetime, title="议事会：加装电梯"):
    return deliberation.create_meeting(
        actor=world.users["subdistrict_admin"],
        kind="deliberation",
        title=title,
        held_at=held,
        neighborhood=neighborhood,
    )


def _appointed(world, chief):
    secretary = world.users["neighborhood_secretary"]
    services.vet_chief(actor=secretary, chief=chief, approved=True, on=date(2025, 1, 10))
    return services.appoint_chief(
        actor=secretary,
        chief=chief,
        term_starts=date(2025, 2, 1),
        term_ends=date(2028, 1, 31),
        monthly_allowance="200.00",
    )


def test_meetings_attended_count_among_the_duties_once_each_in_the_years_range(world, chief):
    secretary = world.users["neighborhood_secretary"]
    chief = _appointed(world, chief)
    held = timezone.make_aware(datetime(2025, 5, 20, 19, 0))
    first = _meeting(world, world.neighborhood_a, held)
    later = _meeting(world, world.neighborhood_a, held.replace(year=2026), "议事会：停车")
    services.record_meeting_attendance(actor=secretary, chief=chief, meeting=first)
    services.record_meeting_attendance(actor=secretary, chief=chief, meeting=first)  # a retry
    services.record_meeting_attendance(actor=secretary, chief=chief, meeting=later)
    assert selectors.chief_duties(chief, date(2025, 1, 1), date(2025, 12, 31))["meetings"] == 1
    assert MeetingAttendance.objects.filter(chief=chief).count() == 2


def test_a_meeting_of_another_neighborhood_or_a_reader_cannot_be_signed_in(world, chief):
    chief = _appointed(world, chief)
    far = _meeting(world, world.neighborhood_b, timezone.make_aware(datetime(2025, 5, 20, 19, 0)))
    with pytest.raises(ValidationError) as e:
        services.record_meeting_attendance(actor=world.users["subdistrict_admin"], chief=chief, meeting=far)
    assert "meeting" in e.value.message_dict
    near = _meeting(world, world.neighborhood_a, timezone.make_aware(datetime(2025, 5, 21, 19, 0)))
    with pytest.raises(PermissionDenied):
        services.record_meeting_attendance(actor=world.users["social_worker"], chief=chief, meeting=near)
    assert not MeetingAttendance.objects.exists()
