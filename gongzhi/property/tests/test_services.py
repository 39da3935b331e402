"""Writes of property governance: validation, audit, and who may do what."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongzhi.core.errors import NotInScope
from gongzhi.core.models import AuditRecord
from gongzhi.core.roles import ROLES
from gongzhi.deliberation.models import Vote
from gongzhi.property import selectors, services
from gongzhi.property.models import MonthlyFigures
from gongzhi.property.testing import ADMIN, add_property, compound_a, expected_score

FIGURE_WRITERS = {"subdistrict_admin", "neighborhood_secretary", "social_worker", "property_staff"}
PROPERTY_WRITERS = {"subdistrict_admin", "neighborhood_secretary", "social_worker"}


def _outcome(call) -> str:
    try:
        call()
    except PermissionDenied:
        return "403"
    except NotInScope:
        return "404"
    return "ok"


@pytest.mark.django_db
@pytest.mark.parametrize("code", list(ROLES))
def test_only_staff_and_the_property_company_enter_a_compounds_figures(world, code):
    compound = compound_a(world)
    got = _outcome(
        lambda: services.record_figures(
            actor=world.users[code], compound=compound, month=date(2026, 1, 1), values={"fires": "1"}
        )
    )
    assert (got == "ok") == (code in FIGURE_WRITERS)
    assert MonthlyFigures.objects.filter(compound=compound).exists() == (code in FIGURE_WRITERS)


@pytest.mark.django_db
@pytest.mark.parametrize("code", list(ROLES))
def test_only_the_neighborhoods_staff_form_an_owners_committee(world, code):
    got = _outcome(
        lambda: services.form_committee(
            actor=world.users[code],
            compound=compound_a(world),
            term_starts=date(2025, 1, 1),
            term_ends=date(2030, 1, 1),
        )
    )
    assert (got == "ok") == (code in PROPERTY_WRITERS)


def test_a_compound_of_another_subdistrict_looks_absent(world):
    far = world.household_far.building.compound
    with pytest.raises(NotInScope):
        services.record_figures(actor=world.users[ADMIN], compound=far, month=date(2026, 1, 1), values={})


def test_more_collected_than_billed_is_refused_and_changes_nothing(world):
    compound = compound_a(world)
    with pytest.raises(ValidationError) as caught:
        services.record_figures(
            actor=world.users[ADMIN],
            compound=compound,
            month=date(2026, 1, 1),
            values={"fee_billed": "100", "fee_collected": "100.01"},
        )
    assert "fee_collected" in caught.value.message_dict
    assert not MonthlyFigures.objects.exists()


def test_figures_are_audited(world):
    services.record_figures(
        actor=world.users[ADMIN],
        compound=compound_a(world),
        month=date(2026, 2, 9),
        values={"fee_billed": "5"},
    )
    figures = MonthlyFigures.objects.get()
    assert figures.month == date(2026, 2, 1) and figures.fee_billed == Decimal("5.00")
    assert AuditRecord.objects.filter(action="update", object_type="property.monthlyfigures").count() == 1


def test_a_fee_change_needs_the_owners_passed_decision(world):
    admin, compound = world.users[ADMIN], compound_a(world)
    services.set_fee(actor=admin, compound=compound, rate="0.35", effective_from=date(2024, 1, 1))
    with pytest.raises(ValidationError) as caught:
        services.set_fee(actor=admin, compound=compound, rate="0.50", effective_from=date(2026, 1, 1))
    assert "decision" in caught.value.message_dict
    vote = Vote.objects.create(
        kind=Vote.Kind.OWNERS,
        rule=Vote.Rule.OWNERS_278,
        subject="调整物业费",
        subdistrict=world.subdistrict,
        neighborhood=world.neighborhood_a,
        compound=compound,
        opens_at="2025-11-01T00:00Z",
        closes_at="2025-11-30T00:00Z",
        status=Vote.Status.CLOSED,
        result={"passed": True},
        created_by=admin,
    )
    fee = services.set_fee(
        actor=admin, compound=compound, rate="0.50", effective_from=date(2026, 1, 1), decision=vote
    )
    assert fee.decision == vote and fee.rate == Decimal("0.50")


def test_vetting_steps_go_in_order_and_record_who_decided(world):
    admin = world.users[ADMIN]
    committee = services.form_committee(
        actor=admin, compound=compound_a(world), term_starts=date(2025, 1, 1), term_ends=date(2030, 1, 1)
    )
    with pytest.raises(ValidationError):
        services.record_vetting(actor=admin, committee=committee, kind="qualification", decision="通过")
    for kind in ("structure", "candidates", "qualification"):
        services.record_vetting(actor=admin, committee=committee, kind=kind, decision="同意")
    assert [s.decided_by for s in committee.vetting.all()] == [admin] * 3


def test_a_committee_has_one_chair_and_an_allowance_is_paid_once_a_month(world):
    admin = world.users[ADMIN]
    committee = services.form_committee(
        actor=admin, compound=compound_a(world), term_starts=date(2025, 1, 1), term_ends=date(2030, 1, 1)
    )
    chair = services.add_member(actor=admin, committee=committee, name="王", post="chair", party_member=True)
    with pytest.raises(ValidationError):
        services.add_member(actor=admin, committee=committee, name="张", post="chair")
    services.pay_allowance(actor=admin, member=chair, month=date(2026, 1, 15), amount="1200")
    with pytest.raises(ValidationError):
        services.pay_allowance(actor=admin, member=chair, month=date(2026, 1, 1), amount="1200")
    assert selectors.allowance_statement(chair)[1] == Decimal("1200.00")


def test_a_self_governing_stairwell_needs_a_group_of_three(world):
    admin, stairwell = world.users[ADMIN], world.household_a.stairwell
    with pytest.raises(ValidationError) as caught:
        services.update_stairwell(actor=admin, stairwell=stairwell, step=2, group="甲，乙")
    assert "group" in caught.value.message_dict
    governance = services.update_stairwell(actor=admin, stairwell=stairwell, step=2, group="甲，乙，丙")
    assert governance.self_governing


def test_a_rule_with_worst_equal_best_is_refused(world):
    with pytest.raises(ValidationError) as caught:
        services.set_rule(
            actor=world.users[ADMIN],
            subdistrict=world.subdistrict,
            metric="x",
            weight="1",
            direction="higher",
            worst="1",
            best="1.0",
        )
    assert "best" in caught.value.message_dict


def test_the_platform_scores_a_compound_by_the_same_rule(world):
    compound = add_property(world)
    rows, neighborhood_score = selectors.ranking(world.users[ADMIN], world.neighborhood_a, 2026)
    scored = {r.compound: r.score for r in rows}
    assert scored[compound] == expected_score()
    # The other compound of neighborhood A has no figures: unscored, so A's score is compound A's.
    assert neighborhood_score == expected_score()
    assert selectors.secretary_criterion(world.neighborhood_a, 2026)["score"] == expected_score()
