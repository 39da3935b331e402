"""`concerns.demo_visits.load_demo` on a small demo town: rules, hotlines, six months of visits
once; a second run changes nothing."""

import pytest
from django.utils import timezone

from gongzhi.org.demo import loader
from gongzhi.org.demo.generator import generate_town
from gongzhi.org.models import Neighborhood
from gongzhi.visits import selectors as vs
from gongzhi.visits.demo import load_demo
from gongzhi.visits.models import Hotline, StaffContact, Visit, VisitRule

pytestmark = pytest.mark.django_db


def test_demo_visits_load_once_and_show_coverage():
    assert load_demo().startswith("visits: no demo subdistrict")
    town = loader.load_town(generate_town(households=600, seed=5), progress=None).subdistrict
    first = load_demo()
    assert first.startswith("visits: ") and "raised a concern" in first
    visits = Visit.objects.count()
    assert visits > 100 and Visit.objects.filter(concern__isnull=False).count() == 12
    assert VisitRule.objects.filter(subdistrict=town).count() == 3
    assert Hotline.objects.filter(subdistrict=town).count() == 5 and StaffContact.objects.count() == 5
    assert not Visit.objects.filter(visited_at__gt=timezone.now()).exists()
    neighborhood = Neighborhood.objects.filter(subdistrict=town).order_by("code").first()
    assert set(Visit.objects.values_list("neighborhood_id", flat=True)) == {neighborhood.pk}
    from gongzhi.accounts.models import User

    secretary = User.objects.get(username="secretary")
    month = timezone.localdate().replace(day=1)
    plan = vs.plan_of(town.pk)
    trend = vs.coverage_trend(secretary, month=month, months=plan.household_months, span=6)
    rates = [t["rate"] for t in trend]
    assert rates[0] < rates[-2] and 0.3 < rates[-2] < 0.95  # uptake grows month by month
    assert load_demo() == "visits: already loaded, nothing changed"
    assert Visit.objects.count() == visits
