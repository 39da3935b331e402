"""The workbench says what awaits each role today; every count equals the list it links to (same
selector); residents get their home; the menu is shaped by the role."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.concerns import services
from gongzhi.concerns.models import Concern
from gongzhi.concerns.tests.conftest import category, concern_for
from gongzhi.core import exports
from gongzhi.notifications.models import Message
from gongzhi.workbench import time_left

pytestmark = pytest.mark.django_db


def _items(page: str) -> dict[str, tuple[int, str]]:
    """key → (count, link) of every item on the workbench."""
    found = {}
    for key, url, count in re.findall(
        r'data-item="([^"]+)">\s*<a class="todo-head" href="([^"]+)"><span class="todo-count" data-count="(\d+)"',
        page,
    ):
        found[key] = (int(count), url.replace("&amp;", "&"))
    return found


def _listed(client, url: str) -> int:
    page = client.get(url).content.decode()
    return int(re.search(r'id="(?:queue|overdue)-count" data-count="(\d+)"', page).group(1))


@pytest.fixture
def busy(world):
    """Area A: two concerns to dispatch (one late), one being verified, one dispatched to the
    department; the secretary's export waiting for a second person."""
    late = concern_for(world, title="路灯不亮")
    Concern.objects.filter(pk=late.pk).update(resolution_due=timezone.now() - timedelta(hours=3))
    concern_for(world, title="垃圾满溢")
    verifying = concern_for(world, title="井盖松动")
    Concern.objects.filter(pk=verifying.pk).update(state="verifying")
    routed = concern_for(world, title="占道经营")
    services.transition(
        actor=world.users["neighborhood_secretary"],
        concern=routed,
        action="dispatch",
        handler=services.Handler(
            "department",
            department_id=world.users["department_handler"].role_assignments.first().department_id,
        ),
    )
    exports.request_export(
        world.users["neighborhood_secretary"], "concerns.kpi", {"month": "2026-10"}, "月度考核汇总"
    )
    return world


def test_secretary_sees_todays_work_and_each_count_equals_its_list(client, busy):
    client.force_login(busy.users["neighborhood_secretary"])
    page = client.get(reverse("core:workbench")).content.decode()
    items = _items(page)
    assert items["to_dispatch"][0] == 2 and items["to_verify"][0] == 1 and items["overdue"][0] == 1
    for key in ("to_dispatch", "to_verify", "overdue", "to_accept"):
        count, url = items[key]
        assert _listed(client, url) == count, key
    # Late work first (the supervision list, elderly people past their visit), with how late it is.
    order = list(items)
    assert order.index("overdue") < order.index("to_verify") and order.index(
        "visit_elderly_alone"
    ) < order.index("to_verify")
    assert "路灯不亮" in page and "超期" in page
    assert "exports" not in items  # their own request waits for a second person, not for them
    client.force_login(busy.users["subdistrict_admin"])
    items = _items(client.get(reverse("core:workbench")).content.decode())
    assert items["exports"] == (1, reverse("core:exports"))


def test_each_role_sees_its_own_work(client, busy):
    client.force_login(busy.users["department_handler"])
    items = _items(client.get(reverse("core:workbench")).content.decode())
    assert items["to_accept"][0] == 1 and "to_dispatch" not in items  # routed to it; area staff dispatch
    count, url = items["to_accept"]
    assert _listed(client, url) == count
    client.force_login(busy.users["grid_worker"])
    items = _items(client.get(reverse("core:workbench")).content.decode())
    assert items["to_dispatch"][0] == 2 and "exports" not in items


def test_stairwell_chief_sees_their_stairwell(client, world):
    client.force_login(world.users["stairwell_chief"])
    page = client.get(reverse("core:workbench")).content.decode()
    items = _items(page)
    assert items["stairwell_households"][0] == 1
    assert "to_dispatch" not in items  # reads no concerns


def test_unread_messages_count_links_to_the_inbox(client, world):
    user = world.users["volunteer_team_chief"]
    Message.objects.create(key="wb-1", user=user, channel="inbox", subject="排班提醒", body="明早 8 点")
    client.force_login(user)
    items = _items(client.get(reverse("core:workbench")).content.decode())
    assert items["messages"] == (1, reverse("notifications:inbox"))


def test_the_menu_is_shaped_by_the_role(client, world):
    client.force_login(world.users["department_handler"])
    page = client.get(reverse("core:workbench")).content.decode()
    assert 'data-group="concerns"' in page and 'data-group="places"' not in page
    assert 'id="menu-toggle"' in page
    client.force_login(world.users["neighborhood_secretary"])
    page = client.get(reverse("core:workbench")).content.decode()
    grid_map = reverse("grids:neighborhood_map", args=[world.neighborhood_a.pk])
    assert 'data-group="places"' in page and f'href="{grid_map}"' in page  # 网格 opens the map


def test_anonymous_goes_to_sign_in(client):
    response = client.get(reverse("core:workbench"))
    assert response.status_code == 302 and reverse("accounts:login") in response.url


def test_time_left_reads_as_a_worker_would():
    now = timezone.now()
    assert time_left(now + timedelta(hours=5), now) == ("还剩 5 小时", False)
    assert time_left(now - timedelta(days=3), now) == ("超期 3 天", True)


@pytest.fixture
def resident_client(client, world):
    from gongzhi.accounts.tests.residents import sign_in_by_phone

    sign_in_by_phone(client, world.resident_a.phone)
    return client


