"""Two people switching one place at the same moment: one switch wins (run on PostgreSQL)."""

import pytest
from django.core.exceptions import ValidationError

from gongzhi.core.testing import run_together
from gongzhi.governance import services
from gongzhi.governance.models import GovernanceMode
from gongzhi.org.testing import subdistrict_colleague

pytestmark = pytest.mark.django_db(transaction=True)


def _switch(user, world, kind, seq, key):
    return services.switch_mode(
        actor=user,
        subdistrict=world.subdistrict,
        neighborhood=world.neighborhood_a,
        kind=kind,
        reason=f"{kind} 同时切换",
        expected_seq=seq,
        idempotency_key=key,
    )


@pytest.mark.parametrize("already", [False, True])
def test_two_switches_of_one_place_at_once_cannot_both_win(world, already):
    seq = 0
    if already:  # from an existing mode (the update of the open row decides) or from none (the insert)
        _switch(world.users["subdistrict_admin"], world, "risk", 0, "first")
        seq = 1
    people = [
        world.users["subdistrict_admin"],
        subdistrict_colleague(world),
        world.users["neighborhood_secretary"],
    ]
    outcomes = run_together(
        *(
            lambda u=u, k=k: _switch(u, world, k, seq, f"at-once-{k}")
            for u, k in zip(
                people, ["emergency", "daily" if already else "emergency", "emergency"], strict=True
            )
        )
    )
    wins = [o for o in outcomes if isinstance(o, GovernanceMode)]
    assert len(wins) == 1, outcomes
    assert all(isinstance(o, ValidationError) for o in outcomes if o not in wins), outcomes
    assert GovernanceMode.objects.filter(ended_at__isnull=True).count() == 1
    assert GovernanceMode.objects.count() == seq + 1
