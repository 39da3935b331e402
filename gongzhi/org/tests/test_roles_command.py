"""First setup from the shell: a subdistrict and the first roles, audited, checks applied."""

import io

import pytest
from django.core.management import CommandError, call_command

from gongzhi.core.models import AuditRecord
from gongzhi.core.permissions import may_read_class
from gongzhi.org.factories import UserFactory
from gongzhi.org.models import Subdistrict

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("roles", *args, stdout=out)
    return out.getvalue()


def test_a_new_installation_gets_its_subdistrict_and_first_admins():
    run("subdistrict", "--district", "宝山区", "--name", "杨行镇", "--code", "310113-YX")
    town = Subdistrict.objects.get(code="310113-YX")
    admin, ops = UserFactory(username="zhou", is_staff=True), UserFactory(username="ops", is_staff=True)
    assert "subdistrict_admin" in run(
        "assign", "--user", "zhou", "--role", "subdistrict_admin", "--unit", str(town.pk)
    )
    run("assign", "--user", "ops", "--role", "system_admin", "--unit", str(town.pk))
    assert may_read_class(admin, "resident") and not may_read_class(ops, "resident")
    assert AuditRecord.objects.filter(action="create", actor_label="system").count() >= 3


def test_bad_setup_input_is_refused_and_changes_nothing(world):
    with pytest.raises(CommandError, match="exists already"):
        run("subdistrict", "--district", "宝山区", "--name", "x", "--code", world.subdistrict.code)
    with pytest.raises(CommandError, match="no active user"):
        run("assign", "--user", "nobody", "--role", "auditor", "--unit", str(world.subdistrict.pk))
    with pytest.raises(CommandError, match="no neighborhood"):
        run("assign", "--user", "grid_worker", "--role", "social_worker", "--unit", "999999")
    with pytest.raises(CommandError):  # a duty role stays alone on its account
        run("assign", "--user", "auditor", "--role", "subdistrict_admin", "--unit", str(world.subdistrict.pk))
    assert world.users["auditor"].role_assignments.count() == 1
