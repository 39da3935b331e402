"""Open311 GeoReport v2 as a client sees it: discovery, services, requests GET/POST, errors."""

import io

import pytest
from django.core.management import call_command

from gongzhi.concerns.models import Concern, Open311Key
from gongzhi.concerns.open311_keys import create_key
from gongzhi.concerns.tests.conftest import category, concern_for
from gongzhi.org.models import Subdistrict

pytestmark = pytest.mark.django_db
BASE = "/open311/v2"


@pytest.fixture
def api_key(world):
    category()
    category("pets", "宠物")
    b = world.household_a.building
    b.lat, b.lng = 31.35, 121.42
    b.save()
    return create_key(actor=None, subdistrict=world.subdistrict, name="civic app")[1]


def post(client, **data):
    """A POST naming the test world's subdistrict (the first made) unless the test names another."""
    data.setdefault("jurisdiction_id", Subdistrict.objects.order_by("pk").first().code)
    return client.post(f"{BASE}/requests.json", data)


def test_discovery_and_services_list_categories(client, api_key):
    discovery = client.get(f"{BASE}/discovery.json").json()
    assert discovery["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
    services = client.get(f"{BASE}/services.json").json()
    parking = next(s for s in services if s["service_code"] == "parking")
    assert parking == {
        "service_code": "parking",
        "service_name": "停车",
        "description": category().description,
        "metadata": False,
        "type": "realtime",
        "keywords": "",
        "group": "",
    }
    assert client.get(f"{BASE}/services.csv").json() == [
        {"code": 400, "description": "Only the json and xml formats are supported."}
    ]


def test_post_with_key_location_and_description_creates_a_located_concern(client, world, api_key):
    response = post(
        client,
        api_key=api_key,
        service_code="parking",
        lat="31.3501",
        long="121.4201",
        description="小区门口占道停车",
        first_name="王",
        phone="13800138000",
    )
    assert response.status_code == 201
    body = response.json()
    assert list(body[0]) == ["service_request_id", "service_notice", "account_id"]
    concern = Concern.objects.get(pk=body[0]["service_request_id"])
    assert concern.channel == "open311" and concern.building_id == world.household_a.building_id
    assert concern.neighborhood_id == world.neighborhood_a.pk and concern.reporter_phone == "13800138000"
    got = client.get(f"{BASE}/requests/{concern.pk}.json").json()
    assert got[0]["status"] == "open" and got[0]["service_code"] == "parking"
    assert got[0]["description"] == "小区门口占道停车" and "13800138000" not in str(got)


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({"service_code": "parking", "lat": "31.35", "long": "121.42"}, 400),  # no description
        ({"service_code": "parking", "description": "x"}, 400),  # no location
        ({"service_code": "nope", "description": "x", "lat": "31", "long": "121"}, 400),
        ({"service_code": "parking", "description": "x", "lat": "931", "long": "121"}, 400),
    ],
)
def test_post_without_location_or_description_gets_a_georeport_error(client, api_key, data, code):
    response = post(client, api_key=api_key, **data)
    assert response.status_code == code
    body = response.json()
    assert isinstance(body, list) and body[0]["code"] == code and body[0]["description"]
    assert Concern.objects.count() == 0


def test_post_without_a_valid_key_is_403(client, api_key):
    response = post(client, api_key="wrong", service_code="parking", description="x", lat="31", long="121")
    assert response.status_code == 403 and response.json()[0]["code"] == 403
    assert post(client, service_code="parking", description="x").status_code == 403


def test_address_string_and_address_id_locate_the_building(client, world, api_key):
    building = world.household_a.building
    by_id = post(
        client, api_key=api_key, service_code="pets", description="狗吠", address_id=str(building.pk)
    )
    assert Concern.objects.get(pk=by_id.json()[0]["service_request_id"]).building_id == building.pk
    text = f"{building.compound.name} {building.number}"
    by_text = post(client, api_key=api_key, service_code="pets", description="狗吠", address_string=text)
    assert Concern.objects.get(pk=by_text.json()[0]["service_request_id"]).building_id == building.pk
    far = post(client, api_key=api_key, service_code="pets", description="狗吠", address_string="不存在的路")
    concern = Concern.objects.get(pk=far.json()[0]["service_request_id"])
    assert concern.neighborhood_id is None and concern.subdistrict_id == world.subdistrict.pk


