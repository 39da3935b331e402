"""Every write of property governance: permission, validation, transaction, audit.

Records of a compound may be created by whoever may write their data class there
(`permissions.can_create`); a compound outside the actor's area answers as absent (404).
"""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.core import audit, permissions
from gongzhi.core.permissions import READ
from gongzhi.deliberation.models import Vote
from gongzhi.org.models import Compound, Stairwell, Subdistrict
from gongzhi.property.models import (
    DEFAULT_ALLOWANCE,
    AllowancePayment,
    ChecklistItem,
    CommitteeMember,
    Contract,
    FeeStandard,
    JointCommittee,
    JointMember,
    MonthlyFigures,
    OwnersCommittee,
    Post,
    PropertyCompany,
    ScoreRule,
    StairwellGovernance,
    StairwellPlan,
    StepChoices,
    VettingStep,
)
from gongzhi.property.scoring import DIRECTIONS
from gongzhi.property.selectors import METRICS, compound_path

FIGURE_COUNTS = ("burglaries", "battery_thefts", "vehicle_thefts", "fires")
FIGURE_MONEY = ("fee_billed", "fee_collected")


def require_create(actor, model, place, path: dict) -> None:
    """Refuse creating a `model` record at `place`: 404 outside the actor's area, 403 inside it."""
    permissions.require(actor, place, READ)
    if not permissions.can_create(actor, model, path):
        raise PermissionDenied(_("You may not change property records here."))


def _money(value, field: str) -> Decimal:
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("Enter an amount in yuan.")}) from None
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({field: _("Enter an amount of at least 0 with at most 2 decimals.")})
    return amount


# --- Companies, contracts, fees -----------------------------------------------------------------


def create_company(*, actor, subdistrict: Subdistrict, name: str, contact: str = "", has_party_branch=False):
    """Register a property company serving the subdistrict."""
    require_create(actor, PropertyCompany, subdistrict, {"subdistrict": subdistrict.pk})
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Enter the company's name.")})
    if PropertyCompany.objects.filter(subdistrict=subdistrict, name=name).exists():
        raise ValidationError({"name": _("A company of this name is registered already.")})
    with transaction.atomic():
        company = PropertyCompany.objects.create(
            subdistrict=subdistrict, name=name, contact=contact.strip(), has_party_branch=has_party_branch
        )
        audit.record("create", company, actor=actor)
    return company


def update_company(*, actor, company: PropertyCompany, name: str, contact: str = "", has_party_branch=False):
    """Correct a company's name or contact, or record that it has formed a party branch."""
    permissions.require(actor, company, denied=_("Only the subdistrict keeps the property companies."))
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Enter the company's name.")})
    taken = PropertyCompany.objects.filter(subdistrict_id=company.subdistrict_id, name=name)
    if taken.exclude(pk=company.pk).exists():
        raise ValidationError({"name": _("A company of this name is registered already.")})
    with transaction.atomic():
        changes = {"name": name, "contact": contact.strip(), "has_party_branch": bool(has_party_branch)}
        PropertyCompany.objects.filter(pk=company.pk).update(**changes)
        audit.record("update", company, actor=actor, changes=changes)
    company.refresh_from_db()
    return company


def sign_contract(
    *, actor, compound: Compound, company: PropertyCompany, service_scope: str, starts_on: date, ends_on: date
) -> Contract:
    """Record the compound's service contract with a company of the same subdistrict."""
    require_create(actor, Contract, compound, compound_path(compound))
    if company.subdistrict_id != compound.neighborhood.subdistrict_id:
        raise ValidationError({"company": _("The company serves another subdistrict.")})
    if ends_on <= starts_on:
        raise ValidationError({"ends_on": _("The contract must end after it starts.")})
    if not service_scope.strip():
        raise ValidationError({"service_scope": _("Say what the contract covers.")})
    with transaction.atomic():
        contract = Contract.objects.create(
            compound=compound,
            company=company,
            service_scope=service_scope.strip(),
            starts_on=starts_on,
            ends_on=ends_on,
        )
        audit.record("create", contract, actor=actor, area=_area(compound))
    return contract


def _area(compound: Compound) -> tuple[int, int]:
    """The audit trail's (subdistrict, neighborhood) of a compound's record."""
    return compound.neighborhood.subdistrict_id, compound.neighborhood_id


