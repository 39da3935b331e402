"""Pure rules: tiers, the lifecycle table and the KPI formulas."""

from decimal import Decimal

import pytest

from gongzhi.concerns import kpi, lifecycle, tiering


@pytest.mark.parametrize(
    ("kwargs", "tier"),
    [
        ({}, "minor"),
        ({"households": 9}, "minor"),
        ({"households": 10}, "major"),
        ({"cost": Decimal("5000")}, "major"),
        ({"households": 100}, "key"),
        ({"cost": Decimal("50000")}, "key"),
        ({"urgent": True}, "urgent"),
        ({"category_tier": "major"}, "major"),
        ({"category_tier": "major", "cost": Decimal("60000")}, "key"),
        ({"category_tier": "key", "households": 1}, "key"),
    ],
)
def test_tier_follows_size_cost_urgency_and_category(kwargs, tier):
    assert tiering.tier_for(**kwargs) == tier


def test_only_listed_transitions_are_allowed():
    assert lifecycle.target_of("dispatch", "accepted") == "dispatched"
    assert lifecycle.target_of("close", "accepted") is None
    assert lifecycle.target_of("close", "handling") is None
    assert lifecycle.target_of("reopen", "closed") == "reopened"
    assert lifecycle.target_of("dispatch", "reopened") == "dispatched"
    assert lifecycle.target_of("nonsense", "accepted") is None


def test_handler_cannot_dispatch_or_close_but_area_staff_can():
    assert lifecycle.allowed_actions("accepted", {"handler"}) == []
    assert lifecycle.allowed_actions("verifying", {"area"}) == ["reject", "close"]
    assert set(lifecycle.allowed_actions("dispatched", {"handler"})) == {"start", "return"}


def test_kpi_formulas_by_hand():
    assert kpi.response_rate(9, 10) == 0.9
    assert kpi.resolution_rate(7, 10) == 0.7
    # (5 + 0.8 × 4) / 10 = 0.82
    assert kpi.satisfaction_rate(5, 4, 1) == pytest.approx(0.82)
    assert kpi.response_rate(0, 0) is None
    assert kpi.median_or_none([]) is None
    assert kpi.median_or_none([3.0, 1.0, 10.0, 4.0]) == 3.5
