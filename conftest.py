"""Test-wide setup. Each test database is migrated from the committed migrations."""

import pytest
from django.conf import settings


def pytest_configure(config):
    # The append-only audit triggers let only a purge-permitted connection delete rows; the
    # suite's flush between transactional tests is such a purge (core/db.py).
    settings.AUDIT_PURGE_ALLOWED = True


@pytest.fixture(autouse=True)
def _english_free_tests(settings):
    """Pages are asserted in Chinese, the UI's default language."""
    settings.LANGUAGE_CODE = "zh-hans"
