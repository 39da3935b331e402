"""微项目 designs of mid-level workers: submitted by the worker, reviewed by the neighborhood,
linked to the project (gongzhi.projects) of the same neighborhood that carries it out."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.core import audit, permissions
from gongzhi.core.separation import require_second_person
from gongzhi.workforce.models import MicroProjectDesign, WorkerProfile
from gongzhi.workforce.services.common import text

MID_LEVELS = ("regular", "team_lead")


@transaction.atomic
def submit_design(*, actor, title: str, design: str) -> MicroProjectDesign:
    """A regular worker or team lead submits their own 微项目 design."""
    profile = WorkerProfile.objects.filter(user_id=actor.pk).first()
    if profile is None or profile.post_level not in MID_LEVELS:
        raise PermissionDenied(_("Micro-project designs come from regular workers and team leads."))
    found = MicroProjectDesign.objects.create(
        profile=profile,
        title=text(title, field="title", max_length=128),
        design=text(design, field="design", max_length=8000),
    )
    audit.record("create", found, actor=actor)
    return found


@transaction.atomic
def review_design(
    *, actor, design: MicroProjectDesign, accepted: bool, review: str, project=None
) -> MicroProjectDesign:
    """The neighborhood accepts (optionally linking the project that carries it) or returns a design."""
    permissions.require(actor, design)
    locked = MicroProjectDesign.objects.select_for_update().get(pk=design.pk)
    require_second_person(locked.profile.user_id, actor, step=_("Reviewing a design"))
    if project is not None and project.neighborhood_id != locked.profile.neighborhood_id:
        raise ValidationError({"project": _("Link a project of the worker's neighborhood.")})
    locked.status = MicroProjectDesign.Status.ACCEPTED if accepted else MicroProjectDesign.Status.RETURNED
    locked.review, locked.project = text(review, field="review", required=not accepted), project
    locked.save(update_fields=["status", "review", "project"])
    audit.record(
        "update",
        locked,
        actor=actor,
        changes={"status": locked.status, "project": getattr(project, "pk", None)},
    )
    return locked
