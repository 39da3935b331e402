"""Joint cases (联合执法): a concern that needs several departments goes to its block's joint team
as one case, one part per department, with a joint deadline on the working calendar.

The concern is dispatched to the team (handler kind `joint_team`); the first part done starts its
handling, and when the last part is done it goes on to verification (核查) with every reply in its
history, as a single handler's "resolve" would. Each write locks the concern row first, so two
departments finishing their parts at once are taken one after the other: whoever comes second
sees the first part done and moves the concern on.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.concerns import deadlines, history, lifecycle
from gongzhi.concerns import services as concern_services
from gongzhi.concerns.models import Concern, HandlerKind, JointCase, JointPart
from gongzhi.core import audit, permissions
from gongzhi.core.errors import NotInScope
from gongzhi.core.roles import ROLES
from gongzhi.org.models import Department

MIN_REPLY = 4
MAX_WORKING_DAYS = 60


@dataclass(frozen=True)
class PartRequest:
    department_id: int | None
    task: str


def _parse_days(value, concern: Concern) -> int:
    if value in (None, ""):
        return deadlines.limits_for(concern.category, concern.tier)[1]
    text = str(value).strip()
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= MAX_WORKING_DAYS:
        raise ValidationError(
            {
                "working_days": _("Working days must be a whole number from 1 to %(n)d.")
                % {"n": MAX_WORKING_DAYS}
            }
        )
    return int(text)


def _check_parts(parts: list[PartRequest], team: dict[int, Department]) -> list[PartRequest]:
    """Every part names a department of the block's team, once, and says what it must do."""
    if len(parts) < 2:
        raise ValidationError({"parts": _("A joint case needs parts for at least two departments.")})
    errors, seen = {}, set()
    for i, part in enumerate(parts, start=1):
        if part.department_id not in team:
            errors[f"parts.{i}.department"] = _(
                "Part %(n)d: the department is not on this block's joint team."
            ) % {"n": i}
        elif part.department_id in seen:
            errors[f"parts.{i}.department"] = _("Part %(n)d: %(department)s has a part already.") % {
                "n": i,
                "department": team[part.department_id],
            }
        if not (part.task or "").strip():
            errors[f"parts.{i}.task"] = _("Part %(n)d: say what the department must do.") % {"n": i}
        elif len(part.task.strip()) > 500:
            errors[f"parts.{i}.task"] = _("Part %(n)d: at most 500 characters.") % {"n": i}
        seen.add(part.department_id)
    if errors:
        raise ValidationError(errors)
    return parts


def _team_of(block_id: int) -> dict[int, Department]:
    return {d.pk: d for d in Department.objects.filter(block_teams__block_id=block_id).distinct()}


def _same_request(case: JointCase, parts: list[PartRequest]) -> bool:
    return set(case.parts.values_list("department_id", flat=True)) == {p.department_id for p in parts}


@transaction.atomic
def open_joint_case(*, actor, concern: Concern, parts: list[PartRequest], working_days=None) -> JointCase:
    """Hand the concern to its block's joint team: one part per department, a joint deadline.
    The same request sent again answers the case it made; nothing is written on bad input."""
    concern = history.locked(concern.pk)
    parties = history.require_party(actor, concern)
    if lifecycle.AREA not in parties:
        raise PermissionDenied(_("Only the area's staff may open a joint case."))
    existing = JointCase.objects.filter(concern=concern).first()
    if existing is not None:
        if _same_request(existing, parts):
            return existing
        raise ValidationError({"parts": _("This concern already has a joint case.")})
    block_id = concern.neighborhood.block_id if concern.neighborhood_id else None
    if block_id is None:
        raise ValidationError({"concern": _("This concern's neighborhood lies in no block.")})
    if lifecycle.target_of("dispatch", concern.state) is None:
        raise ValidationError(
            {
                "concern": _("A concern %(state)s cannot go to a joint team.")
                % {"state": concern.get_state_display()}
            }
        )
    parts = _check_parts(parts, _team_of(block_id))
    days = _parse_days(working_days, concern)
    now = timezone.now()
    case = JointCase.objects.create(
        concern=concern,
        block_id=block_id,
        working_days=days,
        due_at=deadlines.end_of_working_day(now, days),
        opened_by=actor,
    )
    JointPart.objects.bulk_create(
        JointPart(case=case, department_id=p.department_id, task=p.task.strip()) for p in parts
    )
    names = "、".join(str(d) for d in Department.objects.filter(pk__in=[p.department_id for p in parts]))
    note = _("Joint case for %(departments)s, due %(due)s.") % {
        "departments": names,
        "due": f"{timezone.localtime(case.due_at):%Y-%m-%d}",
    }
    concern_services._move(
        concern, "dispatch", note, actor, parties, concern_services.Handler(HandlerKind.JOINT_TEAM)
    )
    audit.record("create", case, actor=actor, summary=note)
    return case


