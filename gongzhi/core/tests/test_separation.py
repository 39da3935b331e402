"""Issue 19, finding 10: one person never does both halves of a check (core/separation.py).

`test_every_checking_step_is_guarded_or_exempted_with_a_reason` reads every service module and
finds the steps that confirm, approve, adopt, decide, review, verify or vet: each must call
`require_second_person` itself or stand in EXEMPT with the reason it checks nobody's work. The
other tests try each guarded step with the account that did the first half.
"""

from __future__ import annotations

import ast
import re
from datetime import date
from pathlib import Path

import pytest

import gongzhi
from gongzhi.core.separation import SamePerson, require_second_person, same_account

ROOT = Path(gongzhi.__file__).parent
CHECKING = re.compile(r"^(confirm|approve|adopt|decide|review|verify|accept|sign_off|certify|endorse|vet)")

# Steps that call require_second_person, with the first half they check.
GUARDED = {
    "accounts/rights.py:decide": "the resident who made the data-subject request",
    "projects/services/allocations.py:adopt_allocation": "the subdistrict account that made the preview",
    "core/exports.py:decide": "the requester of the export",
    "volunteers/services/activities.py:confirm_hours": "the volunteer whose hours they are",
    "volunteers/services/activities.py:approve_hours": "the chief who entered hours above the scanned time",
    "volunteers/services/wishes.py:confirm_wish": "the account that recorded the claim",
    "workforce/services/designs.py:review_design": "the worker who wrote the design",
    "workforce/services/chiefs.py:vet_chief": "the nominee",
}
# Steps named like checks that check nobody else's work.
EXEMPT = {
    "core/exports.py:approvers_of": "lists who may approve an export; approves nothing",
    "accounts/services.py:confirm_enrollment": "a person confirms their own second factor",
    "accounts/services.py:verify_second_factor": "a person proves their own second factor",
    "deliberation/services/counting.py:verify_vote": "a recount that changes nothing; anyone may run it",
    "property/services/community.py:adopt_rule_version": (
        "records rules the villagers' or stairwell meeting adopted; no account's work is checked"
    ),
    "property/services/community.py:review_stars": (
        "a decision on a household's stars with its reason, not a check of another account's work"
    ),
    "grids/services.py:adopt_plan": "the plan is computed by the platform from the register, not a person's work",
    "workforce/services/assessment.py:adopt_round": (
        "bonuses computed by the rule from scores each entered by their own assessor"
    ),
    "workforce/services/mentoring.py:review_pair": "the mentor's own account of the pairing; it credits nothing",
}


def checking_steps() -> dict[str, bool]:
    """Every public checking step of a service module → whether it calls require_second_person."""
    found = {}
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if "/tests/" in f"/{rel}" or "/migrations/" in rel:
            continue
        if not (
            "/services/" in rel
            or f"/{rel}".endswith(("/services.py", "core/exports.py", "accounts/rights.py"))
        ):
            continue
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.FunctionDef) and CHECKING.match(node.name):
                calls = {
                    getattr(call.func, "id", None) or getattr(call.func, "attr", None)
                    for call in ast.walk(node)
                    if isinstance(call, ast.Call)
                }
                found[f"{rel}:{node.name}"] = "require_second_person" in calls
    return found


def test_every_checking_step_is_guarded_or_exempted_with_a_reason():
    steps = checking_steps()
    unknown = sorted(set(steps) - set(GUARDED) - set(EXEMPT))
    assert not unknown, f"checking steps neither guarded nor exempted: {unknown}"
    unguarded = sorted(name for name in GUARDED if not steps.get(name))
    assert not unguarded, f"listed as guarded but not calling require_second_person: {unguarded}"
    gone = sorted((set(GUARDED) | set(EXEMPT)) - set(steps))
    assert not gone, f"listed steps that no longer exist: {gone}"


def test_the_helper_compares_accounts_and_ids_and_nobody_is_nobodys_second():
    class U:
        def __init__(self, pk):
            self.pk = pk

    assert same_account(U(3), 3) and same_account(3, U(3)) and not same_account(U(3), U(4))
    assert not same_account(None, U(3)) and not same_account(None, None)
    with pytest.raises(SamePerson):
        require_second_person(U(3), U(3), step="x")
    require_second_person(U(3), U(4), step="x")


@pytest.mark.django_db
def test_the_secretary_cannot_claim_a_wish_for_a_unit_and_confirm_it(world):
    from gongzhi.org.models import PartnerUnit
    from gongzhi.volunteers import services
    from gongzhi.volunteers.models import MicroWish

    secretary = world.users["neighborhood_secretary"]
    wish = services.post_wish(
        actor=world.users["social_worker"],
        neighborhood=world.neighborhood_a,
        title="修理轮椅",
        wisher_name="李阿姨",
    )
    unit = PartnerUnit.objects.get(subdistrict=world.subdistrict)
    services.claim_wish(actor=secretary, wish=wish, partner_unit=unit)
    with pytest.raises(SamePerson):
        services.confirm_wish(actor=secretary, wish=wish)
    wish.refresh_from_db()
    assert wish.status == MicroWish.Status.CLAIMED and wish.claimed_by == secretary
    services.confirm_wish(actor=world.users["social_worker"], wish=wish)
    wish.refresh_from_db()
    assert wish.status == MicroWish.Status.FULFILLED


@pytest.mark.django_db
def test_a_staff_member_does_not_decide_their_own_data_subject_request(world):
    from gongzhi.accounts import rights
    from gongzhi.accounts.models import DataSubjectRequest

    secretary = world.users["neighborhood_secretary"]
    world.resident_a.user = secretary
    world.resident_a.save(update_fields=["user"])
    request = DataSubjectRequest.objects.create(
        user=secretary,
        resident=world.resident_a,
        subdistrict=world.subdistrict,
        neighborhood=world.neighborhood_a,
        kind=DataSubjectRequest.Kind.DELETION,
        due_on=date.today(),
    )
    with pytest.raises(SamePerson):
        rights.decide(actor=secretary, request=request, approve=False, reason="自己的申请")
    request.refresh_from_db()
    assert request.status == DataSubjectRequest.Status.PENDING


@pytest.mark.django_db
def test_a_worker_does_not_accept_their_own_design_nor_a_nominee_their_own_vetting(world):
    from gongzhi.workforce import services
    from gongzhi.workforce.testing import build_crew

    crew = build_crew(world)
    secretary = world.users["neighborhood_secretary"]
    # A team lead who also holds the subdistrict's write role: submits, so may not accept.
    services.create_profile(
        actor=crew.admin,
        user=crew.admin,
        name="组长",
        neighborhood=world.neighborhood_a,
        post_level="team_lead",
        started_on=date(2024, 3, 1),
    )
    design = services.submit_design(actor=crew.admin, title="楼道微更新", design="目标、预算、进度")
    with pytest.raises(SamePerson):
        services.review_design(actor=crew.admin, design=design, accepted=True, review="")
    assert (
        services.review_design(actor=secretary, design=design, accepted=True, review="").status == "accepted"
    )
    chief = services.nominate_chief(
        actor=world.users["subdistrict_admin"],
        neighborhood=world.neighborhood_a,
        user=secretary,
        name="楼组长候选",
        kind="stairwell_chief",
        unit_label="1号楼2单元",
        on=date(2025, 1, 5),
    )
    with pytest.raises(SamePerson):
        services.vet_chief(actor=secretary, chief=chief, approved=True, on=date(2025, 1, 10))