def test_the_resident_home_shows_their_concerns_with_the_reply(resident_client, world):
    page = resident_client.get(reverse("concerns:resident_report")).content.decode()
    assert f'value="{world.resident_a.name}"' in page and world.neighborhood_a.name in page  # pre-filled
    assert 'name="neighborhood"' not in page  # no choosing among 30 neighborhoods
    form = {
        "n": world.neighborhood_a.code,
        "description": "楼道灯坏了一周",
        "category": str(category().pk),
        "name": world.resident_a.name,
        "phone": "",  # another phone or none: the session still finds it
        "key": "k1",
        "dup_checked": "1",
    }
    response = resident_client.post(reverse("concerns:resident_report"), form)
    assert response.status_code == 302
    concern = Concern.objects.get(description="楼道灯坏了一周")
    progress = resident_client.get(response.url).content.decode()
    assert 'id="back-home"' in progress  # a way back
    secretary = world.users["neighborhood_secretary"]
    for action in ("dispatch", "start"):
        concern = services.transition(
            actor=secretary, concern=concern, action=action, handler=services.Handler("residents_committee")
        )
    concern = services.transition(
        actor=secretary,
        concern=concern,
        action="resolve",
        note="已更换楼道灯泡，灯已恢复照明，楼道坏灯问题已解决",
    )
    services.transition(actor=secretary, concern=concern, action="close")
    home = resident_client.get(reverse("core:workbench")).content.decode()
    assert f'data-concern="{concern.pk}"' in home and "已更换楼道灯泡" in home and "data-rate" in home
    assert reverse("accounts:me") in home  # the data-rights page one link away
    assert 'data-group="concerns"' not in home  # no staff menu


def test_a_resident_sees_no_one_elses_concern(resident_client, world):
    other = concern_for(world, title="别人的诉求")
    home = resident_client.get(reverse("core:workbench")).content.decode()
    assert f'data-concern="{other.pk}"' not in home
    assert User.objects.filter(kind="resident").count() == 1


def test_closed_concerns_awaiting_the_residents_rating_count_equals_the_queue(client, world):
    """回访: closed and not yet rated is the secretary's item; rated or still open is not."""
    waiting, rated = concern_for(world, title="楼道堆物"), concern_for(world, title="路面坑洼")
    concern_for(world, title="仍在受理")
    closed = {"state": "closed", "closed_at": timezone.now() - timedelta(days=1)}
    Concern.objects.filter(pk=waiting.pk).update(**closed)
    Concern.objects.filter(pk=rated.pk).update(**closed, rating="satisfied")
    client.force_login(world.users["neighborhood_secretary"])
    page = client.get(reverse("core:workbench")).content.decode()
    count, url = _items(page)["to_rate"]
    assert count == 1 and _listed(client, url) == 1 and "楼道堆物" in page
    queue = client.get(url).content.decode()
    assert "楼道堆物" in queue and "路面坑洼" not in queue and "仍在受理" not in queue
    services.rate_concern(public_token=waiting.public_token, rating="satisfied")
    assert "to_rate" not in _items(client.get(reverse("core:workbench")).content.decode())
    client.force_login(world.users["department_handler"])  # handlers do not call residents back
    assert "to_rate" not in _items(client.get(reverse("core:workbench")).content.decode())


def test_owners_committee_sees_its_compounds_works_accounts_open_for_comment(client, world):
    from gongzhi.org.models import PartyOrg
    from gongzhi.projects.models import Disclosure, Project

    compound = world.household_a.building.compound
    project = Project.objects.create(
        neighborhood=world.neighborhood_a,
        owner=PartyOrg.objects.filter(neighborhood=world.neighborhood_a).first(),
        compound=compound,
        title="屋面防水维修",
    )
    today = timezone.localdate()
    for title, opens, closes in (
        ("维修资金使用公示", -2, 5),  # open for comment today
        ("上季度维修账目", -40, -10),  # its period is over
        ("下月维修计划", 3, 10),  # not yet open
    ):
        Disclosure.objects.create(
            project=project,
            title=title,
            opens_on=today + timedelta(days=opens),
            closes_on=today + timedelta(days=closes),
        )
    client.force_login(world.users["owners_committee_member"])
    page = client.get(reverse("core:workbench")).content.decode()
    count, url = _items(page)[f"works_{compound.pk}"]
    assert count == 1 and "维修资金使用公示" in page
    listed = client.get(url).content.decode()
    works = listed[listed.index('id="works"') :]
    assert int(re.search(r'data-count="(\d+)"', works).group(1)) == 1
    assert "维修资金使用公示" in works and "上季度维修账目" not in works
    everything = client.get(reverse("property:compound", args=[compound.pk])).content.decode()
    assert "上季度维修账目" in everything  # the unfiltered page lists every notice
    client.force_login(world.users["property_staff"])  # the property company answers for them too
    assert f"works_{compound.pk}" in _items(client.get(reverse("core:workbench")).content.decode())


def test_the_area_in_figures_comes_after_the_page(client, world):
    """`/` asks for the area's figures once it is shown; the part itself is for staff only."""
    from gongzhi.accounts.tests.residents import sign_in_by_phone

    url = reverse("core:workbench_area")
    client.force_login(world.users["neighborhood_secretary"])
    assert f'hx-get="{url}"' in client.get(reverse("core:workbench")).content.decode()
    area = client.get(url).content.decode()
    households = world.neighborhood_a.households.count()
    assert re.search(r'data-count="households">(\d+)<', area).group(1) == str(households)
    assert 'id="households-chart"' in area and "chart-data" in area
    client.force_login(world.users["auditor"])  # a duty account keeps to its one page
    assert client.get(url).status_code == 403
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and reverse("accounts:login") in response.url
    sign_in_by_phone(client, world.resident_a.phone)
    assert client.get(url).status_code == 404  # residents keep to their pages; staff pages are absent
