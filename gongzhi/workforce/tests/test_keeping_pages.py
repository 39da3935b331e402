"""The pages that create and change what the demo and services make: profiles, the plan, sessions,
头雁 classes, contest scores, 微项目 designs and chiefs. Each refuses bad input field by field
(400, nothing kept), the wrong role (403), the wrong area (404) and the anonymous (sign-in)."""

from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.roles import DUTY_ROLES, ROLES
from gongzhi.deliberation import services as deliberation
from gongzhi.org import factories as f
from gongzhi.projects.testing import project as project_of
from gongzhi.workforce import services
from gongzhi.workforce.models import (
    Chief,
    ContestScore,
    Forum,
    HoursCredit,
    LeadGooseMember,
    MeetingAttendance,
    MicroProjectDesign,
    TrainingPlan,
    WorkerProfile,
)

KEEPERS = {"subdistrict_admin", "neighborhood_secretary"}
READERS = KEEPERS | {"social_worker"}
PAGES = [
    ("workforce:people", False, READERS, 403),
    ("workforce:new_person", False, KEEPERS, 403),
    ("workforce:person", True, READERS, 404),
    ("workforce:plan", False, READERS, 403),
    ("workforce:designs", False, READERS, 403),
]


@pytest.mark.parametrize("code", sorted(ROLES))
@pytest.mark.parametrize(("name", "with_pk", "allowed", "refused"), PAGES, ids=[p[0] for p in PAGES])
def test_each_keeping_page_answers_each_role_as_its_scope_says(
    client, world, crew, code, name, with_pk, allowed, refused
):
    client.force_login(world.users[code])
    url = reverse(name, args=[crew.worker.pk] if with_pk else [])
    expected = 403 if code in DUTY_ROLES else 200 if code in allowed else refused
    assert client.get(url).status_code == expected


@pytest.mark.parametrize("name", ["people", "new_person", "plan", "designs", "chiefs", "classes"])
def test_the_keeping_pages_need_a_sign_in(client, name):
    done = client.get(reverse(f"workforce:{name}"))
    assert done.status_code == 302 and "next=" in done["Location"]


def test_the_secretary_enters_a_worker_field_errors_first_then_kept(client, world, crew):
    client.force_login(world.users["neighborhood_secretary"])
    url = reverse("workforce:new_person")
    form = {
        "username": "grid_worker",
        "name": "新社工",
        "neighborhood": world.neighborhood_a.pk,
        "post_level": "novice",
        "started_on": "2026-02-30",
        "topics": ["civil_affairs", "health"],
    }
    bad = client.post(url, form)
    assert bad.status_code == 400 and "请填写日期" in bad.content.decode()
    assert 'value="新社工"' in bad.content.decode()  # the form keeps what was typed
    far = client.post(url, {**form, "started_on": "2026-02-01", "neighborhood": world.neighborhood_b.pk})
    assert far.status_code == 400 and "请从列出的选项中选择" in far.content.decode()
    nobody = client.post(url, {**form, "started_on": "2026-02-01", "username": "nobody"})
    assert "没有该用户名的账号" in nobody.content.decode()
    assert not WorkerProfile.objects.filter(name="新社工").exists()
    done = client.post(url, {**form, "started_on": "2026-02-01"})
    made = WorkerProfile.objects.get(name="新社工")
    assert done.status_code == 302 and made.topics == ["civil_affairs", "health"]
    assert made.post_changes.count() == 1


def test_a_social_worker_reads_profiles_but_may_not_enter_or_change_them(client, world, crew):
    client.force_login(world.users["social_worker"])
    assert client.post(reverse("workforce:new_person"), {"name": "x"}).status_code == 403
    url = reverse("workforce:person", args=[crew.novice.pk])
    assert 'id="profile-form"' not in client.get(url).content.decode()
    assert client.post(url, {"action": "profile", "qualification": "senior"}).status_code == 403
    client.force_login(world.users["neighborhood_secretary"])
    assert client.get(reverse("workforce:person", args=[crew.far_worker.pk])).status_code == 404


def test_the_profile_page_changes_qualification_and_records_a_promotion_in_the_history(client, world, crew):
    client.force_login(crew.admin)
    url = reverse("workforce:person", args=[crew.novice.pk])
    client.post(url, {"action": "profile", "qualification": "assistant", "topics": ["party_building"]})
    crew.novice.refresh_from_db()
    assert crew.novice.qualification == "assistant" and crew.novice.topics == ["party_building"]
    post = {"action": "post", "post_level": "regular", "to": world.neighborhood_a.pk, "reason": "考核优秀"}
    early = client.post(url, {**post, "effective_on": "2020-01-01"})
    assert early.status_code == 400 and "不能早于" in early.content.decode()
    client.post(url, {**post, "effective_on": "2026-03-01"})
    crew.novice.refresh_from_db()
    assert crew.novice.post_level == "regular"
    assert list(crew.novice.post_changes.values_list("post_level", flat=True)) == ["novice", "regular"]