def _check_decision(vote: Vote | None, compound: Compound, *, required: bool) -> None:
    """A fee change needs the compound's owners' decision (art. 278), closed and passed."""
    if vote is None:
        if required:
            raise ValidationError({"decision": _("A fee change needs the owners' decision that adopted it.")})
        return
    if vote.kind != Vote.Kind.OWNERS or vote.compound_id != compound.pk:
        raise ValidationError({"decision": _("Choose an owners' vote of this compound.")})
    if vote.status not in (Vote.Status.CLOSED, Vote.Status.PUBLISHED) or not (vote.result or {}).get(
        "passed"
    ):
        raise ValidationError({"decision": _("The owners' vote has not adopted it.")})


def set_fee(*, actor, compound: Compound, rate, effective_from: date, decision: Vote | None = None):
    """Record the fee standard from a date; every standard after the first names its decision."""
    require_create(actor, FeeStandard, compound, compound_path(compound))
    rate = _money(rate, "rate")
    if rate <= 0 or rate >= 100:
        raise ValidationError({"rate": _("Enter a fee between 0 and 100 yuan per m² and month.")})
    earlier = FeeStandard.objects.filter(compound=compound, effective_from__lt=effective_from).exists()
    _check_decision(decision, compound, required=earlier)
    with transaction.atomic():
        if FeeStandard.objects.select_for_update().filter(compound=compound, effective_from=effective_from):
            raise ValidationError({"effective_from": _("A fee standard starts on this day already.")})
        fee = FeeStandard.objects.create(
            compound=compound, rate=rate, effective_from=effective_from, decision=decision
        )
        changes = {
            "rate": str(rate),
            "effective_from": str(effective_from),
            "decision": getattr(decision, "pk", None),
        }
        audit.record("create", fee, actor=actor, area=_area(compound), changes=changes)
    return fee


# --- Monthly figures ----------------------------------------------------------------------------


def clean_figures(values: dict) -> dict:
    """Check the figures of one month: amounts in yuan, counts as whole numbers, collected ≤ billed."""
    clean: dict = {}
    for field in FIGURE_MONEY:
        if field in values:
            clean[field] = _money(values[field], field)
    for field in FIGURE_COUNTS:
        if field in values:
            text = str(values[field]).strip()
            if not text.isascii() or not text.isdigit() or int(text) > 100000:
                raise ValidationError({field: _("Enter a whole number of at least 0.")})
            clean[field] = int(text)
    return clean


def record_figures(*, actor, compound: Compound, month: date, values: dict) -> MonthlyFigures:
    """Enter or correct one month's figures of a compound (fields not given keep their value)."""
    require_create(actor, MonthlyFigures, compound, compound_path(compound))
    with transaction.atomic():
        figures = write_month(compound, month.replace(day=1), clean_figures(values))
        audit.record("update", figures, actor=actor, area=_area(compound), changes=values)
    return figures


def write_month(compound: Compound, month: date, clean: dict) -> MonthlyFigures:
    """Lock the month's row (two entries at once cannot both win), apply, and check the sum."""
    figures, _created = MonthlyFigures.objects.select_for_update().get_or_create(
        compound=compound, month=month
    )
    for field, value in clean.items():
        setattr(figures, field, value)
    if figures.fee_collected > figures.fee_billed:
        raise ValidationError({"fee_collected": _("More collected than billed.")})
    figures.save()
    return figures


# --- Owners' committees -------------------------------------------------------------------------


def form_committee(
    *,
    actor,
    compound: Compound,
    term_starts: date,
    term_ends: date,
    election: Vote | None = None,
    branch=None,
) -> OwnersCommittee:
    """Record an owners' committee's term, the owners' vote that elected it and its functional branch."""
    require_create(actor, OwnersCommittee, compound, compound_path(compound))
    if term_ends <= term_starts:
        raise ValidationError({"term_ends": _("The term must end after it starts.")})
    if election is not None and (election.kind != Vote.Kind.OWNERS or election.compound_id != compound.pk):
        raise ValidationError({"election": _("Choose an owners' vote of this compound.")})
    if branch is not None and branch.neighborhood_id != compound.neighborhood_id:
        raise ValidationError({"branch": _("Choose a party branch of this neighborhood.")})
    with transaction.atomic():
        committee = OwnersCommittee.objects.create(
            compound=compound, term_starts=term_starts, term_ends=term_ends, election=election, branch=branch
        )
        audit.record("create", committee, actor=actor, area=_area(compound))
    return committee


