"""Rosters: the 1+2+1 night patrol generated for a period by fair rotation, swaps that need both
parties, and no-shows counted."""

from datetime import date, time, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.errors import NotInScope
from gongzhi.core.roles import DUTY_ROLES, ROLES
from gongzhi.org import factories as f
from gongzhi.volunteers import selectors, services
from gongzhi.volunteers import testing as t
from gongzhi.volunteers.models import RosterDuty, SwapRequest

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _outbox(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.GONGZHI_WEBHOOK_URL = ""


def _member(world, name, kind, team, with_user=False):
    user = f.UserFactory(username=f"r-{name}") if with_user else None
    return services.register_volunteer(
        actor=world.users["subdistrict_admin"],
        neighborhood=world.neighborhood_a,
        name=name,
        kind=kind,
        team=team,
        user=user,
    )


@pytest.fixture
def patrol(world):
    team = t.team(world)
    people = {
        "lead": [_member(world, f"党员{i}", "party_member", team) for i in range(2)],
        "volunteer": [_member(world, f"居民{i}", "resident", team, with_user=i < 2) for i in range(4)],
        "security": [_member(world, f"保安{i}", "partner_staff", team) for i in range(2)],
    }
    pattern = services.create_roster(
        actor=world.users["neighborhood_secretary"],
        team=team,
        name="1+2+1 夜巡",
        place="东门岗亭",
        start_time=time(20, 0),
        duration_minutes=240,
    )
    return pattern, people


def test_a_week_of_night_patrol_is_filled_fairly_and_regenerating_adds_nothing(world, patrol):
    pattern, people = patrol
    secretary = world.users["neighborhood_secretary"]
    first = timezone.localdate() + timedelta(days=1)
    assert (
        services.generate_roster(
            actor=secretary, pattern=pattern, first_day=first, last_day=first + timedelta(days=6)
        )
        == 7
    )
    assert (
        services.generate_roster(
            actor=secretary, pattern=pattern, first_day=first, last_day=first + timedelta(days=6)
        )
        == 0
    )
    for shift in pattern.shifts.all():
        roles = sorted(shift.duties.values_list("role", flat=True))
        assert roles == ["lead", "security", "volunteer", "volunteer"]
        assert timezone.localtime(shift.starts_at).hour == 20
    for role, pool in people.items():
        loads = [RosterDuty.objects.filter(volunteer=v).count() for v in pool]
        assert max(loads) - min(loads) <= 1, (role, loads)


def test_too_few_people_names_the_team_and_changes_nothing(world, patrol):
    pattern, _people = patrol
    pattern.security = 3
    pattern.save()
    with pytest.raises(ValidationError) as caught:
        services.generate_roster(
            actor=world.users["neighborhood_secretary"],
            pattern=pattern,
            first_day=date(2030, 1, 1),
            last_day=date(2030, 1, 2),
        )
    assert "team" in caught.value.message_dict
    assert not pattern.shifts.exists()


def test_a_swap_takes_effect_only_when_the_teammate_accepts(world, patrol):
    pattern, people = patrol
    first = timezone.localdate() + timedelta(days=1)
    services.generate_roster(
        actor=world.users["neighborhood_secretary"],
        pattern=pattern,
        first_day=first,
        last_day=first + timedelta(days=3),
    )
    asker, asked = people["volunteer"][0], people["volunteer"][1]
    duty = next(
        d
        for d in RosterDuty.objects.filter(volunteer=asker)
        if not d.shift.duties.filter(volunteer=asked).exists()
    )
    swap = services.request_swap(actor=asker.user, duty=duty, to_volunteer=asked)
    with pytest.raises(ValidationError):
        services.request_swap(actor=asker.user, duty=duty, to_volunteer=asked)
    with pytest.raises(
        ValidationError
    ):  # a lead cannot be swapped to a resident volunteer role… and vice versa
        services.request_swap(actor=asker.user, duty=duty, to_volunteer=people["security"][0])
    with pytest.raises((PermissionDenied, NotInScope)):
        services.answer_swap(actor=world.users["social_worker"], swap=swap, accept=True)
    duty.refresh_from_db()
    assert duty.volunteer == asker
    services.answer_swap(actor=asked.user, swap=swap, accept=True)
    duty.refresh_from_db()
    assert duty.volunteer == asked
    assert SwapRequest.objects.get().status == "accepted"


def test_no_shows_are_marked_after_the_start_and_counted(world, rostered, client):
    pattern, _people = rostered
    chief = world.users["volunteer_team_chief"]
    past = RosterDuty.objects.filter(shift__starts_at__lt=timezone.now()).first()
    future = RosterDuty.objects.filter(shift__starts_at__gt=timezone.now()).first()
    services.mark_attendance(actor=chief, duty=past, attendance="no_show")
    with pytest.raises(ValidationError):
        services.mark_attendance(actor=chief, duty=future, attendance="no_show")
    counts = {c["volunteer_id"]: c for c in selectors.attendance_counts(pattern)}
    assert counts[past.volunteer_id]["no_shows"] == 1
    client.force_login(world.users["social_worker"])
    page = client.get(reverse("volunteers:roster", args=[pattern.pk])).content.decode()
    assert "未到岗" in page and "1+2+1 夜巡" in page


def test_roster_pages_answer_only_in_the_area(world, patrol, client):
    pattern, people = patrol
    far = f.UserFactory(username="far-sw", is_staff=True)
    from gongzhi.org import services as org_services

    org_services.assign_role(actor=None, user=far, role="social_worker", unit=world.neighborhood_far)
    client.force_login(far)
    assert client.get(reverse("volunteers:roster", args=[pattern.pk])).status_code == 404
    assert (
        client.post(
            reverse("volunteers:roster", args=[pattern.pk]),
            {"first_day": "2030-01-01", "last_day": "2030-01-02"},
        ).status_code
        == 404
    )
    client.force_login(people["volunteer"][0].user)
    assert client.get(reverse("volunteers:my_duties")).status_code == 200
    client.logout()
    assert client.get(reverse("volunteers:rosters")).status_code == 302


def test_generating_on_the_page_reports_a_bad_period_by_field(world, patrol, client):
    pattern, _people = patrol
    client.force_login(world.users["neighborhood_secretary"])
    answer = client.post(
        reverse("volunteers:roster", args=[pattern.pk]), {"first_day": "2030-01-05", "last_day": "2030-01-01"}
    )
    assert answer.status_code == 400 and 'data-errors="last_day"' in answer.content.decode()
    answer = client.post(
        reverse("volunteers:roster", args=[pattern.pk]), {"first_day": "2030-01-01", "last_day": "2030-01-07"}
    )
    assert answer.status_code == 302 and pattern.shifts.count() == 7


# --- pages by role ----------------------------------------------------------------------------

AREA_ROLES = sorted(set(ROLES) - DUTY_ROLES)
READERS = {code for code, role in ROLES.items() if "volunteer" in role.read}
WRITERS = {code for code, role in ROLES.items() if "volunteer" in role.write}


@pytest.fixture
def rostered(world, patrol):
    """Duties from two days back to two days ahead, so some have started and some are to come."""
    pattern, people = patrol
    today = timezone.localdate()
    services.generate_roster(
        actor=world.users["neighborhood_secretary"],
        pattern=pattern,
        first_day=today - timedelta(days=2),
        last_day=today + timedelta(days=2),
    )
    return pattern, people


def _far_roster(world):
    team = t.team(world, world.neighborhood_far)
    clerk = t._clerk(world, world.neighborhood_far)
    for i in range(4):
        kind = ("party_member", "resident", "resident", "partner_staff")[i]
        services.register_volunteer(
            actor=clerk, neighborhood=world.neighborhood_far, name=f"外{i}", kind=kind, team=team
        )
    pattern = services.create_roster(
        actor=clerk, team=team, name="外区夜巡", place="南门", start_time=time(20, 0), duration_minutes=240
    )
    today = timezone.localdate()
    services.generate_roster(
        actor=clerk, pattern=pattern, first_day=today - timedelta(days=1), last_day=today
    )
    return pattern


@pytest.mark.parametrize("role", sorted(DUTY_ROLES))
def test_duty_accounts_reach_no_roster_page(client, world, rostered, role):
    pattern, _people = rostered
    duty = RosterDuty.objects.filter(shift__pattern=pattern).first()
    client.force_login(world.users[role])
    assert client.get(reverse("volunteers:rosters")).status_code in (403, 404)
    assert client.get(reverse("volunteers:roster", args=[pattern.pk])).status_code in (403, 404)
    assert client.post(
        reverse("volunteers:duty_attendance", args=[duty.pk]), {"attendance": "served"}
    ).status_code in (
        403,
        404,
    )


@pytest.mark.parametrize("role", AREA_ROLES)
def test_roster_list_and_creating_a_roster_by_role(client, world, patrol, role):
    pattern, _people = patrol
    client.force_login(world.users[role])
    assert client.get(reverse("volunteers:rosters")).status_code == (200 if role in READERS else 403)
    data = {
        "team": pattern.team_id,
        "name": "早巡",
        "place": "西门",
        "start_time": "06:00",
        "duration_minutes": "120",
        "weekdays": ["1", "2", "3", "4", "5", "6", "7"],  # ticked, not typed (issue 23)
        "leads": "1",
        "volunteers": "2",
        "security": "1",
    }
    response = client.post(reverse("volunteers:rosters"), data)
    assert response.status_code == (302 if role in WRITERS else 200 if role in READERS else 403)
    assert pattern.team.roster_patterns.filter(name="早巡").exists() == (role in WRITERS)


@pytest.mark.parametrize("role", AREA_ROLES)
def test_roster_page_and_generating_by_role(client, world, patrol, role):
    pattern, _people = patrol
    client.force_login(world.users[role])
    url = reverse("volunteers:roster", args=[pattern.pk])
    assert client.get(url).status_code == (200 if role in READERS else 404)
    response = client.post(url, {"first_day": "2030-01-01", "last_day": "2030-01-03"})
    assert response.status_code == (302 if role in WRITERS else 404)
    assert pattern.shifts.count() == (3 if role in WRITERS else 0)


@pytest.mark.parametrize("role", AREA_ROLES)
def test_marking_attendance_by_role(client, world, rostered, role):
    pattern, _people = rostered
    duty = RosterDuty.objects.filter(shift__pattern=pattern, shift__starts_at__lt=timezone.now()).first()
    client.force_login(world.users[role])
    response = client.post(reverse("volunteers:duty_attendance", args=[duty.pk]), {"attendance": "no_show"})
    may = role in WRITERS
    assert response.status_code == (302 if may else 404)
    duty.refresh_from_db()
    assert duty.attendance == ("no_show" if may else "scheduled")


@pytest.mark.parametrize("role", AREA_ROLES)
def test_staff_ask_a_swap_for_a_volunteer_only_with_write(client, world, rostered, role):
    pattern, people = rostered
    duty, teammate = _swappable(pattern, people)
    client.force_login(world.users[role])
    response = client.post(reverse("volunteers:swap_request", args=[duty.pk]), {"to_volunteer": teammate.pk})
    assert response.status_code == (302 if role in WRITERS else 404)
    assert SwapRequest.objects.filter(duty=duty).exists() == (role in WRITERS)


@pytest.mark.parametrize("role", AREA_ROLES)
def test_no_staff_role_answers_a_swap_for_the_asked_teammate(client, world, rostered, role):
    pattern, people = rostered
    duty, teammate = _swappable(pattern, people)
    swap = services.request_swap(actor=duty.volunteer.user, duty=duty, to_volunteer=teammate)
    client.force_login(world.users[role])
    response = client.post(reverse("volunteers:swap_answer", args=[swap.pk]), {"accept": "yes"})
    assert response.status_code == (403 if role in READERS else 404)
    swap.refresh_from_db()
    duty.refresh_from_db()
    assert (swap.status, duty.volunteer_id) == ("requested", swap.from_volunteer_id)


@pytest.mark.parametrize("role", AREA_ROLES)
def test_nobody_reaches_another_areas_roster(client, world, rostered, role):
    far = _far_roster(world)
    duty = RosterDuty.objects.filter(shift__pattern=far, shift__starts_at__lt=timezone.now()).first()
    client.force_login(world.users[role])
    assert client.get(reverse("volunteers:roster", args=[far.pk])).status_code == 404
    assert (
        client.post(
            reverse("volunteers:duty_attendance", args=[duty.pk]), {"attendance": "served"}
        ).status_code
        == 404
    )
    assert (
        client.post(reverse("volunteers:swap_request", args=[duty.pk]), {"to_volunteer": 0}).status_code
        == 404
    )
    duty.refresh_from_db()
    assert duty.attendance == "scheduled"
    assert far.name not in client.get(reverse("volunteers:rosters")).content.decode()


def test_a_volunteer_made_team_chief_without_a_staff_role_marks_their_patrols_attendance(
    client, world, rostered
):
    pattern, people = rostered
    chief = people["volunteer"][0].user  # chosen chief on the teams page: an account, no role
    pattern.team.chief = chief
    pattern.team.save()
    duty = RosterDuty.objects.filter(shift__pattern=pattern, shift__starts_at__lt=timezone.now()).first()
    client.force_login(chief)
    assert client.get(reverse("volunteers:roster", args=[pattern.pk])).status_code == 200
    response = client.post(reverse("volunteers:duty_attendance", args=[duty.pk]), {"attendance": "served"})
    assert response.status_code == 302
    duty.refresh_from_db()
    assert duty.attendance == "served"
    response = client.post(
        reverse("volunteers:roster", args=[pattern.pk]), {"first_day": "2030-01-01", "last_day": "2030-01-02"}
    )
    assert response.status_code == 404 and not pattern.shifts.filter(starts_at__year=2030).exists()


def _swappable(pattern, people):
    """A future duty of a volunteer with an account, and a teammate not on that shift."""
    asker, asked = people["volunteer"][0], people["volunteer"][1]
    duty = next(
        d
        for d in RosterDuty.objects.filter(
            volunteer=asker, shift__pattern=pattern, shift__starts_at__gt=timezone.now()
        )
        if not d.shift.duties.filter(volunteer=asked).exists()
    )
    return duty, asked


# --- issue 23: patterns edited, a missing kind explained with a way out, chiefs arrange swaps ----


def test_weekdays_typed_any_way_are_the_same_days(world, patrol):
    pattern, _people = patrol
    for typed in ("1,3,5", "1、3、5", "135", "5 3 1", ["5", "1", "3"]):
        assert services.clean_weekdays(typed) == "135"
    for bad in ("", "8", "周一", []):
        with pytest.raises(ValidationError):
            services.clean_weekdays(bad)


def test_the_pattern_is_edited_on_the_page_and_bad_input_changes_nothing(client, world, patrol):
    pattern, _people = patrol
    client.force_login(world.users["volunteer_team_chief"])
    url = reverse("volunteers:roster", args=[pattern.pk])
    data = {
        "form": "pattern",
        "pattern-name": pattern.name,
        "pattern-place": "北门",
        "pattern-start_time": "21:00",
        "pattern-duration_minutes": "180",
        "pattern-weekdays": ["1", "3", "5"],
        "pattern-leads": "1",
        "pattern-volunteers": "2",
        "pattern-security": "0",
    }
    bad = client.post(url, {**data, "pattern-weekdays": [], "pattern-place": "坏"})
    assert bad.status_code == 400 and 'data-errors="weekdays"' in bad.content.decode()
    pattern.refresh_from_db()
    assert (pattern.place, pattern.weekdays) == ("东门岗亭", "1234567")
    assert client.post(url, data).status_code == 302
    pattern.refresh_from_db()
    assert (pattern.place, pattern.weekdays, pattern.security, pattern.start_time) == (
        "北门",
        "135",
        0,
        time(21, 0),
    )


def test_a_missing_kind_of_member_is_explained_with_a_way_to_add_one(client, world):
    team = t.team(world)
    for i, kind in enumerate(("party_member", "resident", "resident")):
        _member(world, f"成员{i}", kind, team)
    guard = _member(world, "门卫老张", "partner_staff", None)
    pattern = services.create_roster(
        actor=world.users["neighborhood_secretary"],
        team=team,
        name="夜巡",
        place="东门",
        start_time=time(20, 0),
        duration_minutes=240,
    )
    client.force_login(world.users["volunteer_team_chief"])
    url = reverse("volunteers:roster", args=[pattern.pk])
    page = client.get(url).content.decode()
    assert 'data-missing="security"' in page
    assert f"?kind=partner_staff&amp;team={team.pk}" in page
    register = client.get(
        reverse("volunteers:register"), {"kind": "partner_staff", "team": team.pk}
    ).content.decode()
    assert 'value="partner_staff" selected' in register
    response = client.post(url, {"form": "member", "volunteer": guard.pk})
    assert response.status_code == 302
    guard.refresh_from_db()
    assert guard.team_id == team.pk
    first = timezone.localdate() + timedelta(days=1)
    client.post(url, {"first_day": first.isoformat(), "last_day": first.isoformat()})
    assert pattern.shifts.count() == 1
    assert "data-missing" not in client.get(url).content.decode()


def test_the_chief_hands_a_duty_to_a_teammate_at_once(client, world, patrol, settings):
    pattern, people = patrol
    first = timezone.localdate() + timedelta(days=1)
    services.generate_roster(
        actor=world.users["neighborhood_secretary"], pattern=pattern, first_day=first, last_day=first
    )
    duty = RosterDuty.objects.filter(shift__pattern=pattern, role="volunteer").first()
    before = duty.volunteer
    spare = next(v for v in people["volunteer"] if not duty.shift.duties.filter(volunteer=v).exists())
    client.force_login(world.users["volunteer_team_chief"])
    url = reverse("volunteers:duty_arrange_swap", args=[duty.pk])
    guard = people["security"][0]
    client.post(url, {"to_volunteer": guard.pk})  # a guard cannot take a volunteer's place
    duty.refresh_from_db()
    assert duty.volunteer == before
    assert client.post(url, {"to_volunteer": spare.pk}).status_code == 302
    duty.refresh_from_db()
    assert duty.volunteer == spare
    swap = SwapRequest.objects.get(duty=duty)
    assert (swap.from_volunteer, swap.to_volunteer, swap.status) == (before, spare, "accepted")


@pytest.mark.parametrize("role", AREA_ROLES)
def test_arranging_a_swap_and_editing_the_pattern_by_role(client, world, patrol, role):
    pattern, people = patrol
    first = timezone.localdate() + timedelta(days=1)
    services.generate_roster(
        actor=world.users["neighborhood_secretary"], pattern=pattern, first_day=first, last_day=first
    )
    duty = RosterDuty.objects.filter(shift__pattern=pattern, role="volunteer").first()
    before = duty.volunteer
    spare = next(v for v in people["volunteer"] if not duty.shift.duties.filter(volunteer=v).exists())
    client.force_login(world.users[role])
    response = client.post(
        reverse("volunteers:duty_arrange_swap", args=[duty.pk]), {"to_volunteer": spare.pk}
    )
    assert response.status_code == (302 if role in WRITERS else 404)
    duty.refresh_from_db()
    assert (duty.volunteer == spare) == (role in WRITERS) and (duty.volunteer == before) != (role in WRITERS)
    response = client.post(
        reverse("volunteers:roster", args=[pattern.pk]), {"form": "pattern", "pattern-place": "x"}
    )
    assert response.status_code == (400 if role in WRITERS else 404)
    client.logout()
    assert client.post(reverse("volunteers:duty_arrange_swap", args=[duty.pk])).status_code == 302


def test_a_served_patrol_duty_puts_its_hours_in_the_ledger_once(world, rostered, client):
    """Issue 23: patrol hours reach the points ledger (append-only), for people without an account too."""
    from decimal import Decimal

    from gongzhi.volunteers.models import LedgerEntry

    pattern, _people = rostered
    services.set_point_rule(
        actor=world.users["subdistrict_admin"], subdistrict=world.subdistrict, name="r", points_per_hour=10
    )
    past = RosterDuty.objects.filter(shift__pattern=pattern, shift__starts_at__lt=timezone.now()).first()
    client.force_login(world.users["volunteer_team_chief"])
    url = reverse("volunteers:duty_attendance", args=[past.pk])
    client.post(url, {"attendance": "served"})
    client.post(url, {"attendance": "served"})  # a retry credits nothing twice
    entry = LedgerEntry.objects.get(duty=past)
    assert (entry.hours, entry.points, entry.kind) == (Decimal("4.00"), 40, "earned")
    client.post(url, {"attendance": "no_show"})  # refused while the hours stand
    past.refresh_from_db()
    assert past.attendance == "served" and LedgerEntry.objects.filter(volunteer=past.volunteer).count() == 1


@pytest.mark.parametrize("role", AREA_ROLES)
def test_adding_a_member_to_the_team_from_the_roster_by_role(client, world, patrol, role):
    pattern, _people = patrol
    newcomer = _member(world, "新来的保安", "partner_staff", None)
    client.force_login(world.users[role])
    response = client.post(
        reverse("volunteers:roster", args=[pattern.pk]), {"form": "member", "volunteer": newcomer.pk}
    )
    assert response.status_code == (302 if role in WRITERS else 404)
    newcomer.refresh_from_db()
    assert (newcomer.team_id == pattern.team_id) == (role in WRITERS)
