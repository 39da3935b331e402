"""Issue 19, findings 2 and 3: simple bad input is a 400 naming the field, never a server error,
and nothing longer than its column or unstorable is kept, on SQLite as on PostgreSQL."""

import json

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models

from gongzhi.concerns.models import Concern
from gongzhi.concerns.open311_keys import create_key
from gongzhi.concerns.tests.conftest import category
from gongzhi.core import columns
from gongzhi.core.pages import MAX_ID, parse_int
from gongzhi.visits.models import Visit

pytestmark = pytest.mark.django_db
HUGE = 2**64 + 7
SURROGATE = "漏水\ud800"


def _post_json(client, path, body):
    # json.dumps writes a lone surrogate as the escape "\ud800", as any JSON client may.
    return client.post(path, data=json.dumps(body), content_type="application/json")


@pytest.fixture
def worker(client, world):
    category()
    client.force_login(world.users["grid_worker"])
    return client


@pytest.mark.parametrize("text", ["²", "٣", "１２", "-1", "+1", "1e3", " ", "", None, str(2**63), str(HUGE)])
def test_parse_int_refuses_what_is_no_ascii_number_in_range(text):
    assert parse_int(text) is None


def test_parse_int_reads_ascii_numbers_within_its_bounds():
    assert parse_int(" 42 ") == 42
    assert parse_int(str(MAX_ID)) == MAX_ID
    assert parse_int("7", low=1, high=5) is None


def test_a_huge_household_id_is_a_400_naming_the_field(worker):
    body = {"category": "parking", "description": "楼道堆物", "household_id": HUGE}
    response = _post_json(worker, "/api/v1/concerns", body)
    assert response.status_code == 400, response.content
    assert "household_id" in response.json()["errors"]
    assert not Concern.objects.exists()


def test_a_count_beyond_its_column_is_refused_naming_the_field(worker, world):
    # 2**40 fits Python and SQLite but not PostgreSQL's integer column.
    body = {"category": "parking", "description": "楼道堆物", "households_affected": 2**40}
    body["household_id"] = world.household_a.pk
    response = _post_json(worker, "/api/v1/concerns", body)
    assert response.status_code in (400, 422), response.content
    assert "households_affected" in response.json()["errors"]
    assert not Concern.objects.exists()


@pytest.mark.parametrize("text", [SURROGATE, "漏水\x00"])
def test_a_concern_description_that_cannot_be_stored_is_a_400_naming_it(worker, text):
    response = _post_json(worker, "/api/v1/concerns", {"category": "parking", "description": text})
    assert response.status_code == 400, response.content
    assert list(response.json()["errors"]) == ["description"]
    assert not Concern.objects.exists()


@pytest.mark.parametrize("text", [SURROGATE, "漏水\x00"])
def test_a_visits_raised_problem_that_cannot_be_stored_is_a_400_naming_it(worker, world, text):
    body = {"household_id": world.household_a.pk, "raised": text}
    response = _post_json(worker, "/api/v1/visits", body)
    assert response.status_code == 400, response.content
    assert list(response.json()["errors"]) == ["raised"]
    assert not Visit.objects.exists()


def test_a_nested_key_is_named_with_its_path(worker):
    body = {"category": "parking", "description": "ok", "extra": [{"x\x00": 1}]}
    response = _post_json(worker, "/api/v1/concerns", body)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["extra[0]"]


def test_open311_form_fields_with_nul_are_a_georeport_400_naming_the_field(client, world):
    category()
    key = create_key(actor=None, subdistrict=world.subdistrict, name="app")[1]
    data = {
        "api_key": key,
        "service_code": "parking",
        "jurisdiction_id": world.subdistrict.code,
        "address_id": str(world.household_a.building_id),
        "description": "门口\x00占道",
    }
    response = client.post("/open311/v2/requests.json", data)
    assert response.status_code == 400, response.content
    assert "description" in response.json()[0]["description"]
    assert not Concern.objects.exists()


@pytest.mark.parametrize("request_id", ["²", "1²", str(HUGE), "-1"])
def test_open311_request_ids_of_other_digits_or_beyond_64_bits_are_not_found(client, request_id):
    assert client.get(f"/open311/v2/requests/{request_id}.json").status_code == 404


@pytest.mark.parametrize("address_id", ["²", str(HUGE)])
def test_open311_address_ids_of_other_digits_or_beyond_64_bits_are_a_400(client, world, address_id):
    category()
    key = create_key(actor=None, subdistrict=world.subdistrict, name="app")[1]
    data = {
        "api_key": key,
        "service_code": "parking",
        "jurisdiction_id": world.subdistrict.code,
        "address_id": address_id,
        "description": "门口占道",
    }
    response = client.post("/open311/v2/requests.json", data)
    assert response.status_code == 400, response.content
    assert "address_id" in response.json()[0]["description"]


