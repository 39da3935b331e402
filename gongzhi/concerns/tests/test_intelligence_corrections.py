"""`gongzhi concerns train --corrections`: staff-confirmed categories become training rows."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command

from gongzhi.concerns.intelligence import classifier
from gongzhi.concerns.models import Category, Concern
from gongzhi.concerns.tests.conftest import concern_for

FIXTURES = Path(__file__).with_name("fixtures")
TEXT = "小区里宠物狗在电梯里随地大小便没人管"

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not any(f.name == "suggested_category" for f in Concern._meta.get_fields())
        or not any(f.name == "data_category" for f in Category._meta.get_fields()),
        reason="Concern.suggested_category / Category.data_category not migrated yet",
    ),
]


def _category(code: str, name: str, data_category: str) -> Category:
    item, _ = Category.objects.update_or_create(
        subdistrict=None, code=code, defaults={"name": name, "data_category": data_category}
    )
    return item


def test_corrections_are_learned_and_counted(world, tmp_path):
    pets = _category("pets", "宠物", "环境保护")
    education = _category("school", "教育", "教育文体")
    unmapped = _category("other", "其他", "")
    for i in range(25):  # staff moved the suggestion "education" to "pets"
        concern_for(world, category=pets, description=f"{TEXT}（{i}）", title=TEXT)
    Concern.objects.update(suggested_category=education, suggestion_confidence=0.4)
    concern_for(world, category=education, description="孩子上小学的学位问题", title="学位")
    Concern.objects.filter(category=education).update(suggested_category=education)
    concern_for(world, category=unmapped, description="别的事情", title="别的")
    Concern.objects.filter(category=unmapped).update(suggested_category=pets)
    concern_for(world, category=pets, description="没有建议的诉求", title="无建议")  # no suggestion: not used
    out = io.StringIO()
    path = tmp_path / "m.npz"
    data = str(FIXTURES / "labeled_messages_sample.csv")
    call_command("concerns", "train", "--data", data, "--out", str(path), "--corrections", stdout=out)
    assert (
        "+ 26 staff-confirmed concerns (25 corrected the suggestion, 1 confirmed it, 1 skipped"
        in out.getvalue()
    )
    assert classifier.load(path).predict([TEXT])[0][0] == "环境保护"
    # Without the corrections the slice alone files it elsewhere: the rows were learned.
    without = tmp_path / "w.npz"
    call_command("concerns", "train", "--data", data, "--out", str(without), stdout=io.StringIO())
    assert classifier.load(without).predict([TEXT])[0][0] != "环境保护"
