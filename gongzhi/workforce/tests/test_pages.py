"""Every workforce page, for every role: who gets it (200), who is refused (403), who finds nothing (404)."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from gongzhi.core.roles import AREA_ROLES, DUTY_ROLES, ROLES
from gongzhi.workforce import services
from gongzhi.workforce.models import AssessmentRound
from gongzhi.workforce.testing import PERSONAL, open_test_round

WORKFORCE_READERS = {"subdistrict_admin", "neighborhood_secretary", "social_worker"}
WITH_PROFILE = {"neighborhood_secretary", "social_worker"}


@pytest.fixture
def pages(world, crew):
    pair = services.pair_mentor(
        actor=crew.admin,
        mentor=crew.secretary,
        mentee=crew.worker,
        goals="补短板",
        started_on=date(2025, 1, 1),
        ends_on=date(2025, 12, 31),
    )
    assessment, _groups = open_test_round(world, crew)
    chief = services.nominate_chief(
        actor=crew.admin,
        neighborhood=world.neighborhood_a,
        user=world.users["stairwell_chief"],
        name="周阿姨",
        kind="stairwell_chief",
        unit_label="1号楼",
        on=date(2025, 1, 1),
    )
    return {"pair": pair, "round": assessment, "chief": chief, "session": crew.session}


def expect(code: str, allowed: set[str], refused: int = 403) -> int:
    """The three duty accounts (system, security, audit) get 403 on every area page."""
    if code in DUTY_ROLES:
        return 403
    return 200 if code in allowed else refused


CASES = [
    ("workforce:home", None, set(AREA_ROLES), 403),
    ("workforce:me", None, WITH_PROFILE, 403),
    ("workforce:training", None, WORKFORCE_READERS, 403),
    ("workforce:classes", None, WORKFORCE_READERS, 403),
    ("workforce:session", "session", WORKFORCE_READERS, 404),
    ("workforce:pairs", None, set(AREA_ROLES), 403),
    ("workforce:pair", "pair", WORKFORCE_READERS, 404),
    ("workforce:forums", None, set(AREA_ROLES), 403),
    ("workforce:rounds", None, {"subdistrict_admin"}, 403),
    ("workforce:round", "round", {"subdistrict_admin"}, 404),
    ("workforce:score", None, set(AREA_ROLES), 403),
    ("workforce:chiefs", None, WORKFORCE_READERS, 403),
    ("workforce:my_chief", None, {"stairwell_chief"}, 403),
]


@pytest.mark.parametrize("code", sorted(ROLES))
@pytest.mark.parametrize(("name", "arg", "allowed", "refused"), CASES, ids=[c[0] for c in CASES])
def test_each_page_answers_each_role_as_its_scope_says(
    client, world, pages, code, name, arg, allowed, refused
):
    client.force_login(world.users[code])
    url = reverse(name, args=[pages[arg].pk] if arg else [])
    assert client.get(url).status_code == expect(code, allowed, refused)


def test_pages_need_a_sign_in(client, pages):
    assert client.get(reverse("workforce:me")).status_code == 302


def test_a_worker_checks_in_from_the_qr_page_and_sees_the_hours_on_their_page(client, world, crew):
    client.force_login(world.users["social_worker"])
    url = reverse("workforce:check_in", args=[crew.session.check_in_token])
    assert "签到" in client.get(url).content.decode()
    done = client.post(url).content.decode()
    assert "已记入" in done and "3.0" in done
    page = client.get(reverse("workforce:me")).content.decode()
    assert 'data-line="must_know"' in page and "培训学时" in page


def test_a_check_in_by_someone_without_a_profile_finds_nothing(client, world, crew):
    client.force_login(world.users["grid_worker"])
    assert client.post(reverse("workforce:check_in", args=[crew.session.check_in_token])).status_code == 404


def test_a_rater_scores_from_the_phone_page_and_the_personnel_role_adopts(client, world, crew, pages):
    assessment = pages["round"]
    group = assessment.groups.get(code="party")
    rater = world.users["department_handler"]
    services.add_rater(actor=crew.admin, group=group, user=rater)
    client.force_login(rater)
    assert world.neighborhood_a.name in client.get(reverse("workforce:score")).content.decode()
    for nb in (world.neighborhood_a, world.neighborhood_b):
        client.post(reverse("workforce:score"), {"group": group.pk, "neighborhood": nb.pk, "score": "88.5"})
    bad = client.post(
        reverse("workforce:score"),
        {"group": group.pk, "neighborhood": world.neighborhood_a.pk, "score": "120"},
        follow=True,
    )
    assert "0 到 100" in bad.content.decode()
    for name, value in PERSONAL.items():
        services.set_personal_score(
            actor=crew.admin, round=assessment, profile=getattr(crew, name), score=value
        )
    client.force_login(crew.admin)
    page = client.get(reverse("workforce:round", args=[assessment.pk])).content.decode()
    assert 'id="adopt"' in page
    client.post(reverse("workforce:round", args=[assessment.pk]))
    assessment.refresh_from_db()
    assert assessment.status == "adopted"
    page = client.get(reverse("workforce:round", args=[assessment.pk])).content.decode()
    assert "已采纳" in page and 'id="bonuses"' in page
    client.force_login(world.users["social_worker"])
    assert "2025 年终考核" in client.get(reverse("workforce:me")).content.decode()


def test_the_scoring_page_refuses_a_group_the_user_does_not_rate(client, world, pages):
    group = pages["round"].groups.get(code="party")
    client.force_login(world.users["social_worker"])
    done = client.post(
        reverse("workforce:score"),
        {"group": group.pk, "neighborhood": world.neighborhood_a.pk, "score": "50"},
    )
    assert done.status_code == 404


def test_the_pair_page_takes_the_mentees_monthly_log(client, world, pages):
    client.force_login(world.users["social_worker"])
    url = reverse("workforce:pair", args=[pages["pair"].pk])
    client.post(url, {"action": "log", "month": "2025-04", "text": "入户走访 20 户"})
    assert "入户走访 20 户" in client.get(url).content.decode()


@pytest.mark.parametrize(
    ("code", "rows"), [("subdistrict_admin", 4), ("neighborhood_secretary", 3), ("grid_worker", 0)]
)
def test_the_admin_lists_workers_in_the_users_area_only(client, world, crew, code, rows):
    user = world.users[code]
    user.is_staff = True
    user.save()
    client.force_login(user)
    done = client.get("/admin/workforce/workerprofile/")
    if rows == 0:
        assert done.status_code == 403
    else:
        assert done.status_code == 200 and done.context["cl"].result_count == rows


def test_the_personnel_role_enters_personal_scores_on_the_round_page_and_nobody_else_can(
    client, world, crew, pages
):
    assessment = pages["round"]
    url = reverse("workforce:personal_score", args=[assessment.pk])
    client.force_login(crew.admin)
    assert 'id="personal"' in client.get(reverse("workforce:round", args=[assessment.pk])).content.decode()
    client.post(url, {"profile": crew.worker.pk, "score": "88.5"})
    bad = client.post(url, {"profile": crew.worker.pk, "score": "abc"}, follow=True).content.decode()
    assert "请输入" in bad
    assert assessment.personal_scores.get(profile=crew.worker).score == Decimal("88.50")
    client.force_login(world.users["neighborhood_secretary"])
    assert client.post(url, {"profile": crew.worker.pk, "score": "99"}).status_code == 404


def test_the_secretary_takes_a_chief_from_vetting_to_exit_on_the_chiefs_page(client, world, pages):
    chief, url = pages["chief"], reverse("workforce:chief_step", args=[pages["chief"].pk])
    client.force_login(world.users["neighborhood_secretary"])
    client.post(url, {"action": "approve", "on": "2025-01-10"})
    bad = client.post(
        url,
        {
            "action": "appoint",
            "term_starts": "2025-02-01",
            "term_ends": "2028-01-31",
            "monthly_allowance": "-1",
        },
        follow=True,
    ).content.decode()
    assert "请输入" in bad
    client.post(
        url,
        {
            "action": "appoint",
            "term_starts": "2025-02-01",
            "term_ends": "2028-01-31",
            "monthly_allowance": "150.00",
        },
    )
    client.post(url, {"action": "allowance", "month": "2025-03"})
    client.post(url, {"action": "exit", "on": "2026-01-31", "note": "搬离"})
    steps = list(chief.events.values_list("action", flat=True))
    assert steps == ["nominated", "vetted", "appointed", "allowance", "exited"]
    client.force_login(world.users["social_worker"])
    assert client.post(url, {"action": "trained", "note": "x"}).status_code == 403  # reads, may not change
    assert chief.events.count() == 5


def test_the_personnel_role_opens_a_round_and_names_its_raters_on_the_pages(client, world, crew):
    client.force_login(crew.admin)
    done = client.post(
        reverse("workforce:rounds"),
        {
            "title": "2026 第四季度",
            "kind": "quarterly",
            "period": "2026Q4",
            "pool": "50000.00",
            "weight_party": "40",
            "weight_grid": "10",
        },
    )
    assessment = AssessmentRound.objects.get(title="2026 第四季度")
    assert done.status_code == 302 and sorted(assessment.groups.values_list("code", flat=True)) == [
        "grid",
        "party",
    ]
    party = assessment.groups.get(code="party")
    client.post(
        reverse("workforce:add_rater", args=[assessment.pk]), {"group": party.pk, "username": "grid_chief"}
    )
    assert list(party.raters.values_list("username", flat=True)) == ["grid_chief"]
    bad = client.post(
        reverse("workforce:add_rater", args=[assessment.pk]),
        {"group": party.pk, "username": "nobody"},
        follow=True,
    )
    assert "没有该用户名的账号" in bad.content.decode()
    client.force_login(world.users["neighborhood_secretary"])
    assert client.post(reverse("workforce:rounds"), {"title": "x"}).status_code == 403


def test_the_secretary_pairs_a_mentor_with_a_young_worker_on_the_pairs_page(client, world, crew):
    client.force_login(world.users["neighborhood_secretary"])
    form = {
        "mentor": crew.secretary.pk,
        "mentee": crew.novice.pk,
        "goals": "政策解读",
        "started_on": "2026-01-01",
        "ends_on": "2026-12-31",
    }
    client.post(reverse("workforce:pairs"), form)
    assert crew.novice.mentors.get().mentor == crew.secretary
    assert client.post(reverse("workforce:pairs"), {**form, "mentee": crew.far_worker.pk}).status_code == 404
    client.force_login(world.users["social_worker"])
    assert client.post(reverse("workforce:pairs"), {**form, "mentee": crew.worker.pk}).status_code == 403