def test_a_page_form_with_nul_is_a_400_page_naming_the_field(worker, world):
    response = worker.post("/concerns/new/", {"description": "a\x00b", "category": "parking"})
    assert response.status_code == 400
    assert "description" in response.content.decode()


def test_a_query_parameter_with_nul_is_a_400_page(worker):
    response = worker.get("/concerns/", {"q": "x\x00"})
    assert response.status_code == 400


@pytest.mark.parametrize("field", ["reporter_name", "idempotency_key"])
def test_api_text_longer_than_its_column_is_refused_naming_it(worker, world, field):
    body = {"category": "parking", "description": "楼道堆物", "household_id": world.household_a.pk}
    body[field] = "长" * 1000
    response = _post_json(worker, "/api/v1/concerns", body)
    assert response.status_code in (400, 422), response.content
    assert field in response.json()["errors"]
    assert not Concern.objects.exists()


def _text_fields():
    for model in apps.get_models():
        if not model.__module__.startswith("gongzhi."):
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.CharField | models.TextField) and not field.choices:
                yield model, field


def test_every_text_column_of_every_model_refuses_what_it_cannot_hold():
    """The class closed everywhere: whatever path reaches a model, its save refuses a CharField
    beyond max_length and NUL or surrogates in any text, naming the field (core/columns.py)."""
    checked = 0
    for model, field in _text_fields():
        bad = ["a\x00", "\udfff"]
        if isinstance(field, models.CharField) and field.max_length:
            bad.append("x" * (field.max_length + 1))
        for value in bad:
            instance = model()
            setattr(instance, field.attname, value)
            problems = columns.column_problems(instance)
            assert field.name in problems, (model.__name__, field.name, value[:5])
            with pytest.raises(ValidationError):
                columns.check_instance(instance)
        checked += 1
    assert checked > 100


def test_every_integer_column_refuses_numbers_beyond_its_postgresql_range():
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            bounds = columns.integer_range(field)
            if bounds is None:
                continue
            instance = model()
            setattr(instance, field.attname, bounds[1] + 1)
            assert field.name in columns.column_problems(instance), (model.__name__, field.name)


# Modules that read what a request carries; they parse numbers only through pages.parse_int.
BOUNDARY_NAMES = ("api.py", "open311.py", "open311_keys.py", "export_kinds.py", "forms.py", "urls.py")
# int() of values the platform computed itself, not of input.
INTERNAL_INTS = {("gongzhi/workforce/views.py", "int(s.worker)")}


def _boundary_modules():
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    for path in sorted((root / "gongzhi").rglob("*.py")):
        parts = path.relative_to(root).parts
        if "tests" in parts or "migrations" in parts:
            continue
        if path.name.startswith("views") or "views" in parts or path.name in BOUNDARY_NAMES:
            yield path.relative_to(root).as_posix(), path


def test_boundary_modules_parse_numbers_only_through_parse_int():
    """`"²".isdigit()` is true and `int("²")` fails; `int()` of a 30-digit string overflows every
    column. Views, API routers, Open311, forms and export parameters therefore call neither
    `int()` on what they read nor `str.isdigit()`: one parser (`core.pages.parse_int`) has the bounds."""
    import ast

    found = []
    for name, path in _boundary_modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if isinstance(func, ast.Name) and func.id == "int" and node.args:
                if (
                    not isinstance(node.args[0], ast.Constant)
                    and (name, ast.unparse(node)) not in INTERNAL_INTS
                ):
                    found.append(f"{name}:{node.lineno} {ast.unparse(node)}")
            if isinstance(func, ast.Attribute) and func.attr in ("isdigit", "isdecimal", "isnumeric"):
                found.append(f"{name}:{node.lineno} {ast.unparse(node)}")
    assert not found, found


@pytest.mark.parametrize("year", ["0", "99999", "-1"])
def test_api_years_outside_the_calendar_are_refused_not_a_server_error(client, world, year):
    """Found by `make fuzz`: `?year=0` reached `date(0, 1, 1)`."""
    client.force_login(world.users["subdistrict_admin"])
    paths = [
        f"/api/v1/property/neighborhoods/{world.neighborhood_a.pk}/ranking",
        f"/api/v1/property/compounds/{world.household_a.building.compound_id}/figures",
        "/api/v1/workforce/training",
    ]
    for path in paths:
        assert client.get(path, {"year": year}).status_code == 422, path
