"""Who may act on a project, and in which state: the funder's steps, creating, editing drafts."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from gongzhi.core import permissions
from gongzhi.core.errors import NotInScope
from gongzhi.core.roles import ROLES
from gongzhi.org.models import Neighborhood, Subdistrict
from gongzhi.projects import rules
from gongzhi.projects.models import Project


def is_subdistrict_staff(actor, subdistrict_id: int) -> bool:
    """The funder's side: a role on the subdistrict itself that writes projects."""
    return any(
        ROLES[a.role].unit_kind == "subdistrict"
        and "project" in ROLES[a.role].write
        and a.unit_id == subdistrict_id
        for a in permissions.assignments_of(actor)
    )


def require_subdistrict(actor, subdistrict_id: int, *, seen: bool = False) -> None:
    """The funder's steps; `seen` when the actor may read the record at hand (so: 403, not 404)."""
    if is_subdistrict_staff(actor, subdistrict_id):
        return
    if seen or permissions.scoped(actor, Subdistrict.objects.filter(pk=subdistrict_id)).exists():
        raise PermissionDenied(_("Only the subdistrict may do this."))
    raise NotInScope(_("No such record in your area."))


def require_create(actor, neighborhood: Neighborhood) -> None:
    path = {"subdistrict": neighborhood.subdistrict_id, "neighborhood": neighborhood.pk}
    if permissions.can_create(actor, Project, path):
        return
    if permissions.scoped(actor, Neighborhood.objects.filter(pk=neighborhood.pk)).exists():
        raise PermissionDenied(_("You may not add this here."))
    raise NotInScope(_("No such neighborhood in your area."))


def locked(project: Project) -> Project:
    return Project.objects.select_for_update().get(pk=project.pk)


def require_editable(project: Project) -> None:
    if project.state not in rules.EDITABLE:
        raise ValidationError(
            {
                "state": _("A project can only be edited as a draft (now: %(state)s).")
                % {"state": project.get_state_display()}
            }
        )
