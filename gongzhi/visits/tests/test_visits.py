"""Visits from a phone: find the household, record, turn a raised problem into a concern; coverage."""

from datetime import date

import pytest
from django.urls import reverse

from gongzhi.concerns.models import Concern
from gongzhi.concerns.tests.conftest import category
from gongzhi.org.factories import BuildingFactory
from gongzhi.org.models import Household
from gongzhi.visits import selectors as vs
from gongzhi.visits.models import Visit

pytestmark = pytest.mark.django_db


def test_household_search_by_building_and_room_or_name(client, world):
    client.force_login(world.users["grid_worker"])
    h = world.household_a
    hits = client.get(
        reverse("concerns:visit_households"), {"q": f"{h.building.number} {h.room}"}
    ).content.decode()
    assert f'value="{h.pk}"' in hits
    by_name = client.get(reverse("concerns:visit_households"), {"q": world.resident_a.name}).content.decode()
    assert f'value="{h.pk}"' in by_name
    far = client.get(reverse("concerns:visit_households"), {"q": world.resident_far.name}).content.decode()
    assert f'value="{world.household_far.pk}"' not in far


def test_visit_with_a_raised_problem_opens_a_concern_in_the_same_step(client, world):
    parking = category()
    client.force_login(world.users["grid_worker"])
    response = client.post(
        reverse("concerns:visit_new"),
        {
            "household": world.household_a.pk,
            "channel": "door",
            "raised": "电瓶车在楼道充电",
            "handled": "当场劝离",
            "suggestions": "建充电桩",
            "category": parking.pk,
            "key": "v-1",
        },
    )
    assert response.status_code == 302
    visit = Visit.objects.get()
    assert visit.concern.description == "电瓶车在楼道充电" and visit.concern.channel == "visit"
    assert visit.concern.household_id == world.household_a.pk
    # The phone retried the same form: still one visit, one concern.
    client.post(
        reverse("concerns:visit_new"), {"household": world.household_a.pk, "raised": "x", "key": "v-1"}
    )
    assert Visit.objects.count() == 1 and Concern.objects.count() == 1


def test_visit_without_household_or_outside_area_is_refused(client, world):
    client.force_login(world.users["grid_worker"])
    assert client.post(reverse("concerns:visit_new"), {"raised": "x"}).status_code == 400
    response = client.post(reverse("concerns:visit_new"), {"household": world.household_far.pk})
    assert response.status_code == 400 and Visit.objects.count() == 0
    response = client.post(
        reverse("concerns:visit_new"), {"household": world.household_a.pk, "category": category().pk}
    )
    assert response.status_code == 400 and "raised" in response.context["errors"]


def test_coverage_counts_visited_households_and_lists_the_rest(client, world):
    client.force_login(world.users["neighborhood_secretary"])
    client.post(reverse("concerns:visit_new"), {"household": world.household_a.pk, "channel": "phone"})
    month = date.today().replace(day=1)
    secretary = world.users["neighborhood_secretary"]
    rows = {r["key"]: r for r in vs.coverage_rows(secretary, month=month, months=1)}
    assert rows[world.grid_a.pk]["visited"] == 1 and rows[world.grid_a.pk]["total"] == 1
    unvisited = list(vs.due_households(secretary, month=month, months=1))
    assert unvisited == [world.household_a2]
    page = client.get(reverse("visits:coverage")).content.decode()
    assert f'data-unvisited="{world.household_a2.pk}"' in page
    assert f'data-unvisited="{world.household_a.pk}"' not in page
    plan = vs.plan_of(world.subdistrict.pk)
    workers = vs.worker_rows(world.users["subdistrict_admin"], month=month, plan=plan)
    assert [(w["label"], w["visits"]) for w in workers if w["visits"]] == [("neighborhood_secretary", 1)]


def test_visit_api_records_and_is_idempotent(client, world):
    import json

    client.force_login(world.users["grid_worker"])
    body = json.dumps({"household_id": world.household_a.pk, "channel": "wechat", "idempotency_key": "a"})
    first = client.post("/api/v1/visits", data=body, content_type="application/json")
    again = client.post("/api/v1/visits", data=body, content_type="application/json")
    assert first.status_code == 201 and first.json()["id"] == again.json()["id"]
    far = json.dumps({"household_id": world.household_far.pk})
    assert client.post("/api/v1/visits", data=far, content_type="application/json").status_code == 404


def test_plan_period_counts_visits_of_earlier_months(world):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from gongzhi.visits import services

    secretary = world.users["neighborhood_secretary"]
    services.record_visit(
        actor=secretary,
        household=world.household_a2,
        visited_at=datetime(2026, 9, 10, tzinfo=ZoneInfo("Asia/Shanghai")),
    )
    october = date(2026, 10, 1)
    one = set(vs.due_households(secretary, month=october, months=1))
    three = set(vs.due_households(secretary, month=october, months=3))
    assert one == {world.household_a, world.household_a2} and three == {world.household_a}


