"""Histories store "system" for work no person did; pages show it in Chinese and find it by 系统."""

import pytest
from django.urls import reverse

from gongzhi.core import audit
from gongzhi.core.actors import actor_name
from gongzhi.core.models import AuditRecord

pytestmark = pytest.mark.django_db


def test_no_person_labels_read_in_chinese():
    assert actor_name("system") == "系统" and actor_name("resident") == "居民"
    assert actor_name("王晓雯") == "王晓雯"


def test_the_audit_page_shows_and_finds_the_system_in_chinese(client, world):
    audit.record("create", world.household_a, actor=None, summary="定时任务")
    assert AuditRecord.objects.filter(actor_label="system", summary="定时任务").exists()
    client.force_login(world.users["subdistrict_admin"])
    page = client.get(reverse("core:audit"), {"actor": "系统"}).content.decode()
    assert "定时任务" in page and "<td>系统</td>" in page and "<td>system</td>" not in page
