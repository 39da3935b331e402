"""Password profiles: ASVS by default; 等保 adds character classes and 90-day rotation."""

from datetime import timedelta

import pytest
from django.contrib.auth.password_validation import get_default_password_validators, validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from gongzhi.accounts.passwords import PROFILES
from gongzhi.org.factories import UserFactory


@pytest.fixture
def dengbao(settings):
    settings.PASSWORD_PROFILE = "dengbao"
    settings.AUTH_PASSWORD_VALIDATORS = PROFILES["dengbao"]
    get_default_password_validators.cache_clear()
    yield
    get_default_password_validators.cache_clear()


@pytest.mark.parametrize("password", ["short", "password123", "12345678", "x" * 257])
def test_asvs_profile_refuses_short_common_and_absurd_passwords(password):
    with pytest.raises(ValidationError):
        validate_password(password)


def test_asvs_profile_accepts_a_long_plain_passphrase_without_composition_rules():
    validate_password("杨行镇的银杏叶黄了 we walk the lanes")
    validate_password("correct horse battery staple")


def test_dengbao_profile_needs_three_character_classes(dengbao):
    with pytest.raises(ValidationError):
        validate_password("correct horse battery staple")
    validate_password("Correct horse battery 9")


@pytest.mark.django_db
def test_dengbao_profile_sends_an_expired_password_to_the_change_page(client, dengbao):
    user = UserFactory(username="old")
    user.password_changed_at = timezone.now() - timedelta(days=91)
    user.save()
    client.force_login(user)
    response = client.get(reverse("core:workbench"))
    assert response.status_code == 302 and response.url == reverse("accounts:password_change")
    assert client.get(reverse("accounts:password_change")).status_code == 200


@pytest.mark.django_db
def test_asvs_profile_has_no_rotation(client):
    user = UserFactory(username="old")
    user.password_changed_at = timezone.now() - timedelta(days=400)
    user.save()
    client.force_login(user)
    assert client.get(reverse("core:workbench")).status_code == 200


@pytest.mark.django_db
def test_changing_the_password_restarts_the_rotation_clock(client, dengbao):
    user = UserFactory(username="old")
    user.password_changed_at = timezone.now() - timedelta(days=91)
    user.save()
    client.force_login(user)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": "gongzhi-test-pass",
            "new_password1": "Xin-mima-2026",
            "new_password2": "Xin-mima-2026",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.password_expired()
