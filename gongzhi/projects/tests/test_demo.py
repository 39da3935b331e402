"""The demo's fund round: loads on a small demo town, a second run changes nothing."""

import pytest

from gongzhi.org.demo import loader
from gongzhi.org.demo.generator import generate_town
from gongzhi.projects import demo, services
from gongzhi.projects.models import Allocation, Disclosure, Expense, Project, ReviewRound

pytestmark = pytest.mark.django_db


def test_demo_loads_once_with_a_scored_round_an_adopted_allocation_and_a_disclosure():
    assert "no demo town" in demo.load_demo()
    loader.load_town(generate_town(households=2000, seed=5), progress=None)
    first = demo.load_demo()
    second = demo.load_demo()
    assert "allocation adopted" in first and "nothing changed" in second
    review = ReviewRound.objects.get(name=demo.ROUND)
    assert Project.objects.count() == len(demo.PROJECTS) + 1
    assert [r.rank for r in services.ranking(review)] == list(range(1, 9))
    adopted = Allocation.objects.get(review_round=review, status="adopted")
    assert (adopted.created_by.username, adopted.adopted_by.username) == ("admin", "admin2")  # four eyes
    groups = [line.new > line.old for line in adopted.lines.all()]
    assert groups[:3] == [True] * 3 and sum(groups) == 3
    assert sum(line.new < line.old for line in adopted.lines.all()) == 5
    assert Disclosure.objects.count() == 1
    assert Expense.objects.exclude(override_reason="").count() == 1
    assert set(Project.objects.values_list("state", flat=True)) == {
        "running",
        "approved",
        "rejected",
        "draft",
    }
