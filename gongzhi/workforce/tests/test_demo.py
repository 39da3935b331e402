"""The workforce demo loads on a small demo town; a second run changes nothing."""

from decimal import Decimal

import pytest

from gongzhi.org.demo import loader
from gongzhi.org.demo.generator import generate_town
from gongzhi.workforce import demo
from gongzhi.workforce.models import (
    AssessmentRound,
    Bonus,
    Chief,
    ContestScore,
    Forum,
    LeadGooseClass,
    MeetingAttendance,
    Mentorship,
    MicroProjectDesign,
    Promotion,
    WorkerProfile,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _outbox(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.GONGZHI_WEBHOOK_URL = ""


def test_demo_loads_once_with_workers_a_plan_pairs_forums_an_adopted_round_and_chiefs():
    assert "no demo town" in demo.load_demo()
    loader.load_town(generate_town(households=2000, seed=5), progress=None)
    first = demo.load_demo()
    second = demo.load_demo()
    assert "social workers" in first and "nothing changed" in second, first
    assert WorkerProfile.objects.filter(user__username="socialworker", post_level="regular").exists()
    assert Mentorship.objects.exists() and Forum.objects.filter(kind="roundtable").count() == 1
    adopted = AssessmentRound.objects.get(status="adopted")
    assert sum(b.amount for b in Bonus.objects.filter(round=adopted)) == Decimal("200000.00")
    assert AssessmentRound.objects.filter(status="open").exists()
    assert LeadGooseClass.objects.count() == 2
    assert set(Chief.objects.values_list("status", flat=True)) == {"appointed", "exited", "nominated"}
    # Early promotion for service in an emergency, from the call-up and its posts, with its reason.
    early = Promotion.objects.filter(round=adopted, reason="emergency")
    assert early.exists() and all(p.detail == "1/1" for p in early)
    assert adopted.criteria == [{"code": "red_property", "level": "secretary", "weight": "30"}]
    assert MeetingAttendance.objects.filter(chief__status="appointed").exists()
    assert ContestScore.objects.exists()
    assert set(MicroProjectDesign.objects.values_list("status", flat=True)) == {
        "accepted",
        "returned",
        "submitted",
    }
