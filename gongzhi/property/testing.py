"""Property records on the shared test world: compound A of neighborhood A with a company, a
fee, twelve months of figures, an owners' committee and the score rule."""

from datetime import date
from decimal import Decimal

from gongzhi.property import services

ADMIN = "subdistrict_admin"
RULES = [
    ("collection_rate", "3", "higher", "60", "100"),
    ("incidents", "2", "lower", "12", "0"),
    ("party_share", "1", "higher", "0", "60"),
]


def compound_a(world):
    return world.household_a.building.compound


def add_property(world, year: int = 2026):
    """Give compound A the records a property page shows; returns the compound."""
    admin = world.users[ADMIN]
    compound = compound_a(world)
    company = services.create_company(actor=admin, subdistrict=world.subdistrict, name="杨行物业")
    services.sign_contract(
        actor=admin,
        compound=compound,
        company=company,
        service_scope="保洁、绿化、秩序维护",
        starts_on=date(year - 1, 1, 1),
        ends_on=date(year + 2, 1, 1),
    )
    services.set_fee(actor=admin, compound=compound, rate="0.35", effective_from=date(year - 1, 1, 1))
    for month in range(1, 13):
        values = {"fee_billed": "10000", "fee_collected": "9000", "burglaries": "1" if month == 3 else "0"}
        services.record_figures(actor=admin, compound=compound, month=date(year, month, 1), values=values)
    committee = services.form_committee(
        actor=admin, compound=compound, term_starts=date(year - 1, 6, 1), term_ends=date(year + 4, 6, 1)
    )
    services.add_member(actor=admin, committee=committee, name="王主任", post="chair", party_member=True)
    services.add_member(actor=admin, committee=committee, name="李委员", post="member")
    for metric, weight, direction, worst, best in RULES:
        services.set_rule(
            actor=admin,
            subdistrict=world.subdistrict,
            metric=metric,
            weight=weight,
            direction=direction,
            worst=worst,
            best=best,
        )
    return compound


def expected_score() -> Decimal:
    """Compound A by hand: collection 90 % → 75 points, 1 incident → 91.67, party 50 % → 83.33."""
    return Decimal("81.94")  # (3×75 + 2×(11/12×100) + 1×(50/60×100)) / 6 = 81.944…


def honoured_volunteer(world, name: str = "赵六", *, points_per_hour: int = 10, hours: int = 3):
    """A volunteer of neighborhood A with `points_per_hour × hours` points, on this year's honour roll."""
    from gongzhi.volunteers import services as volunteers
    from gongzhi.volunteers import testing as vt

    admin = world.users[ADMIN]
    volunteers.set_point_rule(
        actor=admin, subdistrict=world.subdistrict, name="r", points_per_hour=points_per_hour
    )
    signup = vt.served(world, world.neighborhood_a, name, hours=hours)
    volunteers.confirm_hours(actor=world.users["volunteer_team_chief"], signup=signup, hours=str(hours))
    volunteers.add_to_honour_roll(
        actor=admin,
        neighborhood=world.neighborhood_a,
        period=str(year_now()),
        reason="守信践诺",
        volunteer=signup.volunteer,
    )
    return signup.volunteer


def year_now() -> int:
    from django.utils import timezone

    return timezone.localdate().year


def benefit(world, *, cost: int = 10, stock: int = 100, name: str = "停车费减免"):
    """A parking relief the property company of compound A honours, priced in points."""
    from gongzhi.property.models import PropertyCompany

    admin = world.users[ADMIN]
    company = PropertyCompany.objects.filter(
        subdistrict=world.subdistrict
    ).first() or services.create_company(actor=admin, subdistrict=world.subdistrict, name="杨行物业")
    return services.add_benefit(
        actor=admin,
        subdistrict=world.subdistrict,
        name=name,
        kind="parking_fee",
        cost_points=cost,
        stock=stock,
        company=company,
    )
