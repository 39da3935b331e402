"""The call-up pages by role: the plan per post, planning, and the answer link."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.roles import DUTY_ROLES, ROLES
from gongzhi.org.models import PartnerUnit
from gongzhi.volunteers import services
from gongzhi.volunteers import testing as t
from gongzhi.volunteers.models import CallUpAnswer, PostAssignment

pytestmark = pytest.mark.django_db

WRITERS = {code for code, role in ROLES.items() if "volunteer" in role.write}


def _emergency(world, neighborhood):
    admin = world.users["subdistrict_admin"]
    e = services.open_emergency(
        actor=admin, subdistrict=world.subdistrict, title="招募令", neighborhood=neighborhood
    )
    post = services.add_post(
        actor=admin, emergency=e, name="门岗", latitude=Decimal("31.3"), longitude=Decimal("121.4")
    )
    start = timezone.now()
    shift = services.add_shift(actor=admin, emergency=e, starts_at=start, ends_at=start + timedelta(hours=8))
    services.set_need(actor=admin, post=post, shift=shift, count=1)
    t.volunteer(world, "应召", neighborhood=neighborhood)
    services.call_up(actor=admin, emergency=e)
    return e


@pytest.fixture
def emergencies(world):
    return {"own": _emergency(world, world.neighborhood_a), "other": _emergency(world, world.neighborhood_b)}


@pytest.mark.parametrize("role", sorted(set(ROLES) - DUTY_ROLES))
def test_plan_page_and_planning_by_role(client, world, emergencies, role):
    client.force_login(world.users[role])
    own, other = emergencies["own"], emergencies["other"]
    expected = 200 if role in WRITERS else 404
    assert client.get(reverse("volunteers:emergency", args=[own.pk])).status_code == expected
    assert client.post(reverse("volunteers:emergency_plan", args=[own.pk])).status_code == (
        302 if role in WRITERS else 404
    )
    other_expected = 200 if role == "subdistrict_admin" else 404
    assert client.get(reverse("volunteers:emergency", args=[other.pk])).status_code == other_expected


def test_anonymous_staff_pages_ask_for_sign_in(client, emergencies):
    for url in (reverse("volunteers:emergency", args=[emergencies["own"].pk]),):
        assert client.get(url).status_code == 302
    assert client.post(reverse("volunteers:emergency_plan", args=[emergencies["own"].pk])).status_code == 302


def test_call_up_from_answer_link_to_plan_on_the_page(client, world, emergencies):
    answer = CallUpAnswer.objects.get(emergency=emergencies["own"])
    link = reverse("volunteers:answer", args=[answer.token])
    assert client.get(link).status_code == 200
    assert client.post(link, {"answer": "yes"}).status_code == 200
    client.force_login(world.users["social_worker"])
    client.post(reverse("volunteers:emergency_plan", args=[emergencies["own"].pk]))
    page = client.get(reverse("volunteers:emergency", args=[emergencies["own"].pk])).content.decode()
    assert "应召" in page and "1 / 1" in page
    assert PostAssignment.objects.filter(emergency=emergencies["own"]).count() == 1


def test_an_unknown_answer_link_is_404(client):
    assert client.get(reverse("volunteers:answer", args=["nope"])).status_code == 404
    assert client.post(reverse("volunteers:answer", args=["nope"]), {"answer": "yes"}).status_code == 404


def test_call_up_on_the_page_by_partner_unit_reserve_and_distance(client, world):
    admin = world.users["subdistrict_admin"]
    e = services.open_emergency(actor=admin, subdistrict=world.subdistrict, title="招募令")
    services.add_post(
        actor=admin, emergency=e, name="门岗", latitude=Decimal("31.3"), longitude=Decimal("121.4")
    )
    unit = PartnerUnit.objects.get(subdistrict=world.subdistrict)

    def register(name, **fields):
        return services.register_volunteer(
            actor=admin, neighborhood=world.neighborhood_a, name=name, phone="13800138000", **fields
        )

    near = {"latitude": Decimal("31.301"), "longitude": Decimal("121.401")}
    wanted = register("近处后备职工", partner_unit=unit, reserve=True, **near)
    register(
        "远处后备职工", partner_unit=unit, reserve=True, latitude=Decimal("31.4"), longitude=Decimal("121.5")
    )
    register("近处职工", partner_unit=unit, **near)
    register("近处后备居民", reserve=True, **near)
    client.force_login(admin)
    page = client.get(reverse("volunteers:emergency", args=[e.pk])).content.decode()
    assert unit.name in page and 'name="within_km"' in page
    url = reverse("volunteers:emergency_edit", args=[e.pk, "call-up"])
    response = client.post(url, {"partner_units": [unit.pk], "reserve_only": "on", "within_km": "2"})
    assert response.status_code == 302
    assert list(e.answers.values_list("volunteer", flat=True)) == [wanted.pk]


def test_call_up_page_refuses_a_bad_distance_and_a_unit_from_elsewhere(client, world):
    admin = world.users["subdistrict_admin"]
    e = services.open_emergency(actor=admin, subdistrict=world.subdistrict, title="招募令")
    far_unit = PartnerUnit.objects.create(subdistrict=world.subdistrict_far, name="外镇医院", kind="hospital")
    t.volunteer(world, "居民")
    client.force_login(admin)
    url = reverse("volunteers:emergency_edit", args=[e.pk, "call-up"])
    response = client.post(url, {"within_km": "-3"})
    assert response.status_code == 400 and 'data-errors="within_km"' in response.content.decode()
    response = client.post(url, {"partner_units": [far_unit.pk]})
    assert response.status_code == 400 and 'data-errors="partner_units"' in response.content.decode()
    assert not e.answers.exists()
