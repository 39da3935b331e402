"""The test cast of gongzhi/org/testing.py: its table names every role, and each user holds it."""

import pytest

from gongzhi.core.roles import ROLES
from gongzhi.org import testing

pytestmark = pytest.mark.django_db


def test_the_cast_table_names_every_role_and_nothing_else():
    rows = [line for line in testing.__doc__.splitlines() if line.startswith("| ") and "---" not in line]
    named = {row.split("|")[1].strip() for row in rows} - {"user"}
    assert named == set(ROLES)


def test_each_user_of_the_world_holds_the_role_it_is_named_after(world):
    for code, user in world.users.items():
        assert user.username == code
        assert [a.role for a in user.role_assignments.all()] == [code]
