"""The accounts demo: duty accounts, linked resident accounts and two requests; twice changes nothing."""

from functools import cache

import pytest

from gongzhi.accounts import demo
from gongzhi.accounts.models import DataSubjectRequest, User
from gongzhi.org.demo import loader
from gongzhi.org.demo.generator import generate_town

pytestmark = pytest.mark.django_db


@cache
def small_town():
    return generate_town(households=2000, seed=5)


def test_the_accounts_demo_loads_once():
    assert "no demo town" in demo.load_demo()
    loader.load_town(small_town(), progress=None)
    first = demo.load_demo()
    second = demo.load_demo()
    assert "2 data-subject requests" in first and "nothing changed" in second
    assert DataSubjectRequest.objects.filter(status="pending").count() == 1
    assert DataSubjectRequest.objects.filter(status="refused").exclude(decision_reason="").count() == 1
    residents = User.objects.filter(kind="resident")
    assert residents.count() == 3 and all(u.resident is not None for u in residents)
    assert {a.role for a in User.objects.get(username="auditor").role_assignments.all()} == {"auditor"}
