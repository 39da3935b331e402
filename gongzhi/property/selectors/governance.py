"""Every read of property governance, already limited to what the user may see.

The score of a compound comes from its metrics over a period (a year, or a month for the trend)
through the one rule in `scoring`; the command line `gongzhi property score` runs the same rule.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction

from django.db.models import Count, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from gongzhi.concerns.models import Concern, HandlerKind
from gongzhi.core.permissions import can_create, scoped
from gongzhi.deliberation.models import Vote
from gongzhi.org.models import Compound, Household, Neighborhood, Stairwell, Subdistrict
from gongzhi.projects.models import Comment, Disclosure
from gongzhi.property import scoring
from gongzhi.property.models import (
    SELF_GOVERNING_STEP,
    ChecklistItem,
    CommitteeMember,
    Contract,
    FeeStandard,
    JointCommittee,
    MonthlyFigures,
    OwnersCommittee,
    PropertyCompany,
    RuleBook,
    ScoreRule,
    StairwellGovernance,
    StairwellPlan,
)

# The metrics the platform computes for a compound and a period; rules name them.
METRICS = {
    "collection_rate": _("fee collection rate"),  # collected / billed × 100
    "fee_rate": _("fee standard"),  # yuan/m²/month at the period's end
    "incidents": _("incidents"),  # burglaries + battery thefts + vehicle thefts + fires
    "complaints_per_100": _("property complaints per 100 households"),
    "party_share": _("party members on the owners' committee"),  # %
    "stairwell_coverage": _("share of self-governing stairwells"),  # %
}


# --- Scoped lists ------------------------------------------------------------------------------


def compounds_visible_to(user) -> QuerySet[Compound]:
    return scoped(user, Compound.objects.select_related("neighborhood"))


def compound_for(user, pk: int) -> Compound:
    return get_object_or_404(compounds_visible_to(user), pk=pk)


def neighborhood_for(user, pk: int) -> Neighborhood:
    return get_object_or_404(scoped(user, Neighborhood.objects.all()), pk=pk)


def subdistrict_of(user) -> Subdistrict | None:
    """The subdistrict whose overview the user sees (the first one they read)."""
    return scoped(user, Subdistrict.objects.all()).first()


def figures_for(user, compound: Compound, year: int) -> QuerySet[MonthlyFigures]:
    qs = MonthlyFigures.objects.filter(compound=compound, month__year=year)
    return scoped(user, qs)


def compounds_for_figures(user) -> QuerySet[Compound]:
    """Compounds whose figures the user may enter (to offer in the import form)."""
    ids = [c.pk for c in compounds_visible_to(user) if _may_enter(user, c)]
    return Compound.objects.filter(pk__in=ids).select_related("neighborhood")


def compound_path(compound: Compound) -> dict[str, int | None]:
    """The unit ids a compound's records sit under (for `can_create`)."""
    return {
        "subdistrict": compound.neighborhood.subdistrict_id,
        "neighborhood": compound.neighborhood_id,
        "compound": compound.pk,
    }


def _may_enter(user, compound: Compound) -> bool:
    return can_create(user, MonthlyFigures, compound_path(compound))


def may_enter_figures(user, compound: Compound) -> bool:
    return _may_enter(user, compound)


def may_write_property(user, compound: Compound) -> bool:
    return can_create(user, OwnersCommittee, compound_path(compound))


def committees_of(user, compound: Compound) -> QuerySet[OwnersCommittee]:
    qs = OwnersCommittee.objects.filter(compound=compound).prefetch_related("members", "vetting__decided_by")
    return scoped(user, qs).select_related("election", "branch")


def committee_for(user, pk: int) -> OwnersCommittee:
    return get_object_or_404(
        scoped(user, OwnersCommittee.objects.select_related("compound__neighborhood")), pk=pk
    )


def member_for(user, pk: int) -> CommitteeMember:
    qs = CommitteeMember.objects.select_related("committee__compound__neighborhood")
    return get_object_or_404(scoped(user, qs), pk=pk)


