"""Benefit redemptions at once: one key spends once, and many keys never overdraw the ledger."""

import pytest
from django.core.exceptions import ValidationError

from gongzhi.core.testing import run_together
from gongzhi.property import services
from gongzhi.property.models import BenefitClaim
from gongzhi.property.testing import ADMIN, benefit, honoured_volunteer
from gongzhi.volunteers.models import Balance, LedgerEntry, Redemption, RedemptionItem

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_double_submit_with_one_key_spends_once(world):
    person, offer = honoured_volunteer(world), benefit(world, cost=10)
    staff = [world.users[ADMIN], world.users["neighborhood_secretary"]]
    outcomes = run_together(
        *(
            lambda a=staff[i % 2]: services.redeem_benefit(
                actor=a, volunteer=person, benefit=offer, key="same"
            )
            for i in range(4)
        )
    )
    claims = {o.pk for o in outcomes if isinstance(o, BenefitClaim)}
    # The secretary's key is scoped to the secretary: two senders, two claims, never four.
    assert len(claims) == 2, outcomes
    assert Redemption.objects.count() == 2 and Balance.objects.get(volunteer=person).points == 10
    assert RedemptionItem.objects.get(pk=offer.item_id).stock == 98


def test_concurrent_keys_never_take_the_balance_below_zero(world):
    person, offer = honoured_volunteer(world), benefit(world, cost=10)  # 30 points: three win
    admin = world.users[ADMIN]
    outcomes = run_together(
        *(
            lambda k=f"k{i}": services.redeem_benefit(actor=admin, volunteer=person, benefit=offer, key=k)
            for i in range(6)
        )
    )
    won = [o for o in outcomes if isinstance(o, BenefitClaim)]
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert (len(won), len(refused)) == (3, 3), outcomes
    assert BenefitClaim.objects.count() == 3 and Balance.objects.get(volunteer=person).points == 0
    assert sum(LedgerEntry.objects.filter(volunteer=person).values_list("points", flat=True)) == 0
