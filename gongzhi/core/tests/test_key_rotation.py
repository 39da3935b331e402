"""Key rotation and the SM4 option: old values stay readable, rotation rewrites them, lookups and
the audit chain keep working, and the old key can then be dropped."""

import io

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection

from gongzhi.core import audit, pii
from gongzhi.org import factories as f
from gongzhi.org import selectors
from gongzhi.org.models import Resident

pytestmark = pytest.mark.django_db


def raw_id_number(resident) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM org_resident WHERE id = %s", [resident.pk])
        return cursor.fetchone()[0]


@pytest.mark.parametrize("cipher", ["aes", "sm4"])
def test_rotation_to_a_new_key_keeps_everything_working(settings, world, cipher):
    old_key = settings.FIELD_ENCRYPTION_KEY
    resident = world.resident_a
    audit.record("update", summary="before rotation")
    settings.FIELD_ENCRYPTION_KEY, settings.FIELD_ENCRYPTION_OLD_KEYS = "a brand-new key", [old_key]
    settings.FIELD_CIPHER = cipher
    assert Resident.objects.get(pk=resident.pk).id_number == resident.id_number  # old key still reads

    call_command("keys", "rotate", stdout=io.StringIO())
    assert raw_id_number(resident).startswith(pii.current_header())
    secretary = world.users["neighborhood_secretary"]
    assert list(selectors.find_residents_by_number(secretary, resident.phone)) == [resident]
    assert audit.verify_chain().intact  # records written under the old key still verify

    settings.FIELD_ENCRYPTION_OLD_KEYS = []
    assert Resident.objects.get(pk=resident.pk).id_number == resident.id_number


def test_a_value_sealed_with_an_unknown_key_is_refused_loudly(settings):
    token = pii.encrypt("13812345678")
    settings.FIELD_ENCRYPTION_KEY = "some other key"
    with pytest.raises(ImproperlyConfigured):
        pii.decrypt(token)


def test_sm4_values_are_sm4_sealed(settings):
    settings.FIELD_CIPHER = "sm4"
    token = pii.encrypt("310113198001011234")
    assert token.startswith("s1.") and pii.decrypt(token) == "310113198001011234"


def test_rotation_rewrites_nothing_when_everything_is_current(world):
    out = io.StringIO()
    f.ResidentFactory()
    call_command("keys", "rotate", stdout=out)
    assert "org.Resident: 0 rows" in out.getvalue()
