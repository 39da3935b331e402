"""A round's criteria as data: the red-property score of a secretary's neighborhood (gongzhi.property)
blended into the secretary's personal score, shown on the round page, fixed at adoption."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from gongzhi.property.testing import add_property, expected_score
from gongzhi.workforce import criteria, services
from gongzhi.workforce.models import AssessmentRound, Bonus
from gongzhi.workforce.services.assessment import personal_scores

RED = [{"code": "red_property", "level": "secretary", "weight": "30"}]


def _round(world, crew, criteria_=RED, period="2026"):
    assessment = services.open_round(
        actor=crew.admin,
        subdistrict=world.subdistrict,
        title=f"{period} 年度考核",
        kind="year_end",
        period=period,
        pool="10000.00",
        groups=[("party", "社区党委", "1")],
        criteria=criteria_,
    )
    group = assessment.groups.get()
    services.add_rater(actor=crew.admin, group=group, user=crew.admin)
    for nb in (world.neighborhood_a, world.neighborhood_b):
        services.score_neighborhood(actor=crew.admin, group=group, neighborhood=nb, score="80")
    for profile, score in ((crew.secretary, "80"), (crew.worker, "90")):
        services.set_personal_score(actor=crew.admin, round=assessment, profile=profile, score=score)
    return assessment


def test_a_secretarys_personal_score_takes_the_neighborhoods_red_property_score_at_its_weight(world, crew):
    add_property(world, 2026)
    assessment = _round(world, crew)
    used = {s.profile_id: value for s, value in personal_scores(assessment)}
    # 80 × 70 % + 81.94 × 30 % = 56 + 24.582 = 80.582 → 80.58; the regular worker's stays 90.
    assert expected_score() == Decimal("81.94")
    assert used == {crew.secretary.pk: Decimal("80.58"), crew.worker.pk: Decimal("90")}
    services.adopt_round(actor=crew.admin, round=assessment)
    kept = dict(Bonus.objects.filter(round=assessment).values_list("profile_id", "personal_score"))
    assert kept[crew.secretary.pk] == Decimal("80.58")
    assert assessment.personal_scores.get(profile=crew.secretary).score == Decimal("80")  # as entered


def test_without_a_red_property_score_the_entered_score_counts_alone(world, crew):
    assessment = _round(world, crew, period="2024")  # no figures that year
    used = {s.profile_id: value for s, value in personal_scores(assessment)}
    assert used[crew.secretary.pk] == Decimal("80")


def test_the_round_page_shows_the_criterion_and_each_secretarys_red_property_score(client, world, crew):
    add_property(world, 2026)
    assessment = _round(world, crew)
    client.force_login(crew.admin)
    page = client.get(reverse("workforce:round", args=[assessment.pk])).content.decode()
    assert 'id="criteria"' in page and "红色物业" in page
    assert f'data-profile="{crew.secretary.pk}"' in page and "81.94" in page and "80.58" in page
    assert f'data-profile="{crew.worker.pk}"' not in page  # the criterion is the secretaries'


def test_the_rounds_form_offers_the_red_property_weight(client, world, crew):
    client.force_login(crew.admin)
    form = {"title": "2026 书记考核", "kind": "year_end", "period": "2026", "pool": "100"}
    client.post(reverse("workforce:rounds"), {**form, "weight_party": "1", "red_property_weight": "25"})
    assert AssessmentRound.objects.get(title="2026 书记考核").criteria == [
        {"code": "red_property", "level": "secretary", "weight": "25"}
    ]
    bad = client.post(
        reverse("workforce:rounds"),
        {**form, "title": "坏", "weight_party": "1", "red_property_weight": "120"},
        follow=True,
    )
    assert "100" in bad.content.decode() and not AssessmentRound.objects.filter(title="坏").exists()


@pytest.mark.parametrize(
    "given",
    [
        [{"code": "fees", "level": "secretary", "weight": "30"}],
        [{"code": "red_property", "level": "mayor", "weight": "30"}],
        [{"code": "red_property", "level": "secretary", "weight": "0"}],
        [{"code": "red_property", "level": "secretary", "weight": "100.5"}],
        [{"code": "red_property", "level": "secretary", "weight": "abc"}],
        [{"code": "red_property", "level": "secretary", "weight": "1.005"}],
        RED + RED,
    ],
)
def test_criteria_are_checked_before_anything_is_kept(given):
    with pytest.raises(ValidationError) as e:
        criteria.clean(given)
    assert "criteria" in e.value.message_dict


def test_the_blend_is_rounded_half_up_and_skips_other_levels():
    scores = {("red_property", 1): Decimal("81.95")}
    assert criteria.blended(Decimal("80"), "secretary", 1, RED, scores) == Decimal("80.59")  # 80.585
    assert criteria.blended(Decimal("80"), "regular", 1, RED, scores) == Decimal("80")
    full = [{"code": "red_property", "level": "secretary", "weight": "100"}]
    assert criteria.blended(Decimal("10"), "secretary", 1, full, scores) == Decimal("81.95")