def test_requests_list_filters_and_leaves_out_concerns_not_published_by_their_reporter(
    client, world, api_key
):
    staff = concern_for(world, description="张三家漏水 13900001111")
    post(client, api_key=api_key, service_code="pets", description="流浪猫", lat="31.35", long="121.42")
    listed = client.get(f"{BASE}/requests.json").json()
    assert {r["service_code"] for r in listed} == {"pets"}
    assert str(staff.pk) not in [r["service_request_id"] for r in listed] and "张三" not in str(listed)
    only_pets = client.get(f"{BASE}/requests.json", {"service_code": "pets"}).json()
    assert [r["service_code"] for r in only_pets] == ["pets"]
    assert client.get(f"{BASE}/requests.json", {"status": "closed"}).json() == []
    assert client.get(f"{BASE}/requests.json", {"service_request_id": str(staff.pk)}).json() == []
    assert client.get(f"{BASE}/requests/{staff.pk}.json").status_code == 404
    assert client.get(f"{BASE}/requests/999999.json").status_code == 404


def test_open311_post_is_rate_limited_per_key_and_client(client, api_key, monkeypatch):
    monkeypatch.setattr("gongzhi.concerns.open311.POSTS_PER_MINUTE", 2)
    data = {
        "api_key": api_key,
        "service_code": "parking",
        "description": "x",
        "lat": "31.35",
        "long": "121.42",
    }
    assert [post(client, **data).status_code for _ in range(3)] == [201, 201, 429]


def test_key_command_prints_the_key_last_and_stores_only_its_hash(world, capsys):
    out = io.StringIO()
    call_command(
        "open311",
        "key",
        "--create",
        "--name",
        "fix-my-street",
        "--subdistrict",
        world.subdistrict.code,
        stdout=out,
    )
    key = out.getvalue().strip().splitlines()[-1]
    item = Open311Key.objects.get(name="fix-my-street")
    assert key.startswith("o311_") and key not in item.digest and len(item.digest) == 64


def test_a_key_without_subdistrict_needs_jurisdiction_id_when_there_are_several(client, world):
    category()
    _item, key = create_key(actor=None, subdistrict=None, name="any town")
    data = {
        "api_key": key,
        "service_code": "parking",
        "description": "占道",
        "address_id": str(world.household_a.building_id),
    }
    missing = post(client, jurisdiction_id="", **data)
    assert missing.status_code == 400 and "jurisdiction_id" in missing.json()[0]["description"]
    ok = post(client, jurisdiction_id=world.subdistrict.code, **data)
    assert ok.status_code == 201
    assert post(client, jurisdiction_id="nowhere", **data).status_code == 404


def test_a_bound_key_refuses_another_jurisdiction(client, world, api_key):
    data = {
        "api_key": api_key,
        "service_code": "parking",
        "description": "x",
        "lat": "31.35",
        "long": "121.42",
    }
    assert post(client, jurisdiction_id=world.subdistrict_far.code, **data).status_code == 403


def test_key_command_without_subdistrict_prints_a_key_for_any_jurisdiction(world):
    out = io.StringIO()
    call_command("open311", "key", "--create", "--name", "city app", stdout=out)
    assert out.getvalue().strip().splitlines()[-1].startswith("o311_")
    assert Open311Key.objects.get(name="city app").subdistrict is None


# ---- XML (GeoReport v2 clients commonly ask for it) ---------------------------------------------


def _xml(response, status: int = 200):
    from xml.etree import ElementTree

    assert response.status_code == status
    assert response["Content-Type"].startswith("text/xml")
    text = response.content.decode("utf-8")
    assert text.startswith('<?xml version="1.0" encoding="utf-8"?>')
    return ElementTree.fromstring(response.content)


