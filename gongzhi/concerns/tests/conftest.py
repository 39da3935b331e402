"""Shared pieces of the concern tests: a category and a concern in area A of the `world`."""

import pytest

from gongzhi.concerns import services
from gongzhi.concerns.models import Category


def category(code: str = "parking", name: str = "停车", tier: str = "minor") -> Category:
    # Transactional tests flush the seeded taxonomy, so tests make what they use.
    item, _ = Category.objects.get_or_create(
        subdistrict=None, code=code, defaults={"name": name, "tier": tier}
    )
    return item


def concern_for(world, actor=None, household=None, **fields):
    actor = actor or world.users["grid_worker"]
    household = household or world.household_a
    fields.setdefault("description", "楼下非机动车乱停，消防通道被堵")
    return services.submit_concern(
        actor=actor,
        channel=fields.pop("channel", "hotline"),
        category=fields.pop("category", None) or category(),
        place=services.place_of(household=household),
        **fields,
    )


@pytest.fixture
def parking(db):
    return category()
