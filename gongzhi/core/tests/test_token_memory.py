"""A server process remembers a bearer token's owner for a few seconds (core/tokens.py); revoking
the token or deactivating its user still takes effect at once in that process, and what one
request learns about its user (role assignments) is not what the next one sees."""

import json

import pytest
from django.test import Client

from gongzhi.concerns.tests.conftest import category
from gongzhi.core.tokens import create_token

pytestmark = pytest.mark.django_db


def _post(token: str, household) -> int:
    body = json.dumps({"category": "parking", "description": "楼道灯坏了", "household_id": household.pk})
    return (
        Client()
        .post(
            "/api/v1/concerns",
            data=body,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        .status_code
    )


@pytest.fixture
def token(world):
    category()
    _item, token = create_token(actor=None, user=world.users["grid_worker"], name="field app")
    assert _post(token, world.household_a) == 201  # now remembered by this process
    return token


def test_deleted_token_is_refused_on_the_next_request(world, token):
    world.users["grid_worker"].api_tokens.all().delete()
    assert _post(token, world.household_a) == 401


def test_deactivated_user_is_refused_on_the_next_request(world, token):
    user = world.users["grid_worker"]
    user.is_active = False
    user.save()
    assert _post(token, world.household_a) == 401


def test_a_removed_role_counts_on_the_next_request(world, token):
    world.users["grid_worker"].role_assignments.all().delete()
    assert _post(token, world.household_a) == 404  # the household is no longer in their area
