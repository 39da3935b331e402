"""Dashboards, reports and exports read from the replica alias (a test mirror of the primary in
the suite); everything else, every write, and the reads of a person who has just written go to
the primary."""

import time

import pytest
from django.urls import reverse

from gongzhi.core import replica
from gongzhi.core.models import WorkerHeartbeat
from gongzhi.org.testing import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def routed(monkeypatch):
    """Every routing decision of reads, and a router that treats the replica as a real one."""
    seen: list[bool] = []
    real = replica.wanted

    def spy():
        seen.append(real())
        return seen[-1]

    monkeypatch.setattr(replica, "wanted", spy)
    return seen


def test_the_suite_has_a_replica_alias_that_mirrors_the_primary(settings):
    assert replica.configured()
    assert settings.DATABASES["replica"]["TEST"]["MIRROR"] == "default"


def test_reads_inside_a_replica_block_route_to_the_replica_and_writes_to_the_primary(monkeypatch):
    router = replica.Router()
    monkeypatch.setattr(replica, "_mirrored", lambda: False)  # as with DATABASE_REPLICA_URL set
    assert router.db_for_read(WorkerHeartbeat) == "default"
    with replica.replica_reads():
        assert router.db_for_read(WorkerHeartbeat) == "replica"
        assert router.db_for_write(WorkerHeartbeat) == "default"
        with replica.replica_reads(allowed=False):
            assert router.db_for_read(WorkerHeartbeat) == "default"
    assert router.db_for_read(WorkerHeartbeat) == "default"
    assert router.allow_migrate("replica", "core") is False


def test_mirrored_reads_see_the_tests_own_rows():
    WorkerHeartbeat.objects.create(worker_id="w1", seen_at="2026-12-06T10:00:00Z")
    with replica.replica_reads():
        assert WorkerHeartbeat.objects.get(worker_id="w1").worker_id == "w1"
        assert WorkerHeartbeat.objects.select_for_update().db == "default"


def test_the_dashboard_reads_from_the_replica_unless_its_user_just_wrote(client, routed):
    world = build_world()
    client.force_login(world.users["subdistrict_admin"])
    assert client.get(reverse("insights:dashboard")).status_code == 200
    # The session and the user are read before the view, on the primary; the figures after.
    assert sum(routed) > len(routed) // 2
    # A write (any POST) pins this person's reads to the primary for a while.
    client.post(reverse("notifications:read_all"))
    assert float(client.cookies[replica.PIN_COOKIE].value) > time.time()
    routed.clear()
    assert client.get(reverse("insights:dashboard")).status_code == 200
    assert routed and not any(routed)


def test_other_pages_never_read_the_replica(client, routed):
    world = build_world()
    client.force_login(world.users["subdistrict_admin"])
    assert client.get(reverse("core:workbench")).status_code == 200
    assert routed and not any(routed)


def test_the_pin_cookie_is_not_trusted_beyond_a_number(rf):
    request = rf.get("/", HTTP_COOKIE=f"{replica.PIN_COOKIE}=soon")
    assert replica.pinned(request) is False
