"""Lockout after repeated failures: per account and client, time-limited, shared by all processes."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.accounts import services
from gongzhi.accounts.models import LoginThrottle
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
