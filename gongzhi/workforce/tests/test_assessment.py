from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongzhi.core.errors import NotInScope
from gongzhi.org import factories as f
from gongzhi.volunteers.models import CallUpAnswer, Emergency, Volunteer
from gongzhi.workforce import bonus, selectors, services
from gongzhi.workforce.models import AssessmentRound, Bonus, Promotion
from gongzhi.workforce.services.assessment import rule_inputs
from gongzhi.workforce.testing import PERSONAL, open_test_round


@pytest.fixture
def scored(world, crew):
    """A round in which three raters scored both neighborhoods and every worker has a personal score."""
    assessment, groups = open_test_round(world, crew)
    raters = {code: f.UserFactory(username=f"rater_{code}") for code in groups}
    for code, group in groups.items():
        services.add_rater(actor=crew.admin, group=group, user=raters[code])
    scores = {"party": (90, 80), "office": (70, 85), "grid": (95, 60)}
    for code, (a, b) in scores.items():
        services.score_neighborhood(
            actor=raters[code], group=groups[code], neighborhood=world.neighborhood_a, score=a
        )
        services.score_neighborhood(
            actor=raters[code], group=groups[code], neighborhood=world.neighborhood_b, score=b
        )
    for name, value in PERSONAL.items():
        services.set_personal_score(
            actor=crew.admin, round=assessment, profile=getattr(crew, name), score=value
        )
    return assessment, groups, raters


def test_adoption_pays_the_pool_exactly_by_the_same_rule_as_the_command(world, crew, scored):
    assessment, _groups, _raters = scored
    expected = bonus.compute(*rule_inputs(assessment)[:3], assessment.pool)
    services.adopt_round(actor=crew.admin, round=assessment)
    paid = {b.profile_id: b.amount for b in Bonus.objects.filter(round=assessment)}
    assert paid == {int(s.worker): s.bonus for s in expected}
    assert sum(paid.values()) == Decimal("10000.00")
    nb_a = Bonus.objects.get(round=assessment, profile=crew.worker).neighborhood_score
    assert nb_a == Decimal("85.00")  # (0.5×90 + 0.3×70 + 0.2×95) / 1


def test_an_adopted_round_is_immutable(world, crew, scored):
    assessment, groups, raters = scored
    services.adopt_round(actor=crew.admin, round=assessment)
    with pytest.raises(ValidationError):
        services.score_neighborhood(
            actor=raters["party"], group=groups["party"], neighborhood=world.neighborhood_a, score=10
        )
    with pytest.raises(ValidationError):
        services.set_personal_score(actor=crew.admin, round=assessment, profile=crew.worker, score=1)
    with pytest.raises(ValidationError):
        services.adopt_round(actor=crew.admin, round=assessment)
    assert AssessmentRound.objects.get(pk=assessment.pk).status == "adopted"


def test_only_the_groups_raters_score_and_only_within_range(world, crew, scored):
    assessment, groups, raters = scored
    with pytest.raises(NotInScope):
        services.score_neighborhood(
            actor=raters["party"], group=groups["office"], neighborhood=world.neighborhood_a, score=50
        )
    with pytest.raises(ValidationError) as e:
        services.score_neighborhood(
            actor=raters["party"], group=groups["party"], neighborhood=world.neighborhood_a, score="100.5"
        )
    assert "score" in e.value.message_dict
    with pytest.raises(ValidationError) as e:
        services.score_neighborhood(
            actor=raters["party"], group=groups["party"], neighborhood=world.neighborhood_far, score=50
        )
    assert "neighborhood" in e.value.message_dict


def test_a_rater_sees_their_own_scores_only(world, crew, scored):
    _assessment, groups, raters = scored
    assert selectors.own_ratings(raters["party"], groups["party"]) == {
        world.neighborhood_a.pk: Decimal("90.00"),
        world.neighborhood_b.pk: Decimal("80.00"),
    }
    assert selectors.own_ratings(raters["office"], groups["party"]) == {}


@pytest.mark.parametrize("code", ["neighborhood_secretary", "social_worker", "grid_worker", "auditor"])
def test_nobody_but_the_personnel_roles_runs_or_reads_rounds(world, crew, scored, code):
    assessment, _groups, _raters = scored
    user = world.users[code]
    assert not selectors.rounds_visible_to(user).exists()
    with pytest.raises(NotInScope):
        services.adopt_round(actor=user, round=assessment)
    with pytest.raises(NotInScope):
        selectors.round_results(user, assessment)
    with pytest.raises((NotInScope, PermissionDenied)):
        services.open_round(
            actor=user,
            subdistrict=world.subdistrict,
            title="x",
            kind="year_end",
            period="x",
            pool="1",
            groups=[("a", "a", "1")],
        )


def test_a_worker_sees_their_own_bonus_and_nobody_elses(world, crew, scored):
    assessment, _groups, _raters = scored
    services.adopt_round(actor=crew.admin, round=assessment)
    mine = selectors.own_bonuses(world.users["social_worker"])
    assert [b.profile_id for b in mine] == [crew.worker.pk]
    assert not selectors.own_bonuses(world.users["grid_worker"]).exists()


def test_the_promotion_list_names_top_scores_and_early_promotion_for_emergency_service(world, crew, scored):
    assessment, _groups, _raters = scored
    emergency = Emergency.objects.create(
        subdistrict=world.subdistrict, neighborhood=world.neighborhood_a, title="台风"
    )
    volunteer = Volunteer.objects.create(
        neighborhood=world.neighborhood_a, name="陈初任", user=crew.novice.user
    )
    CallUpAnswer.objects.create(
        emergency=emergency,
        volunteer=volunteer,
        answer="yes",
        answered_at=assessment.groups.first().round.adopted_at or _now(),
    )
    services.adopt_round(actor=crew.admin, round=assessment)
    listed = {(p.profile.name, p.reason, p.to_level) for p in Promotion.objects.filter(round=assessment)}
    assert listed == {("李社工", "top_score", "team_lead"), ("陈初任", "emergency", "regular")}


def test_a_round_with_nobody_scored_cannot_be_adopted(world, crew):
    assessment, _groups = open_test_round(world, crew)
    services.set_personal_score(actor=crew.admin, round=assessment, profile=crew.worker, score=80)
    with pytest.raises(ValidationError) as e:
        services.adopt_round(actor=crew.admin, round=assessment)
    assert e.value.error_dict["round"][0].code == "unscored_neighborhood"
    assert "还没有人为该社工所在社区打分" in str(e.value)  # the reader's language, naming the worker
    assert crew.worker.name in str(e.value)
    assert not Bonus.objects.exists()


def _now():
    from django.utils import timezone

    return timezone.now()
