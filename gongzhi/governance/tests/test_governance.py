"""The governance loop: switches (permission, bad input, retries, audit, messages), the hour
deadlines of concerns accepted in an emergency, what workbenches put first, the rosters standing
by, and the pages' scope."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from gongzhi.concerns.tests.conftest import concern_for
from gongzhi.core.errors import NotInScope
from gongzhi.core.models import AuditRecord
from gongzhi.governance import selectors, services
from gongzhi.governance.models import GovernanceMode
from gongzhi.notifications.models import Message
from gongzhi.org.factories import UserFactory
from gongzhi.org.testing import far_admin

pytestmark = pytest.mark.django_db


def switch(world, kind="emergency", *, user=None, neighborhood="a", **extra):
    nb = {"a": world.neighborhood_a, "b": world.neighborhood_b, None: None}[neighborhood]
    extra.setdefault("reason", "暴雨红色预警，低洼小区积水")
    return services.switch_mode(
        actor=user or world.users["subdistrict_admin"],
        subdistrict=world.subdistrict,
        neighborhood=nb,
        kind=kind,
        **extra,
    )


# ---- switching -----------------------------------------------------------------------------------


def test_a_switch_is_recorded_audited_and_told_to_the_places_staff(world):
    mode = switch(world, planned_end=timezone.now() + timedelta(days=2))
    assert (mode.kind, mode.seq, mode.place_key) == ("emergency", 1, f"n{world.neighborhood_a.pk}")
    assert selectors.mode_of(world.subdistrict.pk, world.neighborhood_a.pk) == "emergency"
    assert selectors.mode_of(world.subdistrict.pk, world.neighborhood_b.pk) == "daily"
    record = AuditRecord.objects.get(object_type="governance.governancemode", object_id=str(mode.pk))
    assert record.reason.startswith("暴雨") and record.changes["kind"] == ["daily", "emergency"]
    told = set(
        Message.objects.filter(channel="inbox", key__startswith=f"governance/{mode.pk}/").values_list(
            "user__username", flat=True
        )
    )
    assert {"neighborhood_secretary", "social_worker", "grid_worker", "stairwell_chief"} <= told
    # Not the one who switched, not another neighborhood's or subdistrict-only staff, not duty roles.
    assert not told & {"subdistrict_admin", "department_handler", "auditor", "system_admin"}
    back = switch(world, "daily", reason="积水已退，恢复日常")
    mode.refresh_from_db()
    assert mode.ended_at == back.started_at and back.seq == 2
    assert selectors.mode_of(world.subdistrict.pk, world.neighborhood_a.pk) == "daily"


def test_the_whole_subdistrict_is_told_and_its_mode_applies_to_every_neighborhood(world):
    mode = switch(world, "risk", neighborhood=None, reason="汛期风险排查")
    told = set(
        Message.objects.filter(key__startswith=f"governance/{mode.pk}/").values_list(
            "user__username", flat=True
        )
    )
    assert {"neighborhood_secretary", "department_handler", "partner_liaison"} <= told
    assert selectors.mode_of(world.subdistrict.pk, world.neighborhood_b.pk) == "risk"
    # The more severe mode wins: a neighborhood's own emergency under a subdistrict-wide risk watch.
    switch(world, "emergency")
    assert selectors.mode_of(world.subdistrict.pk, world.neighborhood_a.pk) == "emergency"
    assert selectors.mode_of(world.subdistrict_far.pk, world.neighborhood_far.pk) == "daily"


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"kind": "party"}, "kind"),
        ({"reason": "  "}, "reason"),
        ({"reason": "雨"}, "reason"),
        ({"reason": "很" * 501}, "reason"),
        ({"planned_end": timezone.now() - timedelta(hours=1)}, "planned_end"),
        ({"kind": "daily"}, "kind"),  # daily work already
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(world, fields, error):
    kind = fields.pop("kind", "emergency")
    with pytest.raises(ValidationError) as caught:
        switch(world, kind, **fields)
    assert error in caught.value.message_dict
    assert not GovernanceMode.objects.exists() and not Message.objects.exists()


def test_a_retry_answers_the_first_switch_and_a_stale_form_is_refused(world):
    first = switch(world, expected_seq=0, idempotency_key="form-1")
    again = switch(world, expected_seq=0, idempotency_key="form-1")
    assert again.pk == first.pk and getattr(again, "replayed", False)
    assert GovernanceMode.objects.count() == 1
    with pytest.raises(ValidationError) as caught:  # another form, shown before the first switch
        switch(world, "risk", expected_seq=0, idempotency_key="form-2")
    assert "general" in caught.value.message_dict
    assert GovernanceMode.objects.count() == 1


def test_the_secretary_switches_their_own_neighborhood_only(world):
    secretary = world.users["neighborhood_secretary"]
    assert switch(world, user=secretary).switched_by == secretary
    with pytest.raises(PermissionDenied) as whole:
        switch(world, user=secretary, neighborhood=None)
    assert not isinstance(whole.value, NotInScope)  # they read the subdistrict's mode
    with pytest.raises(NotInScope):
        switch(world, user=secretary, neighborhood="b")
    for code in ("social_worker", "grid_worker"):
        with pytest.raises(PermissionDenied):
            switch(world, "risk", user=world.users[code])
    with pytest.raises(NotInScope):
        switch(world, "risk", user=far_admin(world))


# ---- deadlines -----------------------------------------------------------------------------------


def test_concerns_accepted_in_an_emergency_get_hour_deadlines(world):
    before = concern_for(world, idempotency_key="k1")
    assert before.resolution_due - before.accepted_at > timedelta(days=4)  # 5 working days
    switch(world)
    during = concern_for(world, idempotency_key="k2")
    assert during.response_due == during.accepted_at + timedelta(hours=2)
    assert during.resolution_due == during.accepted_at + timedelta(hours=24)
    record = AuditRecord.objects.get(
        object_type="concerns.concern", object_id=str(during.pk), action="create"
    )
    assert record.changes["governance_mode"] == "emergency"
    # Risk mode keeps the working-day deadlines.
    switch(world, "risk", reason="转入风险排查")
    after = concern_for(world, idempotency_key="k3")
    assert after.resolution_due - after.accepted_at > timedelta(days=4)


def test_a_subdistrict_wide_emergency_shortens_every_neighborhoods_deadlines(world):
    switch(world, neighborhood=None)
    concern = concern_for(world, household=world.household_b, actor=world.users["subdistrict_admin"])
    assert concern.resolution_due == concern.accepted_at + timedelta(hours=24)


# ---- workbenches ---------------------------------------------------------------------------------


def page(client, user, url=None):
    client.force_login(user)
    return client.get(url or reverse("core:workbench"))


def test_an_emergency_puts_its_section_and_banner_first_on_the_neighborhoods_workbenches(client, world):
    from gongzhi.volunteers import services as volunteer_services
    from gongzhi.volunteers.testing import team

    patrol = volunteer_services.create_roster(
        actor=world.users["neighborhood_secretary"],
        team=team(world),
        name="应急突击队",
        place="居委会",
        start_time="20:00",
        duration_minutes=120,
    )
    volunteer_services.designate_standby(
        actor=world.users["neighborhood_secretary"], pattern=patrol, standby=True
    )
    calm = page(client, world.users["neighborhood_secretary"]).content.decode()
    assert 'id="mode-section"' not in calm and "mode-banner" not in calm
    concern_for(world, idempotency_key="before")
    switch(world)
    html = page(client, world.users["neighborhood_secretary"]).content.decode()
    assert 'class="mode-banner emergency"' in html and "应急模式" in html and "暴雨红色预警" in html
    assert html.index('id="mode-section"') < html.index('id="today"')
    section = html[html.index('id="mode-section"') : html.index('id="today"')]
    for key in ("urgent", "standby", "contacts"):
        assert f'data-item="{key}"' in section
    assert "应急突击队" in section and "subdistrict_admin" in section  # standing by; whom to call
    # Other neighborhoods' staff carry on as usual; the subdistrict sees the emergency of its part.
    assert (
        "mode-banner"
        not in page(client, world.users["far_admin"] if False else far_admin(world)).content.decode()
    )
    assert 'class="mode-banner emergency"' in page(client, world.users["subdistrict_admin"]).content.decode()
    switch(world, "daily", reason="险情解除")
    html = page(client, world.users["neighborhood_secretary"]).content.decode()
    assert 'id="mode-section"' not in html and "mode-banner" not in html


def test_risk_mode_puts_the_risk_list_first(client, world):
    switch(world, "risk", reason="独居老人高温风险")
    html = page(client, world.users["grid_worker"]).content.decode()
    assert 'class="mode-banner risk"' in html
    section = html[html.index('id="mode-section"') : html.index('id="today"')]
    assert 'data-item="hazards"' in section and 'data-item="visit_elderly_alone"' in section


def test_the_roster_page_shows_it_standing_by(client, world):
    from gongzhi.volunteers import services as volunteer_services
    from gongzhi.volunteers.testing import team

    patrol = volunteer_services.create_roster(
        actor=world.users["neighborhood_secretary"],
        team=team(world),
        name="夜巡",
        place="小区",
        start_time="20:00",
        duration_minutes=120,
    )
    client.force_login(world.users["neighborhood_secretary"])
    url = reverse("volunteers:roster", args=[patrol.pk])
    client.post(reverse("volunteers:roster_standby", args=[patrol.pk]), {"standby": "1"})
    patrol.refresh_from_db()
    assert patrol.emergency_standby
    assert 'id="standing-by"' not in client.get(url).content.decode()
    switch(world)
    assert 'id="standing-by"' in client.get(url).content.decode()
    # The team chief keeps the team's rosters (volunteer writer); another subdistrict's admin finds none.
    client.force_login(world.users["volunteer_team_chief"])
    assert (
        client.post(reverse("volunteers:roster_standby", args=[patrol.pk]), {"standby": "0"}).status_code
        == 302
    )
    client.force_login(far_admin(world))
    assert (
        client.post(reverse("volunteers:roster_standby", args=[patrol.pk]), {"standby": "1"}).status_code
        == 404
    )
    patrol.refresh_from_db()
    assert not patrol.emergency_standby


# ---- pages ---------------------------------------------------------------------------------------


def test_the_admin_switches_on_the_page_and_sees_the_timeline(client, world):
    key = f"n{world.neighborhood_a.pk}"
    client.force_login(world.users["subdistrict_admin"])
    home = client.get(reverse("governance:home")).content.decode()
    assert (
        "治理环" in home
        and f'data-place="{key}"' in home
        and f'data-place="n{world.neighborhood_b.pk}"' in home
    )
    form = {
        "kind": "emergency",
        "reason": "燃气泄漏，疏散3号楼",
        "seq": "0",
        "token": "t-1",
        "planned_end": "",
    }
    response = client.post(reverse("governance:switch", args=[key]), form)
    assert response.status_code == 302
    assert client.post(reverse("governance:switch", args=[key]), form).status_code == 302  # retry
    assert GovernanceMode.objects.count() == 1
    html = client.get(reverse("governance:place", args=[key])).content.decode()
    assert 'data-kind="emergency"' in html and "燃气泄漏" in html and 'id="timeline"' in html
    bad = client.post(
        reverse("governance:switch", args=[key]),
        form | {"token": "t-2", "seq": "1", "kind": "risk", "reason": ""},
    )
    assert bad.status_code == 400 and "至少 4 个字" in bad.content.decode()
    late = client.post(
        reverse("governance:switch", args=[key]),
        form | {"token": "t-3", "seq": "1", "kind": "risk", "planned_end": "明天"},
    )
    assert late.status_code == 400 and 'role="alert"' in late.content.decode()
    assert GovernanceMode.objects.count() == 1
    menu = client.get(reverse("core:workbench")).content.decode()
    assert reverse("governance:home") in menu


def test_pages_keep_to_the_area(client, world):
    key_a, key_s = f"n{world.neighborhood_a.pk}", f"s{world.subdistrict.pk}"
    form = {"kind": "emergency", "reason": "燃气泄漏，疏散3号楼", "seq": "0", "token": "x"}
    # Anonymous: to sign-in.
    assert client.get(reverse("governance:home")).status_code == 302
    assert client.post(reverse("governance:switch", args=[key_a]), form).status_code == 302
    # A resident: the staff pages do not exist for them.
    client.force_login(UserFactory(username="resident-1", kind="resident"))
    assert client.get(reverse("governance:home")).status_code in (403, 404)
    assert client.post(reverse("governance:switch", args=[key_a]), form).status_code in (403, 404)
    # Roles that read no mode: refused.
    for user in (
        world.users["stairwell_chief"],
        world.users["department_handler"],
        world.users["auditor"],
    ):
        client.force_login(user)
        assert client.get(reverse("governance:home")).status_code == 403, user
        assert client.post(reverse("governance:switch", args=[key_a]), form).status_code == 403
    # Another subdistrict's admin: the places look absent.
    client.force_login(far_admin(world))
    for key in (key_a, key_s):
        assert client.get(reverse("governance:place", args=[key])).status_code == 404
        assert client.post(reverse("governance:switch", args=[key]), form).status_code == 404
    # The secretary: their neighborhood and the subdistrict (read only); not the other neighborhood.
    client.force_login(world.users["neighborhood_secretary"])
    assert client.get(reverse("governance:place", args=[key_s])).status_code == 200
    assert 'id="switch-form"' not in client.get(reverse("governance:place", args=[key_s])).content.decode()
    assert client.post(reverse("governance:switch", args=[key_s]), form).status_code == 403
    assert client.get(reverse("governance:place", args=[f"n{world.neighborhood_b.pk}"])).status_code == 404
    assert client.get(reverse("governance:place", args=[key_a])).status_code == 200
    # A grid worker reads the mode, switches nothing.
    client.force_login(world.users["grid_worker"])
    assert client.get(reverse("governance:place", args=[key_a])).status_code == 200
    assert client.post(reverse("governance:switch", args=[key_a]), form).status_code == 403
    assert not GovernanceMode.objects.exists()