def _require_committee(actor, committee: OwnersCommittee) -> None:
    permissions.require(actor, committee, denied=_("You may not change this owners' committee."))


def add_member(
    *, actor, committee: OwnersCommittee, name: str, post: str, party_member=False, cross_appointment=""
) -> CommitteeMember:
    """Seat a member in a post; a committee has one chair."""
    _require_committee(actor, committee)
    if not name.strip():
        raise ValidationError({"name": _("Enter the member's name.")})
    if post not in Post.values:
        raise ValidationError({"post": _("Choose a post.")})
    with transaction.atomic():
        OwnersCommittee.objects.select_for_update().get(pk=committee.pk)
        if post == "chair" and committee.members.filter(post="chair").exists():
            raise ValidationError({"post": _("The committee has a chair already.")})
        member = committee.members.create(
            name=name.strip(),
            post=post,
            party_member=party_member,
            cross_appointment=cross_appointment.strip(),
        )
        audit.record("create", member, actor=actor, area=_area(committee.compound))
    return member


def record_vetting(*, actor, committee: OwnersCommittee, kind: str, decision: str) -> VettingStep:
    """Record one of the party organisation's three powers over the election, in order."""
    _require_committee(actor, committee)
    kinds = list(VettingStep.Kind.values)
    if kind not in kinds:
        raise ValidationError({"kind": _("Choose a vetting step.")})
    if not decision.strip():
        raise ValidationError({"decision": _("Say what was decided.")})
    with transaction.atomic():
        OwnersCommittee.objects.select_for_update().get(pk=committee.pk)
        done = set(committee.vetting.values_list("kind", flat=True))
        if kind in done:
            raise ValidationError({"kind": _("This step is recorded already.")})
        if any(k not in done for k in kinds[: kinds.index(kind)]):
            raise ValidationError({"kind": _("Record the earlier vetting steps first.")})
        step = committee.vetting.create(kind=kind, decision=decision.strip(), decided_by=actor)
        audit.record("create", step, actor=actor, area=_area(committee.compound))
    return step


def pay_allowance(*, actor, member: CommitteeMember, month: date, amount=None) -> AllowancePayment:
    """Record a member's allowance for a month, once; no amount typed pays the post's default."""
    _require_committee(actor, member.committee)
    if amount is None or str(amount).strip() == "":
        amount = DEFAULT_ALLOWANCE[member.post]
    amount = _money(amount, "amount")
    month = month.replace(day=1)
    with transaction.atomic():
        if AllowancePayment.objects.select_for_update().filter(member=member, month=month).exists():
            raise ValidationError({"month": _("This month's allowance is paid already.")})
        payment = AllowancePayment.objects.create(member=member, month=month, amount=amount, paid_by=actor)
        audit.record("create", payment, actor=actor, area=_area(member.committee.compound))
    return payment


# --- Joint committees, rules, stairwells --------------------------------------------------------


def create_joint_committee(*, actor, neighborhood, kind: str, name: str, compound=None) -> JointCommittee:
    """Set up a 共治委员会 or 多位一体 body of a neighborhood (optionally of one compound)."""
    path = {"subdistrict": neighborhood.subdistrict_id, "neighborhood": neighborhood.pk, "compound": None}
    if compound is not None:
        if compound.neighborhood_id != neighborhood.pk:
            raise ValidationError({"compound": _("Choose a compound of this neighborhood.")})
        path["compound"] = compound.pk
    require_create(actor, JointCommittee, neighborhood, path)
    if kind not in JointCommittee.Kind.values:
        raise ValidationError({"kind": _("Choose a kind.")})
    if not name.strip():
        raise ValidationError({"name": _("Enter a name.")})
    with transaction.atomic():
        body = JointCommittee.objects.create(
            neighborhood=neighborhood, compound=compound, kind=kind, name=name
        )
        audit.record("create", body, actor=actor)
    return body


def add_joint_member(*, actor, committee: JointCommittee, name: str, side: str) -> JointMember:
    permissions.require(actor, committee)
    if side not in JointMember.Side.values:
        raise ValidationError({"side": _("Choose a side.")})
    if not name.strip():
        raise ValidationError({"name": _("Enter the member's name.")})
    with transaction.atomic():
        member = committee.members.create(name=name.strip(), side=side)
        audit.record("create", member, actor=actor)
    return member


