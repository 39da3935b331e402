"""Demo logins: one staff account per role, on units inside the demo town, plus `sysadmin`, the
system admin of the town (accounts, roles and the Django admin; no residents' data), and
`admin2`, a second subdistrict admin who adopts what `admin` previews (four eyes). It is no
Django superuser: the superuser flag grants no data here, and a duty comes from its role.

Roles are given through `services.assign_role(actor=None, …)` like any other role, so the scope
each account sees is the one the platform would give it. Run again, it changes nothing.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.utils import translation

from gongzhi.accounts.models import User
from gongzhi.core.roles import ROLES
from gongzhi.grids.models import MicroGrid
from gongzhi.org import services
from gongzhi.org.demo import catalog
from gongzhi.org.models import Block, Department, Neighborhood, PartnerUnit, Stairwell, Subdistrict

DEFAULT_PASSWORD = "gongzhi-demo-2026"


@dataclass(frozen=True)
class Login:
    username: str
    display_name: str
    role: str  # role label in Chinese
    unit: str


def demo_password() -> str:
    return os.environ.get("GONGZHI_DEMO_PASSWORD") or DEFAULT_PASSWORD


def demo_units(subdistrict: Subdistrict) -> dict[str, object]:
    """Where the demo roles sit: the first neighborhood, its first micro-grid, a stairwell and a
    compound in that grid, 上海大学 among the partner units, the housing office (房管)."""
    neighborhood = Neighborhood.objects.filter(subdistrict=subdistrict).order_by("code").first()
    grid = (
        MicroGrid.objects.filter(neighborhood=neighborhood, level=MicroGrid.Level.MICRO)
        .order_by("code")
        .first()
    )
    stairwell = (
        Stairwell.objects.filter(micro_grid=grid).select_related("building__compound").order_by("pk").first()
    )
    return {
        "subdistrict": subdistrict,
        "neighborhood": neighborhood,
        "micro_grid": grid,
        "stairwell": stairwell,
        "compound": stairwell.building.compound,
        "partner_unit": PartnerUnit.objects.filter(subdistrict=subdistrict, name="上海大学").first()
        or PartnerUnit.objects.filter(subdistrict=subdistrict).order_by("pk").first(),
        "department": Department.objects.filter(subdistrict=subdistrict).order_by("pk").first(),
        # The block chief (街长) sits on the first neighborhood's block.
        "block": neighborhood.block or Block.objects.filter(subdistrict=subdistrict).order_by("pk").first(),
    }


def ensure_accounts(subdistrict: Subdistrict) -> list[Login]:
    units = demo_units(subdistrict)
    hashed = _Password()
    logins = []
    with translation.override("zh-hans"):
        for username, display_name, role, post_level in catalog.DEMO_ACCOUNTS:
            user = _user(username, display_name, hashed)
            unit = units[ROLES[role].unit_kind]
            services.assign_role(actor=None, user=user, role=role, unit=unit, post_level=post_level)
            logins.append(Login(username, display_name, str(ROLES[role].label), _unit_label(unit)))
        block = units["block"]
        if block is not None and block.block_chief_id is None:
            block.block_chief = User.objects.get(username="blockchief")
            block.save(update_fields=["block_chief"])
        grid = units["micro_grid"]
        if grid.grid_chief_id is None:
            grid.grid_chief = User.objects.get(username="gridchief")
            grid.save(update_fields=["grid_chief"])
        username, display_name = catalog.SYSTEM_ADMIN
        user = _user(username, display_name, hashed)
        services.assign_role(actor=None, user=user, role="system_admin", unit=subdistrict)
        logins.append(Login(username, display_name, "系统管理员（Django 后台）", _unit_label(subdistrict)))
        username, display_name = catalog.SUBDISTRICT_COLLEAGUE
        user = _user(username, display_name, hashed)
        services.assign_role(actor=None, user=user, role="subdistrict_admin", unit=subdistrict)
        logins.append(
            Login(
                username,
                display_name,
                f"{ROLES['subdistrict_admin'].label}（双人复核）",
                _unit_label(subdistrict),
            )
        )
    return logins


class _Password:
    """The demo password hashed once, and only if an account is made (hashing is slow on purpose)."""

    def __init__(self) -> None:
        self.hashed = ""

    def __str__(self) -> str:
        self.hashed = self.hashed or make_password(demo_password())
        return self.hashed


def demo_user(username: str, display_name: str) -> User:
    """A further demo staff account (no role yet), with the demo password."""
    return _user(username, display_name, _Password())


def _user(username: str, display_name: str, hashed: _Password) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create(
            username=username,
            display_name=display_name,
            kind=User.Kind.STAFF,
            is_staff=True,
            password=str(hashed),
        )
    return user


def _unit_label(unit) -> str:
    if isinstance(unit, Stairwell):
        return f"{unit.building.compound.name} {unit.building.number} {unit.name}"
    return str(unit)


def format_logins(logins: list[Login], password: str) -> str:
    """A table of the demo logins for the terminal."""
    width = max(len(login.username) for login in logins)
    lines = [f"演示账号（密码：{password}）", f"{'用户名'.ljust(width)}  角色 / 单位"]
    for login in logins:
        lines.append(f"{login.username.ljust(width)}  {login.role} · {login.unit}（{login.display_name}）")
    return "\n".join(lines)
