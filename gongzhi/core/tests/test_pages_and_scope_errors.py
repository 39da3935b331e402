"""One `require`, one place that answers scope and input errors for pages, shared page parsing."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone

from gongzhi.core import pages, permissions
from gongzhi.core.errors import NotInScope
from gongzhi.core.middleware import ScopeErrorsMiddleware


def test_require_lets_a_writer_through(world):
    permissions.require(world.users["neighborhood_secretary"], world.household_a)


def test_require_refuses_a_reader_who_may_not_write_with_403(world):
    with pytest.raises(PermissionDenied) as refused:
        permissions.require(world.users["stairwell_chief"], world.household_a, denied="不可修改")
    assert not isinstance(refused.value, NotInScope)
    assert str(refused.value) == "不可修改"


def test_require_makes_an_unreadable_record_look_absent(world):
    with pytest.raises(NotInScope):
        permissions.require(world.users["neighborhood_secretary"], world.household_far)


def _answer(exception, htmx=False):
    request = RequestFactory().get("/x", headers={"HX-Request": "true"} if htmx else {})
    request.user = None
    return ScopeErrorsMiddleware(lambda r: HttpResponse()).process_exception(request, exception)


@pytest.mark.django_db
def test_a_record_outside_the_area_answers_404_not_403():
    assert _answer(NotInScope("x")).status_code == 404


@pytest.mark.django_db
def test_a_refused_input_answers_400_naming_what_was_wrong():
    response = _answer(ValidationError({"amount": "金额不能为负"}))
    assert response.status_code == 400
    assert "金额不能为负" in response.content.decode()
    assert "输入未被接受" in response.content.decode()


@pytest.mark.django_db
def test_htmx_gets_the_reasons_alone_to_show_in_place():
    response = _answer(ValidationError("房号不存在"), htmx=True)
    assert response.status_code == 400
    assert "<html" not in response.content.decode() and "房号不存在" in response.content.decode()


def test_other_exceptions_pass_through():
    assert _answer(PermissionDenied("no")) is None


@pytest.mark.parametrize(
    "value, expected",
    [
        ("12", 12),
        (" 7 ", 7),
        ("0", 0),
        ("²", None),
        ("١٢", None),
        ("-3", None),
        ("", None),
        (None, None),
        ("9" * 30, None),
        (str(2**63 - 1), 2**63 - 1),
        (str(2**63), None),
        ("1e3", None),
    ],
)
def test_parse_int_takes_ascii_digits_within_64_bits(value, expected):
    assert pages.parse_int(value) == expected


def test_parse_int_bounds():
    assert pages.parse_int("13", low=1, high=12) is None


def test_parse_month_falls_back_to_this_month():
    assert pages.parse_month("2026-11") == date(2026, 11, 1)
    this_month = timezone.localdate().replace(day=1)
    for bad in ("2026-13", "2026", "abc", None, "2026-1-1", "²⁰²⁶-11"):
        assert pages.parse_month(bad) == this_month


def test_form_errors_put_fieldless_errors_under_general():
    assert pages.form_errors(ValidationError("坏")) == {"general": ["坏"]}
    assert pages.form_errors(ValidationError({"__all__": ["坏"], "name": ["空"]})) == {
        "general": ["坏"],
        "name": ["空"],
    }