def party_share(committee: OwnersCommittee) -> Decimal | None:
    """Party members among the committee's members, % (2 decimals)."""
    flags = list(committee.members.values_list("party_member", flat=True))
    return scoring.rounded(Fraction(sum(flags) * 100, len(flags))) if flags else None


def allowance_statement(member: CommitteeMember) -> tuple[list, Decimal]:
    """A member's payments and their total."""
    payments = list(member.allowances.order_by("month"))
    return payments, sum((p.amount for p in payments), Decimal("0"))


def contracts_of(user, compound: Compound) -> QuerySet[Contract]:
    return scoped(user, Contract.objects.filter(compound=compound).select_related("company"))


def fees_of(user, compound: Compound) -> QuerySet[FeeStandard]:
    return scoped(user, FeeStandard.objects.filter(compound=compound).select_related("decision"))


def joint_committees_of(user, compound: Compound) -> QuerySet[JointCommittee]:
    qs = JointCommittee.objects.filter(
        Q(compound=compound) | Q(compound=None, neighborhood=compound.neighborhood)
    )
    return scoped(user, qs).prefetch_related("members")


def works_accounts_of(compound: Compound, *, open_on: date | None = None) -> QuerySet[Disclosure]:
    """Public notices (公示) of the compound's projects, maintenance-fund works among them; with
    `open_on`, only those open for comment that day (what awaits the owners' committee). Not
    scoped by project: the caller has checked the compound (`compound_for`), and these notices are
    public, listed for anyone on the compound's public page (projects' `public_compound`), so the
    owners' committee, which reads no projects, sees its compound's accounts too."""
    qs = Disclosure.objects.filter(project__compound=compound).select_related("project")
    if open_on is not None:
        return qs.filter(opens_on__lte=open_on, closes_on__gte=open_on).order_by("closes_on", "id")
    return qs.order_by("-opens_on", "-id")


def companies_visible_to(user) -> QuerySet[PropertyCompany]:
    return scoped(user, PropertyCompany.objects.all())


def complaints_of(user, compound: Compound) -> QuerySet[Concern]:
    """Concerns routed to the compound's property company that the user may read."""
    qs = Concern.objects.filter(handler_compound=compound, handler_kind=HandlerKind.PROPERTY_COMPANY)
    return scoped(user, qs).order_by("-accepted_at")


def complaint_counts(compound: Compound, year: int) -> dict:
    """Property complaints of a year: received, responded, closed (counts only, no person)."""
    qs = Concern.objects.filter(
        handler_compound=compound, handler_kind=HandlerKind.PROPERTY_COMPANY, accepted_at__year=year
    )
    return qs.aggregate(
        received=Count("id"),
        responded=Count("id", filter=Q(responded_at__isnull=False)),
        closed=Count("id", filter=Q(closed_at__isnull=False)),
    )


def rules_of(subdistrict_id: int) -> list[scoring.Rule]:
    return [
        scoring.Rule(r.metric, Fraction(r.weight), r.direction, Fraction(r.worst), Fraction(r.best))
        for r in ScoreRule.objects.filter(subdistrict_id=subdistrict_id)
    ]


def score_rules_of(subdistrict: Subdistrict) -> QuerySet[ScoreRule]:
    return ScoreRule.objects.filter(subdistrict=subdistrict)


def checklist_of(subdistrict_id: int) -> QuerySet[ChecklistItem]:
    return ChecklistItem.objects.filter(subdistrict_id=subdistrict_id)


def stairwells_of(user, compound: Compound) -> list[tuple[Stairwell, StairwellGovernance | None]]:
    stairwells = scoped(
        user, Stairwell.objects.filter(building__compound=compound).select_related("building")
    )
    found = {g.stairwell_id: g for g in StairwellGovernance.objects.filter(stairwell__in=stairwells)}
    ordered = sorted(stairwells, key=lambda s: (len(s.building.number), s.building.number, s.name))
    return [(s, found.get(s.pk)) for s in ordered]  # 2号楼 before 10号楼


