"""Issue 19, findings 1 and 12: wrong Open311 api_keys are throttled per client address, and every
spelling of a key (full-width, surrounding spaces) is one key."""

import pytest

from gongzhi.concerns.open311 import BAD_KEYS_PER_MINUTE
from gongzhi.concerns.open311_keys import create_key
from gongzhi.concerns.tests.conftest import category

pytestmark = pytest.mark.django_db
URL = "/open311/v2/requests.json"


@pytest.fixture
def api_key(world):
    category()
    building = world.household_a.building
    building.lat, building.lng = 31.35, 121.42
    building.save()
    world.subdistrict.code = "310113-YX"
    world.subdistrict.save()
    return create_key(actor=None, subdistrict=world.subdistrict, name="civic app")[1]


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def post(client, key, ip="10.0.0.1"):
    data = {"api_key": key, "service_code": "parking", "description": "x", "lat": "31.35", "long": "121.42"}
    return client.post(URL, {**data, "jurisdiction_id": "310113-YX"}, REMOTE_ADDR=ip)


def test_wrong_keys_are_throttled_per_client_address_and_the_right_key_then_waits(client, api_key):
    wrong = "o311_" + "x" * 32
    for i in range(BAD_KEYS_PER_MINUTE):
        assert post(client, [wrong, full_width(wrong), f" {wrong.upper()} "][i % 3]).status_code == 403
    refused = post(client, api_key)
    assert refused.status_code == 429 and "wrong api_keys" in refused.content.decode()
    assert post(client, api_key, ip="10.0.0.2").status_code == 201  # another address is not held up


def test_a_key_in_a_look_alike_spelling_is_the_same_key(client, api_key):
    assert post(client, f"\u3000{full_width(api_key)} ").status_code == 201
