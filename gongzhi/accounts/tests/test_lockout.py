"""Lockout after repeated failures: per account and client, time-limited, shared by all processes;
the account-wide lock and the per-phone code limit do not block the owner's known devices."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.accounts import known_devices, services
from gongzhi.accounts.models import LoginThrottle
from gongzhi.core.middleware import client_ip
from gongzhi.core.models import AuditRecord
from gongzhi.core.testing import run_together
from gongzhi.org.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "gongzhi-test-pass"


def attempt(client, password, ip="10.0.0.1", username="wang"):
    return client.post(
        reverse("accounts:login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_five_failures_lock_that_client_out_even_with_the_right_password(client):
    UserFactory(username="wang")
    for _ in range(4):
        assert attempt(client, "wrong").status_code == 200
    assert attempt(client, "wrong").status_code == 429  # the fifth failure locks, and says so
    response = attempt(client, PASSWORD)
    assert response.status_code == 429 and "次数过多" in response.content.decode()


def test_another_client_can_still_sign_in_the_victim(client):
    UserFactory(username="wang")
    for _ in range(5):
        attempt(client, "wrong", ip="10.6.6.6")
    assert attempt(client, PASSWORD, ip="10.0.0.2").status_code == 302


def test_lock_lapses_after_fifteen_minutes(client):
    UserFactory(username="wang")
    for _ in range(5):
        attempt(client, "wrong")
    LoginThrottle.objects.update(locked_until=timezone.now() - timedelta(seconds=1))
    assert attempt(client, PASSWORD).status_code == 302


def test_success_is_audited_and_clears_the_clients_count(client):
    UserFactory(username="wang")
    attempt(client, "wrong")
    assert attempt(client, PASSWORD).status_code == 302
    assert AuditRecord.objects.filter(action="login", summary="wang").exists()
    assert not LoginThrottle.objects.filter(key__startswith="pair:").exists()


def test_twenty_failures_from_many_clients_lock_the_account_for_a_while(client):
    UserFactory(username="wang")
    for i in range(20):
        attempt(client, "wrong", ip=f"10.1.0.{i}")
    assert attempt(client, PASSWORD, ip="10.2.0.1").status_code == 429


@pytest.mark.django_db(transaction=True)
def test_concurrent_failures_are_all_counted():
    outcomes = run_together(*[lambda: services.record_failed_sign_in("li", "10.9.9.9")] * 4)
    assert outcomes == [None] * 4
    assert LoginThrottle.objects.get(key="pair:li|10.9.9.9").failures == 4


def test_next_parameter_cannot_redirect_off_site(client):
    UserFactory(username="wang")
    response = client.post(
        reverse("accounts:login"), {"username": "wang", "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response.status_code == 302 and response.url == "/"


# --- The account-wide lock cannot keep the owner out: known devices ---------------------------


def sign_out_keeping_the_device(client):
    """Sign out as the owner does (the test client's logout would drop every cookie)."""
    device = client.cookies[known_devices.COOKIE].value
    client.logout()
    client.cookies[known_devices.COOKIE] = device


def lock_the_account(client_class, username="wang"):
    """An attacker fails 20 times from 20 addresses, as often as they like."""
    attacker = client_class()
    for i in range(services.ACCOUNT_LIMIT):
        attempt(attacker, "wrong", ip=f"10.66.0.{i}", username=username)


def test_the_owners_known_device_signs_in_while_an_attacker_keeps_the_account_locked(client):
    from django.test import Client

    UserFactory(username="wang")
    assert attempt(client, PASSWORD, ip="10.0.0.2").status_code == 302  # the owner's phone, once
    sign_out_keeping_the_device(client)
    for _round in range(3):  # every 15 minutes, again and again
        LoginThrottle.objects.update(locked_until=timezone.now() - timedelta(seconds=1))
        lock_the_account(Client)
        assert attempt(Client(), PASSWORD, ip="10.0.0.3").status_code == 429  # strangers wait
        assert attempt(client, PASSWORD, ip="10.0.0.2").status_code == 302
        sign_out_keeping_the_device(client)


def test_a_known_device_still_meets_its_own_limit_of_five(client):
    UserFactory(username="wang")
    assert attempt(client, PASSWORD).status_code == 302
    sign_out_keeping_the_device(client)
    for _ in range(services.PAIR_LIMIT):
        attempt(client, "wrong")
    assert attempt(client, PASSWORD).status_code == 429


def test_a_forged_or_foreign_device_cookie_does_not_pass_the_account_lock(client):
    from django.test import Client

    UserFactory(username="wang")
    UserFactory(username="li")
    assert attempt(client, PASSWORD, username="li").status_code == 302  # known for li, not wang
    sign_out_keeping_the_device(client)
    lock_the_account(Client)
    assert attempt(client, PASSWORD).status_code == 429
    forged = Client()
    forged.cookies[known_devices.COOKIE] = '["' + known_devices._tag("wang") + '"]'
    assert attempt(forged, PASSWORD).status_code == 429


def test_a_known_device_gets_sign_in_codes_while_a_stranger_floods_its_number(client, world):
    from django.test import Client

    from gongzhi.accounts.tests.residents import send_code, sign_in_by_phone

    phone = world.resident_a.phone
    sign_in_by_phone(client, phone)
    sign_out_keeping_the_device(client)
    LoginThrottle.objects.all().delete()  # a fresh 15-minute window
    flood = Client()
    for i in range(services.SENDS_PER_PHONE):
        assert send_code(flood, phone).status_code == 200, i
    assert send_code(Client(), phone).status_code == 429  # the phone's own limit holds for strangers
    assert send_code(client, phone).status_code == 200
    for _ in range(services.SENDS_PER_PHONE - 1):
        send_code(client, phone)
    assert send_code(client, phone).status_code == 429  # five per phone and known client


# --- The client address behind a reverse proxy --------------------------------------------------


def forwarded(xff: str, remote: str = "10.0.0.9"):
    from django.test import RequestFactory

    return RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=xff)


