"""Creating and editing projects (services/projects.py): drafts from hot issues, owners, who reads them."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongzhi.core.errors import NotInScope
from gongzhi.core.models import AuditRecord
from gongzhi.projects import services
from gongzhi.projects import testing as t
from gongzhi.projects.models import Project

pytestmark = pytest.mark.django_db


def test_draft_from_hot_issue_is_a_practical_draft_owned_by_the_neighborhood_party_org(world):
    secretary = world.users["neighborhood_secretary"]
    project = services.draft_from_hot_issue(
        secretary, neighborhood=world.neighborhood_a, title="加装电梯", summary="12 户居民反映"
    )
    assert project.state == Project.State.DRAFT
    assert project.kind == Project.Kind.PRACTICAL
    assert project.origin == Project.Origin.HOT_ISSUE
    assert project.owner.neighborhood_id == world.neighborhood_a.pk
    assert AuditRecord.objects.filter(object_type="projects.project", object_id=str(project.pk)).exists()


def test_draft_from_hot_issue_refuses_other_neighborhoods(world):
    with pytest.raises(NotInScope):
        services.draft_from_hot_issue(
            world.users["neighborhood_secretary"], neighborhood=world.neighborhood_far, title="x", summary=""
        )
    with pytest.raises(PermissionDenied):
        services.draft_from_hot_issue(
            world.users["grid_worker"], neighborhood=world.neighborhood_a, title="x", summary=""
        )


def test_neighborhood_without_party_org_gets_a_clear_error(world):
    with pytest.raises(ValidationError) as e:
        services.draft_from_hot_issue(
            world.users["subdistrict_admin"], neighborhood=world.neighborhood_b, title="x", summary=""
        )
    assert "owner" in e.value.message_dict


def test_a_submitted_project_can_no_longer_be_edited(world):
    project = t.project(world, state="submitted")
    with pytest.raises(ValidationError):
        services.update_project(actor=world.users["neighborhood_secretary"], project=project, title="改名")
    with pytest.raises(ValidationError):
        services.add_budget_line(
            actor=world.users["neighborhood_secretary"],
            project=project,
            category="works",
            item="x",
            amount="1",
        )


def test_partner_liaison_reads_only_projects_it_takes_part_in(world):
    from gongzhi.core import permissions
    from gongzhi.org.models import PartnerUnit

    mine = t.project(world, title="共建项目")
    other = t.project(world, title="另一个")
    partner = PartnerUnit.objects.get(subdistrict=world.subdistrict)
    services.update_project(actor=world.users["neighborhood_secretary"], project=mine, partners=[partner])
    liaison = world.users["partner_liaison"]
    visible = permissions.scoped(liaison, Project.objects.all())
    assert list(visible) == [mine]
    assert not permissions.can(liaison, mine, permissions.WRITE)
    assert not permissions.can(liaison, other)
