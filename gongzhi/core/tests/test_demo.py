"""Core's demo: export requests on a small demo town, loaded once."""

from functools import cache

import pytest

from gongzhi.core import demo, exports
from gongzhi.core.models import ExportRequest
from gongzhi.org.demo import loader
from gongzhi.org.demo.generator import generate_town

pytestmark = pytest.mark.django_db


@cache
def small_town():
    return generate_town(households=500, seed=5)


def test_demo_export_requests_load_once_and_wait_for_the_admin():
    assert "no demo town" in demo.load_demo()
    loader.load_town(small_town(), progress=None)
    first, second = demo.load_demo(), demo.load_demo()
    assert "2 export requests" in first and "nothing changed" in second
    pending = ExportRequest.objects.get(purpose=demo.PURPOSE)
    assert pending.status == "pending" and ExportRequest.objects.count() == 2
    admin = pending.requested_by.__class__.objects.get(username="admin")
    assert exports.requests_visible_to(admin).filter(pk=pending.pk).exists()
