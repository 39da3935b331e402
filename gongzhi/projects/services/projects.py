"""Creating and editing projects, and starting them from hot issues and votes."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.core import audit, permissions
from gongzhi.core.permissions import READ, require
from gongzhi.org.models import Neighborhood, PartyOrg
from gongzhi.projects.models import Project
from gongzhi.projects.services.access import locked, require_create, require_editable


def owner_of(neighborhood: Neighborhood) -> PartyOrg:
    """The neighborhood's party organisation: its community committee, else its top branch."""
    orgs = PartyOrg.objects.filter(neighborhood=neighborhood)
    for level in (PartyOrg.Level.COMMUNITY, PartyOrg.Level.BRANCH, PartyOrg.Level.GROUP):
        org = orgs.filter(level=level).order_by("parent_id", "id").first()
        if org is not None:
            return org
    raise ValidationError(
        {
            "owner": _("%(neighborhood)s has no party organisation to own the project.")
            % {"neighborhood": neighborhood}
        }
    )


PROJECT_FIELDS = (
    "title",
    "kind",
    "origin",
    "origin_note",
    "summary",
    "goals",
    "beneficiaries",
    "university_teams",
    "starts_on",
    "ends_on",
    "compound",
    "leader",
)


def _check_dates(project: Project) -> None:
    if project.starts_on and project.ends_on and project.ends_on < project.starts_on:
        raise ValidationError({"ends_on": _("The project cannot end before it starts.")})
    if project.compound_id and project.compound.neighborhood_id != project.neighborhood_id:
        raise ValidationError({"compound": _("The compound is not in the project's neighborhood.")})


@transaction.atomic
def create_project(
    *,
    actor,
    neighborhood: Neighborhood,
    title: str,
    kind: str = Project.Kind.PRACTICAL,
    origin: str = Project.Origin.PROPOSAL,
    owner: PartyOrg | None = None,
    partners=(),
    departments=(),
    team=(),
    **fields,
) -> Project:
    require_create(actor, neighborhood)
    owner = owner or owner_of(neighborhood)
    if owner.neighborhood_id != neighborhood.pk:
        raise ValidationError({"owner": _("The owner must be a party organisation of the neighborhood.")})
    unknown = set(fields) - set(PROJECT_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("Unknown field.")})
    project = Project(
        neighborhood=neighborhood,
        owner=owner,
        title=(title or "").strip(),
        kind=kind,
        origin=origin,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        **fields,
    )
    project.full_clean(exclude=["created_by", "leader"])
    _check_dates(project)
    project.save()
    _set_links(project, partners=partners, departments=departments, team=team)
    audit.record("create", project, actor=actor, changes={"kind": kind, "origin": origin, "owner": owner.pk})
    return project


def _set_links(project: Project, *, partners=None, departments=None, team=None) -> None:
    sub = project.neighborhood.subdistrict_id
    if partners is not None:
        partners = list(partners)
        if any(p.subdistrict_id != sub for p in partners):
            raise ValidationError({"partners": _("Partner units must belong to the project's subdistrict.")})
        project.partners.set(partners)
    if departments is not None:
        departments = list(departments)
        if any(d.subdistrict_id != sub for d in departments):
            raise ValidationError({"departments": _("Departments must belong to the project's subdistrict.")})
        project.departments.set(departments)
    if team is not None:
        project.team.set(list(team))


@transaction.atomic
def update_project(
    *, actor, project: Project, partners=None, departments=None, team=None, **fields
) -> Project:
    require(actor, project)
    project = locked(project)
    require_editable(project)
    unknown = set(fields) - set(PROJECT_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("Unknown field.")})
    changes = {}
    for name, value in fields.items():
        if getattr(project, name) != value:
            changes[name] = str(value)
            setattr(project, name, value)
    project.full_clean(exclude=["created_by", "leader"])
    _check_dates(project)
    project.save()
    _set_links(project, partners=partners, departments=departments, team=team)
    audit.record("update", project, actor=actor, changes=changes)
    return project