def test_the_subdistrict_makes_a_plan_adds_a_course_and_schedules_a_session(client, world, crew):
    year = timezone.localdate().year + 1
    url = f"{reverse('workforce:plan')}?year={year}"
    client.force_login(crew.admin)
    grid = {
        f"req_{lvl}_{line}": "6"
        for lvl in ("novice", "regular", "team_lead", "secretary")
        for line in ("theory", "must_know", "practice", "capability")
    }
    bad = client.post(url, {"form": "plan", "title": "燃星计划", "target_hours": "many", **grid})
    assert bad.status_code == 400 and "请输入数字" in bad.content.decode()
    assert not TrainingPlan.objects.filter(year=year).exists()
    client.post(url, {"form": "plan", "title": "燃星计划", "target_hours": "520", **grid})
    plan = TrainingPlan.objects.get(year=year)
    assert plan.requirements.count() == 16
    course = {"form": "course", "title": "案例研讨", "line": "capability", "kind": "case_discussion"}
    assert client.post(url, {**course, "hours": "0"}).status_code == 400
    client.post(url, {**course, "hours": "3", "audience": ""})
    added = plan.courses.get()
    wrong_year = client.post(
        url, {"form": "session", "course": added.pk, "starts_at": "2020-05-01T14:00", "place": "中心"}
    )
    assert wrong_year.status_code == 400 and "计划年度" in wrong_year.content.decode()
    client.post(
        url, {"form": "session", "course": added.pk, "starts_at": f"{year}-05-01T14:00", "place": "中心"}
    )
    session = added.sessions.get()
    assert timezone.localtime(session.starts_at).hour == 14  # typed in Asia/Shanghai
    client.force_login(world.users["neighborhood_secretary"])
    assert client.post(url, {"form": "course", "title": "x"}).status_code == 403


def test_the_session_page_takes_the_paper_sheet_and_contest_scores(client, world, crew):
    course = services.add_course(
        actor=crew.admin,
        plan=crew.plan,
        title="演讲比赛",
        line="capability",
        hours="2",
        kind="speech_contest",
    )
    session = services.schedule_session(
        actor=crew.admin, course=course, starts_at=timezone.now() - timedelta(hours=2), place="中心"
    )
    url = reverse("workforce:session", args=[session.pk])
    client.force_login(world.users["neighborhood_secretary"])  # reads the session, keeps no sheet
    assert client.post(url, {"action": "sheet", "profiles": [crew.worker.pk]}).status_code == 403
    client.force_login(crew.admin)
    client.post(url, {"action": "sheet", "profiles": [crew.worker.pk, crew.novice.pk]})
    assert HoursCredit.objects.filter(session=session).count() == 2
    client.post(url, {"action": "sheet", "profiles": [crew.worker.pk]})  # again: nothing new
    assert HoursCredit.objects.filter(session=session).count() == 2
    client.force_login(world.users["neighborhood_secretary"])  # scores the workers of the area
    client.post(url, {"action": "score", "profile": crew.worker.pk, "score": "88.5"})
    bad = client.post(url, {"action": "score", "profile": crew.novice.pk, "score": "120"}, follow=True)
    assert "0 到 100" in bad.content.decode()
    assert list(ContestScore.objects.values_list("profile_id", flat=True)) == [crew.worker.pk]
    client.force_login(world.users["social_worker"])
    assert client.post(url, {"action": "score", "profile": crew.worker.pk, "score": "99"}).status_code == 403


def test_the_subdistrict_opens_a_lead_goose_class_selects_secretaries_and_graduates_them(client, world, crew):
    course = services.add_course(
        actor=crew.admin, plan=crew.plan, title="头雁班", line="capability", hours="4", kind="lead_goose"
    )
    session = services.schedule_session(
        actor=crew.admin, course=course, starts_at=timezone.now() - timedelta(minutes=5), place="中心"
    )
    url = reverse("workforce:classes")
    client.force_login(crew.admin)
    client.post(url, {"action": "open", "course": course.pk, "name": "A 班"})
    klass = crew.plan.lead_goose_classes.get()
    refused = client.post(
        url, {"action": "select", "klass": klass.pk, "profiles": [crew.worker.pk]}, follow=True
    )
    assert "不是本街镇的书记" in refused.content.decode()
    client.post(url, {"action": "select", "klass": klass.pk, "profiles": [crew.secretary.pk]})
    services.record_attendance(actor=crew.admin, session=session, profiles=[crew.secretary])
    client.post(url, {"action": "graduate", "klass": klass.pk, "on": "2026-06-30"})
    member = LeadGooseMember.objects.get()
    assert member.profile == crew.secretary and member.graduated_on == date(2026, 6, 30)
    client.force_login(world.users["neighborhood_secretary"])
    assert client.post(url, {"action": "open", "course": course.pk, "name": "B 班"}).status_code == 403


