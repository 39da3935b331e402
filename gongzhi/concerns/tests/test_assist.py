"""Intake suggestion, joining similar concerns, the reply check before closing, tiers going to
deliberation and the holiday calendar editor: services, pages and their permissions."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from gongzhi.concerns import assist, coordination, notices, services
from gongzhi.concerns.models import CalendarDay, Category, Concern, ConcernEvent
from gongzhi.concerns.tests.conftest import category, concern_for
from gongzhi.core.models import AuditRecord

pytestmark = pytest.mark.django_db
LIFT = "3号楼电梯又坏了，老人被困在电梯里，物业一直没人来修"


def taxonomy():
    """The seeded taxonomy as the suggestion sees it (transactional tests flush the seed)."""
    lift = category("lift", "电梯")
    Category.objects.filter(pk=lift.pk).update(description="电梯故障、维保、加装电梯")
    prop = category("property_service", "物业服务")
    Category.objects.filter(pk=prop.pk).update(data_category="城乡建设")
    category("other", "其他")
    return Category.objects.get(pk=lift.pk), Category.objects.get(pk=prop.pk)


def assist_classes():
    from gongzhi.concerns.models import DataCategory

    return set(DataCategory.values)


def to_verifying(world, concern, reply):
    actor = world.users["social_worker"]
    for action, note in (("dispatch", ""), ("start", ""), ("resolve", reply)):
        concern = services.transition(actor=actor, concern=concern, action=action, note=note)
    return concern


# ---- suggestion ---------------------------------------------------------------------------------


def test_suggestion_maps_the_first_level_category_onto_the_taxonomy(world):
    lift, prop = taxonomy()
    found = assist.suggest(LIFT, Category.objects.all())
    assert found.data_category in assist_classes() and 0 < found.confidence <= 1
    assert found.category == lift  # the text names the lift: the finer category wins
    generic = assist.suggest("小区物业管理混乱，楼道卫生没人打扫，业主意见很大", Category.objects.all())
    assert generic.category == prop and generic.data_category == "城乡建设"
    assert assist.suggest("   ", Category.objects.all()) is None


def test_staff_intake_shows_stores_the_suggestion_and_a_correction_is_kept(client, world):
    lift, prop = taxonomy()
    client.force_login(world.users["social_worker"])
    fragment = client.post(reverse("concerns:staff_assist"), {"description": LIFT}).content.decode()
    assert f'data-suggested-category="{lift.pk}"' in fragment and "置信度" in fragment
    response = client.post(
        reverse("concerns:intake"),
        {
            "household": world.household_a.pk,
            "channel": "hotline",
            "category": prop.pk,
            "description": LIFT,
            "key": "s1",
        },
    )
    assert response.status_code == 302
    concern = Concern.objects.get()
    assert concern.suggested_category == lift and concern.category == prop  # staff corrected it
    assert 0 < concern.suggestion_confidence <= 1
    page = client.get(reverse("concerns:detail", args=[concern.pk])).content.decode()
    assert f'data-suggested="{lift.pk}"' in page and "已由工作人员更正" in page
    # Confirming the suggestion afterwards is a recorded, audited change of category.
    url = reverse("concerns:recategorize", args=[concern.pk])
    assert client.post(url, {"category": lift.pk, "version": concern.version}).status_code == 302
    concern.refresh_from_db()
    assert concern.category == lift and concern.events.filter(action="category").count() == 1
    assert AuditRecord.objects.filter(object_id=str(concern.pk), changes__category__isnull=False).exists()


def test_concerns_from_other_channels_get_their_suggestion_when_first_opened(client, world):
    lift, _ = taxonomy()
    concern = concern_for(world, description=LIFT)
    assert concern.suggestion_confidence is None
    client.force_login(world.users["grid_worker"])
    assert client.get(reverse("concerns:detail", args=[concern.pk])).status_code == 200
    concern.refresh_from_db()
    assert concern.suggested_category == lift


@pytest.mark.parametrize("role", ["property_staff", "department_handler"])
def test_only_area_staff_recategorize(client, world, role):
    lift, prop = taxonomy()
    concern = concern_for(world, category=prop, description=LIFT)
    client.force_login(world.users[role])
    response = client.post(reverse("concerns:recategorize", args=[concern.pk]), {"category": lift.pk})
    assert response.status_code == 404  # not routed to them: not in their scope at all
    client.logout()
    response = client.post(reverse("concerns:recategorize", args=[concern.pk]), {"category": lift.pk})
    assert response.status_code == 302 and "/login" in response.url
    assert Concern.objects.get(pk=concern.pk).category == prop


def test_assist_fragment_needs_a_concern_role(client, world):
    client.force_login(world.users["stairwell_chief"])
    assert client.post(reverse("concerns:staff_assist"), {"description": LIFT}).status_code == 403
    client.logout()
    assert client.post(reverse("concerns:staff_assist"), {"description": LIFT}).status_code == 302


# ---- duplicates and joining ---------------------------------------------------------------------


def test_staff_intake_offers_a_similar_open_concern_and_joining_links_them(client, world):
    lift, _ = taxonomy()
    main = concern_for(world, category=lift, description=LIFT, household=world.household_a)
    client.force_login(world.users["social_worker"])
    data = {
        "household": world.household_a.pk,  # the same building
        "channel": "hotline",
        "category": lift.pk,
        "description": "电梯坏了好几天，老人被困在电梯里，物业没人来修",
        "key": "dup-1",
    }
    offer = client.post(reverse("concerns:intake"), data)
    assert offer.status_code == 200 and f'data-join="{main.pk}"' in offer.content.decode()
    assert Concern.objects.count() == 1  # nothing written before the choice
    response = client.post(reverse("concerns:intake"), data | {"dup_checked": "1", "join": main.pk})
    assert response.status_code == 302 and response.url == reverse("concerns:detail", args=[main.pk])
    new = Concern.objects.exclude(pk=main.pk).get()
    main.refresh_from_db()
    assert new.joined_to == main and main.supporters == 1 and main.households_affected == 1  # same household
    assert new.responded_at is not None and new.responded_on_time is True  # joining answered it
    assert list(new.events.values_list("action", flat=True)) == ["accept", "join"]
    assert main.events.filter(action="joined", note=f"#{new.pk}").exists()
    # A retry of the same form returns the same concern and joins nothing twice.
    assert (
        client.post(reverse("concerns:intake"), data | {"dup_checked": "1", "join": main.pk}).status_code
        == 302
    )
    main.refresh_from_db()
    assert Concern.objects.count() == 2 and main.supporters == 1
    # The joined report leaves the queue: it is worked through the main one.
    queue = client.get(reverse("concerns:queue")).content.decode()
    assert f"data-concern='{main.pk}'" in queue or f'data-concern="{main.pk}"' in queue
    assert f'data-concern="{new.pk}"' not in queue and f"data-concern='{new.pk}'" not in queue


def test_joined_reports_close_with_the_main_concern_and_their_resident_sees_progress(client, world):
    lift, _ = taxonomy()
    main = concern_for(world, category=lift, description=LIFT)
    other = concern_for(
        world,
        actor=world.users["social_worker"],
        category=lift,
        description="电梯困人，物业不修",
        household=world.household_a2,
    )
    coordination.join_concern(actor=world.users["social_worker"], concern=other, into=main)
    coordination.join_concern(actor=world.users["social_worker"], concern=other, into=main)  # retry: no-op
    main.refresh_from_db()
    assert main.supporters == 1 and main.households_affected == 2  # another household
    main = to_verifying(world, main, "电梯已修复，维保单位更换了电梯门机，老人被困的问题已解决")
    page = client.get(reverse("concerns:resident_progress", args=[other.public_token])).content.decode()
    assert "电梯已修复" in page and "social_worker" not in page
    services.transition(
        actor=world.users["neighborhood_secretary"], concern=main, action="close", note="回访"
    )
    other.refresh_from_db()
    assert other.state == "closed" and other.closed_at is not None
    close = other.events.get(action="close")
    assert close.from_state == "accepted" and close.note.startswith(f"#{main.pk}")
    # The resident of the joined report rates (and may reopen) their own report.
    concern = services.rate_concern(public_token=other.public_token, rating="dissatisfied", reopen=True)
    assert concern.state == "reopened" and concern.joined_to is None


def test_join_refuses_what_cannot_be_joined(world):
    lift, _ = taxonomy()
    main = concern_for(world, category=lift, description=LIFT)
    other = concern_for(
        world,
        actor=world.users["social_worker"],
        category=lift,
        description="电梯困人",
        household=world.household_a2,
    )
    with pytest.raises(ValidationError):
        coordination.join_concern(actor=world.users["social_worker"], concern=main, into=main)
    with pytest.raises(PermissionDenied):
        coordination.join_concern(actor=world.users["property_staff"], concern=other, into=main)
    coordination.join_concern(actor=world.users["social_worker"], concern=other, into=main)
    third = concern_for(world, category=lift, description="电梯又坏")
    with pytest.raises(ValidationError):  # main may not itself follow another
        coordination.join_concern(actor=world.users["social_worker"], concern=main, into=third)
    with pytest.raises(ValidationError):  # joined to main already
        coordination.join_concern(actor=world.users["social_worker"], concern=other, into=third)


def test_join_page_permissions(client, world):
    lift, _ = taxonomy()
    main = concern_for(world, category=lift, description=LIFT)
    other = concern_for(world, category=lift, description="电梯坏了，老人被困在电梯里，物业没人修")
    url = reverse("concerns:join", args=[other.pk])
    assert client.post(url, {"into": main.pk}).status_code == 302  # anonymous: to the login page
    client.force_login(world.users["department_handler"])
    assert client.post(url, {"into": main.pk}).status_code == 404
    client.force_login(world.users["grid_worker"])
    page = client.get(reverse("concerns:detail", args=[other.pk])).content.decode()
    assert "data-join-form" in page and f'value="{main.pk}"' in page  # offered on the page
    assert client.post(url, {"into": main.pk}).status_code == 302
    assert Concern.objects.get(pk=other.pk).joined_to_id == main.pk
    assert ConcernEvent.objects.filter(action="join").count() == 1


def test_resident_page_offers_to_join_without_personal_data(client, world):
    lift, _ = taxonomy()
    main = concern_for(
        world, category=lift, description=LIFT, reporter_name="王阿姨", reporter_phone="13800138000"
    )
    data = {"n": world.neighborhood_a.code, "description": "电梯坏了，老人被困在电梯里，物业没人来修"}
    fragment = client.post(reverse("concerns:resident_assist"), data).content.decode()
    assert f'data-join="{main.pk}"' in fragment and "置信度" in fragment
    for secret in ("王阿姨", "13800138000", LIFT, main.title):
        assert secret not in fragment
    # Another neighborhood's resident is not offered it.
    far = client.post(reverse("concerns:resident_assist"), data | {"n": world.neighborhood_b.code})
    assert f'data-join="{main.pk}"' not in far.content.decode()
    report = data | {"category": lift.pk, "key": "r-join", "dup_checked": "1", "join": main.pk}
    response = client.post(reverse("concerns:resident_report"), report)
    assert response.status_code == 302
    new = Concern.objects.exclude(pk=main.pk).get()
    assert new.joined_to == main and new.suggested_category == lift
    # A made-up join target (not offered for this text and place) is not followed.
    stray = concern_for(world, category=lift, description="广场舞噪音太大")
    response = client.post(reverse("concerns:resident_report"), report | {"key": "r-2", "join": stray.pk})
    assert response.status_code == 302
    assert Concern.objects.get(idempotency_key__endswith=":r-2").joined_to_id is None


# ---- reply check --------------------------------------------------------------------------------


def test_a_reply_that_does_not_answer_needs_a_reason_to_close(client, world):
    concern = to_verifying(world, concern_for(world), "已收悉，谢谢")
    client.force_login(world.users["neighborhood_secretary"])
    page = client.get(reverse("concerns:detail", args=[concern.pk])).content.decode()
    assert "data-reply-check" in page and "data-reply-flags" in page and 'name="reply_override"' in page
    url = reverse("concerns:transition", args=[concern.pk])
    refused = client.post(url, {"action": "close", "version": concern.version})
    assert refused.status_code == 400 and "答复核查" in refused.content.decode()
    assert Concern.objects.get(pk=concern.pk).state == "verifying"
    ok = client.post(
        url, {"action": "close", "version": concern.version, "reply_override": "已电话回访，居民确认"}
    )
    assert ok.status_code == 302
    close = ConcernEvent.objects.get(concern=concern, action="close")
    assert "已电话回访，居民确认" in close.note


def test_a_reply_that_answers_closes_without_a_reason(world):
    concern = to_verifying(world, concern_for(world), "非机动车已移走，消防通道已清理，今后每天巡查")
    review = assist.review_reply(concern)
    assert review is not None and not review.flagged and 0 < review.score <= 1
    concern = services.transition(
        actor=world.users["neighborhood_secretary"], concern=concern, action="close"
    )
    assert concern.state == "closed"


def test_api_close_over_a_flagged_reply_is_a_field_error(client, world):
    concern = to_verifying(world, concern_for(world), "收到")
    client.force_login(world.users["social_worker"])
    url = f"/api/v1/concerns/{concern.pk}/transitions"
    response = client.post(
        url, {"action": "close", "version": concern.version}, content_type="application/json"
    )
    assert response.status_code == 422 and "reply_override" in response.content.decode()
    response = client.post(
        url,
        {"action": "close", "version": concern.version, "reply_override": "现场核实已处理"},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["state"] == "closed"


# ---- tiers → deliberation -----------------------------------------------------------------------


def test_a_major_concern_goes_on_the_neighborhoods_deliberation_agenda_once(client, world):
    from gongzhi.deliberation.models import AgendaItem, Meeting

    concern = concern_for(world, households_affected=30, description="小区车棚屋面漏雨，三十户电瓶车受淋")
    assert concern.tier == "major"
    client.force_login(world.users["social_worker"])
    page = client.get(reverse("concerns:detail", args=[concern.pk])).content.decode()
    assert "data-deliberate" in page
    url = reverse("concerns:deliberate", args=[concern.pk])
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 302  # again: the same item
    item = AgendaItem.objects.get(concern=concern)
    assert item.origin == "major_concern" and item.meeting.kind == Meeting.Kind.DELIBERATION
    assert item.meeting.neighborhood_id == world.neighborhood_a.pk
    page = client.get(reverse("concerns:detail", args=[concern.pk])).content.decode()
    assert f'data-agenda-item="{item.pk}"' in page and "data-deliberate" not in page
    meeting = client.get(reverse("deliberation:meeting", args=[item.meeting.pk])).content.decode()
    assert f'data-concern="{concern.pk}"' in meeting  # and back from the meeting to the concern
    # A second major concern joins the same upcoming meeting.
    second = concern_for(world, households_affected=12, description="楼道墙皮大面积脱落")
    coordination.to_deliberation(actor=world.users["social_worker"], concern=second)
    assert AgendaItem.objects.get(concern=second).meeting == item.meeting


def test_a_key_concern_opens_a_joint_consultation_with_the_handling_unit(world):
    from gongzhi.concerns.models import RoutingRule
    from gongzhi.deliberation.models import AgendaItem, Meeting
    from gongzhi.org.models import Department

    department = Department.objects.get(subdistrict=world.subdistrict)
    RoutingRule.objects.create(
        subdistrict=world.subdistrict, handler_kind="department", department=department
    )
    concern = concern_for(world, households_affected=150, description="整片小区雨污管网老化，雨天倒灌")
    assert concern.tier == "key" and concern.handler_department == department
    item = coordination.to_deliberation(actor=world.users["neighborhood_secretary"], concern=concern)
    assert item.origin == "key_concern" and item.meeting.kind == Meeting.Kind.JOINT_CONSULTATION
    assert item.meeting.invitations.filter(department=department).exists()
    # Taken in by a grid worker, it waited (one event); the secretary's step scheduled it (another).
    assert concern.events.filter(action="deliberate").count() == 2
    assert AgendaItem.objects.filter(concern=concern).count() == 1


def test_deliberation_refuses_minor_concerns_and_other_roles(client, world):
    minor = concern_for(world)
    with pytest.raises(ValidationError):
        coordination.to_deliberation(actor=world.users["social_worker"], concern=minor)
    major = concern_for(world, households_affected=30)
    client.force_login(world.users["property_staff"])
    assert client.post(reverse("concerns:deliberate", args=[major.pk])).status_code == 404
    client.force_login(world.users["grid_worker"])  # area staff, but holds no meetings
    with pytest.raises(PermissionDenied):
        coordination.to_deliberation(actor=world.users["grid_worker"], concern=major)


# ---- holiday calendar ---------------------------------------------------------------------------


def test_2027_holidays_are_seeded_and_the_lunar_ones_wait_for_confirmation(client, world):
    from gongzhi.concerns.deadlines import end_of_working_day

    # (Seeded by migration 0007; transactional tests flush it, this one is not transactional.)
    days = {d.date: d for d in CalendarDay.objects.filter(date__year=2027)}
    assert days[date(2027, 1, 1)].confirmed and days[date(2027, 10, 1)].confirmed
    assert not days[date(2027, 2, 6)].confirmed and days[date(2027, 2, 6)].name == "春节"
    assert {date(2027, 4, 5), date(2027, 6, 9), date(2027, 9, 15)} <= set(days)
    client.force_login(world.users["grid_worker"])
    page = client.get(reverse("concerns:calendar") + "?year=2027").content.decode()
    assert 'data-day="2027-02-06"' in page and "data-unconfirmed" in page and "data-calendar-form" not in page
    # Friday 2027-02-05 is 除夕: one working day from Thursday the 4th lands on Tuesday the 9th.
    from datetime import datetime
    from zoneinfo import ZoneInfo

    start = datetime(2027, 2, 4, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert end_of_working_day(start, 1).date() == date(2027, 2, 9)


def test_subdistrict_admin_edits_the_calendar_page(client, world):
    client.force_login(world.users["subdistrict_admin"])
    url = reverse("concerns:calendar")
    response = client.post(url, {"date": "2027-02-13", "working": "1", "name": "调休上班"})
    assert response.status_code == 302
    assert CalendarDay.objects.get(date="2027-02-13").working is True
    assert AuditRecord.objects.filter(summary__startswith="calendar 2027-02-13").exists()
    bad = client.post(url, {"date": "2027-13-40", "name": "x"})
    assert bad.status_code == 400 and "YYYY-MM-DD" in bad.content.decode()
    assert client.post(url, {"date": "2027-02-13", "delete": "1"}).status_code == 302
    assert not CalendarDay.objects.filter(date="2027-02-13").exists()


@pytest.mark.parametrize("role", ["neighborhood_secretary", "grid_worker"])
def test_other_roles_read_but_cannot_edit_the_calendar(client, world, role):
    client.force_login(world.users[role])
    url = reverse("concerns:calendar")
    assert client.get(url).status_code == 200
    assert client.post(url, {"date": "2027-03-01", "working": "0", "name": "假"}).status_code == 403
    assert not CalendarDay.objects.filter(date="2027-03-01").exists()


def test_calendar_page_needs_a_concern_role_and_a_login(client, world):
    assert client.get(reverse("concerns:calendar")).status_code == 302
    client.force_login(world.users["stairwell_chief"])
    assert client.get(reverse("concerns:calendar")).status_code == 403


# ---- notifications ------------------------------------------------------------------------------


def test_resident_handlers_and_supervisors_are_notified_once_per_event(
    world, django_capture_on_commit_callbacks, settings
):
    from gongzhi.concerns.models import RoutingRule
    from gongzhi.notifications.models import Message
    from gongzhi.org.models import Department

    settings.GONGZHI_PUBLIC_URL = "https://gongzhi.example.cn"
    department = Department.objects.get(subdistrict=world.subdistrict)
    RoutingRule.objects.create(
        subdistrict=world.subdistrict, handler_kind="department", department=department
    )
    with django_capture_on_commit_callbacks(execute=True):
        concern = concern_for(world, reporter_phone="13800138000", urgent=True)
    with django_capture_on_commit_callbacks(execute=True):
        concern = services.transition(actor=world.users["social_worker"], concern=concern, action="dispatch")
    resident = Message.objects.filter(channel="sms", key__contains=":resident:")  # address is encrypted
    assert {m.address for m in resident} == {"13800138000"}
    assert resident.count() == 2  # accepted, dispatched
    link = f"https://gongzhi.example.cn/concerns/r/{concern.public_token}/"
    assert {m.link for m in resident} == {link} and all(link in m.body for m in resident)
    assert all("13800138000" not in m.link and "张" not in m.body for m in resident)
    dispatch = concern.events.get(action="dispatch")
    assert resident.filter(key=f"concern:{concern.pk}:event:{dispatch.pk}:resident:{concern.pk}").exists()
    handler = world.users["department_handler"]
    assert Message.objects.filter(
        user=handler, channel="inbox", key__contains=f"event:{dispatch.pk}:handler"
    ).exists()
    escalate = concern.events.get(action="escalate")  # urgent: escalated at once
    secretary = world.users["neighborhood_secretary"]
    assert Message.objects.filter(user=secretary, key__contains=f"event:{escalate.pk}:supervisor").exists()
    before = Message.objects.count()
    notices._deliver(concern.pk, dispatch.pk)  # a resend changes nothing
    assert Message.objects.count() == before


def test_public_assist_is_rate_limited_and_deliberate_needs_a_login(client, world, monkeypatch):
    monkeypatch.setattr("gongzhi.concerns.views_assist.RESIDENT_ASSISTS_PER_HOUR", 2)
    data = {"n": world.neighborhood_a.code, "description": "路灯不亮"}
    codes = [client.post(reverse("concerns:resident_assist"), data).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert client.get(reverse("concerns:resident_assist")).status_code == 405
    major = concern_for(world, households_affected=30)
    response = client.post(reverse("concerns:deliberate", args=[major.pk]))
    assert response.status_code == 302 and "/login" in response.url


def test_staff_intake_or_retier_of_a_major_concern_puts_it_on_the_agenda_at_once(client, world):
    from gongzhi.deliberation.models import AgendaItem

    cat = category()
    client.force_login(world.users["social_worker"])
    data = {"household": world.household_a.pk, "channel": "hotline", "category": cat.pk, "dup_checked": "1"}
    response = client.post(
        reverse("concerns:intake"),
        data | {"description": "车棚屋面漏雨", "households_affected": "30", "key": "m1"},
    )
    assert response.status_code == 302
    major = Concern.objects.get(idempotency_key__endswith=":m1")
    assert major.tier == "major" and AgendaItem.objects.filter(concern=major, origin="major_concern").exists()
    # A grid worker holds no meetings: the concern waits for staff who do (待议事项; the page offers it).
    client.force_login(world.users["grid_worker"])
    response = client.post(
        reverse("concerns:intake"),
        data | {"description": "楼道墙皮脱落", "households_affected": "12", "key": "m2"},
    )
    waiting = Concern.objects.get(idempotency_key__endswith=":m2")
    assert response.status_code == 302 and AgendaItem.objects.get(concern=waiting).meeting is None
    client.force_login(world.users["neighborhood_secretary"])
    minor = concern_for(world)
    url = reverse("concerns:retier", args=[minor.pk])
    assert (
        client.post(url, {"tier": "key", "reason": "涉及整片管网", "version": minor.version}).status_code
        == 302
    )
    assert AgendaItem.objects.get(concern=minor).origin == "key_concern"


def test_api_shows_the_suggestion_and_the_join(client, world):
    lift, _ = taxonomy()
    main = concern_for(world, category=lift, description=LIFT)
    other = concern_for(world, category=lift, description="电梯困人，物业不修")
    coordination.join_concern(actor=world.users["grid_worker"], concern=other, into=main)
    coordination.ensure_suggestion(main)
    client.force_login(world.users["grid_worker"])
    body = client.get(f"/api/v1/concerns/{main.pk}").json()
    assert body["supporters"] == 1 and body["suggested_category_id"] == lift.pk
    assert 0 < body["suggestion_confidence"] <= 1
    assert client.get(f"/api/v1/concerns/{other.pk}").json()["joined_to_id"] == main.pk
