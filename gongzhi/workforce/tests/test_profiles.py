from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongzhi.core.errors import NotInScope
from gongzhi.core.models import AuditRecord
from gongzhi.org import factories as f
from gongzhi.workforce import services
from gongzhi.workforce.models import WorkerProfile


def test_entering_a_worker_records_the_first_post_and_an_audit_line(world, crew):
    assert [c.post_level for c in crew.worker.post_changes.all()] == ["regular"]
    assert AuditRecord.objects.filter(
        object_type="workforce.workerprofile", object_id=str(crew.worker.pk)
    ).exists()


def test_a_secretary_enters_workers_of_their_own_neighborhood_only(world, crew):
    secretary = world.users["neighborhood_secretary"]
    made = services.create_profile(
        actor=secretary,
        user=f.UserFactory(),
        name="新社工",
        neighborhood=world.neighborhood_a,
        post_level="novice",
        started_on=date(2025, 1, 1),
    )
    assert made.subdistrict_id == world.subdistrict.pk
    with pytest.raises(NotInScope):
        services.create_profile(
            actor=secretary,
            user=f.UserFactory(),
            name="外区",
            neighborhood=world.neighborhood_b,
            post_level="novice",
            started_on=date(2025, 1, 1),
        )


def test_a_social_worker_may_not_enter_workers(world, crew):
    with pytest.raises(PermissionDenied):
        services.create_profile(
            actor=world.users["social_worker"],
            user=f.UserFactory(),
            name="新",
            neighborhood=world.neighborhood_a,
            post_level="novice",
            started_on=date(2025, 1, 1),
        )


def test_an_unknown_level_or_topic_is_refused_naming_the_field(world, crew):
    admin = world.users["subdistrict_admin"]
    with pytest.raises(ValidationError) as e:
        services.create_profile(
            actor=admin,
            user=f.UserFactory(),
            name="新",
            neighborhood=world.neighborhood_a,
            post_level="chief",
            started_on=date(2025, 1, 1),
        )
    assert "post_level" in e.value.message_dict
    with pytest.raises(ValidationError) as e:
        services.update_profile(
            actor=admin,
            profile=crew.worker,
            qualification="",
            topics=["cooking"],
            outpost_branch=None,
            grid=None,
        )
    assert "topics" in e.value.message_dict


def test_second_posts_must_lie_in_the_workers_neighborhood(world, crew):
    admin = world.users["subdistrict_admin"]
    outpost = f.PartyOrgFactory(neighborhood=world.neighborhood_a, level="branch", branch_kind="outpost")
    services.update_profile(
        actor=admin,
        profile=crew.worker,
        qualification="assistant",
        topics=["civil_affairs", "health"],
        outpost_branch=outpost,
        grid=world.grid_a,
    )
    crew.worker.refresh_from_db()
    assert crew.worker.outpost_branch == outpost and crew.worker.topics == ["civil_affairs", "health"]
    far_grid = f.MicroGridFactory(neighborhood=world.neighborhood_b)
    with pytest.raises(ValidationError) as e:
        services.update_profile(
            actor=admin, profile=crew.worker, qualification="", topics=[], outpost_branch=None, grid=far_grid
        )
    assert "grid" in e.value.message_dict
    services.change_post(
        actor=admin,
        profile=crew.worker,
        post_level="regular",
        effective_on=date(2026, 1, 1),
        reason="调任",
        neighborhood=world.neighborhood_b,
    )
    moved = WorkerProfile.objects.get(pk=crew.worker.pk)
    assert moved.neighborhood == world.neighborhood_b
    assert (moved.outpost_branch, moved.grid) == (None, None)  # they stay with neighborhood A


def test_a_promotion_appends_to_the_history_and_cannot_predate_it(world, crew):
    admin = world.users["subdistrict_admin"]
    services.change_post(
        actor=admin,
        profile=crew.worker,
        post_level="team_lead",
        effective_on=date(2025, 7, 1),
        reason="提前晋升",
    )
    assert list(crew.worker.post_changes.values_list("post_level", flat=True)) == ["regular", "team_lead"]
    assert WorkerProfile.objects.get(pk=crew.worker.pk).post_level == "team_lead"
    with pytest.raises(ValidationError) as e:
        services.change_post(
            actor=admin,
            profile=crew.worker,
            post_level="secretary",
            effective_on=date(2024, 1, 1),
            reason="x",
        )
    assert "effective_on" in e.value.message_dict


def test_a_worker_cannot_change_their_own_post(world, crew):
    with pytest.raises(PermissionDenied):
        services.change_post(
            actor=world.users["social_worker"],
            profile=crew.worker,
            post_level="secretary",
            effective_on=date(2026, 1, 1),
            reason="x",
        )
