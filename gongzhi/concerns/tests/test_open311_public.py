"""Issue 19, findings 6 and 12: what the public Open311 feed lists, and the places a POST may name."""

import pytest

from gongzhi.concerns.models import Concern, ConcernEvent
from gongzhi.concerns.open311_keys import create_key
from gongzhi.concerns.tests.conftest import category, concern_for
from gongzhi.core.deidentify import deidentify
from gongzhi.core.tokens import create_token

pytestmark = pytest.mark.django_db
BASE = "/open311/v2"
NOTE = "已联系张三家（5号楼302室），电话13900001111，身份证310101199001011234"


@pytest.fixture
def located(world):
    """Building A and its compound located in Baoshan; a key bound to the subdistrict."""
    category()
    building = world.household_a.building
    building.lat, building.lng = 31.35, 121.42
    building.save()
    compound = building.compound
    compound.lat, compound.lng = 31.3, 121.4
    compound.save()
    return create_key(actor=None, subdistrict=world.subdistrict, name="civic app")[1]


def _post(client, world, key, **data):
    fields = {
        "api_key": key,
        "service_code": "parking",
        "description": "门口占道",
        "jurisdiction_id": world.subdistrict.code,
        "lat": "31.3501",
        "long": "121.4201",
    }
    fields.update(data)
    return client.post(f"{BASE}/requests.json", {k: v for k, v in fields.items() if v is not None})


def _resolved(concern, note=NOTE):
    ConcernEvent.objects.create(
        concern=concern, action="resolve", to_state="resolved", actor_label="x", note=note
    )


def test_the_public_feed_lists_neither_door_visits_nor_hotline_calls(client, world, located):
    hotline = concern_for(world, description="张三家漏水 13900001111")
    visit = concern_for(world, channel="visit", description="李四反映楼道堆物")
    posted = _post(client, world, located).json()[0]["service_request_id"]
    listed = client.get(f"{BASE}/requests.json").json()
    assert [r["service_request_id"] for r in listed] == [posted]
    for hidden in (hotline, visit):
        assert client.get(f"{BASE}/requests/{hidden.pk}.json").status_code == 404
        assert client.get(f"{BASE}/requests/{hidden.pk}.xml").status_code == 404


def test_a_public_request_is_coarsened_to_its_compound_and_its_notes_are_de_identified(
    client, world, located
):
    pk = _post(client, world, located, description="5号楼302室王阿姨家门口占道 13800138000").json()[0]
    concern = Concern.objects.get(pk=pk["service_request_id"])
    _resolved(concern)
    got = client.get(f"{BASE}/requests/{concern.pk}.json").json()[0]
    compound = world.household_a.building.compound
    assert (got["lat"], got["long"]) == (31.3, 121.4) and got["address_id"] == ""
    assert compound.name in got["address"] and str(world.household_a.building) not in got["address"]
    text = got["status_notes"] + got["description"]
    for secret in ("张三", "302", "13900001111", "310101199001011234", "王阿姨", "13800138000"):
        assert secret not in text
    assert "已联系" in got["status_notes"] and "门口占道" in got["description"]


def test_a_concern_on_its_building_notice_is_listed_without_its_description(client, world, located):
    concern = concern_for(world, description="张三家漏水")
    Concern.objects.filter(pk=concern.pk).update(published=True)
    _resolved(concern)
    got = client.get(f"{BASE}/requests/{concern.pk}.json").json()[0]
    assert got["description"] == "" and "张三" not in str(got) and "13900001111" not in str(got)


def test_a_staff_client_with_an_api_token_sees_in_full_what_its_role_may_read(client, world, located):
    hotline = concern_for(world, description="张三家漏水")
    _resolved(hotline)
    for code, sees in (
        ("grid_worker", True),
        ("neighborhood_secretary", True),
        ("volunteer_team_chief", False),
    ):
        _item, token = create_token(actor=None, user=world.users[code], name=f"feed {code}")
        auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
        listed = client.get(f"{BASE}/requests.json", **auth).json()
        one = client.get(f"{BASE}/requests/{hotline.pk}.json", **auth)
        assert (str(hotline.pk) in [r["service_request_id"] for r in listed]) is sees, code
        assert one.status_code == (200 if sees else 404), code
        if sees:
            assert (
                one.json()[0]["description"] == "张三家漏水"
                and "13900001111" in one.json()[0]["status_notes"]
            )
            assert one.json()[0]["address_id"] == str(world.household_a.building_id)
    client.force_login(world.users["grid_worker"])  # a signed-in session counts as well
    assert client.get(f"{BASE}/requests/{hotline.pk}.json").status_code == 200


def test_de_identify_masks_names_rooms_phones_and_id_numbers():
    out = deidentify("张三家 5-301 室，李师傅 021-66781234，13800138000，31010119900101123X", ("张三",))
    assert "张三" not in out and "301" not in out and "66781234" not in out and "李师傅" not in out
    assert "13800138000" not in out and "1990" not in out and "张" in out


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"lat": "39.90", "long": "116.40"}, "lat/long"),  # Beijing, far outside the subdistrict
        ({"jurisdiction_id": None}, "jurisdiction_id"),
        ({"jurisdiction_id": ""}, "jurisdiction_id"),
        ({"lat": None, "long": None, "address_id": "999999"}, "address_id"),
        ({"lat": None, "long": None, "address_id": "²"}, "address_id"),
        ({"lat": None, "long": None, "address_id": "99999999999999999999999"}, "address_id"),
    ],
)
def test_a_post_naming_a_place_outside_the_jurisdiction_is_refused_naming_the_field(
    client, world, located, data, field
):
    response = _post(client, world, located, **data)
    assert response.status_code == 400, response.content
    assert field in response.json()[0]["description"]
    assert Concern.objects.count() == 0


def test_a_building_of_another_subdistrict_is_no_address_id(client, world, located):
    response = _post(
        client, world, located, lat=None, long=None, address_id=str(world.household_far.building_id)
    )
    assert response.status_code == 400 and "address_id" in response.json()[0]["description"]


def test_a_point_near_the_jurisdiction_is_accepted(client, world, located):
    assert _post(client, world, located, lat="31.38", long="121.45").status_code == 201


def test_a_token_scoped_away_from_concerns_reads_the_feed_as_the_public_does(client, world, located):
    hotline = concern_for(world, description="张三家漏水")
    _resolved(hotline)
    _item, token = create_token(
        actor=None, user=world.users["grid_worker"], name="volunteers only", scopes=["volunteers"]
    )
    one = client.get(f"{BASE}/requests/{hotline.pk}.json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert one.status_code == 404  # a hotline concern is not public, and this token is no staff pass to it
