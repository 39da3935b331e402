"""Importing a map from the district's GIS: coordinates converted, buildings matched by address
with a report of what did not match, cut lines that no grid crosses; a bad file changes nothing."""

import json
import math

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from shapely.geometry import LineString, mapping, shape

from gongzhi.core.coords import bd09_to_gcj02, gcj02_to_wgs84, to_wgs84, wgs84_to_gcj02
from gongzhi.core.models import AuditRecord
from gongzhi.grids import services
from gongzhi.grids.mapfiles import address_key
from gongzhi.grids.models import CutLine
from gongzhi.grids.tests.test_services import add_row
from gongzhi.grids.tests.test_views import ROLE_CODES, expected
from gongzhi.org.models import Building

pytestmark = [pytest.mark.django_db, pytest.mark.urls("gongzhi.grids.tests.test_views")]

LAT = 31.30


def _gcj(geometry: dict) -> dict:
    """A WGS84 GeoJSON geometry as a GIS in GCJ-02 would export it."""
    import shapely

    return mapping(shapely.transform(shape(geometry), lambda xy: [wgs84_to_gcj02(x, y) for x, y in xy]))


def _road_between(row: list[Building], k: int) -> dict:
    """A north–south road in the 10 m between building k-1 and k of a row (WGS84)."""
    step = 20 / (111_320 * math.cos(math.radians(LAT)))
    x = 121.40 + (k - 0.25) * step
    return mapping(LineString([(x, LAT - 0.001), (x, LAT + 0.001)]))


def map_file(row: list[Building], *, road_at: int | None = 3, extra: list[dict] = ()) -> bytes:
    features = [
        {
            "type": "Feature",
            "geometry": _gcj(b.footprint),
            "properties": {"address": f"{b.compound.name} {b.number}号楼"},
        }
        for b in row
    ]
    if road_at is not None:
        features.append(
            {
                "type": "Feature",
                "geometry": _gcj(_road_between(row, road_at)),
                "properties": {"kind": "道路", "name": "友谊路"},
            }
        )
    return json.dumps({"type": "FeatureCollection", "features": [*features, *extra]}).encode()


@pytest.fixture
def row(world):
    return add_row(world.neighborhood_a, 6, 2, lat=LAT)


def test_coordinates_convert_back_within_a_millimetre():
    lng, lat = 121.43, 31.35
    assert gcj02_to_wgs84(*wgs84_to_gcj02(lng, lat)) == pytest.approx((lng, lat), abs=1e-8)
    gcj = wgs84_to_gcj02(lng, lat)
    assert math.dist(gcj, (lng, lat)) > 1e-4  # the offset is hundreds of metres, not nothing
    assert to_wgs84(*gcj, "cgcs2000") == gcj and to_wgs84(*gcj, "gcj02") == pytest.approx(
        (lng, lat), abs=1e-8
    )
    assert to_wgs84(121.45, 31.36, "bd09") == pytest.approx(gcj02_to_wgs84(*bd09_to_gcj02(121.45, 31.36)))
    assert address_key("宝山新村 １２号楼") == address_key("宝山新村12幢") == "宝山新村12"


@translation.override("en")  # the report's reasons are matched by their English msgids
def test_a_road_from_the_gis_cuts_the_neighborhood_and_no_grid_crosses_it(world, row):
    secretary = world.users["neighborhood_secretary"]
    unknown = {
        "type": "Feature",
        "geometry": _gcj(row[0].footprint),
        "properties": {"address": "无名小区 99号"},
    }
    report = services.import_map(
        actor=secretary, area=world.neighborhood_a, raw=map_file(row, extra=[unknown]), crs="gcj02"
    )
    assert report["buildings_matched"] == 6 and report["lines"] == 1
    assert report["unmatched_features"] == [
        {"row": 8, "address": "无名小区 99号", "why": "no building with this address"}
    ]
    assert report["ledger_without_feature_count"] == 2  # the world's two buildings without footprint
    moved = Building.objects.get(pk=row[0].pk)
    assert shape(moved.footprint).hausdorff_distance(shape(row[0].footprint)) < 1e-6  # back in WGS84
    assert CutLine.objects.get().kind == "road"
    assert AuditRecord.objects.filter(action="import").count() == 1
    plan = services.propose_plan(
        actor=secretary, neighborhood=world.neighborhood_a, min_households=3, max_households=6
    )
    west, east = {str(b.pk) for b in row[:3]}, {str(b.pk) for b in row[3:]}
    for code in set(plan.proposed.values()):
        members = {k for k, c in plan.proposed.items() if c == code}
        assert not (members & west and members & east), "a grid crosses the road"
    assert plan.report["barriers"] and all(g["within_bounds"] for g in plan.report["grids"])


@translation.override("en")
def test_a_bad_file_names_the_feature_and_changes_nothing(world, row):
    before = list(Building.objects.values_list("id", "footprint"))
    point = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [121.4, 31.3]}, "properties": {}}
    with pytest.raises(ValidationError, match="Feature 8"):
        services.import_map(
            actor=world.users["neighborhood_secretary"],
            area=world.neighborhood_a,
            raw=map_file(row, extra=[point]),
            crs="gcj02",
        )
    with pytest.raises(ValidationError, match="not in China"):
        flipped = map_file(row).replace(b"121.", b"12.")
        services.import_map(
            actor=world.users["neighborhood_secretary"], area=world.neighborhood_a, raw=flipped, crs="wgs84"
        )
    assert list(Building.objects.values_list("id", "footprint")) == before
    assert not CutLine.objects.exists() and not AuditRecord.objects.filter(action="import").exists()


@pytest.mark.parametrize("code", ROLE_CODES)
def test_importing_needs_write_and_area(client, world, row, code):
    client.force_login(world.users[code])
    url = reverse("grids:neighborhood_import", args=[world.neighborhood_a.pk])
    status = expected(code, write=True)
    assert client.get(url).status_code == status
    upload = SimpleUploadedFile("map.geojson", map_file(row), content_type="application/geo+json")
    response = client.post(url, {"file": upload, "crs": "gcj02"})
    assert response.status_code == status
    assert CutLine.objects.exists() == (status == 200)
    far = reverse("grids:neighborhood_import", args=[world.neighborhood_far.pk])
    assert client.get(far).status_code == 404


def test_anonymous_is_sent_to_sign_in_for_imports(client, world, row):
    url = reverse("grids:neighborhood_import", args=[world.neighborhood_a.pk])
    response = client.post(url, {"crs": "wgs84"})
    assert response.status_code == 302 and "/accounts/login/" in response.url
    assert not CutLine.objects.exists()


def test_the_demo_puts_a_road_between_the_two_largest_compounds_once(world):
    from gongzhi.grids import demo
    from gongzhi.org.demo.generator import SUBDISTRICT_CODE

    world.subdistrict.code = SUBDISTRICT_CODE
    world.subdistrict.save(update_fields=["code"])
    south = add_row(world.neighborhood_a, 4, 2, lat=LAT)
    north = add_row(world.neighborhood_a, 4, 2, lat=LAT + 0.0004)
    assert demo.load_demo() == "grids: 1 demo roads as cut lines"
    road = shape(CutLine.objects.get().geometry)
    assert road.intersects(
        LineString([shape(south[1].footprint).centroid, shape(north[1].footprint).centroid])
    )
    assert demo.load_demo() == "grids: demo cut lines already loaded" and CutLine.objects.count() == 1
