"""Every role against the project pages and API: who reads, who writes, who is told nothing."""

import pytest
from django.urls import reverse

from gongzhi.core.roles import ROLES
from gongzhi.org.models import PartnerUnit
from gongzhi.projects import services
from gongzhi.projects import testing as t

pytestmark = pytest.mark.django_db

WRITERS = {"subdistrict_admin", "neighborhood_secretary", "social_worker"}
PARTICIPANTS = {"partner_liaison", "department_handler"}  # read the projects they take part in
DUTIES = {"system_admin", "security_admin", "auditor"}  # dedicated accounts: every other page 403
# Read the projects of their compound (property/tests/test_compound_work.py); this one has none.
COMPOUND_READERS = {"property_staff", "owners_committee_member"}


def _expect(role: str, *, linked: bool) -> tuple[int, int, int]:
    """(list page, detail page, API detail) status for the role."""
    if role in DUTIES:
        return 403, 403, 403
    if role in WRITERS:
        return 200, 200, 200
    if role in PARTICIPANTS:
        return (200, 200, 200) if linked else (200, 404, 404)
    if role in COMPOUND_READERS:
        return 200, 404, 404
    return 403, 404, 404


@pytest.mark.parametrize("linked", [False, True])
def test_each_role_reads_exactly_what_it_should(client, world, linked):
    project = t.project(world, state="running")
    if linked:
        partner = PartnerUnit.objects.get(subdistrict=world.subdistrict)
        department = world.users["department_handler"].role_assignments.get().department
        project.partners.add(partner)
        project.departments.add(department)
    for role in ROLES:
        client.force_login(world.users[role])
        got = (
            client.get(reverse("projects:list")).status_code,
            client.get(reverse("projects:detail", args=[project.pk])).status_code,
            client.get(f"/api/v1/projects/projects/{project.pk}").status_code,
        )
        assert got == _expect(role, linked=linked), role


def test_only_writers_change_a_project(client, world):
    for role in ROLES:
        project = t.project(world, f"项目-{role}")
        client.force_login(world.users[role])
        client.post(
            reverse("projects:add_line", args=[project.pk]),
            {"category": "works", "item": "x", "amount": "100"},
        )
        added = project.budget_lines.filter(item="x").exists()
        assert added == (role in WRITERS), role


def test_read_only_roles_see_no_edit_controls(client, world):
    project = t.project(world, state="submitted")
    project.partners.add(PartnerUnit.objects.get(subdistrict=world.subdistrict))
    client.force_login(world.users["partner_liaison"])
    page = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert 'id="lifecycle"' not in page and "line-form" not in page
    assert (
        client.post(
            reverse("projects:transition", args=[project.pk]), {"to": "draft", "note": "x"}
        ).status_code
        == 302
    )
    project.refresh_from_db()
    assert project.state == "submitted"
    services.transition(actor=world.users["subdistrict_admin"], project=project, to="under_review")
