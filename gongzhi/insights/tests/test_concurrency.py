"""Two refreshes, or two clicks on "turn into a project", at the same time (run on PostgreSQL)."""

import pytest

from gongzhi.core.testing import run_together
from gongzhi.insights import services
from gongzhi.insights.models import HotIssue, HotIssueMember
from gongzhi.projects.models import Project

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_refreshes_store_each_hot_issue_once(world, concerns):
    outcomes = run_together(*(lambda: services.refresh_hot_issues(world.subdistrict) for _ in range(3)))
    assert all(isinstance(o, services.RefreshResult) for o in outcomes), outcomes
    # The first stores them; the others, serialised on the subdistrict's row, find them stored.
    assert sorted(o.created > 0 for o in outcomes) == [False, False, True]
    alone = services.refresh_hot_issues(world.subdistrict)
    assert (alone.created, alone.removed) == (0, 0)
    per_area = HotIssue.objects.values_list("neighborhood_id", "rank")
    assert len(per_area) == len(set(per_area))
    pairs = HotIssueMember.objects.values_list("hot_issue_id", "concern_id")
    assert len(pairs) == len(set(pairs))


def test_two_clicks_at_once_make_one_project(world, concerns):
    services.refresh_hot_issues(world.subdistrict)
    issue = HotIssue.objects.filter(neighborhood=world.neighborhood_a).order_by("rank").first()
    users = [world.users["neighborhood_secretary"], world.users["subdistrict_admin"]]
    outcomes = run_together(*(lambda u=u: services.turn_into_project(u, issue) for u in users))
    assert all(isinstance(o, Project) for o in outcomes), outcomes
    assert outcomes[0].pk == outcomes[1].pk and Project.objects.count() == 1
    issue.refresh_from_db()
    assert issue.project_id == outcomes[0].pk


def test_two_exports_published_at_once_make_one_release(world, settings, tmp_path):
    from datetime import date

    from gongzhi.insights.models import OpenDataRelease

    settings.MEDIA_ROOT = tmp_path
    archive, first, last = b"PK-same-bytes", date(2026, 1, 1), date(2026, 11, 1)
    outcomes = run_together(
        *(
            lambda: services.publish_open_data(world.subdistrict, archive, {"resources": []}, first, last)
            for _ in range(3)
        )
    )
    assert all(isinstance(o, OpenDataRelease) for o in outcomes), outcomes
    assert OpenDataRelease.objects.count() == 1 and len({o.pk for o in outcomes}) == 1


def test_a_residents_openings_at_once_count_once(world):
    secretary = world.users["neighborhood_secretary"]
    notice = services.notice_create(
        actor=secretary, level="neighborhood", place=world.neighborhood_a, title="停水", body="周一停水"
    )
    notice = services.notice_publish(actor=secretary, notice=notice)
    outcomes = run_together(
        *(lambda: services.notice_record_read(resident=world.resident_a, notice=notice) for _ in range(3))
    )
    assert sorted(outcomes) == [False, False, True], outcomes
    assert notice.reads.count() == 1


def test_two_presses_at_once_publish_one_progress_notice(world):
    from gongzhi.concerns.tests.conftest import concern_for
    from gongzhi.insights.models import Notice

    concern = concern_for(world, description="楼道灯坏了")
    users = [world.users["neighborhood_secretary"], world.users["social_worker"]]
    outcomes = run_together(
        *(lambda u=u: services.concern_progress_publish(actor=u, concern=concern) for u in users)
    )
    assert all(isinstance(o, Notice) for o in outcomes), outcomes
    assert Notice.objects.filter(concern=concern).count() == 1
