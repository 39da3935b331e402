"""`gongzhi opendata export` and the public open-data page: no personal data leaves, small counts
are suppressed, the package is valid, and its figures are the KPI page's."""

import csv
import hashlib
import io
import json
import re
import zipfile
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from gongzhi.concerns.selectors import kpi_report
from gongzhi.insights import opendata
from gongzhi.insights.models import OpenDataRelease
from gongzhi.insights.tests.month_data import build_month, last_month
from gongzhi.org.models import Building, Household, Resident, Subdistrict

pytestmark = pytest.mark.django_db

ID_NUMBER = re.compile(r"(?<![0-9])[1-9][0-9]{16}[0-9Xx](?![0-9])")
PHONE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")
ROOM = re.compile(r"[0-9]+室|(?<![0-9])[0-9]{3,4}(?:号房|房间)")
COUNT_FIELDS = {"concerns", "resolved", "households", "households_visited", "electors", "voted"}
RATE_OF = {"coverage_rate": ("households_visited", "households"), "turnout_rate": ("voted", "electors")}


def _export(subdistrict, out: Path, *extra):
    stdout, stderr = StringIO(), StringIO()
    call_command(
        "opendata",
        "export",
        "--subdistrict",
        subdistrict.code,
        "--out",
        str(out),
        *extra,
        stdout=stdout,
        stderr=stderr,
    )
    return stdout.getvalue(), stderr.getvalue()


def _tables(folder: Path) -> dict[str, list[dict]]:
    return {
        p.stem: list(csv.DictReader(io.StringIO(p.read_text(encoding="utf-8-sig"))))
        for p in sorted(folder.glob("*.csv"))
    }


def assert_no_personal_data(folder: Path) -> None:
    """The scan the brief asks for, over every file of an export."""
    text = "\n".join(p.read_text(encoding="utf-8-sig") for p in folder.iterdir())
    assert not ID_NUMBER.search(text), ID_NUMBER.search(text)
    assert not PHONE.search(text), PHONE.search(text)
    assert not ROOM.search(text), ROOM.search(text)
    names = set(Resident.objects.values_list("name", flat=True))
    found = [n for n in names if len(n) >= 2 and n in text]
    assert not found, found[:5]
    rooms = {f"{h.building} {h.room}" for h in Household.objects.select_related("building__compound")[:5000]}
    assert not [r for r in rooms if r in text]
    # Places no finer than a building: every building cell names a building, nothing more.
    buildings = {str(b) for b in Building.objects.select_related("compound")}
    for table in _tables(folder).values():
        for row in table:
            if "building" in row:
                assert row["building"] in buildings, row
            assert not {"name", "room", "phone", "id_number", "reporter", "title", "description"} & set(row)


def assert_small_counts_suppressed(folder: Path) -> None:
    for name, rows in _tables(folder).items():
        for row in rows:
            for field, value in row.items():
                if field in COUNT_FIELDS:
                    assert (
                        value == opendata.SUPPRESSED or value == "" or int(value) == 0 or int(value) >= 5
                    ), (name, row)
                if field in RATE_OF and value:
                    part, whole = RATE_OF[field]
                    assert opendata.SUPPRESSED not in (row[part], row[whole]), (name, row)
    geo = json.loads((folder / "grids.geojson").read_text(encoding="utf-8"))
    for feature in geo["features"]:
        n = feature["properties"]["households"]
        assert n == opendata.SUPPRESSED or n == 0 or n >= 5
        assert set(feature["properties"]) == {"code", "name", "neighborhood", "households"}


