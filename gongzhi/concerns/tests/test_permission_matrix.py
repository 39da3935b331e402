"""The rest of the concern pages × every role × own and other area, plus anonymous callers and a
signed-in resident on every staff page (visits' too): the concern page's writes (tier, building
notice, category, join, deliberate) and the holiday calendar. Outside the area a record is 404;
inside it, a role without the right gets 403 and nothing changes; every success is checked on the
record. (The photo view and the visit pages have their own: visits/tests/test_visits_permission_matrix.py.)"""

from datetime import date

import pytest
from django.urls import reverse

from gongzhi.concerns.models import CalendarDay, Concern
from gongzhi.concerns.tests.conftest import category, concern_for
from gongzhi.concerns.tests.test_permissions import AREA, CONCERN_READERS, concerns, visible
from gongzhi.core.roles import DUTY_ROLES, ROLES
from gongzhi.deliberation.models import AgendaItem
from gongzhi.deliberation.testing import resident_account
from gongzhi.visits.models import Visit, VisitRule

pytestmark = pytest.mark.django_db
ROLE_CODES = sorted(ROLES)
HOLD_MEETINGS = {"subdistrict_admin", "neighborhood_secretary", "social_worker"}
TARGETS = ("prop", "b", "far")  # own area (routed to the compound), neighborhood B, another subdistrict
__all__ = ["concerns"]  # the fixture, shared with test_permissions


def write_status(role: str, name: str, may: set[str]) -> int:
    """404 outside what the role sees; inside, 302 for the roles that may, 403 for the others."""
    if role in DUTY_ROLES:
        return 403  # the three duty roles keep to their duty pages
    if name not in visible(role):
        return 404
    return 302 if role in may else 403


@pytest.fixture
def twins(world, concerns):
    """A second open concern beside each target, in the same place and with the same handler."""
    made = {}
    for name in TARGETS:
        original = concerns[name]
        original.refresh_from_db()  # the fixture routed them with an update
        twin = concern_for(
            world,
            actor=original.created_by,
            household=original.household,
            category=original.category,
            description="楼道杂物堆放，阻挡通行",
        )
        Concern.objects.filter(pk=twin.pk).update(
            handler_kind=original.handler_kind, handler_compound=original.handler_compound
        )
        made[name] = twin
    return made


def _post(client, world, role, url, data):
    client.force_login(world.users[role])
    return client.post(url, data)


@pytest.mark.parametrize("role", ROLE_CODES)
def test_retier_by_role_and_area(client, world, concerns, role):
    for name in TARGETS:
        concern = concerns[name]
        url = reverse("concerns:retier", args=[concern.pk])
        data = {"tier": "key", "reason": "影响整片小区", "version": concern.version}
        expected = write_status(role, name, AREA)
        assert _post(client, world, role, url, data).status_code == expected, name
        concern.refresh_from_db()
        assert (concern.tier == "key") == (expected == 302), name


@pytest.mark.parametrize("role", ROLE_CODES)
def test_publish_to_the_building_notice_by_role_and_area(client, world, concerns, role):
    for name in TARGETS:
        concern = concerns[name]
        url = reverse("concerns:publish", args=[concern.pk])
        expected = write_status(role, name, AREA)
        assert _post(client, world, role, url, {"published": "1"}).status_code == expected, name
        concern.refresh_from_db()
        assert concern.published == (expected == 302), name


@pytest.mark.parametrize("role", ROLE_CODES)
def test_category_change_by_role_and_area(client, world, concerns, role):
    pets = category("pets", "宠物")
    for name in TARGETS:
        concern = concerns[name]
        url = reverse("concerns:recategorize", args=[concern.pk])
        expected = write_status(role, name, AREA)
        assert _post(client, world, role, url, {"category": pets.pk}).status_code == expected, name
        concern.refresh_from_db()
        assert (concern.category_id == pets.pk) == (expected == 302), name


@pytest.mark.parametrize("role", ROLE_CODES)
def test_join_by_role_and_area(client, world, concerns, twins, role):
    for name in TARGETS:
        twin, main = twins[name], concerns[name]
        url = reverse("concerns:join", args=[twin.pk])
        expected = write_status(role, name, AREA)
        assert _post(client, world, role, url, {"into": main.pk}).status_code == expected, name
        twin.refresh_from_db()
        assert (twin.joined_to_id == main.pk) == (expected == 302), name


