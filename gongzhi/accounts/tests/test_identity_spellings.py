"""Issue 19, finding 1: every spelling of one identity (full-width letters, compatibility forms,
case variants, surrounding spaces) counts, throttles and authenticates as one, for passwords,
SMS sign-in codes, API tokens and Open311 keys alike."""

import pytest
from django.urls import reverse

from gongzhi.accounts import services
from gongzhi.accounts.models import User
from gongzhi.accounts.tests.residents import last_code, send_code
from gongzhi.core import identity
from gongzhi.core.tokens import create_token
from gongzhi.org.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "gongzhi-test-pass"
# wang as a probe would type it: full-width, a compatibility letter (ʷ), case, spaces of both widths.
SPELLINGS = ["ｗａｎｇ", "ʷang", "WANG", " Wang ", "\u3000ｗang\u3000", "wang"]
PHONE = "13912345678"
PHONE_SPELLINGS = ["１３９１２３４５６７８", " 139 1234 5678 ", "139-1234-5678", "＋８６13912345678"]


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def sign_in(client, username, password, ip="10.0.0.1"):
    return client.post(
        reverse("accounts:login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_every_spelling_of_a_name_has_one_account_key():
    assert {identity.account_key(s) for s in SPELLINGS} == {"wang"}


def test_failures_under_different_spellings_lock_the_account_for_every_spelling(client):
    UserFactory(username="wang")
    for spelling in SPELLINGS[:5]:
        sign_in(client, spelling, "wrong")
    for spelling in SPELLINGS:
        assert sign_in(client, spelling, PASSWORD).status_code == 429, spelling


def test_a_locked_account_with_the_right_password_under_a_look_alike_spelling_is_refused(client):
    UserFactory(username="wang")
    for _ in range(5):
        sign_in(client, "wang", "wrong")
    response = sign_in(client, "ｗａｎｇ", PASSWORD)
    assert response.status_code == 429 and "次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_account_wide_lock_holds_for_every_spelling_from_many_clients(client):
    UserFactory(username="wang")
    for i in range(20):
        sign_in(client, SPELLINGS[i % len(SPELLINGS)], "wrong", ip=f"10.1.0.{i}")
    for spelling in SPELLINGS:
        assert sign_in(client, spelling, PASSWORD, ip="10.2.0.1").status_code == 429, spelling


def test_a_look_alike_spelling_of_an_unlocked_account_still_signs_in(client):
    UserFactory(username="wang")
    assert sign_in(client, "ｗａｎｇ", PASSWORD).status_code == 302


def test_the_admin_sign_in_goes_through_the_lockout(client):
    UserFactory(username="wang", is_staff=True)
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def _resident_with_password(client) -> User:
    user = services.open_resident_account(phone=PHONE)
    user.set_password("lantern-river-42")
    user.save()
    return user


def phone_password(client, phone, password):
    return client.post(reverse("accounts:phone"), {"step": "password", "phone": phone, "password": password})


def test_phone_password_failures_under_any_spelling_of_the_phone_lock_every_spelling(client, world):
    _resident_with_password(client)
    for spelling in PHONE_SPELLINGS + [PHONE]:
        phone_password(client, spelling, "wrong-password")
    for spelling in PHONE_SPELLINGS + [PHONE]:
        assert phone_password(client, spelling, "lantern-river-42").status_code == 429, spelling


def test_a_full_width_phone_is_the_same_phone_and_the_same_account(client, world):
    user = _resident_with_password(client)
    assert {services.phone_account_name(s) for s in PHONE_SPELLINGS} == {services.phone_account_name(PHONE)}
    assert send_code(client, PHONE_SPELLINGS[0]).status_code == 200
    code = last_code(PHONE)  # the SMS goes to the one number, in ASCII digits
    response = client.post(reverse("accounts:phone"), {"step": "verify", "code": full_width(code)})
    assert response.status_code == 302
    assert User.objects.filter(kind=User.Kind.RESIDENT).count() == 1
    assert int(client.session["_auth_user_id"]) == user.pk


def test_wrong_codes_under_any_spelling_of_the_phone_use_up_the_one_codes_tries(client, world):
    from django.core.exceptions import ValidationError

    send_code(client, PHONE)
    code = last_code(PHONE)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for i in range(services.CODE_ATTEMPTS):
        with pytest.raises(ValidationError):
            services.sign_in_with_phone_code(
                phone=PHONE_SPELLINGS[i % len(PHONE_SPELLINGS)], code=full_width(wrong)
            )
    with pytest.raises(ValidationError):
        services.sign_in_with_phone_code(phone=PHONE, code=code)


def test_code_requests_under_any_spelling_count_towards_the_one_phones_limit(client, world):
    for i in range(services.SENDS_PER_PHONE):
        assert send_code(client, PHONE_SPELLINGS[i % len(PHONE_SPELLINGS)]).status_code == 200
    assert send_code(client, PHONE).status_code == 429


def test_phone_digits_of_other_scripts_are_refused_not_stored_as_another_phone(client, world):
    arabic_indic = "139" + "".join(chr(0x0660 + int(d)) for d in PHONE[3:])
    response = send_code(client, arabic_indic)
    assert response.status_code == 400 and not services.phone_account_name(arabic_indic)


def bearer(client, token, path="/api/v1/me", ip="10.0.0.1"):
    return client.get(path, HTTP_AUTHORIZATION=f"Bearer {token}", REMOTE_ADDR=ip)


def test_a_token_in_a_look_alike_spelling_is_the_same_token(client):
    _item, token = create_token(actor=None, user=UserFactory(username="fieldapp"), name="phone")
    assert bearer(client, full_width(token)).json()["username"] == "fieldapp"


@pytest.fixture
def no_held_clients():
    from gongzhi import api

    yield
    api._held.clear()  # the process remembers held addresses for a minute: not into other tests


def test_wrong_tokens_in_any_spelling_are_throttled_per_client_and_the_right_one_then_waits(
    client, no_held_clients
):
    from gongzhi.api import BAD_TOKENS_PER_MINUTE

    _item, token = create_token(actor=None, user=UserFactory(username="fieldapp"), name="phone")
    wrong = "gz_" + "x" * 43
    for i in range(BAD_TOKENS_PER_MINUTE):
        spelled = [wrong, full_width(wrong), wrong.upper()][i % 3]
        assert bearer(client, spelled, ip="10.66.0.1").status_code == 401
    assert bearer(client, token, ip="10.66.0.1").status_code == 429
    assert bearer(client, token, ip="10.66.0.2").status_code == 200  # another client is not held up