def test_discovery_services_and_definition_in_xml(client, api_key):
    discovery = _xml(client.get(f"{BASE}/discovery.xml"))
    assert discovery.tag == "discovery"
    endpoint = discovery.find("endpoints/endpoint")
    assert endpoint.findtext("specification") == "http://wiki.open311.org/GeoReport_v2"
    assert [f.text for f in endpoint.findall("formats/format")] == ["text/xml", "application/json"]
    services = _xml(client.get(f"{BASE}/services.xml"))
    assert services.tag == "services"
    parking = next(s for s in services.findall("service") if s.findtext("service_code") == "parking")
    assert {child.tag: child.text for child in parking} == {
        "service_code": "parking",
        "service_name": "停车",
        "description": category().description or None,
        "metadata": "false",
        "type": "realtime",
        "keywords": None,
        "group": None,
    }
    definition = _xml(client.get(f"{BASE}/services/parking.xml"))
    assert definition.tag == "service_definition" and definition.findtext("service_code") == "parking"
    assert definition.find("attributes") is not None and len(definition.find("attributes")) == 0


def test_post_and_get_requests_in_xml(client, world, api_key):
    created = _xml(
        client.post(
            f"{BASE}/requests.xml",
            {
                "api_key": api_key,
                "service_code": "parking",
                "lat": "31.3501",
                "long": "121.4201",
                "description": "消防通道被占 <夜间>",
                "phone": "13800138000",
                "jurisdiction_id": world.subdistrict.code,
            },
        ),
        201,
    )
    assert created.tag == "service_requests"
    request = created.find("request")
    assert [child.tag for child in request] == ["service_request_id", "service_notice", "account_id"]
    pk = request.findtext("service_request_id")
    assert Concern.objects.filter(pk=pk, channel="open311").exists()
    one = _xml(client.get(f"{BASE}/requests/{pk}.xml"))
    assert one.tag == "service_requests" and len(one.findall("request")) == 1
    got = one.find("request")
    assert got.findtext("status") == "open" and got.findtext("service_code") == "parking"
    assert got.findtext("description") == "消防通道被占 <夜间>"  # escaped, read back intact
    assert got.findtext("lat") == "" and got.find("media_url") is not None  # the compound has no point
    assert "13800138000" not in client.get(f"{BASE}/requests/{pk}.xml").content.decode()
    listed = _xml(client.get(f"{BASE}/requests.xml", {"service_code": "parking"}))
    assert pk in [r.findtext("service_request_id") for r in listed.findall("request")]
    json_keys = list(client.get(f"{BASE}/requests/{pk}.json").json()[0])
    assert [child.tag for child in got] == json_keys  # the same fields in both formats


def test_errors_come_in_the_format_asked_for(client, world, api_key):
    missing = _xml(
        client.post(
            f"{BASE}/requests.xml",
            {
                "api_key": api_key,
                "service_code": "parking",
                "lat": "31.35",
                "long": "121.42",
                "jurisdiction_id": world.subdistrict.code,
            },
        ),
        400,
    )
    assert missing.tag == "errors"
    error = missing.find("error")
    assert error.findtext("code") == "400" and "description" in error.findtext("description")
    forbidden = _xml(client.post(f"{BASE}/requests.xml", {"api_key": "wrong", "description": "x"}), 403)
    assert forbidden.find("error").findtext("code") == "403"
    unknown = _xml(client.get(f"{BASE}/requests/999999.xml"), 404)
    assert unknown.find("error").findtext("code") == "404"
    assert Concern.objects.count() == 0


def test_media_url_stays_empty_because_concern_photos_are_not_public(
    client, world, api_key, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    from django.core.files.uploadedfile import SimpleUploadedFile

    from gongzhi.concerns.models import ConcernPhoto

    concern = concern_for(world)
    Concern.objects.filter(pk=concern.pk).update(channel="open311")
    photo = SimpleUploadedFile("p.png", b"\x89PNG\r\n\x1a\n" + b"0" * 32, content_type="image/png")
    ConcernPhoto.objects.create(concern=concern, file=photo, content_type="image/png", size=40)
    assert client.get(f"{BASE}/requests/{concern.pk}.json").json()[0]["media_url"] == ""
    assert _xml(client.get(f"{BASE}/requests/{concern.pk}.xml")).find("request").findtext("media_url") == ""
    # The photo itself is for signed-in staff of the area only: nothing public to point at.
    assert client.get(f"/concerns/photos/{concern.photos.get().pk}/").status_code == 302