def departments_of(actor) -> set[int]:
    """The departments the actor works concerns for (whose parts they may finish)."""
    return {
        a.department_id
        for a in permissions.assignments_of(actor)
        if ROLES[a.role].unit_kind == "department" and "concern" in ROLES[a.role].write
    }


def _acts_for(actor, department_id: int) -> bool:
    return department_id in departments_of(actor)


@transaction.atomic
def finish_part(*, actor, part: JointPart, reply: str) -> JointPart:
    """The department's part is done, with its reply; the last part sends the concern on to
    verification. Finishing a part again changes nothing."""
    if not permissions.can(actor, part):
        raise NotInScope(_("No such joint case part in your area."))
    concern = history.locked(part.case.concern_id)  # one part at a time per case
    part = JointPart.objects.select_for_update().select_related("case", "department").get(pk=part.pk)
    if not _acts_for(actor, part.department_id):
        raise PermissionDenied(
            _("Only %(department)s may finish its part.") % {"department": part.department}
        )
    if part.state == JointPart.State.DONE:
        return part
    reply = (reply or "").strip()
    if len(reply) < MIN_REPLY:
        raise ValidationError(
            {"reply": _("Say what was done (at least %(n)d characters).") % {"n": MIN_REPLY}}
        )
    if len(reply) > 2000:
        raise ValidationError({"reply": _("The reply may have at most 2000 characters.")})
    if concern.state not in (lifecycle.DISPATCHED, lifecycle.HANDLING):
        raise ValidationError(
            {
                "reply": _("The concern is %(state)s; its parts cannot change now.")
                % {"state": concern.get_state_display()}
            }
        )
    part.state, part.reply, part.done_at, part.done_by = JointPart.State.DONE, reply, timezone.now(), actor
    part.save(update_fields=["state", "reply", "done_at", "done_by"])
    audit.record("update", part, actor=actor, changes={"state": ["open", "done"]}, reason=reply[:255])
    _move_on(concern, part, actor)
    return part


def _move_on(concern: Concern, part: JointPart, actor) -> None:
    handler = {lifecycle.HANDLER}
    if concern.state == lifecycle.DISPATCHED:
        concern = concern_services._move(concern, "start", "", actor, handler, None)
    case = part.case
    open_parts = case.parts.filter(state=JointPart.State.OPEN)
    if open_parts.exists():
        return
    replies = "\n".join(
        f"{p.department}：{p.reply}"
        for p in case.parts.select_related("department").order_by("department__code")
    )
    concern_services._move(concern, "resolve", replies, actor, handler, None)
    JointCase.objects.filter(pk=case.pk).update(completed_at=timezone.now())


def part_requests(departments: list, tasks: list) -> list[PartRequest]:
    """Form rows (department id, task) as part requests; rows with neither are left out."""
    out = []
    for dep, task in zip(departments, tasks, strict=False):
        dep, task = (dep or "").strip(), (task or "").strip()
        if not dep and not task:
            continue
        out.append(PartRequest(int(dep) if dep.isascii() and dep.isdigit() and len(dep) < 18 else None, task))
    return out
