"""Review rounds, their panels and scores, and the ranking they produce."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from gongzhi.core import audit
from gongzhi.core.errors import NotInScope
from gongzhi.org.models import Subdistrict
from gongzhi.projects import allocation, rules, scoring
from gongzhi.projects.models import AllocationRule, Criterion, Panel, PanelMember, Project, ReviewRound, Score
from gongzhi.projects.services.access import require_subdistrict
from gongzhi.projects.services.effects import notify_later
from gongzhi.projects.services.money import FEN

ROUND_STATES = {
    ReviewRound.Stage.SETUP: {rules.SUBMITTED, rules.UNDER_REVIEW, rules.APPROVED},
    ReviewRound.Stage.MIDTERM: {rules.RUNNING, rules.MIDTERM},
    ReviewRound.Stage.FINAL: {rules.FINAL_REPORT, rules.CLOSED},
}


@transaction.atomic
def create_round(
    *,
    actor,
    subdistrict: Subdistrict,
    name: str,
    stage: str = ReviewRound.Stage.SETUP,
    criteria: list[tuple[str, object]],
    drop_extremes: bool = False,
    rule: AllocationRule | None = None,
) -> ReviewRound:
    """A round with its scoring criteria (name, weight), both set by the subdistrict."""
    require_subdistrict(actor, subdistrict.pk)
    if rule is not None and rule.subdistrict_id != subdistrict.pk:
        raise ValidationError({"rule": _("The allocation rule belongs to another subdistrict.")})
    if not criteria:
        raise ValidationError({"criteria": _("A round needs at least one criterion.")})
    review_round = ReviewRound(
        subdistrict=subdistrict,
        name=(name or "").strip(),
        stage=stage,
        drop_extremes=drop_extremes,
        rule=rule,
    )
    review_round.full_clean()
    review_round.save()
    seen = set()
    for position, (criterion_name, weight) in enumerate(criteria):
        criterion_name = (criterion_name or "").strip()
        field = f"criteria[{position + 1}]"
        if not criterion_name or criterion_name in seen:
            raise ValidationError({field: _("Each criterion needs its own name.")})
        seen.add(criterion_name)
        try:
            weight = Decimal(str(weight))
        except InvalidOperation:
            raise ValidationError({field: _("The weight is not a number.")}) from None
        if not weight.is_finite() or weight <= 0:
            raise ValidationError({field: _("The weight must be above zero.")})
        Criterion.objects.create(
            review_round=review_round, name=criterion_name, weight=weight, position=position
        )
    audit.record("create", review_round, actor=actor, changes={"criteria": [str(c[0]) for c in criteria]})
    return review_round


@transaction.atomic
def add_to_round(*, actor, review_round: ReviewRound, projects) -> None:
    require_subdistrict(actor, review_round.subdistrict_id)
    projects = list(projects)
    for project in projects:
        if project.neighborhood.subdistrict_id != review_round.subdistrict_id:
            raise ValidationError(
                {"projects": _("%(project)s is in another subdistrict.") % {"project": project}}
            )
        if project.state not in ROUND_STATES[review_round.stage]:
            raise ValidationError(
                {
                    "projects": _("%(project)s is %(state)s and cannot be reviewed at this stage.")
                    % {"project": project, "state": project.get_state_display()}
                }
            )
    review_round.projects.add(*projects)
    audit.record("add_projects", review_round, actor=actor, changes={"projects": [p.pk for p in projects]})


@transaction.atomic
def create_panel(*, actor, review_round: ReviewRound, name: str, members, chair=None, projects=None) -> Panel:
    """A panel reviews the given projects of the round (all of them when none are named)."""
    require_subdistrict(actor, review_round.subdistrict_id)
    panel = Panel(review_round=review_round, name=(name or "").strip())
    panel.full_clean()
    panel.save()
    projects = list(review_round.projects.all()) if projects is None else list(projects)
    if any(not review_round.projects.filter(pk=p.pk).exists() for p in projects):
        raise ValidationError({"projects": _("A panel reviews only projects of its round.")})
    panel.projects.set(projects)
    members = list(members)
    if not members:
        raise ValidationError({"members": _("A panel needs at least one member.")})
    for user in members:
        PanelMember.objects.get_or_create(panel=panel, user=user, defaults={"is_chair": user == chair})
        notify_later(
            user,
            key=f"projects/panel/{panel.pk}/{user.pk}",
            subject=_("Please score: %(round)s") % {"round": review_round},
            body=_("You sit on the review panel %(panel)s; score each project on your own.")
            % {"panel": panel.name},
            link=reverse("projects:round", args=[review_round.pk]),
        )
    audit.record("create", panel, actor=actor, changes={"members": [u.pk for u in members]})
    return panel


def seat_for(user, review_round: ReviewRound, project: Project) -> PanelMember | None:
    """The user's seat on a panel of this round that reviews this project, if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        PanelMember.objects.filter(panel__review_round=review_round, panel__projects=project, user=user)
        .select_related("panel")
        .first()
    )


