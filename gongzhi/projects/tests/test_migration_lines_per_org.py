"""Migration 0004 turns per-project allocation lines into one line per owner organisation and
keeps the adopted totals."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from gongzhi.org import factories as f

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("projects", "0003_files_through_core_uploads")]
AFTER = [("projects", "0004_allocation_per_org_baselines_origin_links_payee")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture(autouse=True)
def _whole_schema_back():
    """Going back to projects 0003 also unapplies other apps' migrations that depend on projects
    (workforce's micro-project designs): every later test in this process needs them again."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_lines_of_one_organisation_are_merged_and_single_lines_kept():
    apps = _migrate(BEFORE)
    try:
        Project = apps.get_model("projects", "Project")
        ReviewRound = apps.get_model("projects", "ReviewRound")
        Allocation = apps.get_model("projects", "Allocation")
        Line = apps.get_model("projects", "AllocationLine")
        x = f.PartyOrgFactory(name="X")  # the org app is not rolled back: its factories still fit
        nb = x.neighborhood
        y = f.PartyOrgFactory(name="Y", neighborhood=nb)
        p1, p2, p3 = (
            Project.objects.create(neighborhood_id=nb.pk, owner_id=o.pk, title=t)
            for o, t in ((x, "一"), (x, "二"), (y, "三"))
        )
        r = ReviewRound.objects.create(subdistrict_id=nb.subdistrict_id, name="r")
        a = Allocation.objects.create(
            review_round=r, status="adopted", rule_name="r", top=1, raise_percent=10, bottom=1, cut_percent=10
        )
        for project, rank, score, old, new in (
            (p1, 1, "90", "100", "110"),
            (p2, 2, "80", "200", "200"),
            (p3, 3, "70", "300", "270"),
        ):
            Line.objects.create(
                allocation=a,
                project=project,
                rank=rank,
                score=Decimal(score),
                old=Decimal(old),
                new=Decimal(new),
                reason=f"rank {rank}",
            )
    finally:
        apps = _migrate(AFTER)
    Line = apps.get_model("projects", "AllocationLine")
    lines = {line.org.name: line for line in Line.objects.select_related("org")}
    assert set(lines) == {"X", "Y"}
    assert (lines["X"].old, lines["X"].new, lines["X"].score) == (
        Decimal("300"),
        Decimal("310"),
        Decimal("85"),
    )
    assert lines["X"].reason == "rank 1; rank 2"
    assert [p["title"] for p in lines["X"].projects] == ["一", "二"]
    assert (lines["Y"].old, lines["Y"].new, lines["Y"].reason) == (Decimal("300"), Decimal("270"), "rank 3")