def test_elderly_living_alone_not_visited_this_week_only_for_roles_reading_tags(client, world):
    # The world tags one resident of every household "elderly living alone"; the default plan
    # visits them weekly.
    secretary = world.users["neighborhood_secretary"]
    plan = vs.plan_of(world.subdistrict.pk)
    listed = {h.pk for h in vs.tagged_rows(secretary, plan=plan)[0]["households"]}
    assert listed == {world.household_a.pk, world.household_a2.pk}
    client.force_login(secretary)
    client.post(reverse("concerns:visit_new"), {"household": world.household_a.pk, "channel": "door"})
    listed = {h.pk for h in vs.tagged_rows(secretary, plan=plan)[0]["households"]}
    assert listed == {world.household_a2.pk}
    page = client.get(reverse("visits:coverage")).content.decode()
    assert f'data-tagged="{world.household_a2.pk}"' in page
    client.force_login(world.users["property_staff"])  # reads no sensitive tags and no households' visits
    assert client.get(reverse("visits:coverage")).status_code == 200
    assert "data-tagged" not in client.get(reverse("visits:coverage")).content.decode()


def test_search_accepts_the_ways_workers_write_building_and_room(client, world):
    h = world.household_a
    h.building.number = "12号楼"
    h.building.save()
    # The factory numbers compounds (和谐13苑), and a compound name matches a typed number too.
    h.building.compound.name = "和谐苑"
    h.building.compound.save()
    h.room = "301"
    h.save()
    client.force_login(world.users["grid_worker"])
    for query in ("12 301", "12-301", "12号楼 301", "12 301室"):
        hits = client.get(reverse("concerns:visit_households"), {"q": query}).content.decode()
        assert f'value="{h.pk}"' in hits, query
    # No 13-301 here: 12-301 is offered as the same room elsewhere, but never chosen for the worker.
    near = client.get(reverse("concerns:visit_households"), {"q": "13 301"}).content.decode()
    assert f'value="{h.pk}" required>' in near and "checked" not in near
    # With a 13-301 in the area, the flat typed comes first (the one household search's order).
    other = Household.objects.create(
        building=BuildingFactory(compound=h.building.compound, number="13号楼"),
        neighborhood=h.neighborhood,
        micro_grid=h.micro_grid,
        room="301",
        floor_area="60",
    )
    hits = client.get(reverse("concerns:visit_households"), {"q": "13 301"}).content.decode()
    assert hits.index(f'value="{other.pk}"') < hits.index(f'value="{h.pk}"')


def test_the_search_partial_shows_the_hint_when_nothing_can_match(client, world):
    client.force_login(world.users["grid_worker"])
    hits = client.post(reverse("concerns:visit_households"), {"q": "1 2 3 4"}).content.decode()
    assert "data-hint" in hits and "请输入楼号和房号" in hits
    hits = client.post(reverse("concerns:visit_households"), {"q": "99 9999"}).content.decode()
    assert "没有找到匹配的住户" in hits and 'name="household"' not in hits


def test_visit_form_offers_due_households_first_with_one_tap(client, world):
    client.force_login(world.users["neighborhood_secretary"])
    page = client.get(reverse("concerns:visit_new")).content.decode()
    assert (
        f'data-suggested="{world.household_a.pk}"' in page
        and f'data-suggested="{world.household_a2.pk}"' in page
    )
    client.post(
        reverse("concerns:visit_new"), {"household": world.household_a.pk, "channel": "door", "key": "k1"}
    )
    page = client.get(reverse("concerns:visit_new")).content.decode()
    assert f'data-suggested="{world.household_a.pk}"' not in page  # visited: no longer due


def test_visit_with_unknown_channel_or_category_names_the_field(client, world):
    client.force_login(world.users["grid_worker"])
    bad = client.post(reverse("concerns:visit_new"), {"household": world.household_a.pk, "channel": "fax"})
    assert bad.status_code == 400 and "channel" in bad.context["errors"]
    bad = client.post(
        reverse("concerns:visit_new"),
        {"household": world.household_a.pk, "raised": "x", "category": "999999"},
    )
    assert bad.status_code == 400 and "category" in bad.context["errors"]
    assert not Visit.objects.exists()
    client.logout()
    assert client.get(reverse("concerns:visit_new")).status_code == 302
    client.force_login(world.users["stairwell_chief"])
    assert client.get(reverse("concerns:visit_new")).status_code == 403


def test_the_pages_search_households_by_post_so_names_stay_out_of_urls(client, world):
    client.force_login(world.users["grid_worker"])
    url = reverse("concerns:visit_households")
    by_name = client.post(url, {"q": world.resident_a.name}).content.decode()
    assert f'value="{world.household_a.pk}"' in by_name
    for page in (reverse("concerns:visit_new"), reverse("concerns:intake")):
        text = client.get(page).content.decode()
        assert f'hx-post="{url}"' in text and f'hx-get="{url}"' not in text, page
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world.users["grid_worker"])
    assert strict.post(url, {"q": world.resident_a.name}).status_code == 403  # no token, no answer
