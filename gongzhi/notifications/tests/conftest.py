import pytest


@pytest.fixture(autouse=True)
def _outbox_in_tmp(settings, tmp_path):
    """Each test writes its development outbox to its own folder; no webhook unless a test sets one."""
    settings.VAR_DIR = tmp_path
    settings.GONGZHI_WEBHOOK_URL = ""
    settings.GONGZHI_SMS_CHANNEL = ""
    settings.GONGZHI_NOTIFY_CHANNELS = ""
    settings.GONGZHI_WEBHOOK_SECRET = "test-secret"
    settings.GONGZHI_WEBHOOK_TIMEOUT = "1"