def stairwell_for(user, pk: int) -> Stairwell:
    qs = Stairwell.objects.select_related("building__neighborhood", "building__compound")
    return get_object_or_404(scoped(user, qs), pk=pk)


# --- Metrics and scores ------------------------------------------------------------------------


def _households(compound_ids) -> dict[int, int]:
    rows = Household.objects.filter(building__compound_id__in=compound_ids).values("building__compound_id")
    return {r["building__compound_id"]: r["n"] for r in rows.annotate(n=Count("id"))}


def _figure_metrics(compound_ids, start: date, end: date, found: dict) -> None:
    rows = (
        MonthlyFigures.objects.filter(compound_id__in=compound_ids, month__gte=start, month__lt=end)
        .values("compound_id")
        .annotate(
            billed=Sum("fee_billed"),
            collected=Sum("fee_collected"),
            incidents=Sum("burglaries") + Sum("battery_thefts") + Sum("vehicle_thefts") + Sum("fires"),
        )
    )
    for r in rows:
        values = found[r["compound_id"]]
        values["incidents"] = Fraction(r["incidents"])
        if r["billed"]:
            values["collection_rate"] = Fraction(r["collected"]) / Fraction(r["billed"]) * 100


def _fee_metrics(compound_ids, end: date, found: dict) -> None:
    for fee in FeeStandard.objects.filter(compound_id__in=compound_ids, effective_from__lt=end).order_by(
        "compound_id", "effective_from"
    ):
        found[fee.compound_id]["fee_rate"] = Fraction(fee.rate)  # the latest one wins


def _complaint_metrics(compound_ids, start: date, end: date, households: dict, found: dict) -> None:
    rows = (
        Concern.objects.filter(
            handler_compound_id__in=compound_ids,
            handler_kind=HandlerKind.PROPERTY_COMPANY,
            accepted_at__date__gte=start,
            accepted_at__date__lt=end,
        )
        .values("handler_compound_id")
        .annotate(n=Count("id"))
    )
    counts = {r["handler_compound_id"]: r["n"] for r in rows}
    for cid in compound_ids:
        if households.get(cid):
            found[cid]["complaints_per_100"] = Fraction(counts.get(cid, 0) * 100, households[cid])


def _committee_metrics(compound_ids, end: date, found: dict) -> None:
    committees = OwnersCommittee.objects.filter(
        compound_id__in=compound_ids, term_starts__lt=end, term_ends__gte=end
    ).annotate(size=Count("members"), party=Count("members", filter=Q(members__party_member=True)))
    for c in committees:
        if c.size:
            found[c.compound_id]["party_share"] = Fraction(c.party * 100, c.size)


def _stairwell_metrics(compound_ids, found: dict) -> None:
    rows = coverage_rows(
        Stairwell.objects.filter(building__compound_id__in=compound_ids), "building__compound_id"
    )
    for cid, row in rows.items():
        if row.total:
            found[cid]["stairwell_coverage"] = Fraction(row.self_governing * 100, row.total)


def metrics_of(compound_ids: list[int], start: date, end: date) -> dict[int, dict[str, Fraction]]:
    """compound id → metric → exact value over [start, end); a metric with no data is absent."""
    found: dict[int, dict[str, Fraction]] = {cid: {} for cid in compound_ids}
    households = _households(compound_ids)
    _figure_metrics(compound_ids, start, end, found)
    _fee_metrics(compound_ids, end, found)
    _complaint_metrics(compound_ids, start, end, households, found)
    _committee_metrics(compound_ids, end, found)
    _stairwell_metrics(compound_ids, found)
    return found


@dataclass
class Scores:
    """Exact scores of a subdistrict's compounds and neighborhoods for a period."""

    compounds: dict[int, Fraction] = field(default_factory=dict)
    neighborhoods: dict[int, Fraction] = field(default_factory=dict)
    unscored: dict[int, list[str]] = field(default_factory=dict)  # compound → missing metrics
    metrics: dict[int, dict[str, Fraction]] = field(default_factory=dict)


