"""The concern queue's filters (keyword, category, grid, state, deadline), its xlsx export through
the export approval, and the concern page's small map."""

import io
import re
from datetime import timedelta

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.concerns import selectors
from gongzhi.concerns.models import Concern
from gongzhi.concerns.tests.conftest import category, concern_for
from gongzhi.core import exports

pytestmark = pytest.mark.django_db


@pytest.fixture
def local_noon(monkeypatch):
    """The deadline filters read the clock: at a fixed Beijing noon "due today" always has room
    before midnight (run at 23:57 Beijing time, a deadline five minutes on fell tomorrow)."""
    noon = timezone.localtime().replace(hour=12, minute=0, second=0, microsecond=0)
    monkeypatch.setattr(timezone, "now", lambda: noon)
    return noon


@pytest.fixture
def three(world, local_noon):
    """Parking in grid_a, due in a week; a leak in grid_a, overdue; noise in grid_a2, due today."""
    parking = concern_for(world, title="停车难", description="小区门口乱停车")
    leak = concern_for(world, category=category("leak", "漏水"), title="楼顶漏水", description="顶楼渗水")
    noise = concern_for(
        world,
        household=world.household_a2,
        category=category("noise", "噪音"),
        title="夜间施工",
        description="施工扰民",
        actor=world.users["social_worker"],
    )
    now = local_noon
    Concern.objects.filter(pk=parking.pk).update(resolution_due=now + timedelta(days=5))
    Concern.objects.filter(pk=leak.pk).update(resolution_due=now - timedelta(hours=2))
    Concern.objects.filter(pk=noise.pk).update(resolution_due=now.replace(hour=23, minute=59))
    return world, parking, leak, noise


def _listed(client, **params) -> set[int]:
    page = client.get(reverse("concerns:queue"), params).content.decode()
    ids = {int(i) for i in re.findall(r'data-concern="(\d+)"', page)}
    count = int(re.search(r'id="queue-count" data-count="(\d+)"', page).group(1))
    assert count == len(ids)  # the count says what the list holds
    return ids


def test_each_filter_narrows_the_queue(client, three):
    world, parking, leak, noise = three
    client.force_login(world.users["neighborhood_secretary"])
    assert _listed(client) == {parking.pk, leak.pk, noise.pk}
    assert _listed(client, q="漏水") == {leak.pk}
    assert _listed(client, q="施工扰民") == {noise.pk}  # description too
    assert _listed(client, category=leak.category_id) == {leak.pk}
    assert _listed(client, grid=world.grid_a.pk) == {parking.pk, leak.pk}
    assert _listed(client, due="overdue") == {leak.pk}
    assert _listed(client, due="today") == {noise.pk}
    assert _listed(client, due="week") == {parking.pk, noise.pk}
    assert _listed(client, state="closed") == set()
    assert _listed(client, q="停车", grid=world.grid_a.pk, due="week") == {parking.pk}


def test_bad_filter_values_are_dropped_not_errors(client, three):
    world, *_ = three
    client.force_login(world.users["neighborhood_secretary"])
    for params in (
        {"category": "x"},
        {"grid": "-1"},
        {"due": "soon"},
        {"state": "<script>"},
        {"q": "'" * 300},
    ):
        assert client.get(reverse("concerns:queue"), params).status_code == 200


def test_overdue_filter_is_the_supervision_list(client, three):
    world, _parking, leak, _noise = three
    secretary = world.users["neighborhood_secretary"]
    queue = selectors.concern_queue(secretary, filters=selectors.QueueFilter(due="overdue"))
    assert list(queue) == list(selectors.overdue_concerns(secretary)) == [leak]


def test_the_export_goes_through_approval_and_holds_the_filtered_rows(client, three):
    world, parking, leak, _noise = three
    secretary = world.users["neighborhood_secretary"]
    client.force_login(secretary)
    response = client.get(reverse("concerns:queue_export"), {"grid": world.grid_a.pk, "q": "漏", "x": "1"})
    assert response.status_code == 302 and "kind=concerns.queue" in response.url and "x=" not in response.url
    item = exports.request_export(secretary, "concerns.queue", {"grid": str(world.grid_a.pk)}, "周例会核对")
    exports.decide(world.users["subdistrict_admin"], item, approve=True)
    content, _item = exports.open_download(secretary, item)
    rows = list(openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    ids = {r[0] for r in rows if isinstance(r[0], int)}
    assert ids == {parking.pk, leak.pk}


def test_export_permission(client, three):
    world, *_ = three
    client.force_login(world.users["grid_worker"])  # reads concerns, may not export
    assert client.get(reverse("concerns:queue_export")).status_code == 403
    client.force_login(world.users["volunteer_team_chief"])  # no concerns at all
    assert client.get(reverse("concerns:queue_export")).status_code == 403
    client.logout()
    assert client.get(reverse("concerns:queue_export")).status_code == 302


def test_the_concern_page_shows_the_reported_point(client, world):
    concern = concern_for(world, location=(31.35, 121.42))
    client.force_login(world.users["grid_worker"])
    page = client.get(reverse("concerns:detail", args=[concern.pk])).content.decode()
    assert 'id="concern-map"' in page and "data-reported-point" in page and "121.42" in page
    assert "vendor/leaflet/leaflet.js" in page


def test_the_kpi_api_gives_percentages_with_one_decimal(client, world):
    client.force_login(world.users["neighborhood_secretary"])
    assert client.get("/api/v1/concerns/kpi", {"by": "nonsense"}).status_code == 422
    body = client.get("/api/v1/concerns/kpi").json()
    assert set(body) == {"month", "by", "rows", "total"}
    client.logout()
    assert client.get("/api/v1/concerns/kpi").status_code == 401
