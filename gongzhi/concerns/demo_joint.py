"""Demo joint enforcement (`gongzhi demo load` calls `load_demo`): the joint team ("5+1") of the
first neighborhood's block, one handler account per department, and two joint cases there: one
just opened (房管 + 城管), one with 房管's part done and 安监's part past the joint deadline.

Idempotent: nothing changes when the block already has joint cases.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from gongzhi.concerns import joint
from gongzhi.concerns.models import Concern, JointCase
from gongzhi.org import services as org_services
from gongzhi.org.demo import catalog
from gongzhi.org.demo.accounts import demo_user
from gongzhi.org.demo.generator import SUBDISTRICT_CODE
from gongzhi.org.models import Department, Neighborhood, RoleAssignment, Subdistrict

CASES = [
    (("housing", "核查群租房屋安全，约谈房东限期整改"), ("city_management", "拆除楼道口违章搭建的棚屋")),
    (("housing", "督促物业修复外墙空鼓"), ("safety", "排查电动车楼道充电与消防通道堵塞")),
]


def _team(subdistrict, block, admin) -> dict[str, Department]:
    departments = {d.code: d for d in Department.objects.filter(subdistrict=subdistrict)}
    for username, display_name, code in catalog.JOINT_TEAM:
        department = departments.get(code)
        if department is None:
            continue
        user = get_user_model().objects.filter(username=username).first() or demo_user(username, display_name)
        if not RoleAssignment.objects.filter(
            user=user, role="department_handler", department=department
        ).exists():
            org_services.assign_role(actor=None, user=user, role="department_handler", unit=department)
        org_services.add_team_member(actor=admin, block=block, department=department, user=user)
    return departments


def load_demo() -> str:
    subdistrict = Subdistrict.objects.filter(code=SUBDISTRICT_CODE).first()
    first = (
        Neighborhood.objects.filter(subdistrict=subdistrict).order_by("code").first() if subdistrict else None
    )
    users = {u.username: u for u in get_user_model().objects.filter(username__in=["admin", "blockchief"])}
    if first is None or first.block is None or len(users) < 2:
        return "joint cases: no demo town with a block (run `gongzhi demo load` first)"
    block = first.block
    if JointCase.objects.filter(block=block).exists():
        return f"joint cases: {block.name} has its joint cases already; nothing changed"
    with transaction.atomic():
        departments = _team(subdistrict, block, users["admin"])
        candidates = Concern.objects.filter(
            neighborhood__block=block, state="accepted", joined_to__isnull=True
        ).order_by("-accepted_at")[: len(CASES)]
        opened = []
        for concern, parts in zip(candidates, CASES, strict=False):
            requests = [joint.PartRequest(departments[code].pk, task) for code, task in parts]
            opened.append(joint.open_joint_case(actor=users["blockchief"], concern=concern, parts=requests))
        if len(opened) == 2:
            late = opened[1]
            done = late.parts.get(department__code="housing")
            handler = get_user_model().objects.get(username="department")
            joint.finish_part(actor=handler, part=done, reply="已约谈物业，外墙空鼓部位已修复并拍照留档")
            JointCase.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(days=1))
    return f"joint cases: joint team of {block.name} ({len(catalog.JOINT_TEAM)} members), {len(opened)} joint cases"
