"""The demo town generator: deterministic, realistic in shape, synthetic people with valid numbers."""

from collections import Counter
from functools import cache

import pytest

from gongzhi.core import coords, pii
from gongzhi.org.demo.generator import generate_town


@cache
def town(seed: int = 7):
    return generate_town(households=3000, seed=seed)


def test_same_seed_gives_the_same_town():
    again = generate_town(households=3000, seed=7)
    for kind, records in vars(town()).items():
        assert records == getattr(again, kind), kind


def test_another_seed_gives_other_people():
    other = town(8)
    assert [r.name for r in other.residents[:50]] != [r.name for r in town().residents[:50]]


def test_town_has_the_asked_size_and_every_level():
    t = town()
    assert 3000 <= len(t.households) <= 3060
    assert len(t.neighborhoods) >= 4 and {n.kind for n in t.neighborhoods} == {"urban", "village"}
    assert {g.level for g in t.grids} == {1, 2, 3, 4, 5}
    assert {c.era for c in t.compounds} == {"old", "new", "village"}
    assert {o.level for o in t.party_orgs} == {"committee", "community", "branch", "group"}
    assert Counter(s.kind for s in t.service_points)["hub"] == 1
    assert Counter(s.kind for s in t.service_points)["circle"] == 5
    assert len(t.partner_units) == 40 and len(t.departments) == 9


def test_old_lane_buildings_are_low_rise_with_two_or_three_stairwells():
    t = town()
    stairwells = Counter(s.building_key for s in t.stairwells)
    for b in t.buildings:
        if t.compounds[b.compound_key - 1].era == "old":
            assert b.floors <= 6 and stairwells[b.key] in (2, 3)
            assert t.compounds[b.compound_key - 1].built_year < 1990


def test_every_building_lies_in_one_micro_grid_of_its_own_neighborhood():
    t = town()
    grids = {g.key: g for g in t.grids}
    for b in t.buildings:
        grid = grids[b.grid_key]
        assert grid.level == 4 and grid.neighborhood_key == b.neighborhood_key
        assert t.compounds[b.compound_key - 1].neighborhood_key == b.neighborhood_key


def test_micro_grids_hold_about_three_to_five_hundred_households():
    t = town()
    per_grid = Counter()
    per_building = Counter(h.building_key for h in t.households)
    for b in t.buildings:
        per_grid[b.grid_key] += per_building[b.key]
    sizes = sorted(per_grid.values())
    assert sizes[len(sizes) // 2] in range(300, 501)
    assert max(sizes) <= 500


def test_id_numbers_are_valid_unique_and_match_birth_and_gender():
    residents = town().residents
    assert len({r.id_number for r in residents}) == len(residents)
    for r in residents:
        assert pii.validate_id_number(r.id_number) == r.id_number
        assert r.id_number.startswith("310113")
        assert pii.birth_date_from_id(r.id_number) == r.birth_date
        assert int(r.id_number[16]) % 2 == (1 if r.gender == "M" else 0)


def test_phones_are_valid_and_unique():
    phones = [r.phone for r in town().residents if r.phone]
    assert len(set(phones)) == len(phones) > 0
    assert all(pii.validate_phone(p) == p for p in phones)


def test_every_household_has_an_owner_and_let_flats_have_tenants():
    t = town()
    owners = {r.household_key for r in t.residents if r.is_owner}
    village = {h.key for h in t.households if h.stairwell_key is None}
    assert {h.key for h in t.households} - village <= owners
    assert any(r.is_tenant for r in t.residents)
    assert any(not r.lives_here and r.is_owner for r in t.residents)


def test_sensitive_tags_and_party_members_are_present_in_realistic_shares():
    t = town()
    adults = sum(1 for r in t.residents if r.birth_date.year <= 2007)
    assert 0.02 < len(t.party_members) / adults < 0.07
    assert {tag.tag for tag in t.tags} == {"elderly_alone", "hardship", "disability", "health"}
    assert any(m.in_service and m.dual_registration_key for m in t.party_members)
    assert any(m.status == "probationary" for m in t.party_members)


@pytest.mark.parametrize(("bd", "wgs"), [((121.43951467, 31.35329672), (121.42844, 31.348754))])
def test_baidu_coordinates_convert_to_wgs84(bd, wgs):
    lng, lat = coords.bd09_to_wgs84(*bd)
    assert abs(lng - wgs[0]) < 1e-5 and abs(lat - wgs[1]) < 1e-5
    # The inverse GCJ step is exact to well under a metre.
    back = coords.wgs84_to_gcj02(lng, lat)
    assert back == pytest.approx(coords.bd09_to_gcj02(*bd), abs=1e-8)
