"""Re-authentication: changing the password or the second factor (and whatever else uses
`require_recent_auth`) needs a sign-in less than 5 minutes old; otherwise the user proves it again."""

import time

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from gongzhi.accounts import services, totp
from gongzhi.accounts.models import LoginThrottle
from gongzhi.accounts.tests.residents import last_code, sign_in_by_phone
from gongzhi.core import reauth
from gongzhi.org.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "gongzhi-test-pass"


def age_sign_in(client, seconds: int = 6 * 60) -> None:
    session = client.session
    session[reauth.AUTHENTICATED_AT] = time.time() - seconds
    session.save()


def test_a_fresh_sign_in_may_change_the_password(client):
    client.force_login(UserFactory(username="wang"))
    assert client.get(reverse("accounts:password_change")).status_code == 200


def test_an_old_sign_in_is_sent_to_confirm_first_and_comes_back(client):
    client.force_login(UserFactory(username="wang"))
    age_sign_in(client)
    response = client.get(reverse("accounts:password_change"))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:reauth"))
    back = client.post(response.url, {"password": PASSWORD, "next": reverse("accounts:password_change")})
    assert back.url == reverse("accounts:password_change")
    assert client.get(reverse("accounts:password_change")).status_code == 200


def test_a_wrong_password_does_not_confirm_and_counts_towards_lockout(client):
    client.force_login(UserFactory(username="wang"))
    age_sign_in(client)
    response = client.post(reverse("accounts:reauth"), {"password": "wrong-pass"})
    assert response.status_code == 400 and "验证未通过" in response.content.decode()
    assert LoginThrottle.objects.get(key="account:wang").failures == 1
    assert client.get(reverse("accounts:password_change")).status_code == 302


def test_staff_with_an_authenticator_confirm_with_password_and_code(client):
    user = UserFactory(username="wang")
    device = services.start_enrollment(user=user)
    services.confirm_enrollment(user=user, code=totp.code_at(device.secret, totp.current_step()))
    device.refresh_from_db()
    user.refresh_from_db()  # enrolment moved the session epoch on
    client.force_login(user)
    age_sign_in(client)
    assert client.post(reverse("accounts:reauth"), {"password": PASSWORD}).status_code == 400
    code = totp.code_at(device.secret, device.last_used_step + 1)
    ok = client.post(reverse("accounts:reauth"), {"password": PASSWORD, "code": code, "next": "/"})
    assert ok.status_code == 302 and reauth.recently_authenticated(ok.wsgi_request)


def test_replacing_the_second_factor_needs_a_recent_sign_in(client):
    user = UserFactory(username="wang")
    device = services.start_enrollment(user=user)
    services.confirm_enrollment(user=user, code=totp.code_at(device.secret, totp.current_step()))
    user.refresh_from_db()
    client.force_login(user)
    age_sign_in(client)
    assert client.post(reverse("accounts:mfa_reset")).url.startswith(reverse("accounts:reauth"))
    assert services.has_confirmed_device(user)
    session = client.session
    session[reauth.AUTHENTICATED_AT] = time.time()
    session.save()
    assert client.post(reverse("accounts:mfa_reset")).url == reverse("accounts:mfa_setup")
    assert not services.has_confirmed_device(user) and not user.recovery_codes.exists()


def test_a_resident_without_password_confirms_by_a_fresh_code(client, world):
    phone = world.resident_a.phone
    sign_in_by_phone(client, phone)
    age_sign_in(client)
    target = reverse("accounts:password_set")
    assert client.get(target).url.startswith(reverse("accounts:reauth"))
    client.post(reverse("accounts:reauth"), {"step": "send"})
    response = client.post(reverse("accounts:reauth"), {"code": last_code(phone), "next": target})
    assert response.url == target
    done = client.post(target, {"new_password1": "lantern-river-42", "new_password2": "lantern-river-42"})
    assert done.status_code == 302
    world.resident_a.refresh_from_db()
    assert world.resident_a.user.check_password("lantern-river-42")


def test_api_handlers_answer_401_with_the_page_to_confirm_at():
    @reauth.require_recent_auth
    def export(request):
        return HttpResponse("file")

    request = RequestFactory().post("/api/v1/export")
    request.session = {}
    response = export(request)
    assert response.status_code == 401 and b"reauth" in response.content
    request.session = {reauth.AUTHENTICATED_AT: time.time()}
    assert export(request).content == b"file"


def test_an_expired_password_can_be_changed_after_re_authenticating(client, settings):
    from datetime import timedelta

    from django.utils import timezone

    settings.PASSWORD_PROFILE = "dengbao"
    user = UserFactory(username="wang")
    user.password_changed_at = timezone.now() - timedelta(days=91)
    user.save()
    client.force_login(user)
    age_sign_in(client)
    first = client.get(reverse("accounts:password_change"))
    assert first.url.startswith(reverse("accounts:reauth"))
    assert client.get(first.url).status_code == 200  # not sent back to the password page in a loop
    back = client.post(
        reverse("accounts:reauth"), {"password": PASSWORD, "next": reverse("accounts:password_change")}
    )
    assert client.get(back.url).status_code == 200


def test_a_stale_session_without_a_second_factor_re_authenticates_then_enrols(client, settings):
    settings.MFA_REQUIRED = True
    client.force_login(UserFactory(username="wang"))
    age_sign_in(client)
    first = client.get(reverse("accounts:mfa_setup"))
    assert first.url.startswith(reverse("accounts:reauth"))
    assert client.get(first.url).status_code == 200
    back = client.post(
        reverse("accounts:reauth"), {"password": PASSWORD, "next": reverse("accounts:mfa_setup")}
    )
    assert client.get(back.url).status_code == 200