def scores_of(subdistrict_id: int, start: date, end: date) -> Scores:
    """Score every compound with all the rule's metrics; weight neighborhoods by households."""
    rules = rules_of(subdistrict_id)
    compounds = list(
        Compound.objects.filter(neighborhood__subdistrict_id=subdistrict_id).values_list(
            "id", "neighborhood_id"
        )
    )
    ids = [cid for cid, _n in compounds]
    metrics, households = metrics_of(ids, start, end), _households(ids)
    result = Scores(metrics=metrics)
    if not rules:
        return result
    rows = []
    for cid, nid in compounds:
        missing = [r.metric for r in rules if r.metric not in metrics[cid]]
        if missing or not households.get(cid):
            result.unscored[cid] = missing or ["households"]
        else:
            rows.append(scoring.CompoundRow(str(cid), str(nid), households[cid]))
    by_compound, by_neighborhood = scoring.score_all(rows, {str(k): v for k, v in metrics.items()}, rules)
    result.compounds = {int(k): v for k, v in by_compound.items()}
    result.neighborhoods = {int(k): v for k, v in by_neighborhood.items()}
    return result


def year_span(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year + 1, 1, 1)


@dataclass
class Ranked:
    compound: Compound
    score: Decimal | None
    rank: int | None
    missing: list[str]  # metric codes

    @property
    def missing_labels(self) -> list[str]:
        return [_label(m) for m in self.missing]


def ranking(user, neighborhood: Neighborhood, year: int) -> tuple[list[Ranked], Decimal | None]:
    """The neighborhood's compounds the user sees, best score first, and the neighborhood's score."""
    scores = scores_of(neighborhood.subdistrict_id, *year_span(year))
    compounds = compounds_visible_to(user).filter(neighborhood=neighborhood)
    rows = [
        Ranked(
            c, _round(scores.compounds.get(c.pk)), None, [_label(m) for m in scores.unscored.get(c.pk, [])]
        )
        for c in compounds
    ]
    rows.sort(key=lambda r: (r.score is None, -(r.score or 0), r.compound.name))
    for position, row in enumerate(r for r in rows if r.score is not None):
        row.rank = position + 1
    return rows, _round(scores.neighborhoods.get(neighborhood.pk))


def _label(metric: str) -> str:
    return str(METRICS.get(metric, _("households") if metric == "households" else metric))


def _round(value: Fraction | None) -> Decimal | None:
    return None if value is None else scoring.rounded(value)


def neighborhood_ranking(
    user, subdistrict: Subdistrict, year: int
) -> list[tuple[Neighborhood, Decimal | None]]:
    scores = scores_of(subdistrict.pk, *year_span(year))
    rows = [
        (n, _round(scores.neighborhoods.get(n.pk)))
        for n in scoped(user, Neighborhood.objects.filter(subdistrict=subdistrict))
    ]
    return sorted(rows, key=lambda r: (r[1] is None, -(r[1] or 0), r[0].name))


def trend(compound: Compound, year: int) -> list[tuple[str, Decimal | None]]:
    """The compound's score month by month (each month's own figures), for the trend chart."""
    points = []
    for month in range(1, 13):
        start = date(year, month, 1)
        end = date(year + (month == 12), month % 12 + 1, 1)
        scores = scores_of(compound.neighborhood.subdistrict_id, start, end)
        points.append((f"{year}-{month:02d}", _round(scores.compounds.get(compound.pk))))
    return points


def secretary_criterion(neighborhood: Neighborhood, year: int) -> dict:
    """The red-property criterion offered to the secretary's year-end assessment (华漕镇):
    the neighborhood's household-weighted score, with what it is made of."""
    scores = scores_of(neighborhood.subdistrict_id, *year_span(year))
    ids = list(Compound.objects.filter(neighborhood=neighborhood).values_list("id", flat=True))
    return {
        "code": "red_property",
        "neighborhood_id": neighborhood.pk,
        "year": year,
        "score": _round(scores.neighborhoods.get(neighborhood.pk)),
        "compounds_scored": sum(1 for i in ids if i in scores.compounds),
        "compounds": len(ids),
    }


# --- Stairwell coverage ------------------------------------------------------------------------


