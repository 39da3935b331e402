"""Concerns for agenda tests: concerns sit above deliberation, so only the tests reach for them."""

from gongzhi.concerns import services as concern_services
from gongzhi.concerns.models import Category


def concern_of_tier(world, tier: str = "major", title: str = "加装电梯意见不一"):
    """A concern of area A whose category puts it in `tier`, filed the way staff file one."""
    category, _created = Category.objects.get_or_create(
        subdistrict=None, code=f"delib-{tier}", defaults={"name": f"议事{tier}", "tier": tier}
    )
    return concern_services.submit_concern(
        actor=world.users["neighborhood_secretary"],
        channel="hotline",
        category=category,
        place=concern_services.place_of(household=world.household_a),
        title=title,
        description="居民对加装电梯意见不一，需要协商",
    )