@transaction.atomic
def submit_scores(*, actor, review_round: ReviewRound, project: Project, values: dict) -> list[Score]:
    """One member's scores of one project, all criteria at once; submitting again replaces them."""
    seat = seat_for(actor, review_round, project)
    if seat is None:
        raise NotInScope(_("You do not review this project."))
    review_round = ReviewRound.objects.select_for_update().get(pk=review_round.pk)
    if review_round.state != ReviewRound.State.OPEN:
        raise ValidationError({"state": _("Scoring of this round is closed.")})
    criteria = list(review_round.criteria.all())
    clean = {}
    for criterion in criteria:
        raw = values.get(criterion.pk, values.get(str(criterion.pk)))
        field = f"criterion_{criterion.pk}"
        if raw in (None, ""):
            raise ValidationError({field: _("Score %(name)s.") % {"name": criterion.name}})
        try:
            value = Decimal(str(raw).strip())
        except InvalidOperation:
            raise ValidationError({field: _("%(name)s: not a number.") % {"name": criterion.name}}) from None
        if not value.is_finite() or value < 0 or value > criterion.max_score:
            raise ValidationError(
                {
                    field: _("%(name)s: between 0 and %(max)s.")
                    % {"name": criterion.name, "max": criterion.max_score}
                }
            )
        clean[criterion] = value.quantize(FEN, rounding=ROUND_HALF_UP)
    saved = []
    for criterion, value in clean.items():
        score, _created = Score.objects.update_or_create(
            member=seat, project=project, criterion=criterion, defaults={"value": value}
        )
        saved.append(score)
    audit.record(
        "score",
        project,
        actor=actor,
        summary=f"{review_round} · {project}",
        changes={c.name: str(v) for c, v in clean.items()},
    )
    return saved


@transaction.atomic
def close_round(*, actor, review_round: ReviewRound) -> ReviewRound:
    require_subdistrict(actor, review_round.subdistrict_id)
    review_round = ReviewRound.objects.select_for_update().get(pk=review_round.pk)
    if review_round.state != ReviewRound.State.CLOSED:
        review_round.state = ReviewRound.State.CLOSED
        review_round.save(update_fields=["state"])
        audit.record("close", review_round, actor=actor)
    return review_round


@dataclass
class Ranked:
    project: Project
    members: int
    result: Decimal | None
    rank: int | None
    totals: list


def ranking(review_round: ReviewRound) -> list[Ranked]:
    """Every project of the round with its panel result and competition rank (unscored last)."""
    criteria = [scoring.Criterion(c.pk, c.weight, c.max_score) for c in review_round.criteria.all()]
    values: dict[tuple[int, int], dict[int, Decimal]] = {}
    for s in Score.objects.filter(criterion__review_round=review_round).values(
        "member_id", "project_id", "criterion_id", "value"
    ):
        values.setdefault((s["project_id"], s["member_id"]), {})[s["criterion_id"]] = s["value"]
    rows = []
    for project in review_round.projects.select_related("owner", "neighborhood").order_by("id"):
        totals = [
            t
            for (project_id, _member), v in values.items()
            if project_id == project.pk and (t := scoring.member_total(criteria, v)) is not None
        ]
        rows.append(
            Ranked(
                project,
                len(totals),
                scoring.panel_result(totals, drop_extremes=review_round.drop_extremes),
                None,
                sorted(totals),
            )
        )
    scored = {r.project.pk: r.result for r in rows if r.result is not None}
    positions = allocation.ranks(scored)
    for r in rows:
        if r.project.pk in positions:
            r.rank = positions[r.project.pk][0]
    return sorted(rows, key=lambda r: (r.rank is None, r.rank or 0, r.project.pk))


@transaction.atomic
def setup_round(
    *,
    actor,
    subdistrict: Subdistrict,
    name: str,
    stage: str,
    criteria,
    drop_extremes: bool,
    rule,
    projects,
    judges,
) -> ReviewRound:
    """The round page's form in one step: criteria, projects, and one panel of the chosen members."""
    review_round = create_round(
        actor=actor,
        subdistrict=subdistrict,
        name=name,
        stage=stage,
        criteria=criteria,
        drop_extremes=drop_extremes,
        rule=rule,
    )
    add_to_round(actor=actor, review_round=review_round, projects=projects)
    judges = list(judges)
    create_panel(
        actor=actor,
        review_round=review_round,
        name=_("Review panel"),
        members=judges,
        chair=judges[0] if judges else None,
    )
    return review_round
