"""Notices (公告): written by the area's staff to a place, published and withdrawn with an audit
record, seen by the residents of that place and of every place inside it, each resident's first
opening counted once."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from gongzhi.core.errors import NotInScope
from gongzhi.core.models import AuditRecord
from gongzhi.insights import selectors, services
from gongzhi.insights.models import Notice, NoticeRead
from gongzhi.insights.tests.notice_cast import accounts
from gongzhi.org.testing import far_admin


def _notice(world, place, level, *, actor="neighborhood_secretary", publish=True, **fields):
    notice = services.notice_create(
        actor=world.users[actor],
        level=level,
        place=place,
        title=fields.pop("title", "停水通知"),
        body=fields.pop("body", "12月8日9时至15时停水检修，请提前储水。"),
        **fields,
    )
    return services.notice_publish(actor=world.users[actor], notice=notice) if publish else notice


def _titles(resident) -> set[str]:
    return {n.title for n in selectors.notices_for_resident(resident)}


@pytest.mark.django_db
def test_a_stairwell_notice_reaches_only_that_stairwells_residents(world):
    people = accounts(world)
    _notice(world, world.household_a.stairwell, "stairwell", title="楼道清理")
    assert _titles(world.resident_a) == {"楼道清理"}
    for who in ("neighbour", "other_building", "other_neighborhood", "far"):
        assert _titles(people[who].resident) == set(), who


@pytest.mark.django_db
def test_residents_see_the_notices_of_every_place_above_their_home(world):
    people = accounts(world)
    building = world.household_a.building
    _notice(world, world.subdistrict, "subdistrict", actor="subdistrict_admin", title="镇")
    _notice(world, world.neighborhood_a, "neighborhood", title="居民区")
    _notice(world, building.compound, "compound", title="小区")
    _notice(world, building, "building", title="楼")
    _notice(world, world.household_a.stairwell, "stairwell", title="楼道")
    assert _titles(world.resident_a) == {"镇", "居民区", "小区", "楼", "楼道"}
    assert _titles(people["neighbour"].resident) == {"镇", "居民区", "小区", "楼"}
    assert _titles(world.resident_a2) == {"镇", "居民区"}
    assert _titles(world.resident_b) == {"镇"}
    assert _titles(world.resident_far) == set()


@pytest.mark.django_db
def test_drafts_withdrawn_and_expired_notices_are_not_shown(world):
    draft = _notice(world, world.neighborhood_a, "neighborhood", title="草稿", publish=False)
    gone = _notice(world, world.neighborhood_a, "neighborhood", title="撤回")
    services.notice_withdraw(actor=world.users["neighborhood_secretary"], notice=gone, reason="发错了")
    soon = _notice(
        world,
        world.neighborhood_a,
        "neighborhood",
        title="过期",
        expires_at=timezone.now() + timedelta(hours=1),
    )
    Notice.objects.filter(pk=soon.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert _titles(world.resident_a) == set()
    assert selectors.public_notice(gone.token) is None and draft.state == "draft"


@pytest.mark.django_db
def test_publish_and_withdraw_are_audited_and_a_retry_changes_nothing(world):
    secretary = world.users["neighborhood_secretary"]
    notice = _notice(world, world.neighborhood_a, "neighborhood", publish=False)
    first = services.notice_publish(actor=secretary, notice=notice)
    again = services.notice_publish(actor=secretary, notice=notice)
    assert first.published_at == again.published_at
    services.notice_withdraw(actor=secretary, notice=notice)
    services.notice_withdraw(actor=secretary, notice=notice)
    actions = list(
        AuditRecord.objects.filter(object_type="insights.notice", object_id=str(notice.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "publish", "withdraw"]
    assert AuditRecord.objects.filter(object_id=str(notice.pk), action="publish").first().neighborhood_id == (
        world.neighborhood_a.pk
    )
    with pytest.raises(ValidationError) as exc:
        services.notice_publish(actor=secretary, notice=notice)
    assert "state" in exc.value.message_dict


@pytest.mark.django_db
def test_bad_input_names_the_field_and_saves_nothing(world):
    secretary = world.users["neighborhood_secretary"]
    cases = [
        ({"title": " ", "body": "x"}, "title"),
        ({"title": "t", "body": ""}, "body"),
        ({"title": "t" * 121, "body": "x"}, "title"),
        ({"title": "t", "body": "x", "expires_at": timezone.now() - timedelta(days=1)}, "expires_at"),
    ]
    for fields, field in cases:
        with pytest.raises(ValidationError) as exc:
            services.notice_create(
                actor=secretary, level="neighborhood", place=world.neighborhood_a, **fields
            )
        assert field in exc.value.message_dict
    assert Notice.objects.count() == 0


@pytest.mark.django_db
def test_staff_address_only_places_inside_their_area(world):
    building_b = world.household_b.building
    for code in ("neighborhood_secretary", "social_worker"):
        with pytest.raises(NotInScope):
            _notice(world, building_b, "building", actor=code)
    with pytest.raises(NotInScope):
        _notice(world, world.subdistrict, "subdistrict", actor="neighborhood_secretary")
    with pytest.raises(NotInScope):
        services.notice_create(
            actor=far_admin(world), level="neighborhood", place=world.neighborhood_a, title="t", body="x"
        )
    for code in ("grid_worker", "property_staff", "volunteer_team_chief", "party_group_chief"):
        with pytest.raises(NotInScope):
            _notice(world, world.household_a.stairwell, "stairwell", actor=code)
    assert Notice.objects.count() == 0


@pytest.mark.django_db
def test_a_stairwell_chief_writes_to_their_own_stairwell_only(world):
    own = _notice(world, world.household_a.stairwell, "stairwell", actor="stairwell_chief")
    assert own.state == "published"
    with pytest.raises(NotInScope):
        _notice(world, world.household_a.building, "building", actor="stairwell_chief")
    places = selectors.places_for_notice(world.users["stairwell_chief"])
    assert [value for _label, options in places for value, _ in options] == [
        f"stairwell:{world.household_a.stairwell_id}"
    ]


@pytest.mark.django_db
def test_each_residents_first_opening_counts_once(world):
    people = accounts(world)
    notice = _notice(world, world.household_a.building, "building")
    assert services.notice_record_read(resident=world.resident_a, notice=notice) is True
    assert services.notice_record_read(resident=world.resident_a, notice=notice) is False
    services.notice_record_read(resident=people["neighbour"].resident, notice=notice)
    reach = selectors.reach_of(notice)
    assert (reach.readers, reach.households_read, reach.households) == (2, 2, 2)
    assert NoticeRead.objects.count() == 2
    town = _notice(world, world.subdistrict, "subdistrict", actor="subdistrict_admin")
    services.notice_record_read(resident=world.resident_b, notice=town)
    assert selectors.reaches_of([notice, town]) == {notice.pk: reach, town.pk: selectors.reach_of(town)}
    assert selectors.reach_of(town).households == 4  # a, a2, b and the neighbour; not the far town


@pytest.mark.django_db
def test_the_staff_list_is_scoped_and_filtered(world):
    _notice(world, world.neighborhood_a, "neighborhood", title="停水")
    _notice(
        world, world.household_a.stairwell, "stairwell", title="楼道清理", body="请清理堆物", publish=False
    )
    _notice(world, world.neighborhood_b, "neighborhood", actor="subdistrict_admin", title="二村")
    secretary = world.users["neighborhood_secretary"]
    assert {n.title for n in selectors.notice_list(secretary)} == {"停水", "楼道清理"}
    assert [n.title for n in selectors.notice_list(secretary, state="draft")] == ["楼道清理"]
    assert [n.title for n in selectors.notice_list(secretary, level="neighborhood")] == ["停水"]
    assert [n.title for n in selectors.notice_list(secretary, text="储水")] == ["停水"]
    assert len(selectors.notice_list(world.users["subdistrict_admin"])) == 3
    assert [n.title for n in selectors.notice_list(world.users["stairwell_chief"])] == ["楼道清理"]
    assert list(selectors.notice_list(far_admin(world))) == []


@pytest.mark.django_db
def test_a_residents_copy_lists_the_notices_they_read_and_deletion_removes_them(world):
    from gongzhi.insights import personal_data

    notice = _notice(world, world.neighborhood_a, "neighborhood", title="议事会")
    services.notice_record_read(resident=world.resident_a, notice=notice)
    section = personal_data.notices_read_section(None, world.resident_a)
    assert (
        section.rows[0][1] == "议事会" and personal_data.notices_read_section(None, world.resident_b) is None
    )
    assert personal_data.erase_reads(None, world.resident_a) == {"notice_reads": 1}
    assert selectors.reach_of(notice).readers == 0
