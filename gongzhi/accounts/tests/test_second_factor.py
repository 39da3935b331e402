"""Staff sign in with password plus a TOTP code; recovery codes work once; codes cannot be replayed."""

import pytest
from django.urls import reverse

from gongzhi.accounts import services, totp
from gongzhi.accounts.models import TotpDevice
from gongzhi.org.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "gongzhi-test-pass"


@pytest.fixture
def mfa(settings):
    settings.MFA_REQUIRED = True


def enrolled(username="wang"):
    user = UserFactory(username=username)
    device = services.start_enrollment(user=user)
    codes = services.confirm_enrollment(user=user, code=totp.code_at(device.secret, totp.current_step()))
    device.refresh_from_db()
    # The enrolment code's step is used; the next valid code is the following step's.
    return user, device, codes


def sign_in(client, username="wang"):
    return client.post(reverse("accounts:login"), {"username": username, "password": PASSWORD})


def test_password_alone_does_not_sign_in_an_enrolled_staff_member(client, mfa):
    enrolled()
    response = sign_in(client)
    assert response.url == reverse("accounts:mfa")
    assert client.get(reverse("core:workbench")).status_code == 302


def test_code_from_the_app_completes_sign_in_once_only(client, mfa):
    _user, device, _codes = enrolled()
    sign_in(client)
    code = totp.code_at(device.secret, totp.current_step() + 1)
    assert client.post(reverse("accounts:mfa"), {"code": code}).status_code == 302
    assert client.get(reverse("core:workbench")).status_code == 200
    client.logout()
    sign_in(client)
    assert client.post(reverse("accounts:mfa"), {"code": code}).status_code == 400  # replay refused


def test_recovery_code_works_once(client, mfa):
    _user, _device, codes = enrolled()
    sign_in(client)
    assert client.post(reverse("accounts:mfa"), {"code": codes[0]}).status_code == 302
    client.logout()
    sign_in(client)
    assert client.post(reverse("accounts:mfa"), {"code": codes[0]}).status_code == 400


def test_staff_without_a_second_factor_must_enrol_before_anything_else(client, mfa):
    UserFactory(username="new")
    sign_in(client, "new")
    response = client.get(reverse("core:workbench"))
    assert response.status_code == 302 and response.url == reverse("accounts:mfa_setup")
    assert client.get("/api/v1/households").status_code == 401
    page = client.get(reverse("accounts:mfa_setup"))
    assert page.status_code == 200 and b"data:image/svg+xml" in page.content
    secret = TotpDevice.objects.get(user__username="new").secret
    assert client.post(reverse("accounts:mfa_setup"), {"code": "000000"}).status_code == 400
    done = client.post(reverse("accounts:mfa_setup"), {"code": totp.code_at(secret, totp.current_step())})
    assert done.status_code == 200 and len(done.context["codes"]) == 10
    assert client.get(reverse("core:workbench")).status_code == 200


def test_second_factor_secret_is_encrypted_at_rest(mfa):
    from django.db import connection

    _user, device, _codes = enrolled()
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM accounts_totpdevice WHERE id = %s", [device.pk])
        assert device.secret not in cursor.fetchone()[0]


def test_wrong_codes_count_towards_lockout(client, mfa):
    enrolled()
    sign_in(client)
    for _ in range(5):
        client.post(reverse("accounts:mfa"), {"code": "123456"})
    _u, device, _c = None, TotpDevice.objects.get(), None
    good = totp.code_at(device.secret, totp.current_step() + 1)
    assert client.post(reverse("accounts:mfa"), {"code": good}).status_code == 400


def test_rfc6238_reference_vector():
    # RFC 6238 appendix B, SHA-1 secret "12345678901234567890", T = 59 s → 94287082 (8 digits).
    import base64

    secret = base64.b32encode(b"12345678901234567890").decode()
    assert totp.code_at(secret, 59 // 30) == "287082"
