"""`concerns.demo.load_demo` on a small demo town: ~200 real-message concerns in every state, once."""

import time

import pytest

from gongzhi.concerns import demo, lifecycle, selectors
from gongzhi.concerns.models import Concern, ConcernEvent, Supervision
from gongzhi.org.demo import loader
from gongzhi.org.demo.generator import generate_town
from gongzhi.org.models import Subdistrict

pytestmark = pytest.mark.django_db


def test_demo_concerns_load_once_in_every_state():
    assert "no demo town" in demo.load_demo()
    loader.load_town(generate_town(households=2000, seed=5), progress=None)
    started = time.perf_counter()
    first = demo.load_demo()
    assert time.perf_counter() - started < 10, first
    print(first)
    second = demo.load_demo()
    assert "already loaded" in second
    sub = Subdistrict.objects.get(code=demo.SUBDISTRICT_CODE)
    concerns = Concern.objects.filter(subdistrict=sub)
    assert concerns.count() == demo.TOTAL
    assert set(concerns.values_list("state", flat=True)) == set(lifecycle.STATES)
    assert concerns.exclude(rating="").count() > 50
    assert Supervision.objects.filter(concern__subdistrict=sub).exists()
    assert concerns.filter(overdue=True).exists() and concerns.filter(supporters__gt=0).exists()
    assert concerns.filter(suggestion_confidence__isnull=False).count() == demo.TOTAL
    # Every concern's history starts with its acceptance at its acceptance time and stays in order.
    for concern in concerns.filter(state="closed")[:20]:
        steps = list(concern.events.order_by("at", "id"))
        assert steps[0].action == "accept" and abs((steps[0].at - concern.accepted_at).total_seconds()) < 1
        assert [e.action for e in steps if e.action not in ("join", "joined")][-2:] == ["close", "rate"]
    assert ConcernEvent.objects.filter(concern__subdistrict=sub, action="resolve").exclude(note="").exists()
    # The demo logins see them in their queue and on the KPI page.
    from gongzhi.accounts.models import User

    secretary = User.objects.get(username="secretary")
    assert selectors.concern_queue(secretary).exists()
    # The handlers' demo logins have concerns routed to them (their workbenches are not empty).
    for username in ("department", "property", "owners", "partner"):
        assert selectors.concern_queue(User.objects.get(username=username)).exists(), username
