"""A survey as a project's needs study: attach, create from the project, the project page's panel."""

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from gongzhi.core.errors import NotInScope
from gongzhi.projects import testing as pt
from gongzhi.surveys import services
from gongzhi.surveys import testing as t
from gongzhi.surveys.models import Survey

pytestmark = pytest.mark.django_db


def _panel(user, project) -> str:
    request = RequestFactory().get("/")
    request.user = user
    return Template('{% include "surveys/_project_panel.html" %}').render(
        Context({"project": project, "request": request})
    )


def test_a_survey_attaches_to_a_project_of_its_neighborhood_only(world):
    survey = t.courier_survey(world)
    project = pt.project(world, "小哥驿站")
    services.attach_to_project(actor=world.users["social_worker"], survey=survey, project=project)
    assert list(project.surveys.all()) == [survey]
    other = pt.project(world, "别处的项目", neighborhood=world.neighborhood_b)
    with pytest.raises((ValidationError, NotInScope)):
        services.attach_to_project(actor=world.users["subdistrict_admin"], survey=survey, project=other)
    with pytest.raises(NotInScope):
        services.attach_to_project(actor=world.users["social_worker"], survey=survey, project=other)
    assert Survey.objects.get(pk=survey.pk).project_id == project.pk


def test_the_project_panel_lists_its_surveys_and_offers_actions_to_staff(world):
    survey = t.courier_survey(world)
    spare = t.courier_survey(world, publish=False)
    Survey.objects.filter(pk=spare.pk).update(title="备用问卷")
    project = pt.project(world, "小哥驿站")
    services.attach_to_project(actor=world.users["social_worker"], survey=survey, project=project)
    html = _panel(world.users["social_worker"], project)
    assert "小哥驿站需求调查" in html and reverse("surveys:results", args=[survey.pk]) in html
    assert f"?project={project.pk}" in html and "备用问卷" in html
    outsider = _panel(world.users["grid_worker"], project)
    assert "小哥驿站需求调查" not in outsider and "?project=" not in outsider


def test_the_attach_page_and_create_from_a_project(client, world):
    survey = t.courier_survey(world)
    project = pt.project(world, "小哥驿站")
    client.force_login(world.users["grid_worker"])
    assert (
        client.post(reverse("surveys:attach"), {"project": project.pk, "survey": survey.pk}).status_code
        == 404
    )
    client.force_login(world.users["social_worker"])
    client.post(reverse("surveys:attach"), {"project": project.pk, "survey": survey.pk})
    assert Survey.objects.get(pk=survey.pk).project_id == project.pk
    form = client.get(reverse("surveys:create") + f"?project={project.pk}")
    assert form.context["form"].initial["project"] == project


def test_the_project_page_shows_the_survey_panel(client, world):
    survey = t.courier_survey(world)
    project = pt.project(world, "小哥驿站")
    services.attach_to_project(actor=world.users["social_worker"], survey=survey, project=project)
    client.force_login(world.users["neighborhood_secretary"])
    page = client.get(reverse("projects:detail", kwargs={"pk": project.pk}))
    assert page.status_code == 200
    assert 'id="project-surveys"' in page.text and "小哥驿站需求调查" in page.text
    assert "新建需求问卷" in page.text