def test_a_worker_submits_a_design_and_the_secretary_accepts_it_with_its_project(client, world, crew):
    url = reverse("workforce:designs")
    client.force_login(world.users["social_worker"])
    empty = client.post(url, {"action": "submit", "title": "", "design": "目标"})
    assert empty.status_code == 400 and "必填" in empty.content.decode()
    client.post(url, {"action": "submit", "title": "银发手机课堂", "design": "需求、目标、步骤"})
    design = MicroProjectDesign.objects.get()
    assert client.post(url, {"action": "accept", "design": design.pk}).status_code == 403
    project = project_of(world, "银发课堂")
    client.force_login(world.users["neighborhood_secretary"])
    client.post(url, {"action": "accept", "design": design.pk, "review": "可行", "project": project.pk})
    design.refresh_from_db()
    assert design.status == "accepted" and design.project == project
    client.force_login(crew.novice.user)  # a novice has no designs to submit and no area to read
    assert client.get(url).status_code == 403


def test_the_secretary_nominates_a_chief_and_signs_them_in_at_a_meeting(client, world, crew):
    client.force_login(world.users["neighborhood_secretary"])
    url = reverse("workforce:chiefs")
    form = {
        "username": "stairwell_chief",
        "name": "周阿姨",
        "kind": "stairwell_chief",
        "neighborhood": world.neighborhood_a.pk,
        "unit_label": "1号楼",
        "on": "2026-01-05",
    }
    bad = client.post(url, {**form, "unit_label": ""})
    assert bad.status_code == 400 and "必填" in bad.content.decode() and not Chief.objects.exists()
    client.post(url, form)
    chief = Chief.objects.get()
    secretary = world.users["neighborhood_secretary"]
    services.vet_chief(actor=secretary, chief=chief, approved=True, on=date(2026, 1, 10))
    services.appoint_chief(
        actor=secretary,
        chief=chief,
        term_starts=date(2026, 2, 1),
        term_ends=date(2028, 1, 31),
        monthly_allowance="150",
    )
    meeting = deliberation.create_meeting(
        actor=crew.admin,
        kind="deliberation",
        title="议事会",
        held_at=timezone.make_aware(datetime(timezone.localdate().year, 1, 1, 9)),
        neighborhood=world.neighborhood_a,
    )
    step = reverse("workforce:chief_step", args=[chief.pk])
    client.post(step, {"action": "meeting", "meeting": meeting.pk})
    assert MeetingAttendance.objects.get().meeting == meeting
    page = client.get(url).content.decode()
    assert "参加会议" in page and '<td class="n" data-meetings>1</td>' in page
    client.force_login(world.users["social_worker"])
    assert client.post(url, form).status_code == 403


def test_the_subdistrict_schedules_forums_and_holds_a_roundtable_on_the_forums_page(client, world, crew):
    url = reverse("workforce:forums")
    client.force_login(crew.admin)
    client.post(url, {"form": "forums", "first_month": "2027-01", "topics": "走访中的倾听\n加装电梯"})
    held = list(Forum.objects.filter(kind="worker_forum").values_list("held_on", flat=True))
    assert sorted(held) == [date(2027, 1, 23), date(2027, 2, 23)]
    again = client.post(url, {"form": "forums", "first_month": "2027-02", "topics": "重复"})
    assert again.status_code == 400 and "2027-02-23" in again.content.decode()
    f.PartyOrgFactory(subdistrict=world.subdistrict, neighborhood=None, level="committee")
    roundtable = {"form": "roundtable", "held_on": "2026-06-12", "minutes": "议定分片推进"}
    empty = client.post(url, {**roundtable, "topic": ""})
    assert empty.status_code == 400 and "必填" in empty.content.decode()
    assert not Forum.objects.filter(kind="roundtable").exists()
    client.post(url, {**roundtable, "topic": "书记圆桌：加装电梯"})
    kept = Forum.objects.get(kind="roundtable")
    assert kept.meeting.minutes == "议定分片推进" and kept.held_on == date(2026, 6, 12)
    client.force_login(world.users["neighborhood_secretary"])
    assert client.post(url, {"form": "forums", "first_month": "2027-05", "topics": "x"}).status_code == 403
