import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongzhi.core.errors import NotInScope
from gongzhi.projects.testing import project as project_of
from gongzhi.workforce import services


def test_a_regular_worker_submits_a_design_and_the_neighborhood_links_the_project(world, crew):
    design = services.submit_design(
        actor=world.users["social_worker"], title="楼道微更新", design="目标、预算、进度"
    )
    project = project_of(world, "楼道微更新")
    accepted = services.review_design(
        actor=world.users["neighborhood_secretary"], design=design, accepted=True, review="", project=project
    )
    assert accepted.status == "accepted" and accepted.project == project
    far = project_of(world, "外区项目", neighborhood=world.neighborhood_b)
    with pytest.raises(ValidationError) as e:
        services.review_design(actor=crew.admin, design=design, accepted=True, review="", project=far)
    assert "project" in e.value.message_dict


def test_novices_do_not_submit_and_returns_need_a_reason(world, crew):
    with pytest.raises(PermissionDenied):
        services.submit_design(actor=crew.novice.user, title="x", design="y")
    design = services.submit_design(actor=world.users["social_worker"], title="x", design="y")
    with pytest.raises(ValidationError) as e:
        services.review_design(
            actor=world.users["neighborhood_secretary"], design=design, accepted=False, review=""
        )
    assert "review" in e.value.message_dict
    with pytest.raises(PermissionDenied):
        services.review_design(actor=world.users["social_worker"], design=design, accepted=True, review="")
    with pytest.raises(NotInScope):
        services.review_design(actor=world.users["grid_worker"], design=design, accepted=True, review="")