@pytest.mark.parametrize("role", ROLE_CODES)
def test_deliberate_by_role_and_area(client, world, concerns, role):
    """Only area staff who hold meetings put a concern on a meeting (grid staff are area staff but
    hold none: 403)."""
    Concern.objects.filter(pk__in=[c.pk for c in concerns.values()]).update(tier="major")
    for name in TARGETS:
        concern = concerns[name]
        url = reverse("concerns:deliberate", args=[concern.pk])
        expected = write_status(role, name, HOLD_MEETINGS)
        assert _post(client, world, role, url, {}).status_code == expected, name
        scheduled = AgendaItem.objects.filter(concern=concern, meeting__isnull=False).exists()
        assert scheduled == (expected == 302), name


@pytest.mark.parametrize("role", ROLE_CODES)
def test_calendar_read_by_concern_roles_and_edited_by_subdistrict_admins(client, world, role):
    """The working-day calendar is the installation's, not an area's: no own/other area."""
    client.force_login(world.users[role])
    url = reverse("concerns:calendar")
    assert client.get(url).status_code == (200 if role in CONCERN_READERS else 403)
    response = client.post(url, {"date": "2030-10-08", "working": "0", "name": "国庆节"})
    assert response.status_code == (302 if role == "subdistrict_admin" else 403)
    assert CalendarDay.objects.filter(date=date(2030, 10, 8)).exists() == (role == "subdistrict_admin")


# ---- anonymous callers and a signed-in resident ------------------------------------------------


def _every_page(world, concerns) -> list[tuple[str, str, dict]]:
    pk = concerns["prop"].pk
    h = world.household_a
    return [
        ("post", reverse("concerns:retier", args=[pk]), {"tier": "key", "reason": "影响整片小区"}),
        ("post", reverse("concerns:publish", args=[pk]), {"published": "1"}),
        ("post", reverse("concerns:recategorize", args=[pk]), {"category": category("pets", "宠物").pk}),
        ("post", reverse("concerns:join", args=[pk]), {"into": concerns["dept"].pk}),
        ("post", reverse("concerns:deliberate", args=[pk]), {}),
        ("get", reverse("concerns:calendar"), {}),
        ("post", reverse("concerns:calendar"), {"date": "2030-10-08", "working": "0", "name": "国庆节"}),
        ("get", reverse("concerns:visit_new"), {}),
        ("post", reverse("concerns:visit_new"), {"household": h.pk, "raised": "路灯不亮"}),
        ("get", reverse("visits:rules"), {}),
        ("post", reverse("visits:rules"), {"kind": "household", "every": "2"}),
        ("get", reverse("visits:coverage"), {}),
        ("get", reverse("visits:coverage_export"), {}),
        ("get", reverse("visits:map_layer", args=["neighborhood", world.neighborhood_a.pk]), {}),
        ("get", reverse("visits:map_building", args=[h.building_id]), {}),
        ("get", reverse("visits:cards"), {}),
        ("get", reverse("visits:grid_cards", args=[world.grid_a.pk]), {}),
        ("get", reverse("visits:household_card", args=[h.pk]), {}),
    ]


def _nothing_changed(concerns) -> None:
    concern = Concern.objects.get(pk=concerns["prop"].pk)
    assert (concern.tier, concern.published, concern.category.code) == ("minor", False, "parking")
    assert not Concern.objects.filter(joined_to__isnull=False).exists()
    assert not AgendaItem.objects.exists() and not Visit.objects.exists()
    assert not CalendarDay.objects.filter(date=date(2030, 10, 8)).exists()
    assert not VisitRule.objects.filter(kind="household", every=2).exists()


def test_anonymous_callers_are_sent_to_sign_in_everywhere(client, world, concerns):
    for method, url, data in _every_page(world, concerns):
        response = getattr(client, method)(url, data)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], (method, url)
    _nothing_changed(concerns)


def test_a_signed_in_resident_gets_404_on_every_staff_page(client, world, concerns):
    """A resident's account holds no role; staff pages answer it 404, as records out of scope do
    (accounts.duties): a resident learns nothing about what staff pages exist."""
    client.force_login(resident_account(world.resident_a, "resident-a"))
    for method, url, data in _every_page(world, concerns):
        assert getattr(client, method)(url, data).status_code == 404, (method, url)
    _nothing_changed(concerns)
