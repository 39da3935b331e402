"""GeoJSON input is validated whole: a bad feature is named by index and id, nothing is drawn."""

import copy
import json
from pathlib import Path

import pytest

from gongzhi.grids.engine import GridInputError, load_barriers, load_geojson, read_assignment

FIXTURE = Path(__file__).parent / "fixtures" / "blocks_small.geojson"


def _write(tmp_path, data) -> Path:
    path = tmp_path / "blocks.geojson"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def _broken(tmp_path, index: int, change) -> Path:
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    change(data["features"][index])
    return _write(tmp_path, data)


def test_a_valid_collection_loads_every_building_with_its_properties():
    buildings = load_geojson(FIXTURE)
    assert [b.id for b in buildings] == ["A1", "A2", "A3", "A4", "T1", "V1"]
    tower = buildings[4]
    assert tower.households == 812 and tower.stairwells == (200, 206, 203, 203)
    assert tower.footprint.geom_type == "MultiPolygon" and buildings[5].neighborhood == "西村"


@pytest.mark.parametrize(
    ("index", "change", "expected"),
    [
        (1, lambda f: f["properties"].pop("households"), "households"),
        (2, lambda f: f["properties"].update(households=-3), "-3"),
        (2, lambda f: f["properties"].update(households="many"), "households"),
        (3, lambda f: f["properties"].pop("neighborhood"), "neighborhood"),
        (1, lambda f: f["properties"].update(id=7), "id"),
        (2, lambda f: f.update(geometry={"type": "Point", "coordinates": [121.4, 31.3]}), "Point"),
        (
            3,
            lambda f: f.update(geometry={"type": "Polygon", "coordinates": [[[121.4, 31.3], [121.5]]]}),
            "几何",
        ),
        (
            1,
            # a bow-tie: the ring crosses itself
            lambda f: f.update(
                geometry={"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
            ),
            "无效",
        ),
        (
            2,
            lambda f: f.update(
                geometry={
                    "type": "Polygon",
                    "coordinates": [
                        [[500000, 3400000], [500100, 3400000], [500100, 3400100], [500000, 3400000]]
                    ],
                }
            ),
            "WGS84",
        ),
        (4, lambda f: f["properties"].update(stairwells=[200, 200]), "stairwells"),
        (3, lambda f: f.update(geometry=None), "几何类型"),
    ],
)
def test_a_bad_feature_is_named_by_index_and_id(tmp_path, index, change, expected):
    path = _broken(tmp_path, index, change)
    with pytest.raises(GridInputError) as error:
        load_geojson(path)
    message = str(error.value)
    assert f"#{index}" in message and expected in message


def test_a_duplicate_id_names_both_features(tmp_path):
    path = _broken(tmp_path, 3, lambda f: f["properties"].update(id="A1"))
    with pytest.raises(GridInputError, match=r"#3 \(id='A1'\).*#0"):
        load_geojson(path)


@pytest.mark.parametrize(
    "content",
    ["not json", json.dumps({"type": "Feature"}), json.dumps({"type": "FeatureCollection", "features": 3})],
)
def test_a_file_that_is_not_a_feature_collection_is_refused(tmp_path, content):
    path = tmp_path / "x.geojson"
    path.write_text(content)
    with pytest.raises(GridInputError):
        load_geojson(path)


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(GridInputError, match="无法读取"):
        load_geojson(tmp_path / "nothing.geojson")


def test_barriers_accept_lines_and_take_a_river_polygon_by_its_outline(tmp_path):
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    line = {
        "type": "Feature",
        "properties": {},
        "geometry": {"type": "LineString", "coordinates": [[121.4, 31.3], [121.41, 31.3]]},
    }
    river = copy.deepcopy(data["features"][0])
    path = _write(tmp_path, {"type": "FeatureCollection", "features": [line, river]})
    lines = load_barriers(path)
    assert [g.geom_type for g in lines] == ["LineString", "LineString"]


def test_a_previous_assignment_reads_whole_buildings_and_stairwell_parts(tmp_path):
    path = tmp_path / "old.csv"
    path.write_text("id,grid,stairwells\nA1,G1,\nT1,G2,1-2\nT1,G3,3-4\n", encoding="utf-8")
    assert read_assignment(path) == {"A1": "G1", "T1#1-2": "G2", "T1#3-4": "G3"}
    path.write_text("id,grid\nA1,\n", encoding="utf-8")
    with pytest.raises(GridInputError, match="第 2 行"):
        read_assignment(path)
