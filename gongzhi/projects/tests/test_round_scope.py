"""Issue 19, finding 5: a review round's table, chart data and export show each role the same projects."""

import io
import json
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from gongzhi.core.roles import ROLES
from gongzhi.org.testing import subdistrict_colleague
from gongzhi.projects import services
from gongzhi.projects import testing as t

pytestmark = pytest.mark.django_db

# What each role of area A may see of a round holding one project of neighborhood A and one of B.
SEES_A = {"neighborhood_secretary", "social_worker"}
SEES_ALL = {"subdistrict_admin"}


def _scored_round(world):
    admin = world.users["subdistrict_admin"]
    rule = services.save_rule(
        actor=admin,
        subdistrict=world.subdistrict,
        name="奖优罚劣",
        top=1,
        raise_percent=10,
        bottom=1,
        cut_percent=10,
    )
    mine = t.project(world, "甲村加装电梯", state="submitted", budget="10000")
    other = t.project(
        world, "乙村屋顶绿化", state="submitted", budget="10000", neighborhood=world.neighborhood_b
    )
    r, judges = t.review_round(world, [mine, other], members=1, rule=rule)
    t.score_all(r, judges, {mine: [(40, 30, 30)], other: [(30, 20, 20)]})
    preview = services.preview_allocation(actor=admin, review_round=r, rule=None)
    services.adopt_allocation(actor=subdistrict_colleague(world), allocation_obj=preview, reason="")
    return r


def _chart_labels(html: str) -> list[str]:
    found = re.search(r'<script id="score-data" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(found.group(1))["labels"] if found else []


def _export_text(content: bytes) -> str:
    book = load_workbook(io.BytesIO(content))
    return " ".join(str(c.value) for s in book.worksheets for row in s.iter_rows() for c in row if c.value)


@pytest.mark.parametrize("role", sorted(ROLES))
def test_every_role_sees_the_same_projects_in_the_round_table_chart_and_export(client, world, role):
    r = _scored_round(world)
    client.force_login(world.users[role])
    page = client.get(reverse("projects:round", args=[r.pk]))
    export = client.get(reverse("projects:round_export", args=[r.pk]))
    expected = set()
    if role in SEES_ALL | SEES_A:
        expected = {"甲村加装电梯", "乙村屋顶绿化"} if role in SEES_ALL else {"甲村加装电梯"}
    if page.status_code in (403, 404):  # roles that read no projects: refused outright
        assert not expected and export.status_code == page.status_code
        return
    assert page.status_code == 200 and export.status_code == 200
    html, sheet = page.content.decode(), _export_text(export.content)
    for title in ("甲村加装电梯", "乙村屋顶绿化"):
        shown = title in expected
        assert (title in html) is shown, (role, title, "page")
        assert (title in _chart_labels(html)) is shown, (role, title, "chart")
        assert (title in sheet) is shown, (role, title, "export")
