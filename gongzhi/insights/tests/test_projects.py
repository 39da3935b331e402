"""A hot issue turned into a practical-matter project: once, by those allowed; the link survives
recomputation."""

import pytest
from django.core.exceptions import PermissionDenied

from gongzhi.insights import services
from gongzhi.insights.models import HotIssue
from gongzhi.projects.models import Project

pytestmark = pytest.mark.django_db


@pytest.fixture
def issue(world, concerns):
    services.refresh_hot_issues(world.subdistrict)
    return HotIssue.objects.filter(neighborhood=world.neighborhood_a).order_by("rank").first()


def test_a_secretary_turns_a_hot_issue_into_one_draft_project(world, issue):
    secretary = world.users["neighborhood_secretary"]
    assert services.may_make_project(secretary, issue)
    project = services.turn_into_project(secretary, issue)
    assert project.origin == Project.Origin.HOT_ISSUE and project.neighborhood_id == world.neighborhood_a.pk
    assert project.title == issue.title[:128]
    assert str(issue.concerns_count) in project.summary
    issue.refresh_from_db()
    assert issue.project_id == project.pk
    assert services.turn_into_project(secretary, issue) == project  # a second click: same project
    assert Project.objects.count() == 1
    assert not services.may_make_project(secretary, issue)


def test_a_subdistrict_wide_issue_goes_to_the_neighborhood_of_most_members(world, issue):
    wide = HotIssue.objects.filter(subdistrict=world.subdistrict, neighborhood=None, rank=1).get()
    project = services.turn_into_project(world.users["subdistrict_admin"], wide)
    counts = {}
    for nb in wide.members.values_list("neighborhood_id", flat=True):
        counts[nb] = counts.get(nb, 0) + 1
    assert project.neighborhood_id == max(counts, key=counts.get)


def test_others_may_not(world, issue):
    for role in ("grid_worker", "volunteer_team_chief", "property_staff"):
        user = world.users[role]
        assert not services.may_make_project(user, issue)
        with pytest.raises(PermissionDenied):
            services.turn_into_project(user, issue)
    assert not Project.objects.exists()


def test_recomputing_keeps_the_project_link(world, issue):
    project = services.turn_into_project(world.users["neighborhood_secretary"], issue)
    services.refresh_hot_issues(world.subdistrict)
    issue.refresh_from_db()
    assert issue.project_id == project.pk and issue.current
    # Its concerns gone (e.g. deleted as spam): the issue stays for the project, no longer current.
    for concern in issue.members.all():
        concern.delete()
    services.refresh_hot_issues(world.subdistrict)
    issue.refresh_from_db()
    assert issue.project_id == project.pk and not issue.current


def test_the_button_makes_the_project_and_leads_to_it(client, world, issue):
    from django.urls import reverse

    from gongzhi.org.testing import PASSWORD

    client.login(username="neighborhood_secretary", password=PASSWORD)
    page = client.get(reverse("insights:hot_issue", args=[issue.pk]))
    assert 'id="make-project"' in page.content.decode()
    response = client.post(reverse("insights:make_project", args=[issue.pk]))
    project = Project.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "projects:detail", args=[project.pk]
    )
    again = client.post(reverse("insights:make_project", args=[issue.pk]))
    assert again["Location"] == response["Location"] and Project.objects.count() == 1
    shown = client.get(reverse("insights:hot_issue", args=[issue.pk])).content.decode()
    assert 'id="project-link"' in shown and 'id="make-project"' not in shown
    client.logout()
    client.login(username="grid_worker", password=PASSWORD)
    assert client.post(reverse("insights:make_project", args=[issue.pk])).status_code == 404


def test_the_project_links_back_to_its_hot_issue(client, world, issue):
    """Issue 23 item 9: the project made from a hot issue shows it, linked; a reader who may not
    read concerns sees the project without the link."""
    from django.urls import reverse

    from gongzhi.org.testing import PASSWORD, far_admin
    from gongzhi.projects import selectors as project_selectors

    project = services.turn_into_project(world.users["neighborhood_secretary"], issue)
    client.login(username="neighborhood_secretary", password=PASSWORD)
    page = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert f'class="origin-hot-issue" href="{reverse("insights:hot_issue", args=[issue.pk])}"' in page
    assert issue.title in page
    hot_page = client.get(reverse("insights:hot_issue", args=[issue.pk])).content.decode()
    assert reverse("projects:detail", args=[project.pk]) in hot_page
    assert not project_selectors.origin_hot_issues_for(far_admin(world), project).exists()
