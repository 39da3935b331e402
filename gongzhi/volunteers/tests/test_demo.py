"""The volunteers demo loads on a small demo town; a second run changes nothing."""

import pytest

from gongzhi.org.demo import loader
from gongzhi.org.demo.generator import generate_town
from gongzhi.volunteers import demo
from gongzhi.volunteers.models import Emergency, LedgerEntry, MicroWish, PostAssignment, SignUp, Volunteer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _outbox(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.GONGZHI_WEBHOOK_URL = ""


def test_demo_loads_once_with_ledger_entries_a_past_emergency_and_wishes():
    assert "no demo town" in demo.load_demo()
    loader.load_town(generate_town(households=2000, seed=5), progress=None)
    first = demo.load_demo()
    second = demo.load_demo()
    assert "40 volunteers" in first and "nothing changed" in second, first
    assert Volunteer.objects.count() == 40
    assert LedgerEntry.objects.filter(kind="earned").count() == 6
    assert SignUp.objects.filter(status="waitlisted").count() == 2
    emergency = Emergency.objects.get(kind="real")
    assert emergency.status == "closed" and PostAssignment.objects.filter(emergency=emergency).count() > 0
    # A past call-up: opened and answered before its first shift (it showed today's date before).
    first_shift = emergency.shifts.order_by("starts_at").first()
    assert emergency.opened_at < first_shift.starts_at
    assert all(a.answered_at < first_shift.starts_at for a in emergency.answers.exclude(answered_at=None))
    assert MicroWish.objects.filter(status="fulfilled").count() == 1
    # Two drills rehearse it: a live one ten days ago and a tabletop one today, each with a report.
    live, tabletop = Emergency.objects.get(kind="live"), Emergency.objects.get(kind="tabletop")
    for drill in (live, tabletop):
        summary = drill.drill_result["summary"]
        assert drill.status == "closed" and summary["called"] > 0 and summary["places"] > 0, summary
        assert {row["name"] for row in summary["by_team"]} == {"杨泰志愿服务队", "党员先锋突击队"}
        assert summary["unreachable"] and summary["times"]["50"] is not None
    assert live.opened_at < tabletop.opened_at and live.answers.filter(answer="yes").exists()
    assert not tabletop.answers.exists() and tabletop.drill_result["summary"]["people"]


def test_the_demo_party_group_chief_and_grid_chief_find_open_wishes_and_the_chief_a_name():
    """Issue 23: they saw an empty list while the public board showed open wishes."""
    from gongzhi.accounts.models import User
    from gongzhi.volunteers import selectors
    from gongzhi.volunteers.models import VolunteerTeam

    loader.load_town(generate_town(households=2000, seed=5), progress=None)
    demo.load_demo()
    for username in ("partygroupchief", "gridchief", "secretary"):
        user = User.objects.get(username=username)
        assert selectors.wishes_visible_to(user).filter(status="open").exists(), username
    assert str(VolunteerTeam.objects.get(name="杨泰志愿服务队").chief) == "刘丽萍"