@transaction.atomic
def draft_from_hot_issue(user, *, neighborhood: Neighborhood, title: str, summary: str) -> Project:
    """A draft practical-matter project for a hot issue (问题清单 → 实事清单), owned by the
    neighborhood's party organisation. The caller stores the link on its hot issue."""
    return create_project(
        actor=user,
        neighborhood=neighborhood,
        title=(title or "")[:128],
        kind=Project.Kind.PRACTICAL,
        origin=Project.Origin.HOT_ISSUE,
        summary=summary or "",
    )


def vote_neighborhood(vote) -> Neighborhood | None:
    """Where a project of a vote's result belongs: the vote's neighborhood, its compound's or its
    party organisation's."""
    if vote.neighborhood_id:
        return vote.neighborhood
    if vote.compound_id:
        return vote.compound.neighborhood
    if vote.party_org_id and vote.party_org.neighborhood_id:
        return vote.party_org.neighborhood
    return None


def vote_winners(vote) -> list[dict]:
    """The results a project may start from: a passed yes/no vote (candidate None), or each
    tick-list option that reached the threshold, with its ticks and rank."""
    from gongzhi.deliberation.models import Vote

    result = vote.result or {}
    if vote.status not in (Vote.Status.CLOSED, Vote.Status.PUBLISHED) or not result.get("valid", True):
        return []
    if vote.kind != Vote.Kind.TICK_LIST:
        return [{"candidate": None, "label": vote.subject}] if result.get("passed") else []
    candidates = {str(c.pk): c for c in vote.candidates.all()}
    return [
        {
            "candidate": candidates[row["candidate_id"]],
            "label": candidates[row["candidate_id"]].label,
            "ticks": row["ticks"],
            "rank": row["rank"],
        }
        for row in result.get("ranking", [])
        if row.get("reaches_threshold") and row["candidate_id"] in candidates
    ]


def may_start_from_vote(user, vote) -> bool:
    """Whether the result page offers the button: the user reads the vote and may make projects
    in its neighborhood (the service checks again)."""
    neighborhood = vote_neighborhood(vote)
    if neighborhood is None or not permissions.can(user, vote, READ):
        return False
    path = {"subdistrict": neighborhood.subdistrict_id, "neighborhood": neighborhood.pk}
    return permissions.can_create(user, Project, path)


@transaction.atomic
def start_from_vote(*, actor, vote, candidate=None) -> Project:
    """A draft project from a passed vote or a tick-list option residents chose, linked to it; a
    second click, or two at once, get the same project (the vote row is locked)."""
    from gongzhi.deliberation.models import Vote

    require(actor, vote, READ)
    vote = Vote.objects.select_for_update().get(pk=vote.pk)
    winners = {w["candidate"].pk if w["candidate"] else None: w for w in vote_winners(vote)}
    key = candidate.pk if candidate is not None else None
    if key not in winners:
        raise ValidationError(
            {
                "candidate": _(
                    "Only a passed vote or a tick-list option that reached the threshold starts a project."
                )
            }
        )
    existing = Project.objects.filter(origin_vote=vote, origin_candidate_id=key).first()
    if existing is not None:
        return existing
    neighborhood = vote_neighborhood(vote)
    if neighborhood is None:
        raise ValidationError({"vote": _("The vote has no neighborhood to own a project.")})
    winner = winners[key]
    if candidate is None:
        origin, summary = Project.Origin.VOTE, _("Passed by vote: %(subject)s.") % {"subject": vote.subject}
    else:
        origin = Project.Origin.TICK_LIST
        summary = _("Chosen by residents in the tick-list %(subject)s: rank %(rank)s, %(ticks)s ticks.") % {
            "subject": vote.subject,
            "rank": winner["rank"],
            "ticks": winner["ticks"],
        }
    compound = vote.compound if vote.compound_id else None
    project = create_project(
        actor=actor,
        neighborhood=neighborhood,
        title=winner["label"][:128],
        origin=origin,
        summary=summary,
        origin_note=vote.subject[:255],
        compound=compound,
    )
    project.origin_vote, project.origin_candidate = vote, candidate
    project.save(update_fields=["origin_vote", "origin_candidate"])
    audit.record("link", project, actor=actor, changes={"origin_vote": vote.pk, "origin_candidate": key})
    return project
