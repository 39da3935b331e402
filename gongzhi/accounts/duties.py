"""Separation of duties (等保 2.0 三员管理) and separate resident sessions.

A system admin keeps accounts and configuration (the Django admin), a security admin the security
settings, lockouts and sessions, an auditor reads the audit trail. Each is a dedicated account:
it holds exactly one of these roles and no other role, so none of them reads residents' data.
Every other page answers 403 to these accounts. Residents reach their own pages only; staff pages
answer them 404.
"""

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

# duty_of and keeps_system live in the permission layer (core), so apps below accounts (the
# notifications admin) can ask them too; re-exported here for accounts' own callers.
from gongzhi.core.permissions import duty_of, keeps_system  # noqa: F401
from gongzhi.core.roles import DUTY_ROLES

# Pages each kind of restricted account may open (path prefixes), and its home page.
COMMON = (
    "/accounts/login/",
    "/accounts/logout/",
    "/accounts/password/",
    "/accounts/reauth/",
    "/accounts/second-factor/",
    "/i18n/",
    "/static/",
)
ALLOWED = {
    "auditor": (*COMMON, "/audit/"),
    "security_admin": (*COMMON, "/accounts/security/"),
    "system_admin": (*COMMON, "/admin/"),
    "resident": (*COMMON, "/accounts/me/", "/api/"),
}
# Residents' pages in other apps (their own permission checks still apply); "/" is their home.
# Staff pages answer a resident 404, as records out of scope do: a resident learns nothing about
# what staff pages exist.
RESIDENT_PAGES = re.compile(
    r"^/($|concerns/(r|b)/|deliberation/votes/$|deliberation/votes/\d+/(ballot|notice)/|projects/public/|surveys/(a|o)/"
    r"|volunteers/(answer|check-in|wishes/board)/|notifications/"
    r"|insights/(my/notices|n)/)"
)
HOME = {
    "auditor": "/audit/",
    "security_admin": "/accounts/security/",
    "system_admin": "/admin/",
    "resident": "/",  # the resident home (gongzhi/workbench.py)
}


def page_allowed(user, path: str) -> bool:
    duty = duty_of(user)
    if duty is None or path.startswith(ALLOWED[duty]):
        return True
    return duty == "resident" and RESIDENT_PAGES.match(path) is not None


def home_of(user) -> str | None:
    duty = duty_of(user)
    return HOME[duty] if duty else None


def require_duty(user, duty: str) -> None:
    if duty_of(user) != duty:
        raise PermissionDenied(_("This page belongs to another duty."))


def check_new_assignment(*, user_id: int, role: str) -> None:
    """Refuse a role that would give one account a duty role plus any other role.

    Runs inside the assigning transaction with the account's row locked, so two concurrent
    assignments to one account are checked one after the other.
    """
    from gongzhi.accounts.models import User
    from gongzhi.org.models import RoleAssignment

    user = User.objects.select_for_update().get(pk=user_id)
    if user.kind == User.Kind.RESIDENT:
        raise ValidationError({"role": _("Resident accounts cannot hold staff roles.")})
    held = set(RoleAssignment.objects.filter(user_id=user_id).values_list("role", flat=True)) - {role}
    if held and (role in DUTY_ROLES or held & DUTY_ROLES):
        raise ValidationError(
            {"role": _("System admin, security admin and auditor are separate accounts with no other role.")}
        )
