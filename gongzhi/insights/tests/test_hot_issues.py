"""Stored hot issues from real messages: grouping, idempotent refresh, links kept, command, task."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from gongzhi.core import jobs
from gongzhi.core.models import AuditRecord
from gongzhi.insights import services
from gongzhi.insights.models import HotIssue, HotIssueMember
from gongzhi.insights.tests.conftest import make_concerns, sample_rows

pytestmark = pytest.mark.django_db


def _members(issue) -> set[int]:
    return set(issue.memberships.values_list("concern_id", flat=True))


def test_refresh_finds_the_known_issues_subdistrict_wide_and_per_neighborhood(world, concerns):
    result = services.refresh_hot_issues(world.subdistrict)
    window = timezone.now() - timedelta(days=services.WINDOW_DAYS)
    assert result.concerns == sum(c.accepted_at >= window for c in concerns) >= 80
    assert result.areas == 3 and result.created > 0
    wide = list(HotIssue.objects.filter(subdistrict=world.subdistrict, neighborhood=None))
    assert [i.rank for i in wide] == list(range(1, len(wide) + 1))
    assert all(a.heat >= b.heat for a, b in zip(wide, wide[1:], strict=False))
    top_titles = " ".join(i.title for i in wide[:3])
    assert "丽发新城" in top_titles or "搅拌" in top_titles
    plant = next(i for i in wide if "搅拌" in i.title or "丽发" in i.title)
    assert "丽发新城" in plant.place
    assert plant.concerns_count == len(_members(plant)) >= 10
    assert plant.started_at <= plant.ended_at
    assert plant.recent_count >= 1 and 0 < plant.growth <= 1
    members = plant.members.all()
    assert sum("搅拌" in c.title for c in members) >= 0.8 * plant.concerns_count
    # Each neighborhood's list holds only its own concerns.
    for issue in HotIssue.objects.filter(neighborhood=world.neighborhood_b):
        assert set(issue.members.values_list("neighborhood_id", flat=True)) == {world.neighborhood_b.pk}
    assert HotIssue.objects.filter(neighborhood=world.neighborhood_a).exists()
    assert all(i.concerns_count >= services.MIN_MEMBERS for i in HotIssue.objects.all())
    assert AuditRecord.objects.filter(summary__startswith=f"hot issues of {world.subdistrict}").count() == 1


def test_refresh_twice_changes_nothing(world, concerns):
    services.refresh_hot_issues(world.subdistrict)
    before = {i.pk: (i.rank, i.heat, i.title, _members(i)) for i in HotIssue.objects.all()}
    again = services.refresh_hot_issues(world.subdistrict)
    assert (again.created, again.removed, again.updated) == (0, 0, len(before))
    after = {i.pk: (i.rank, i.heat, i.title, _members(i)) for i in HotIssue.objects.all()}
    assert after == before
    assert HotIssueMember.objects.count() == sum(len(v[3]) for v in before.values())


def test_a_new_concern_joins_its_issue_and_the_row_stays(world, concerns):
    services.refresh_hot_issues(world.subdistrict)
    plant = next(
        i for i in HotIssue.objects.filter(neighborhood=None) if "搅拌" in i.title or "丽发" in i.title
    )
    row = next(r for r in sample_rows() if "搅拌" in r["title"])
    make_concerns(world, [dict(row, time="2019/11/25 10:00:00")], neighborhood=world.neighborhood_a)
    services.refresh_hot_issues(world.subdistrict)
    plant.refresh_from_db()
    assert plant.concerns_count == len(_members(plant))
    assert max(_members(plant)) == max(c.pk for c in plant.members.all())  # the newest concern is in


def test_an_issue_that_vanishes_is_removed(world):
    rows = [r for r in sample_rows() if "搅拌" in r["title"]][:4]
    made = make_concerns(world, rows, neighborhood=world.neighborhood_a)
    services.refresh_hot_issues(world.subdistrict)
    assert HotIssue.objects.filter(neighborhood=world.neighborhood_a).count() == 1
    for concern in made:
        concern.delete()
    result = services.refresh_hot_issues(world.subdistrict)
    assert result.removed == 2  # subdistrict-wide and neighborhood A
    assert not HotIssue.objects.exists()


def test_lone_concerns_make_no_hot_issue(world):
    make_concerns(world, sample_rows()[-1:])
    services.refresh_hot_issues(world.subdistrict)
    assert not HotIssue.objects.exists()


def test_refresh_by_someone_without_write_scope_is_refused(world, concerns):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.refresh_hot_issues(world.subdistrict, actor=world.users["neighborhood_secretary"])
    assert not HotIssue.objects.exists()
    assert services.refresh_hot_issues(world.subdistrict, actor=world.users["subdistrict_admin"]).created


def test_command_refreshes_through_the_task(world, concerns, capsys):
    call_command("insights", "refresh", "--subdistrict", str(world.subdistrict.pk))
    out = capsys.readouterr().out
    # In-process the task has run when the command prints; with workers it is queued.
    assert f"{world.subdistrict.pk} {world.subdistrict.name}:" in out
    assert ("queued" if jobs.uses_workers() else "new") in out
    assert HotIssue.objects.filter(subdistrict=world.subdistrict).exists()
    count = HotIssue.objects.count()
    call_command("insights", "refresh")
    assert HotIssue.objects.count() == count
    with pytest.raises(CommandError, match="no subdistrict with id 999999"):
        call_command("insights", "refresh", "--subdistrict", "999999")