def set_rule(
    *, actor, subdistrict: Subdistrict, metric: str, weight, direction: str, worst, best
) -> ScoreRule:
    """Add or change one line of the subdistrict's score rule."""
    require_create(actor, ScoreRule, subdistrict, {"subdistrict": subdistrict.pk})
    numbers = {}
    for field, value in (("weight", weight), ("worst", worst), ("best", best)):
        try:
            numbers[field] = Decimal(str(value).strip())
        except InvalidOperation:
            raise ValidationError({field: _("Enter a number.")}) from None
        if not numbers[field].is_finite():
            raise ValidationError({field: _("Enter a number.")})
    if numbers["weight"] <= 0:
        raise ValidationError({"weight": _("The weight must be greater than 0.")})
    if numbers["worst"] == numbers["best"]:
        raise ValidationError({"best": _("Worst and best must differ.")})
    if direction not in DIRECTIONS:
        raise ValidationError({"direction": _("Choose higher or lower.")})
    if metric not in METRICS:
        raise ValidationError({"metric": _("Choose a metric the platform computes.")})
    with transaction.atomic():
        rule, _created = ScoreRule.objects.update_or_create(
            subdistrict=subdistrict, metric=metric, defaults={"direction": direction, **numbers}
        )
        audit.record("update", rule, actor=actor, changes={"metric": metric, **numbers})
    return rule


def add_checklist_item(*, actor, subdistrict: Subdistrict, kind: str, label: str) -> ChecklistItem:
    """Add an item to the subdistrict's 3+4+5+N checklist."""
    require_create(actor, ChecklistItem, subdistrict, {"subdistrict": subdistrict.pk})
    if kind not in ChecklistItem.Kind.values:
        raise ValidationError({"kind": _("Choose a kind.")})
    if not label.strip():
        raise ValidationError({"label": _("Enter the item.")})
    with transaction.atomic():
        item = ChecklistItem.objects.create(subdistrict=subdistrict, kind=kind, label=label.strip())
        audit.record("create", item, actor=actor)
    return item


def set_plan(*, actor, subdistrict: Subdistrict, year: int, target: int) -> StairwellPlan:
    require_create(actor, StairwellPlan, subdistrict, {"subdistrict": subdistrict.pk})
    with transaction.atomic():
        plan, _created = StairwellPlan.objects.update_or_create(
            subdistrict=subdistrict, year=year, defaults={"target": target}
        )
        audit.record("update", plan, actor=actor, changes={"year": year, "target": target})
    return plan


def group_names(group: str) -> list[str]:
    """The names of a self-governance group typed with commas or 、 between them."""
    return [n.strip() for n in group.replace("，", ",").replace("、", ",").split(",") if n.strip()]


def update_stairwell(
    *,
    actor,
    stairwell: Stairwell,
    step: int,
    group: str = "",
    brand: str = "",
    done_ids=(),
    beautiful_year=None,
) -> StairwellGovernance:
    """Record a stairwell's step, group, brand and checklist; a step needs the one before. Its
    covenant is a rule book of its own (community.adopt_rule_version)."""
    building = stairwell.building
    require_create(
        actor,
        StairwellGovernance,
        stairwell,
        {
            "subdistrict": building.neighborhood.subdistrict_id,
            "neighborhood": building.neighborhood_id,
            "micro_grid": building.micro_grid_id,
            "compound": building.compound_id,
            "building": building.pk,
            "stairwell": stairwell.pk,
        },
    )
    if step not in StepChoices.values:
        raise ValidationError({"step": _("Choose a step.")})
    if step >= StepChoices.TEAM and len(group_names(group)) < 3:
        raise ValidationError({"group": _("A self-governing stairwell has a group of 3: enter three names.")})
    items = list(
        ChecklistItem.objects.filter(pk__in=done_ids, subdistrict_id=building.neighborhood.subdistrict_id)
    )
    with transaction.atomic():
        governance, _created = StairwellGovernance.objects.select_for_update().get_or_create(
            stairwell=stairwell
        )
        governance.step, governance.group = step, group.strip()
        governance.brand, governance.beautiful_year = brand.strip(), beautiful_year
        governance.save()
        governance.done.set(items)
        audit.record("update", governance, actor=actor, changes={"step": step})
    return governance
