"""Review rounds (services/reviews.py): weighted panel results, ranking, independent scoring."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from gongzhi.core.errors import NotInScope
from gongzhi.org import factories as f
from gongzhi.projects import services
from gongzhi.projects import testing as t

pytestmark = pytest.mark.django_db
D = Decimal


def test_weighted_mean_and_ranking_with_drop_of_extremes(world):
    a = t.project(world, "甲", state="submitted")
    b = t.project(world, "乙", state="submitted")
    r, judges = t.review_round(world, [a, b], members=3, drop_extremes=True)
    t.score_all(
        r,
        judges,
        {a: [(100, 100, 100), (80, 80, 80), (0, 0, 0)], b: [(90, 90, 90), (90, 90, 90), (90, 60, 30)]},
    )
    rows = services.ranking(r)
    # a: totals 100, 80, 0 → drop both → 80; b: 90, 90, 0.4*90+0.3*60+0.3*30=63 → drop 90 and 63 → 90
    assert [(x.project.title, x.result, x.rank) for x in rows] == [
        ("乙", D("90.0000"), 1),
        ("甲", D("80.0000"), 2),
    ]


def test_members_score_independently_and_only_what_their_panel_reviews(world):
    a = t.project(world, "甲", state="submitted")
    b = t.project(world, "乙", state="submitted")
    r, judges = t.review_round(world, [a, b], members=2)
    admin = world.users["subdistrict_admin"]
    outsider = f.UserFactory(username="outsider")
    services.create_panel(actor=admin, review_round=r, name="第二组", members=[outsider], projects=[b])
    crit = list(r.criteria.all())
    with pytest.raises(NotInScope):
        services.submit_scores(actor=outsider, review_round=r, project=a, values={c.pk: 50 for c in crit})
    with pytest.raises(NotInScope):
        services.submit_scores(
            actor=world.users["neighborhood_secretary"],
            review_round=r,
            project=a,
            values={c.pk: 50 for c in crit},
        )
    with pytest.raises(ValidationError) as e:
        services.submit_scores(
            actor=judges[0], review_round=r, project=a, values={crit[0].pk: 101, crit[1].pk: 1, crit[2].pk: 1}
        )
    assert f"criterion_{crit[0].pk}" in e.value.message_dict
    services.submit_scores(actor=judges[0], review_round=r, project=a, values={c.pk: 70 for c in crit})
    services.submit_scores(
        actor=judges[0], review_round=r, project=a, values={c.pk: 60 for c in crit}
    )  # replaces
    assert a.scores.count() == 3
    assert services.ranking(r)[0].result == D("60.0000")