def test_x_forwarded_for_is_ignored_without_trusted_proxies(settings):
    settings.TRUSTED_PROXIES = []
    assert client_ip(forwarded("1.2.3.4")) == "10.0.0.9"


def test_a_hop_count_takes_the_address_the_last_proxy_saw(settings):
    settings.TRUSTED_PROXIES = 1
    assert client_ip(forwarded("6.6.6.6, 1.2.3.4")) == "1.2.3.4"  # the client wrote 6.6.6.6
    assert client_ip(forwarded("")) == "10.0.0.9"
    settings.TRUSTED_PROXIES = 2
    assert client_ip(forwarded("6.6.6.6, 1.2.3.4, 10.0.0.8")) == "1.2.3.4"
    assert client_ip(forwarded("not-an-address, 10.0.0.8")) == "10.0.0.9"


def test_listed_proxies_are_skipped_from_the_nearest_hop(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24", "192.168.1.1"]
    assert client_ip(forwarded("6.6.6.6, 1.2.3.4, 192.168.1.1")) == "1.2.3.4"
    assert client_ip(forwarded("1.2.3.4", remote="8.8.8.8")) == "8.8.8.8"  # not our proxy: ignored


def test_lockout_counts_the_forwarded_client_behind_a_trusted_proxy(client, settings):
    settings.TRUSTED_PROXIES = 1
    UserFactory(username="wang")
    for _ in range(services.PAIR_LIMIT):
        client.post(
            reverse("accounts:login"),
            {"username": "wang", "password": "wrong"},
            REMOTE_ADDR="10.0.0.9",
            HTTP_X_FORWARDED_FOR="1.2.3.4",
        )
    assert LoginThrottle.objects.filter(key="pair:wang|1.2.3.4", locked_until__isnull=False).exists()
    other = client.post(
        reverse("accounts:login"),
        {"username": "wang", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.9",
        HTTP_X_FORWARDED_FOR="1.2.3.5",
    )
    assert other.status_code == 302
