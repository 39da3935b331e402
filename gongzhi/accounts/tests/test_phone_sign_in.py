"""Residents sign in with a 6-digit code sent by SMS: hashed at rest, 5 minutes, single use,
5 tries, send limits per phone and per client, no enumeration, linked to the register."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.accounts import services
from gongzhi.accounts.models import PhoneCode, User
from gongzhi.accounts.tests.residents import last_code, send_code, sign_in_by_phone
from gongzhi.core import pii
from gongzhi.core.models import AuditRecord
from gongzhi.notifications.models import Message

pytestmark = pytest.mark.django_db
UNKNOWN = "13912345678"


def test_a_known_phone_signs_in_and_is_linked_to_its_register_entry(client, world):
    resident = world.resident_a
    response = sign_in_by_phone(client, resident.phone)
    assert response.url == reverse("core:workbench")  # the resident home
    resident.refresh_from_db()
    user = resident.user
    assert user.kind == User.Kind.RESIDENT and not user.has_usable_password()
    assert user.phone == resident.phone and user.phone_digest == resident.phone_digest
    assert AuditRecord.objects.filter(action="login", actor_id=user.pk).exists()
    page = client.get(reverse("accounts:me"))
    assert page.status_code == 200 and resident.name in page.content.decode()


def test_an_unknown_phone_gets_a_plain_resident_account(client, world):
    sign_in_by_phone(client, UNKNOWN)
    user = User.objects.get(kind=User.Kind.RESIDENT)
    assert not hasattr(user, "resident") or user.resident is None
    assert "你的手机号不在" in client.get(reverse("accounts:me")).content.decode()


def _page_without(response, phone: str) -> str:
    """The page with the masked number and the per-request CSRF token taken out."""
    text = response.content.decode().replace(pii.mask_phone(phone), "PHONE")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)


def test_the_answer_is_the_same_for_known_and_unknown_phones(client, world):
    known = send_code(client, world.resident_a.phone)
    client.post(reverse("accounts:phone_restart"))
    unknown = send_code(client, UNKNOWN)
    assert known.status_code == unknown.status_code == 200
    assert _page_without(known, world.resident_a.phone) == _page_without(unknown, UNKNOWN)
    assert Message.objects.filter(channel="sms").count() == 2


def test_codes_are_stored_only_as_keyed_hashes(client, world):
    send_code(client, UNKNOWN)
    code = last_code(UNKNOWN)
    row = PhoneCode.objects.get()
    assert code not in row.code_digest and len(row.code_digest) == 64
    assert row.expires_at - row.created_at == timedelta(minutes=5)


def test_the_phone_is_never_taken_from_the_url(client, world):
    client.get(reverse("accounts:phone") + f"?phone={UNKNOWN}&step=send")
    assert not Message.objects.exists()


def test_a_code_works_once(client, world):
    send_code(client, UNKNOWN)
    code = last_code(UNKNOWN)
    assert services.sign_in_with_phone_code(phone=UNKNOWN, code=code)
    with pytest.raises(Exception, match="验证码错误|wrong"):
        services.sign_in_with_phone_code(phone=UNKNOWN, code=code)


def test_an_expired_code_is_refused(client, world):
    send_code(client, UNKNOWN)
    PhoneCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.post(reverse("accounts:phone"), {"step": "verify", "code": last_code(UNKNOWN)})
    assert response.status_code == 400 and not User.objects.filter(kind="resident").exists()


def test_five_wrong_tries_kill_the_code(client, world):
    send_code(client, UNKNOWN)
    code = last_code(UNKNOWN)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(5):
        assert client.post(reverse("accounts:phone"), {"step": "verify", "code": wrong}).status_code == 400
    assert PhoneCode.objects.get().attempts == 5
    assert client.post(reverse("accounts:phone"), {"step": "verify", "code": code}).status_code == 400
    assert not User.objects.filter(kind="resident").exists()


def test_only_the_newest_code_counts(client, world):
    send_code(client, UNKNOWN)
    first = last_code(UNKNOWN)
    send_code(client, UNKNOWN)
    if first != last_code(UNKNOWN):
        response = client.post(reverse("accounts:phone"), {"step": "verify", "code": first})
        assert response.status_code == 400


def test_sends_are_limited_per_phone(client, world):
    for _ in range(services.SENDS_PER_PHONE):
        assert send_code(client, UNKNOWN).status_code == 200
    assert send_code(client, UNKNOWN).status_code == 429
    assert Message.objects.filter(channel="sms").count() == services.SENDS_PER_PHONE


def test_sends_are_limited_per_client_across_phones(client, world):
    for i in range(services.SENDS_PER_CLIENT):
        assert send_code(client, f"139000000{i:02d}").status_code == 200
    assert send_code(client, "13800000099").status_code == 429


def test_a_bad_number_names_the_field_and_sends_nothing(client, world):
    response = send_code(client, "12345")
    assert response.status_code == 400 and "11位" in response.content.decode()
    assert not Message.objects.exists() and not PhoneCode.objects.exists()


def test_a_phone_shared_by_two_register_entries_links_to_neither(client, world):
    world.resident_a2.set_phone(world.resident_a.phone)
    world.resident_a2.save()
    sign_in_by_phone(client, world.resident_a.phone)
    world.resident_a.refresh_from_db()
    world.resident_a2.refresh_from_db()
    assert world.resident_a.user is None and world.resident_a2.user is None


def test_residents_see_no_staff_pages(client, world):
    sign_in_by_phone(client, world.resident_a.phone)
    assert client.get("/").status_code == 200  # the resident home, not the staff workbench
    for url in (
        "/org/households/",
        "/concerns/",
        "/audit/",
        "/admin/",
        reverse("accounts:requests"),
        reverse("deliberation:vote_create"),
    ):
        assert client.get(url).status_code == 404, url  # staff pages look absent to a resident
    assert client.get(reverse("concerns:resident_report")).status_code == 200
    assert client.get(reverse("deliberation:votes")).status_code == 200  # their own votes to cast
    assert client.get(reverse("notifications:inbox")).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_two_first_sign_ins_of_one_phone_at_once_make_one_account(world):
    from django.db import connection

    from gongzhi.core.testing import run_together

    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    codes = []
    for _ in range(2):
        services.request_phone_code(phone=UNKNOWN, client=f"10.0.0.{len(codes)}")
        codes.append(last_code(UNKNOWN))
    # Two codes: the first was superseded by the second, so give each call the live one.
    live = codes[-1]
    PhoneCode.objects.update(used_at=None)
    outcomes = run_together(
        lambda: services.sign_in_with_phone_code(phone=UNKNOWN, code=live),
        lambda: services.sign_in_with_phone_code(phone=UNKNOWN, code=live),
    )
    users = [o for o in outcomes if isinstance(o, User)]
    assert len(users) == 1, outcomes
    assert User.objects.filter(kind="resident").count() == 1


def test_a_resident_with_a_password_signs_in_with_phone_and_password(client, world):
    phone = world.resident_a.phone
    sign_in_by_phone(client, phone)
    user = User.objects.get(phone_digest=world.resident_a.phone_digest)
    user.set_password("lantern-river-42")
    user.save()
    client.logout()
    form = {"step": "password", "phone": phone, "password": "lantern-river-42"}
    assert client.post(reverse("accounts:phone"), form).url == reverse("core:workbench")


def test_phone_and_password_failures_look_alike_and_lock_after_five(client, world):
    unknown = client.post(
        reverse("accounts:phone"), {"step": "password", "phone": UNKNOWN, "password": "x" * 10}
    )
    sign_in_by_phone(client, world.resident_a.phone)  # an account without a password
    client.logout()
    no_password = client.post(
        reverse("accounts:phone"), {"step": "password", "phone": world.resident_a.phone, "password": "x" * 10}
    )
    assert unknown.status_code == no_password.status_code == 400
    assert (
        "手机号或密码错误" in unknown.content.decode() and "手机号或密码错误" in no_password.content.decode()
    )
    for _ in range(4):
        client.post(reverse("accounts:phone"), {"step": "password", "phone": UNKNOWN, "password": "y" * 10})
    locked = client.post(
        reverse("accounts:phone"), {"step": "password", "phone": UNKNOWN, "password": "z" * 10}
    )
    assert locked.status_code == 429
