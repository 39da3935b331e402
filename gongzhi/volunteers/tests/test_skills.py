"""Skills are stored as codes and read and searched in Chinese: typing 医疗 or medical stores and
finds the same talents; pages show 医疗, never `medical`."""

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from gongzhi.volunteers import skills
from gongzhi.volunteers import testing as t
from gongzhi.volunteers.models import Volunteer
from gongzhi.volunteers.services.common import clean_skills

pytestmark = pytest.mark.django_db


def test_typed_labels_and_aliases_are_stored_as_codes():
    assert clean_skills("医疗，驾驶") == "driving,medical"
    assert clean_skills("Medical、电工, medical") == "electrician,medical"
    assert clean_skills("剪纸") == "剪纸"  # a skill outside the list is kept as typed


def test_searching_in_chinese_finds_every_talent_of_the_skill(client, world):
    t.volunteer(world, "甲医生", skills="medical")
    t.volunteer(world, "乙护士", skills="医疗")
    t.volunteer(world, "丙司机", skills="driving,medical")
    t.volunteer(world, "丁电工", skills="电工")
    client.force_login(world.users["social_worker"])
    url = reverse("volunteers:list")
    for typed in ("医疗", "medical", "医"):
        page = client.get(url, {"skill": typed}).content.decode()
        assert all(name in page for name in ("甲医生", "乙护士", "丙司机")), typed
        assert "丁电工" not in page, typed


def test_pages_show_skills_in_chinese(client, world):
    person = t.volunteer(world, "甲医生", skills="medical,driving")
    client.force_login(world.users["social_worker"])
    listed = client.get(reverse("volunteers:list")).content.decode()
    detail = client.get(reverse("volunteers:volunteer", args=[person.pk])).content.decode()
    for page in (listed, detail):
        assert "驾驶、医疗" in page and ">medical" not in page and "driving" not in page


def test_stored_chinese_skills_become_codes(world):
    """The data migration: rows typed before the taxonomy are found like the others."""
    person = t.volunteer(world, "老数据", skills="medical")
    Volunteer.objects.filter(pk=person.pk).update(skills="医疗,驾驶")
    migration = importlib.import_module("gongzhi.volunteers.migrations.0009_skills_as_codes")
    migration.forwards(apps, None)
    person.refresh_from_db()
    assert person.skills == "driving,medical"


def test_every_skill_has_a_chinese_label():
    from django.utils import translation

    with translation.override("zh-hans"):
        for code, _name in skills.choices():
            assert skills.label(code) != code and not skills.label(code).isascii(), code