@dataclass
class Coverage:
    total: int = 0
    self_governing: int = 0
    beautiful: int = 0

    @property
    def rate(self) -> Decimal | None:
        return scoring.rounded(Fraction(self.self_governing * 100, self.total)) if self.total else None

    @property
    def beautiful_rate(self) -> Decimal | None:
        return scoring.rounded(Fraction(self.beautiful * 100, self.total)) if self.total else None


def coverage_rows(stairwells: QuerySet[Stairwell], by: str) -> dict[int, Coverage]:
    rows = stairwells.values(by).annotate(
        total=Count("id"),
        self_governing=Count("id", filter=Q(governance__step__gte=SELF_GOVERNING_STEP)),
        beautiful=Count("id", filter=Q(governance__beautiful_year__isnull=False)),
    )
    return {r[by]: Coverage(r["total"], r["self_governing"], r["beautiful"]) for r in rows}


def coverage(user, subdistrict: Subdistrict) -> tuple[Coverage, list[tuple[Neighborhood, Coverage]]]:
    """Self-governing stairwells of the subdistrict and of each neighborhood the user sees."""
    stairwells = Stairwell.objects.filter(building__neighborhood__subdistrict=subdistrict)
    whole = coverage_rows(stairwells, "building__neighborhood__subdistrict_id").get(
        subdistrict.pk, Coverage()
    )
    by_neighborhood = coverage_rows(stairwells, "building__neighborhood_id")
    visible = scoped(user, Neighborhood.objects.filter(subdistrict=subdistrict))
    return whole, [(n, by_neighborhood.get(n.pk, Coverage())) for n in visible]


def plan_of(subdistrict: Subdistrict, year: int) -> StairwellPlan | None:
    return StairwellPlan.objects.filter(subdistrict=subdistrict, year=year).first()


def step_counts(subdistrict: Subdistrict) -> dict[int, int]:
    """How many stairwells stand at each step (0: none recorded), for the overview's chart."""
    stairwells = Stairwell.objects.filter(building__neighborhood__subdistrict=subdistrict)
    total = stairwells.count()
    rows = StairwellGovernance.objects.filter(stairwell__in=stairwells).values("step").annotate(n=Count("id"))
    counts = {step: 0 for step in range(6)}
    for r in rows:
        counts[r["step"]] = r["n"]
    counts[0] += total - sum(counts.values())
    return counts


def stairwell_map(user, neighborhood: Neighborhood) -> list[dict]:
    """Points for the map: each stairwell at its building, coloured by step on the page."""
    qs = scoped(
        user, Stairwell.objects.filter(building__neighborhood=neighborhood, building__lat__isnull=False)
    )
    steps = dict(StairwellGovernance.objects.filter(stairwell__in=qs).values_list("stairwell_id", "step"))
    return [
        {"name": str(s), "lat": s.building.lat, "lng": s.building.lng, "step": steps.get(s.pk, 0), "i": i}
        for i, s in enumerate(qs.select_related("building__compound"))
    ]


def may_write_neighborhood(user, neighborhood: Neighborhood) -> bool:
    """May the user change the neighborhood's rules and stars (its staff and the subdistrict)."""
    return can_create(
        user, RuleBook, {"subdistrict": neighborhood.subdistrict_id, "neighborhood": neighborhood.pk}
    )


def owners_votes_of(user, compound: Compound) -> QuerySet[Vote]:
    """The compound's owners' votes (art. 278) the user may read, newest first: the decisions a fee
    change or a committee's election may name."""
    return scoped(user, Vote.objects.filter(compound=compound, kind=Vote.Kind.OWNERS)).order_by("-pk")


def objections_of(compound: Compound, *, since: date) -> QuerySet[Comment]:
    """Residents' objections to the compound's public notices since `since`, newest first (what
    the owners' committee and the property company answer for)."""
    return (
        Comment.objects.filter(disclosure__project__compound=compound, kind=Comment.Kind.OBJECTION)
        .filter(created_at__date__gte=since)
        .select_related("disclosure__project")
        .order_by("-created_at", "-id")
    )