def assert_valid_package(folder: Path) -> None:
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    assert package["resources"] and package["licenses"]
    for res in package["resources"]:
        data = (folder / res["path"]).read_bytes()
        assert res["hash"] == f"sha256:{hashlib.sha256(data).hexdigest()}" and res["bytes"] == len(data)
        if res["format"] == "csv":
            header = next(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
            assert header == [f["name"] for f in res["schema"]["fields"]]
            assert all(f["description"] for f in res["schema"]["fields"])
            assert opendata.SUPPRESSED in res["schema"]["missingValues"]


def test_demo_export_holds_no_personal_data_and_suppresses_small_counts(tmp_path):
    """A small demo town with every app's demo data (people with names, phones, ID numbers and
    rooms; concerns; visits; projects; votes)."""
    call_command(
        "demo", "load", "--households", "500", "--seed", "3", "--quiet", stdout=StringIO(), stderr=StringIO()
    )
    town = Subdistrict.objects.order_by("pk").first()
    assert Resident.objects.exclude(phone="").exists() and Resident.objects.exclude(id_number="").exists()
    out, err = _export(town, tmp_path / "od", "--month", "2026-11")
    folder = tmp_path / "od"
    assert {p.name for p in folder.iterdir()} == {
        "datapackage.json", "concerns_by_category.csv", "concerns_by_building.csv",
        "visit_coverage.csv", "projects.csv", "votes.csv", "grids.geojson",
    }  # fmt: skip
    tables = _tables(folder)
    assert tables["concerns_by_category"] and tables["visit_coverage"] and tables["projects"]
    assert "[1/6] concerns_by_category" in err and "published as release" in out
    assert_no_personal_data(folder)
    assert_small_counts_suppressed(folder)
    assert_valid_package(folder)


def test_export_agrees_with_the_kpi_page(world, tmp_path):
    build_month(world)
    month = last_month()
    _export(world.subdistrict, tmp_path / "od", "--month", f"{month:%Y-%m}", "--months", "1", "--no-publish")
    rows = _tables(tmp_path / "od")["concerns_by_category"]
    by_nb, _total = kpi_report(world.users["subdistrict_admin"], month=month, by="neighborhood")
    for line in by_nb:
        mine = [r for r in rows if r["neighborhood"] == line.label and r["month"] == f"{month:%Y-%m}"]
        assert sum(int(r["concerns"]) for r in mine) == line.collected >= 5
        assert sum(int(r["resolved"]) if r["resolved"] != "<5" else 0 for r in mine) in (line.resolved, 0)
    assert not OpenDataRelease.objects.exists()  # --no-publish


def test_small_counts_in_a_built_month_are_suppressed(world, tmp_path):
    build_month(world, count=6)  # 4 in A, 2 in B
    _export(world.subdistrict, tmp_path / "od", "--month", f"{last_month():%Y-%m}", "--months", "1")
    rows = _tables(tmp_path / "od")["concerns_by_category"]
    assert {r["neighborhood"]: r["concerns"] for r in rows} == {
        world.neighborhood_a.name: "<5",
        world.neighborhood_b.name: "<5",
    }
    assert_no_personal_data(tmp_path / "od")
    assert_small_counts_suppressed(tmp_path / "od")


def test_publishing_twice_makes_one_release_and_the_public_page_offers_it(client, world, tmp_path):
    build_month(world)
    month = f"{last_month():%Y-%m}"
    _export(world.subdistrict, tmp_path / "one", "--month", month)
    _export(world.subdistrict, tmp_path / "two", "--month", month)
    assert OpenDataRelease.objects.count() == 1
    page = client.get(reverse("insights:open_data"))  # anonymous: the page is public
    assert page.status_code == 200
    html = page.content.decode()
    assert world.subdistrict.name in html and "concerns_by_category.csv" in html and "开放数据" in html
    download = client.get(reverse("insights:open_data_download", args=[world.subdistrict.code]))
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    assert archive.namelist()[0] == "datapackage.json"
    assert (
        archive.read("concerns_by_category.csv")
        == (tmp_path / "two" / "concerns_by_category.csv").read_bytes()
    )
    assert client.get(reverse("insights:open_data_download", args=["NOPE"])).status_code == 404
    # Signed-in staff of any role see the same public page.
    client.force_login(world.users["grid_worker"])
    assert client.get(reverse("insights:open_data")).status_code == 200


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--subdistrict", "NOPE"], "--subdistrict: no subdistrict with code 'NOPE'"),
        (["--months", "0"], "--months: 0 is not between 1 and 60"),
        (["--month", "2026-00"], "--month: '2026-00' is not a month"),
    ],
)
def test_bad_options_are_named_and_change_nothing(world, tmp_path, args, message):
    if "--subdistrict" not in args:
        args = ["--subdistrict", world.subdistrict.code, *args]
    with pytest.raises(CommandError, match=message):
        call_command(
            "opendata", "export", *args, "--out", str(tmp_path / "od"), stdout=StringIO(), stderr=StringIO()
        )
    assert not (tmp_path / "od").exists() and not OpenDataRelease.objects.exists()


def test_a_folder_with_files_is_not_overwritten(world, tmp_path):
    (tmp_path / "keep.txt").write_text("mine")
    with pytest.raises(CommandError, match="exists and is not an empty folder"):
        _export(world.subdistrict, tmp_path)
    assert (tmp_path / "keep.txt").read_text() == "mine"
