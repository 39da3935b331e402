"""Issue 23 item 6: 400, 403, 404 and 500 answer in Chinese, in the site's layout, saying what
happened and where to go; an htmx request gets the same words as a fragment to show in place."""

import pytest
from django.test import Client, override_settings

from gongzhi.core.error_views import BARE_500

pytestmark = [pytest.mark.django_db, pytest.mark.urls("gongzhi.core.tests.error_urls")]

HEADINGS = {400: "无法读取该请求", 403: "您无权进行此操作", 404: "页面不存在", 500: "系统出错"}
PATHS = {400: "/test-errors/400/", 403: "/test-errors/403/", 404: "/no-such-page/", 500: "/test-errors/500/"}
ENGLISH = ["Forbidden", "Not Found", "requested resource", "Server Error", "Bad Request"]


def _client(world, code="neighborhood_secretary"):
    client = Client(raise_request_exception=False)
    client.force_login(world.users[code])
    return client


@override_settings(DEBUG=False)
@pytest.mark.parametrize("status", [400, 403, 404, 500])
def test_each_error_is_a_chinese_page_in_the_layout(world, status):
    response = _client(world).get(PATHS[status])
    body = response.content.decode()
    assert response.status_code == status
    assert HEADINGS[status] in body
    assert 'class="topbar"' in body and 'id="mainnav"' in body  # the site's layout with its menu
    assert 'href="/"' in body and "回到工作台或首页" in body  # where to go
    assert not any(word in body for word in ENGLISH)


@override_settings(DEBUG=False)
@pytest.mark.parametrize("status", [400, 403, 404, 500])
def test_htmx_gets_the_error_as_a_fragment(world, status):
    response = _client(world).get(PATHS[status], headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == status
    assert "<html" not in body and 'role="alert"' in body and f'data-error="{status}"' in body
    assert HEADINGS[status] in body
    assert not any(word in body for word in ENGLISH)


@override_settings(DEBUG=False)
def test_a_refusal_says_why(world):
    body = _client(world).get(PATHS[403]).content.decode()
    assert "您不能修改这条记录。" in body


@override_settings(DEBUG=False)
def test_anonymous_visitors_are_pointed_to_sign_in():
    response = Client().get("/no-such-page/")
    body = response.content.decode()
    assert response.status_code == 404 and "页面不存在" in body
    assert "/accounts/login/?next=/no-such-page/" in body


@override_settings(DEBUG=False)
def test_a_duty_account_outside_its_pages_gets_the_chinese_403(world):
    response = _client(world, "auditor").get("/concerns/")
    body = response.content.decode()
    assert response.status_code == 403
    assert HEADINGS[403] in body and "不在你账号的职责范围内" in body


@override_settings(DEBUG=False)
def test_a_record_outside_the_area_is_the_chinese_404(world):
    response = _client(world).get(f"/org/households/{world.household_far.pk}/")
    assert response.status_code == 404
    assert HEADINGS[404] in response.content.decode()


@override_settings(DEBUG=False)
def test_a_500_that_cannot_draw_the_layout_still_answers_in_chinese(world, monkeypatch):
    from gongzhi.core import error_views

    def broken(*args, **kwargs):
        raise RuntimeError("the database is down")

    monkeypatch.setattr(error_views, "render_to_string", broken)
    response = _client(world).get(PATHS[500])
    assert response.status_code == 500
    assert response.content.decode() == BARE_500


@override_settings(DEBUG=False)
def test_a_form_with_an_expired_csrf_token_gets_the_chinese_403(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["neighborhood_secretary"])
    response = client.post("/concerns/new/", {"title": "x"})
    body = response.content.decode()
    assert response.status_code == 403
    assert "表单已过期" in body and "CSRF" not in body
