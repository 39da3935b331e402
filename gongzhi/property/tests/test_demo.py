"""The demo's red property: every compound with a company, a year of figures, a committee; a coverage figure."""

from functools import cache

import pytest
from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.org.demo import loader
from gongzhi.org.demo.generator import generate_town
from gongzhi.org.models import Compound
from gongzhi.property import demo, selectors
from gongzhi.property.models import (
    CommitteeReport,
    Contract,
    JointCommittee,
    JointMeeting,
    MonthlyFigures,
    OwnersCommittee,
    RuleBook,
    RuleVersion,
    StarReview,
)

pytestmark = pytest.mark.django_db


@cache
def small_town():
    return generate_town(households=2000, seed=5)


def test_red_property_loads_once_for_every_compound_with_a_coverage_figure():
    assert "no demo town" in demo.load_demo()
    result = loader.load_town(small_town(), progress=None)
    first, second = demo.load_demo(), demo.load_demo()
    assert "nothing changed" in second and "12 months" in first
    compounds = Compound.objects.filter(neighborhood__subdistrict=result.subdistrict)
    for compound in compounds:
        assert Contract.objects.filter(compound=compound).exists()
        assert MonthlyFigures.objects.filter(compound=compound).count() == 12
        assert OwnersCommittee.objects.filter(compound=compound).exists()
    admin = User.objects.get(username="admin")
    whole, _by_neighborhood = selectors.coverage(admin, result.subdistrict)
    assert whole.total and 70 <= whole.rate <= 90
    year = demo.months_of_demo(timezone.localdate())[-1].year
    ranked = selectors.neighborhood_ranking(admin, result.subdistrict, year)
    assert ranked and all(score is not None for _n, score in ranked)
    # Rules and stars: village rules in two versions everywhere, covenants, stars lowered and removed.
    for nb in {c.neighborhood for c in compounds}:
        assert RuleVersion.objects.filter(book__neighborhood=nb, book__kind="village").count() == 2
    assert RuleBook.objects.filter(kind="stairwell").exists()
    assert (
        StarReview.objects.filter(stars_after=0).exists()
        and StarReview.objects.filter(stars_after=2, stars_before=3).exists()
    )
    assert JointMeeting.objects.count() == JointCommittee.objects.count() > 0
    assert CommitteeReport.objects.exists(), first
