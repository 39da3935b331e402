"""Issue 19, finding 12: every API route is reachable, and POST /api/v1/residents/lookup finds by number."""

import re

import pytest
from django.urls import resolve

from gongzhi.api import api
from gongzhi.org.tests.test_permission_matrix import HOUSEHOLD_NAMES, ROLE_CODES, expected_residents

pytestmark = pytest.mark.django_db


def test_no_api_route_is_shadowed_by_an_earlier_one_with_a_path_parameter():
    """Django tries routes in order: a literal route (residents/lookup) listed after a parameter
    route of the same shape (residents/<resident_id>) is never reached, and its method gets 405."""
    for pattern in api.urls[0]:
        route = str(pattern.pattern)
        sample = "/api/v1/" + re.sub(r"<(?:\w+:)?\w+>", "7", route)
        assert str(resolve(sample).route).endswith(route), f"{route} is reached as {resolve(sample).route}"


@pytest.mark.parametrize("role_code", ROLE_CODES)
def test_residents_lookup_by_phone_or_id_number_answers_within_the_area(client, world, role_code):
    client.force_login(world.users[role_code])
    for name in HOUSEHOLD_NAMES:
        resident = getattr(world, name.replace("household", "resident"))
        for number in (resident.phone, resident.id_number):
            response = client.post(
                "/api/v1/residents/lookup", {"number": number}, content_type="application/json"
            )
            assert response.status_code == 200, (role_code, name, response.status_code)
            found = [r["id"] for r in response.json()]
            assert found == ([resident.pk] if name in expected_residents(role_code) else []), (
                role_code,
                name,
            )
            assert number not in response.content.decode()  # the answer is masked like every other


def test_residents_lookup_is_refused_without_signing_in(client, world):
    response = client.post(
        "/api/v1/residents/lookup", {"number": world.resident_a.phone}, content_type="application/json"
    )
    assert response.status_code == 401
