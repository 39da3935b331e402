"""Test-wide setup. Each test database is migrated from the committed migrations."""

import os

import pytest
from django.conf import settings
from hypothesis import settings as hypothesis_settings

# CI explores the same examples on every run, so a red build always reproduces.
hypothesis_settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


def pytest_configure(config):
    # The append-only audit triggers let only a purge-permitted connection delete rows; the
    # suite's flush between transactional tests is such a purge (core/db.py).
    settings.AUDIT_PURGE_ALLOWED = True
    # Real hashing costs ~0.3 s a password; tests create hundreds of accounts.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Page tests sign in with force_login; the second factor has tests of its own that turn it on.
    settings.MFA_REQUIRED = False
    if os.environ.get("GONGZHI_TASKS") == "database":
        # The deployed shape: both aliases write task rows, and the suite's worker runs them
        # right after the commit that enqueued them (core/testing.py).
        from django.tasks.signals import task_enqueued

        from gongzhi.core.testing import run_tasks_after_commit

        task_enqueued.connect(run_tasks_after_commit, dispatch_uid="suite-worker")
    else:
        # Work a person waits on runs inline in tests (a thread would outlive the test's transaction).
        settings.TASKS = {
            **settings.TASKS,
            "background": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"},
        }


@pytest.fixture(autouse=True)
def _audit_anchors_of_this_test(settings, tmp_path):
    """Each test's audit checkpoints and purge markers in a file of its own, never var/'s."""
    settings.AUDIT_CHECKPOINTS = str(tmp_path / "audit-checkpoints.jsonl")


@pytest.fixture(autouse=True)
def _english_free_tests(settings):
    """Pages are asserted in Chinese, the UI's default language."""
    settings.LANGUAGE_CODE = "zh-hans"


@pytest.fixture(autouse=True)
def _fresh_rule_caches():
    """Rolled-back rows send no signal: each test starts with empty per-process rule caches."""
    from gongzhi.core.memo import clear_all

    clear_all()
    yield
    clear_all()


@pytest.fixture
def real_workers():
    """For a test that runs `gongzhi worker` processes or reads the queue itself: the suite's worker
    stands aside."""
    from gongzhi.core.testing import suite_worker_enabled

    suite_worker_enabled(False)
    yield
    suite_worker_enabled(True)


@pytest.fixture
def world(db):
    from gongzhi.org.testing import build_world

    return build_world()
